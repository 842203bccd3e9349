"""Where render tasks run: in this process, in a local process pool, or on a Dask cluster."""

from __future__ import annotations

from outreach.engine.executors.local import InProcess, LocalPool


def start_executor(root, options, out_dir, stage_dir):
    if options.executor == "dask":
        from outreach.engine.executors.dask_cluster import DaskExecutor

        return DaskExecutor(root, options, out_dir, stage_dir)
    if options.workers() <= 1:
        return InProcess(root, options, out_dir, stage_dir)
    return LocalPool(root, options, out_dir, stage_dir, options.workers())
