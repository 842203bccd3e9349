"""Where render tasks run: in this process, in a local process pool, or on a Dask cluster."""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Iterator

from outreach.worker import Outcome, init_worker, run_target


class InProcess:
    def __init__(self, root, library, options, out_dir) -> None:
        init_worker(root, library, options, out_dir)

    def run(self, batch) -> Iterator[Outcome]:
        for target in batch:
            yield run_target(target)


class LocalPool:
    """A process pool; each worker sets up fonts and Jinja once and renders many targets."""

    def __init__(self, root, library, options, out_dir, workers: int) -> None:
        # fork shares the already-loaded library with workers without pickling it.
        method = "fork" if sys.platform.startswith("linux") else "spawn"
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                                        initializer=init_worker, initargs=(root, library, options, out_dir))

    def run(self, batch) -> Iterator[Outcome]:
        futures = {self.pool.submit(run_target, target): target for target in batch}
        try:
            for future in as_completed(futures):
                target = futures[future]
                try:
                    yield future.result()
                except BrokenProcessPool:
                    yield Outcome(target.id, False, message="渲染进程意外退出（可能内存不足），请用 -j 1 重试。")
        finally:
            for future in futures:
                future.cancel()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def make_executor(root, library, options, out_dir, pending: int):
    workers = min(options.workers(), max(pending, 1))
    if workers <= 1:
        executor = InProcess(root, library, options, out_dir)
    else:
        executor = LocalPool(root, library, options, out_dir, workers)
    try:
        yield executor
    finally:
        close = getattr(executor, "close", None)
        if close:
            close()
