"""Bounded time and memory for rendering one target, whatever its templates and content do.

The sandbox stops the one-step bombs (`'a' * 10**10`, `'a'|center(10**9)`) and keeps every
template render within a time, loop and size budget in any thread (outreach.rendering.budget).
Behind it, in the main thread, each render runs under a wall-clock limit (SIGALRM, so it also
stops Python-level loops inside WeasyPrint) and an address-space limit above what the process
already uses, and fails that target with a clear message instead of hanging the build or
exhausting the machine.
"""

from __future__ import annotations

import contextlib
import resource
import signal
import threading
from typing import Iterator

from outreach.rendering.budget import render_budget

# In the main thread SIGALRM stops a build's batch first (the build then retries each target of the
# batch alone); the templates' own deadline, this much later, is the net for what SIGALRM cannot reach.
_TEMPLATE_GRACE_SECONDS = 1.0


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

    SIGALRM needs the main thread (signals are delivered there); elsewhere (the preview server's
    rebuild thread) templates still stop at `seconds` through their render budget, and the
    memory limit applies.
    """
    on_main = threading.current_thread() is threading.main_thread()
    budget = (seconds + _TEMPLATE_GRACE_SECONDS if on_main else seconds) if seconds else None
    with _memory_limit(memory_mb), _time_limit(seconds), _template_budget(budget):
        yield


@contextlib.contextmanager
def check_limits(seconds: float | None, memory_mb: int | None) -> Iterator[None]:
    """The limits of the renders `outreach check` does (and the editor's checks, which call it).

    Templates stop at `seconds` with a located message, in any thread. In the main thread (the
    CLI) the build's SIGALRM and memory limit stand behind them; in another thread only the
    templates' budget applies: an address-space limit is process-wide, and one set from a
    request thread would bind every other thread of the server.
    """
    if threading.current_thread() is threading.main_thread():
        with render_limits(seconds + _TEMPLATE_GRACE_SECONDS if seconds else None, memory_mb), \
                _template_budget(seconds):
            yield
    else:
        with _template_budget(seconds):
            yield


def _template_budget(seconds: float | None) -> contextlib.AbstractContextManager[None]:
    return render_budget(seconds) if seconds else contextlib.nullcontext()


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
