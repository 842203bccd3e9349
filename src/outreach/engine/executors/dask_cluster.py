"""Running render tasks on an existing Dask distributed cluster (`--executor dask`).

Workers must see the project and the build directory at the same paths (a shared
filesystem, or one machine); each worker loads the library once and keeps it.
"""

from __future__ import annotations

from typing import Iterator

from outreach.core.errors import OutreachError
from outreach.engine.worker import Outcome

_loaded: set[str] = set()


class DaskUnavailable(OutreachError):
    pass


def remote_batch(spec: tuple, batch: list, keep: frozenset[str] | None = None) -> list[Outcome]:
    """Runs on a Dask worker: set up the render context once per build, then render."""
    from outreach.engine import worker

    key = repr(spec)  # the options are not hashable; their repr is stable within a build
    if key not in _loaded:
        from pathlib import Path

        from outreach.project.loader import load_library

        root, options, out_dir, stage_dir = spec
        library, _ = load_library(Path(root), stations=options.stations)
        worker.init_worker(Path(root), library, options, Path(out_dir), Path(stage_dir))
        _loaded.clear()
        _loaded.add(key)
    return worker.run_batch(batch, keep)


class DaskExecutor:
    def __init__(self, root, options, out_dir, stage_dir) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise DaskUnavailable("使用 --executor dask 需要先安装 Dask：pip install 'outreach[dask]'") from None
        if not options.scheduler:
            raise DaskUnavailable("使用 --executor dask 时请用 --scheduler 指定调度器地址，例如 tcp://127.0.0.1:8786")
        try:
            self.client = Client(options.scheduler, timeout="20s")
        except OSError as exc:
            raise DaskUnavailable(f"连接不上 Dask 调度器 {options.scheduler}：{exc}") from None
        self.spec = (str(root), options, str(out_dir), str(stage_dir))
        self.keep: frozenset[str] | None = None

    def prepare(self, library) -> None:
        # Workers load the library themselves: they render with the items planned with.
        self.keep = frozenset(item.path for item in library.all_items())

    def run(self, targets) -> Iterator[Outcome]:
        from distributed import as_completed

        from outreach.engine.executors.batches import chunks

        workers = max(len(self.client.scheduler_info().get("workers", {})), 1)
        futures = {self.client.submit(remote_batch, self.spec, batch, self.keep, pure=False): batch
                   for batch in chunks(targets, workers)}
        for future in as_completed(futures):
            try:
                yield from future.result()
            except Exception as exc:
                for target in futures[future]:
                    yield Outcome(target.id, False, message=f"Dask 任务失败：{type(exc).__name__}: {exc}")

    def close(self, abort: bool = False) -> None:
        self.client.close()
