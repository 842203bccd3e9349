"""Benchmark: personalised packs and 警民联系卡 for N fictional stations.

Run: .venv/bin/python bench/stations.py 1000 [--dask]
Prints the time to build one pack from scratch (all its posters, tips, quiz and script),
then the station build: wall time, CPU time (user + system of the build and its workers),
time per station, and the peak memory of the build process and its workers (RSS and PSS
summed over the tree, sampled from /proc every 0.1 s). The pack build is the baseline the
station figures are divided by, measured in the same run (the machine may be shared).
--dask: the same station build again on a local Dask cluster of 2 worker processes (one
thread each), against the process pool of 2; its CPU time includes starting the cluster.
Other per-station outputs a station's zip takes along (the contact stickers, issue 31) are
built before the timed station build and reported on their own line: the station figures
are the cards and packs (issue 29, item 9).
It asserts nothing.
"""

from __future__ import annotations

import os
import resource
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
    """Fictional stations: made-up names, addresses and 0000- numbers that reach no one. An
    officer's name fits the card in 10 characters: 民警9999（虚构） (民警1000号（虚构） did not,
    and the 1000th row failed the build)."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for n in range(1, count + 1):
            handle.write(f"station-{n:05d},示例市公安局第{n}派出所（虚构）,示例市示例区第{n}街{n}号（虚构地址）,"
                         f"0000-{1000000 + n},民警{n}（虚构）,社区民警,0000-{2000000 + n},"
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


def station_attachment_kinds() -> list[str]:
    """Output kinds that make files for each station (StationsRenderer's targets depend on them)."""
    from outreach.outputs.base import Renderer
    from outreach.outputs.registry import all_renderers

    return [name for name, renderer in all_renderers().items()
            if type(renderer).station_attachments is not Renderer.station_attachments]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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


def dask_build(root: Path) -> tuple[float, float]:
    """(wall, CPU) of the station build on a local cluster of 2 single-threaded worker processes."""
    from distributed import LocalCluster

    cpu = children_cpu()
    started = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        wall, _, _ = run(["build", "-q", "--only", "stations", "--stations", "--executor", "dask",
                          "--scheduler", cluster.scheduler_address], root)
    setup = time.perf_counter() - started - wall
    print(f"  (starting and stopping the Dask cluster: {setup:.1f} s, not in the wall time)")
    return wall, children_cpu() - cpu


def main(count: int, dask: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "proj"
        root.mkdir()
        shutil.copy(REPO / "outreach.toml", root / "outreach.toml")
        shutil.copytree(REPO / "content", root / "content")
        for pack in (root / "content/packs").glob("*.yaml"):
            if pack.stem != "elderly":
                pack.unlink()
        (root / "content/stations.csv").unlink(missing_ok=True)
        cpu = children_cpu()
        pack_time, pack_rss, pack_pss = run(["build", "-q", "--only", "packs"], root)
        pack_cpu, cpu = children_cpu() - cpu, children_cpu()
        write_stations(root / "content/stations.csv", count)
        load_before = os.getloadavg()[0]
        others = station_attachment_kinds()
        extra_time = extra_cpu = 0.0
        if others:   # what a station's zip takes along, made by other kinds: built first, timed apart
            extra_time, _, _ = run(["build", "-q", "--stations", *(f"--only={name}" for name in others)], root)
            extra_cpu, cpu = children_cpu() - cpu, children_cpu()
        if dask:   # the same project, packs built, for the Dask run
            shutil.copytree(root, Path(tmp) / "dask")
        station_time, station_rss, station_pss = run(["build", "-q", "--only", "stations", "--stations"], root)
        station_cpu = children_cpu() - cpu
        outputs = sum(1 for _ in (root / "build/stations").rglob("*.pdf"))
        size = sum(p.stat().st_size for p in (root / "build/stations").rglob("*.pdf"))
        dask_time, dask_cpu = dask_build(Path(tmp) / "dask") if dask else (0.0, 0.0)
    per_station = station_time / count
    print(f"cores: {os.cpu_count()}, stations: {count}, outputs: {outputs} PDFs, {size / 1e9:.2f} GB, "
          f"load average before the station build {load_before:.1f}, at the end {os.getloadavg()[0]:.1f}")
    if others:
        print(f"first, per-station outputs of {', '.join(others)} (not in the figures below)"
              f"  {extra_time:7.2f} s   CPU {extra_cpu:7.2f} s")
    print(f"one pack from scratch (elderly, all items)  {pack_time:7.2f} s   CPU {pack_cpu:7.2f} s"
          f"   peak RSS {pack_rss / 1e6:5.0f} MB, PSS {pack_pss / 1e6:5.0f} MB")
    print(f"station build, process pool (cards + pack)  {station_time:7.2f} s   CPU {station_cpu:7.2f} s"
          f"   peak RSS {station_rss / 1e6:5.0f} MB, PSS {station_pss / 1e6:5.0f} MB   (1000: <= 100 s on 2 cores)")
    print(f"per station                                 {per_station:7.3f} s   = {per_station / pack_time:.3f} of a"
          f" from-scratch pack (target <= 0.10); CPU {station_cpu / count:.3f} s"
          f" = {station_cpu / count / pack_cpu:.3f} of the pack's CPU")
    if dask:
        print(f"station build, Dask (2 workers x 1 thread)  {dask_time:7.2f} s   CPU {dask_cpu:7.2f} s"
              f"   = {dask_time / station_time:.2f}x the pool's wall, {dask_cpu / station_cpu:.2f}x its CPU")


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(numbers[0]) if numbers else 1000, dask="--dask" in sys.argv)
