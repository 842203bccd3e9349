"""Rendering in this process or in a local process pool."""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Iterator

from outreach.engine.executors.batches import chunks
from outreach.engine.worker import Outcome, init_worker, preload, run_batch, start_warm_worker


class InProcess:
    """Renders in this process: for -j 1, and for builds with nothing to render."""

    def __init__(self, root, options, out_dir, stage_dir) -> None:
        self.args = (root, options, out_dir, stage_dir)

    def prepare(self, library) -> None:
        root, options, out_dir, stage_dir = self.args
        init_worker(root, library, options, out_dir, stage_dir)

    def run(self, targets) -> Iterator[Outcome]:
        for batch in chunks(targets, 1):
            yield from run_batch(batch)

    def close(self, abort: bool = False) -> None:
        pass


class LocalPool:
    """A process pool started before planning: workers load the library and warm up
    WeasyPrint and fonts in parallel with the main process, then render many targets."""

    def __init__(self, root, options, out_dir, stage_dir, workers: int) -> None:
        self.workers = workers
        self.used = False
        self.keep: frozenset[str] | None = None
        context = _context()
        # Imported and parsed once here, shared by every forked worker. A pool forks only where
        # this build is the process's one thread (the command line, see _context): in `outreach
        # serve` the editor's threads use Pango and fontconfig too, which are not safe to set up
        # beside them (the server's rebuild workers died, "渲染进程意外退出", and once the server
        # itself), nor to freeze its objects for good.
        if context.get_start_method() == "fork":
            preload(root, options)
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                        initializer=start_warm_worker,
                                        initargs=(root, options, out_dir, stage_dir, os.getpid()))
        # Workers start on the first submission; start them now so they warm up during planning.
        for _ in range(workers):
            self.pool.submit(_ready)

    def prepare(self, library) -> None:
        self.used = True
        # The workers loaded the library themselves: they render with the items planned with.
        self.keep = frozenset(item.path for item in library.all_items())

    def run(self, targets) -> Iterator[Outcome]:
        # Left-over futures are not cancelled here: a build that stops early closes the pool with
        # abort=True, which kills the workers. Cancelling first raced with Python 3.11's pool
        # manager, which then set BrokenProcessPool on a cancelled future and printed a traceback
        # on Ctrl-C.
        futures = {self.pool.submit(run_batch, batch, self.keep): batch for batch in chunks(targets, self.workers)}
        for future in as_completed(futures):
            try:
                yield from future.result()
            except BrokenProcessPool:
                for target in futures[future]:
                    yield Outcome(target.id, False, message="渲染进程意外退出（可能内存不足），请用 -j 1 重试。")

    def close(self, abort: bool = False) -> None:
        if abort or not self.used:
            # Interrupted, or nothing to render after all: stop the workers instead of waiting
            # for them to finish what they are doing.
            for process in list(getattr(self.pool, "_processes", {}).values()):
                process.terminate()
        # No cancel_futures: after the kill the pool fails what is left itself (see run).
        self.pool.shutdown(wait=True)


def _context():
    # fork: workers start in milliseconds and import WeasyPrint in parallel with each other
    # and with the main process's planning (a fork server would import it once, but
    # serially, which measured slower on two cores). But forking a process that runs other
    # threads (the preview server's request handlers and file watcher, the editor) copies
    # whatever locks those threads hold at that instant, and a worker can hang on one
    # forever: such a process spawns its workers (fork + exec, a fresh interpreter).
    methods = multiprocessing.get_all_start_methods()
    method = "fork" if "fork" in methods and threading.active_count() == 1 else "spawn"
    return multiprocessing.get_context(method)


def _ready() -> bool:
    return True
