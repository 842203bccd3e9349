"""Benchmark: what each output kind adds to a cold build of the starter library — `outreach build
--only <kind>` in a fresh copy, for every registered kind (a new kind shows up by itself), with
the outputs it made. Kinds that stitch other kinds' files (packs) build those too.

Run: .venv/bin/python bench/kinds.py [repeat]   (prints figures; it asserts nothing)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import fresh_project, timed

PER_STATION = {"stickers"}


def main(repeat: int = 1) -> None:
    from outreach.outputs.registry import renderer_names

    print(f"cold build per kind, starter library, cores: {os.cpu_count()}, median of {repeat} run(s)")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in sorted(renderer_names()):
            runs, outputs = [], 0
            try:
                for index in range(repeat):
                    root = fresh_project(Path(tmp), f"{kind}-{index}")
                    # Per-station kinds are made only with the station outputs.
                    extra = ["--stations"] if kind in PER_STATION else []
                    runs.append(timed(["build", "-q", "--only", kind, *extra], root))
                    manifest = json.loads((root / "build/manifest.json").read_text(encoding="utf-8"))
                    outputs = len(manifest["outputs"])
            except subprocess.CalledProcessError as failed:   # a kind that needs an option (stations: --stations)
                print(f"  {kind:<10}   not built on its own (exit {failed.returncode})")
                continue
            print(f"  {kind:<10} {statistics.median(runs):6.2f} s   {outputs:4d} outputs")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
