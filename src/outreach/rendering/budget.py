"""A budget for every template render, kept by the sandbox itself, in whatever thread renders.

`build` stops a runaway target with SIGALRM and an address-space limit, but those only work in
the main thread and for the whole process: the preview server and the editor render in worker
threads, and `check` used to render with no limit at all. So the sandbox counts, per render:
time (a deadline checked as templates loop and call), loop iterations, and the characters made
(output, filter and method results). A render over its budget stops with BudgetExceeded, which
render_template turns into a located TemplateProblem.

Callers choose the time with `render_budget(seconds)`; a render outside any such block gets
DEFAULT_RENDER_SECONDS (the default of [build] target_timeout).
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from dataclasses import dataclass
from typing import Iterable, Iterator

DEFAULT_RENDER_SECONDS = 120.0      # the default [build] target_timeout
MAX_LOOP_ITERATIONS = 1_000_000     # per render, every {% for %} of every template it pulls in
MAX_OUTPUT_CHARS = 20_000_000       # one template's output, block, macro result or any one value
MAX_MADE_CHARS = 100_000_000        # everything one render makes, intermediate values included
_CLOCK_EVERY = 64                   # ticks between two looks at the clock


class BudgetExceeded(Exception):
    """A render went over its time, loop or size budget; the message is a Chinese clause that
    follows “渲染…时”."""


@dataclass
class _Render:
    deadline: float
    seconds: float
    iterations: int = 0
    made: int = 0
    ticks: int = 0


_limit: contextvars.ContextVar[tuple[float, float] | None] = contextvars.ContextVar("outreach_render_limit", default=None)
_current: contextvars.ContextVar[_Render | None] = contextvars.ContextVar("outreach_render", default=None)


@contextlib.contextmanager
def render_budget(seconds: float) -> Iterator[None]:
    """Every template render inside the block stops once `seconds` have passed since the block
    began (with a located TemplateProblem), in any thread; nested blocks keep the earlier end.
    The loop and size caps apply to each render whether or not a block is active."""
    end = time.monotonic() + seconds
    outer = _limit.get()
    token = _limit.set(outer if outer is not None and outer[0] <= end else (end, seconds))
    try:
        yield
    finally:
        _limit.reset(token)


@contextlib.contextmanager
def render_scope() -> Iterator[None]:
    """One render's counters (a render nested in another shares them)."""
    if _current.get() is not None:
        yield
        return
    limit = _limit.get()
    if limit is None:
        limit = (time.monotonic() + DEFAULT_RENDER_SECONDS, DEFAULT_RENDER_SECONDS)
    token = _current.set(_Render(*limit))
    try:
        yield
    finally:
        _current.reset(token)


def tick() -> None:
    """Called at every call, operator and filter a template runs: looks at the clock now and then."""
    render = _current.get()
    if render is None:
        return
    render.ticks += 1
    if render.ticks % _CLOCK_EVERY == 0 and time.monotonic() > render.deadline:
        raise _out_of_time(render)


def charge(size: int) -> None:
    """Count `size` characters made by the current render (checked before they are made)."""
    render = _current.get()
    if render is None:
        return
    render.made += size
    if render.made > MAX_MADE_CHARS:
        raise _made_too_much()


def step(size: int) -> None:
    """tick() and charge(size) in one look at the render (filters call it on every use)."""
    render = _current.get()
    if render is None:
        return
    render.ticks += 1
    render.made += size
    if render.made > MAX_MADE_CHARS:
        raise _made_too_much()
    if render.ticks % _CLOCK_EVERY == 0 and time.monotonic() > render.deadline:
        raise _out_of_time(render)


def _made_too_much() -> BudgetExceeded:
    return BudgetExceeded(f"累计生成的文字超过上限（{MAX_MADE_CHARS:,} 个字符），已停止。"
                          "请检查是否在循环里反复生成大段文字。")


def output_too_long(size: int) -> BudgetExceeded:
    return BudgetExceeded(f"生成的文字超过上限（{size:,} 个字符，最多 {MAX_OUTPUT_CHARS:,}），已停止。"
                          "请检查是否在循环里重复输出了大段文字。")


def guarded(iterable: Iterable) -> Iterator:
    """The items of a {% for %} loop, counted against the render's loop and time budget."""
    render = _current.get()
    if render is None:
        yield from iterable
        return
    for item in iterable:
        render.iterations += 1
        if render.iterations > MAX_LOOP_ITERATIONS:
            raise BudgetExceeded(f"模板循环的总次数超过上限（{MAX_LOOP_ITERATIONS:,} 次），已停止。"
                                 "请检查循环是否套得太多层，或循环的范围是否过大。")
        if render.iterations % _CLOCK_EVERY == 0 and time.monotonic() > render.deadline:
            raise _out_of_time(render)
        yield item


class LoopItems:
    """What a guarded {% for %} iterates: the items through `guarded`, with the length of the
    original (so `loop.length` does not copy a list)."""

    __slots__ = ("items",)

    def __init__(self, items) -> None:
        self.items = items

    def __iter__(self) -> Iterator:
        return guarded(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _out_of_time(render: _Render) -> BudgetExceeded:
    return BudgetExceeded(f"用时超过上限（{render.seconds:g} 秒），已停止。可能是模板里的循环太大或太多层；"
                          "确实需要更久时，可在 outreach.toml 的 [build] target_timeout 调高上限。")
