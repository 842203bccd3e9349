"""Run the CLI in a child process under a hard memory cap, measuring its time and peak memory.

The worst inputs of the security audit run in CI this way: a regression shows up as a
failed assertion on the measured figures, never as a CI machine brought down by a bomb.
A `prelude` of Python code runs first in the child: the crash tests use it to inject a
fault (a kill -9 at the n-th rename, a full disk) at an exact point of a real build.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

_LAUNCHER = """
import atexit, resource, sys
cap = {cap}
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

def report():
    # VmHWM, not RUSAGE_SELF: ru_maxrss survives exec, so it would include the pytest process
    # this child was forked from. Pool workers are forked from here, so theirs are clean.
    with open("/proc/self/status") as status:
        own = int(next(line for line in status if line.startswith("VmHWM:")).split()[1])
    peak = max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    sys.stderr.write("\\nPEAK_KB=%d\\n" % peak)

atexit.register(report)
{prelude}
from outreach.cli import main
sys.argv = ["outreach", *{args!r}]
main()
"""


@dataclass
class Measured:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


def run_measured(args: list[str], cwd: Path, timeout: float = 120, cap_mb: int = 4096, prelude: str = "") -> Measured:
    code = _LAUNCHER.format(cap=cap_mb * 1024 * 1024, args=list(args), prelude=prelude)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - started
    match = re.search(r"PEAK_KB=(\d+)", result.stderr)
    peak_mb = int(match.group(1)) / 1024 if match else float("inf")
    stderr = re.sub(r"\n?PEAK_KB=\d+\n?", "", result.stderr)
    return Measured(result.returncode, result.stdout, stderr, seconds, peak_mb)
