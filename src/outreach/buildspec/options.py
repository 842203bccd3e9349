"""Build options chosen on the command line (or in outreach.toml)."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field


def default_jobs() -> int:
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return max(os.cpu_count() or 1, 1)


@dataclass(frozen=True)
class BuildOptions:
    only: tuple[str, ...] = ()          # output kinds to build; empty means all
    jobs: int = 0                       # 0 → one process per core
    print_ready: bool = False           # bleed and crop marks for print shops
    clean: bool = False
    locale: str | None = None           # None → the project's locale
    stations: bool | None = None        # None → [stations] enabled in outreach.toml
    shard: tuple[int, int] | None = None  # (index, count), 1-based index
    executor: str = "process"           # process | dask
    scheduler: str | None = None        # Dask scheduler address
    shuffle_seed: int | None = None     # quiz question/choice shuffle
    extra: dict = field(default_factory=dict)

    def workers(self) -> int:
        return self.jobs if self.jobs > 0 else default_jobs()

    def identity(self) -> dict:
        """What a build run covers and produces (not how fast or where it is computed)."""
        data = asdict(self)
        for key in ("jobs", "clean", "executor", "scheduler"):
            data.pop(key)
        return data

    def output_identity(self) -> dict:
        """What changes a target's bytes. `only`, `shard` and `stations` choose targets without
        changing them; the shuffle seed reaches quiz targets through their own parameters."""
        data = self.identity()
        for key in ("only", "shard", "stations", "shuffle_seed"):
            data.pop(key)
        return data
