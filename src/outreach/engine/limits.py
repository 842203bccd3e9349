"""Bounded time and memory for rendering one target, whatever its templates and content do.

The sandbox stops the one-step bombs (`'a' * 10**10`, `10 ** 10**10`); a template can still
grow a value in a loop, and layout of pathological input can be slow. Each render therefore
runs under a wall-clock limit (SIGALRM, so it also stops Python-level loops inside WeasyPrint)
and an address-space limit above what the process already uses, and fails that target with
a clear message instead of hanging the build or exhausting the machine.
"""

from __future__ import annotations

import contextlib
import resource
import signal
import threading
from typing import Iterator


class RenderTimeout(Exception):
    """The wall-clock limit of one render ran out."""


def _address_space_in_use() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[0])
        return pages * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


@contextlib.contextmanager
def render_limits(seconds: float | None, memory_mb: int | None) -> Iterator[None]:
    """Run the body with at most `seconds` of wall-clock time and `memory_mb` more address space.

    The time limit needs the main thread (signals are delivered there); elsewhere (the preview
    server's rebuild thread) only the memory limit applies.
    """
    with _memory_limit(memory_mb), _time_limit(seconds):
        yield


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise RenderTimeout()

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _memory_limit(memory_mb: int | None) -> Iterator[None]:
    in_use = _address_space_in_use()
    if not memory_mb or not in_use:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = in_use + memory_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft <= wanted:
        yield  # an outer limit is already tighter
        return
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
