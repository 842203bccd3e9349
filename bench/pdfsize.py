"""Benchmark: PDF sizes with and without font finishing ([pdf] optimise_fonts), and the time it adds.

Run: .venv/bin/python bench/pdfsize.py [stations]   (default 1000; 0 skips the station build)
Builds the starter library cold twice per setting, alternating (the time is the median), then
the stations as bench/stations.py does (contact cards and the elderly pack each), and prints: the
median poster PDF, each pack PDF and zip, one station pack and the stations' total and build time,
before (false) and after (true). It asserts nothing.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stations import REPO, run, write_stations


def project(base: Path, optimise: bool) -> Path:
    root = base / ("lean" if optimise else "plain")
    root.mkdir()
    config = (REPO / "outreach.toml").read_text(encoding="utf-8")
    (root / "outreach.toml").write_text(config + f"\n[pdf]\noptimise_fonts = {'true' if optimise else 'false'}\n",
                                        encoding="utf-8")
    shutil.copytree(REPO / "content", root / "content")
    (root / "content/stations.csv").unlink(missing_ok=True)
    return root


def sizes(build: Path) -> dict[str, int]:
    posters = sorted(p.stat().st_size for p in (build / "posters").glob("*.pdf"))
    found = {"median poster PDF": posters[len(posters) // 2]}
    for path in sorted((build / "packs").iterdir()):
        found[f"packs/{path.name}"] = path.stat().st_size
    return found


def main(stations: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        roots = {optimise: project(base, optimise) for optimise in (False, True)}
        times: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(2):
            for optimise, root in roots.items():
                shutil.rmtree(root / "build", ignore_errors=True)
                started = time.perf_counter()
                run(["build", "-q"], root)
                times[optimise].append(time.perf_counter() - started)
        before, after = sizes(roots[False] / "build"), sizes(roots[True] / "build")
        if stations:
            for optimise, root in roots.items():
                # As bench/stations.py: each station gets its contact cards and the elderly pack.
                for pack in (root / "content/packs").glob("*.yaml"):
                    if pack.stem != "elderly":
                        pack.unlink()
                write_stations(root / "content/stations.csv", stations)
                started = time.perf_counter()
                run(["build", "-q", "--only", "stations", "--stations"], root)
                elapsed = time.perf_counter() - started
                target = after if optimise else before
                packs = sorted((root / "build/stations").glob("*/elderly.pdf"))
                target["one station pack (elderly.pdf)"] = packs[len(packs) // 2].stat().st_size
                target[f"{stations} stations, all PDFs"] = sum(p.stat().st_size for p in (root / "build/stations").rglob("*.pdf"))
                target[f"{stations} stations, build seconds"] = round(elapsed)
    cold_before, cold_after = statistics.median(times[False]), statistics.median(times[True])
    print(f"{'':40} {'optimise_fonts=false':>22} {'true':>14}")
    for key in before:
        a, b = before[key], after[key]
        if "seconds" in key:
            print(f"{key:40} {a:>20} s {b:>12} s")
        else:
            print(f"{key:40} {a / 1024:>19,.0f} KB {b / 1024:>11,.0f} KB   ({b / a:.0%})")
    print(f"{'cold full build (median of 2)':40} {cold_before:>20.1f} s {cold_after:>12.1f} s"
          f"   (+{(cold_after / cold_before - 1):.0%})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
