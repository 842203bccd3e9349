"""Benchmark: outreach build vs a naive one-process script (bench/naive_posters.py), on the
starter library's posters. Both run as fresh processes, so both pay their imports.

Run: .venv/bin/python bench/build.py   (prints figures; it asserts nothing)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def naive_posters(root: Path) -> tuple[float, int]:
    """The baseline script, run as its own process like `outreach build` is."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(REPO / "bench/naive_posters.py"), str(root), str(root / "naive")],
                            check=True, capture_output=True, text=True)
    return time.perf_counter() - started, int(result.stdout.strip())


def timed(args: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "outreach", *args], cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def fresh_project(tmp: Path, name: str) -> Path:
    root = tmp / name
    root.mkdir()
    shutil.copy(REPO / "outreach.toml", root / "outreach.toml")
    shutil.copytree(REPO / "content", root / "content")
    return root


def main(repeat: int = 3) -> None:
    naive, cold, noop = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(repeat):  # alternate, so machine noise hits both sides alike
            naive_time, count = naive_posters(fresh_project(Path(tmp), f"naive{run}"))
            naive.append(naive_time)
            root = fresh_project(Path(tmp), f"proj{run}")
            cold.append(timed(["build", "-q", "--only", "posters"], root))
            noop.append(timed(["build", "-q", "--only", "posters"], root))
        scenario = root / "content/scenarios/fake-loan.yaml"
        scenario.write_text(scenario.read_text(encoding="utf-8").replace("title: 虚假网络贷款诈骗", "title: 网络贷款诈骗"),
                            encoding="utf-8")
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "outreach", "build", "--only", "posters"], cwd=root,
                                check=True, capture_output=True, text=True)
        touched = time.perf_counter() - started
        rebuilt = [line for line in result.stdout.splitlines() if "完成 海报" in line]
        full = timed(["build", "-q", "--clean"], root)

    a, b, c = statistics.median(naive), statistics.median(cold), statistics.median(noop)
    print(f"posters: {count} (starter library), cores: {os.cpu_count()}, median of {repeat} runs")
    print(f"(a) naive sequential script, PDF only      {a:6.2f} s   runs: {' '.join(f'{x:.2f}' for x in naive)}")
    print(f"(b) outreach build cold, PDF + PNG          {b:6.2f} s   runs: {' '.join(f'{x:.2f}' for x in cold)}")
    print(f"    ratio b/a = {b / a:.2f} (target <= 0.70)")
    print(f"(c) no-op rebuild                           {c:6.2f} s   (target < 0.5 s)")
    print(f"(d) rebuild after touching one scenario     {touched:6.2f} s   rebuilt {len(rebuilt)} target(s): "
          + ", ".join(line.split("海报 ")[1].split("（")[0] for line in rebuilt))
    print(f"    full starter build (every kind), cold   {full:6.2f} s")


if __name__ == "__main__":
    main()
