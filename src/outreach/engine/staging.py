"""Staging directories: where a build's new outputs wait until the commit, marked with their owner.

A killed build leaves its staging directory behind. The next build removes it only when its
owner marker names a process that is gone (pid and start time), so a long build that is
still running never loses its staging directory to another one, and nothing the build did
not create (matched only by a name pattern) is ever deleted.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
from pathlib import Path

STAGING_PREFIX = ".staging-"
OWNER_FILE = ".outreach-owner.json"
MARKER = "outreach staging directory"


def process_start_time(pid: int) -> int | None:
    """The kernel's start time of a process (clock ticks since boot), or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return int(fields[19])  # field 22 of stat; fields[0] is field 3
    except (OSError, IndexError, ValueError):
        return None


def _owner() -> dict:
    return {"marker": MARKER, "pid": os.getpid(), "start": process_start_time(os.getpid()),
            "host": socket.gethostname()}


def create_staging(out_dir: Path) -> Path:
    stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    (stage / OWNER_FILE).write_text(json.dumps(_owner()), encoding="utf-8")
    return stage


def _abandoned(owner: dict) -> bool:
    if owner.get("marker") != MARKER or owner.get("host") != socket.gethostname():
        return False  # not ours, or another machine's (shards on a shared disk): leave it
    pid = owner.get("pid")
    if not isinstance(pid, int):
        return False
    start = process_start_time(pid)
    if start is None:
        if os.path.isdir("/proc/self"):
            return True
        try:  # no /proc: fall back to asking whether the pid exists
            os.kill(pid, 0)
            return False
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
    return start != owner.get("start")  # the pid now belongs to another process


def sweep_abandoned(out_dir: Path, keep: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """Remove staging directories whose owning build has died; returns their names."""
    removed = []
    for stage in sorted(out_dir.glob(STAGING_PREFIX + "*")):
        if stage.name in keep or stage.is_symlink() or not stage.is_dir():
            continue
        try:
            owner = json.loads((stage / OWNER_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # no marker: not provably ours
        if isinstance(owner, dict) and _abandoned(owner):
            shutil.rmtree(stage, ignore_errors=True)
            removed.append(stage.name)
    return removed
