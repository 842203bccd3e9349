"""Where render tasks run: in this process, in a local process pool, or on a Dask cluster."""

from __future__ import annotations

import threading

from outreach.engine.executors.local import InProcess, LocalPool


def start_executor(root, options, out_dir, stage_dir):
    if options.executor == "dask":
        from outreach.engine.executors.dask_cluster import DaskExecutor

        return DaskExecutor(root, options, out_dir, stage_dir)
    # In-process rendering only where the per-target time limit can hold: SIGALRM reaches the
    # main thread only. A build started from another thread (the preview server's rebuild)
    # renders in one worker process instead, under the same limits as `outreach build`.
    if options.workers() <= 1 and threading.current_thread() is threading.main_thread():
        return InProcess(root, options, out_dir, stage_dir)
    return LocalPool(root, options, out_dir, stage_dir, options.workers())
