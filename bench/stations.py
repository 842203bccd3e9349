"""Benchmark: personalised packs and 警民联系卡 for N fictional stations.

Run: .venv/bin/python bench/stations.py 1000
Prints the time to build one pack from scratch (all its posters, tips, quiz and script),
then the station build: wall time, time per station, and the peak memory of the build
process and its workers (RSS and PSS summed over the tree, sampled from /proc every 0.1 s).
It asserts nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEADER = "编号,派出所,地址,电话,民警,职务,民警电话,二维码链接\n"


def write_stations(path: Path, count: int) -> None:
    """Fictional stations: made-up names, addresses and 0000- numbers that reach no one."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for n in range(1, count + 1):
            handle.write(f"station-{n:05d},示例市公安局第{n}派出所（虚构）,示例市示例区第{n}街{n}号（虚构地址）,"
                         f"0000-{1000000 + n},民警{n}号（虚构）,社区民警,0000-{2000000 + n},"
                         f"https://example.org/outreach/station-{n:05d}\n")


def tree_memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) summed over a process and all its descendants, in bytes.

    RSS counts pages the forked workers share with the main process once per process;
    PSS splits shared pages between their users, so it is the tree's real footprint.
    """
    rss = pss = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return rss, pss


def run(args: list[str], cwd: Path) -> tuple[float, int, int]:
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "outreach", *args], cwd=cwd,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0, 0]

    def sample() -> None:
        while process.poll() is None:
            rss, pss = tree_memory(process.pid)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, errors = process.communicate()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"outreach {' '.join(args)} failed:\n{errors}")
    return time.perf_counter() - started, peak[0], peak[1]


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "proj"
        root.mkdir()
        shutil.copy(REPO / "outreach.toml", root / "outreach.toml")
        shutil.copytree(REPO / "content", root / "content")
        for pack in (root / "content/packs").glob("*.yaml"):
            if pack.stem != "elderly":
                pack.unlink()
        (root / "content/stations.csv").unlink(missing_ok=True)
        pack_time, pack_rss, pack_pss = run(["build", "-q", "--only", "packs"], root)
        write_stations(root / "content/stations.csv", count)
        station_time, station_rss, station_pss = run(["build", "-q", "--only", "stations", "--stations"], root)
        outputs = sum(1 for _ in (root / "build/stations").rglob("*.pdf"))
        size = sum(p.stat().st_size for p in (root / "build/stations").rglob("*.pdf"))
    per_station = station_time / count
    print(f"cores: {os.cpu_count()}, stations: {count}, outputs: {outputs} PDFs, {size / 1e9:.2f} GB")
    print(f"one pack from scratch (elderly, all items)  {pack_time:7.2f} s   peak RSS {pack_rss / 1e6:5.0f} MB,"
          f" PSS {pack_pss / 1e6:5.0f} MB")
    print(f"station build (cards + personalised pack)   {station_time:7.2f} s   peak RSS {station_rss / 1e6:5.0f} MB,"
          f" PSS {station_pss / 1e6:5.0f} MB   (targets for 1000: < 300 s, < 600 MB)")
    print(f"per station                                 {per_station:7.3f} s   = {per_station / pack_time:.3f} of a"
          f" from-scratch pack (target <= 0.10)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
