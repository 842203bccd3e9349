"""Benchmark: outreach build vs a naive one-process script (bench/naive_posters.py), on the
starter library's posters. Both run as fresh processes, so both pay their imports.

Wall time and CPU time (user + system of the process and everything it started, the pool's
workers included: RUSAGE_CHILDREN) of each; the machine's load average before and after,
since other work on the machine moves the wall times.

Run: .venv/bin/python bench/build.py [--no-full]   (prints figures; it asserts nothing;
--no-full leaves out the cold build of every kind at the end)
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of it and its children, stdout) of one command."""
    cpu, started = children_cpu(), time.perf_counter()
    result = subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, children_cpu() - cpu, result.stdout


def naive_posters(root: Path) -> tuple[float, float, int]:
    """The baseline script, run as its own process like `outreach build` is."""
    wall, cpu, out = run([sys.executable, str(REPO / "bench/naive_posters.py"), str(root), str(root / "naive")])
    return wall, cpu, int(out.strip())


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    wall, cpu, _ = run([sys.executable, "-m", "outreach", *args], cwd)
    return wall, cpu


def fresh_project(tmp: Path, name: str) -> Path:
    root = tmp / name
    root.mkdir()
    shutil.copy(REPO / "outreach.toml", root / "outreach.toml")
    shutil.copytree(REPO / "content", root / "content")
    return root


def main(repeat: int = 3, full_build: bool = True) -> None:
    naive, cold, noop = [], [], []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        for run_number in range(repeat):  # alternate, so machine noise hits both sides alike
            wall, cpu, count = naive_posters(fresh_project(Path(tmp), f"naive{run_number}"))
            naive.append((wall, cpu))
            root = fresh_project(Path(tmp), f"proj{run_number}")
            cold.append(timed(["build", "-q", "--only", "posters"], root))
            noop.append(timed(["build", "-q", "--only", "posters"], root))
        scenario = root / "content/scenarios/fake-loan.yaml"
        scenario.write_text(scenario.read_text(encoding="utf-8").replace("title: 虚假网络贷款诈骗", "title: 网络贷款诈骗"),
                            encoding="utf-8")
        touched, touched_cpu, out = run([sys.executable, "-m", "outreach", "build", "--only", "posters"], root)
        rebuilt = [line for line in out.splitlines() if "完成 海报" in line]
        full, full_cpu = timed(["build", "-q", "--clean"], root) if full_build else (0.0, 0.0)
    load_after = os.getloadavg()

    def median(runs, index):
        return statistics.median(r[index] for r in runs)

    def listed(runs):
        return " ".join(f"{wall:.2f}/{cpu:.2f}" for wall, cpu in runs)

    a, b, c = median(naive, 0), median(cold, 0), median(noop, 0)
    a_cpu, b_cpu, c_cpu = median(naive, 1), median(cold, 1), median(noop, 1)
    print(f"posters: {count} (starter library), cores: {os.cpu_count()}, median of {repeat} runs (wall/CPU s)")
    print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    print(f"(a) naive sequential script, PDF only      {a:6.2f} s  CPU {a_cpu:6.2f} s   runs: {listed(naive)}")
    print(f"(b) outreach build cold, PDF + PNG          {b:6.2f} s  CPU {b_cpu:6.2f} s   runs: {listed(cold)}")
    print(f"    wall b/a = {b / a:.2f} (target <= 0.70), CPU b/a = {b_cpu / a_cpu:.2f} (target <= 1.20)")
    print(f"(c) no-op rebuild                           {c:6.2f} s  CPU {c_cpu:6.2f} s   (target <= 0.15 s)"
          f"   runs: {listed(noop)}")
    print(f"(d) rebuild after touching one scenario     {touched:6.2f} s  CPU {touched_cpu:6.2f} s   "
          f"rebuilt {len(rebuilt)} target(s): " + ", ".join(line.split("海报 ")[1].split("（")[0] for line in rebuilt))
    if full_build:
        print(f"    full starter build (every kind), cold   {full:6.2f} s  CPU {full_cpu:6.2f} s")


if __name__ == "__main__":
    main(full_build="--no-full" not in sys.argv[1:])
