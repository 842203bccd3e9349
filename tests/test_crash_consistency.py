"""Crash-consistent builds: build/ and its manifest agree after kill -9 mid-commit, a full or
read-only disk, Ctrl-C, and two builds at once. Faults are injected into a real build in a
child process at an exact point (the n-th rename of the commit, the manifest's rename)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import build_project, edit
from limits import run_measured

pytestmark = pytest.mark.slow   # builds or servers in most tests (README, 测试)


KILL_AT_RENAME = """
import os
_real_replace = os.replace
_renames = [0]
def _replace(src, dst, *args, **kwargs):
    if "/.staging-" in str(src) and "/.staging-" not in str(dst):
        _renames[0] += 1
        if _renames[0] > {n}:
            os._exit(137)  # as kill -9: no clean-up of any kind
    return _real_replace(src, dst, *args, **kwargs)
os.replace = _replace
"""

FAIL_RENAME_OF_MANIFEST = """
import errno, os
_real_replace = os.replace
def _replace(src, dst, *args, **kwargs):
    if "/.staging-" in str(src) and "/.staging-" {where} in str(dst) and str(dst).endswith("manifest.json"):
        raise OSError(errno.{code}, os.strerror(errno.{code}))
    return _real_replace(src, dst, *args, **kwargs)
os.replace = _replace
"""

FAIL_STAGED_WRITES = """
import errno, os
import outreach.engine.worker
def _full(path, data):
    raise OSError(errno.{code}, os.strerror(errno.{code}), str(path))
outreach.engine.worker.atomic_write = _full
"""

SLOW_RENDERS = """
import time
import outreach.engine.worker
_real = outreach.engine.worker.render_and_write
def _slow(targets, ctx):
    time.sleep(1.5)
    return _real(targets, ctx)
outreach.engine.worker.render_and_write = _slow
"""


def build_state(root) -> dict[str, str]:
    """Every visible file of build/ with its sha256 (manifests and hidden files aside)."""
    out = root / "build"
    return {path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in out.rglob("*") if path.is_file()
            and not any(part.startswith(".") for part in path.relative_to(out).parts)
            and not path.name.startswith("manifest")}


def assert_agrees(root) -> None:
    """The manifest lists exactly the files in build/, each with its hash and size."""
    manifest = json.loads((root / "build/manifest.json").read_text(encoding="utf-8"))
    recorded = {entry["path"]: entry["sha256"] for entry in manifest["outputs"]}
    assert recorded == build_state(root)
    targets = {target: set(entry["outputs"]) for target, entry in manifest["targets"].items()}
    assert set().union(*targets.values()) == set(recorded)
    assert not list((root / "build").glob(".outreach-commit-*"))


@pytest.fixture
def built(mini_project):
    """The mini project built once (posters and texts), then both scenarios edited: the next
    build renames about ten files into build/."""
    assert build_project(mini_project, only=("posters", "texts")).ok
    for name in ("fake-loan", "card-renting"):
        edit(mini_project / f"content/scenarios/{name}.yaml", "summary: ", "summary: 【已更新】")
    return mini_project


def test_kill_during_the_commit_is_finished_by_the_next_build(built):
    before = build_state(built)
    killed = run_measured(["build", "-j", "1", "--only", "posters", "--only", "texts"], built,
                          prelude=KILL_AT_RENAME.format(n=2))
    assert killed.returncode == 137
    assert list((built / "build").glob(".outreach-commit-*")), "the commit journal must survive the kill"
    changed = {path for path, digest in build_state(built).items() if before.get(path) != digest}
    assert len(changed) == 2  # two renames happened, the rest did not
    assert_recovered_by_next_build(built)
    assert "【已更新】" in (built / "build/texts/fake-loan.txt").read_text(encoding="utf-8")


def assert_recovered_by_next_build(root) -> None:
    again = run_measured(["build", "-j", "1", "--only", "posters", "--only", "texts"], root)
    assert again.returncode == 0, again.stderr
    assert "没有变化" in again.stdout  # the journal finished the commit: nothing left to render
    assert_agrees(root)


def test_a_command_that_reads_the_manifest_finishes_the_commit(built):
    run_measured(["build", "-j", "1", "--only", "posters", "--only", "texts"], built, prelude=KILL_AT_RENAME.format(n=3))
    from outreach.engine.manifest import load_committed

    manifest = load_committed(built / "build")
    assert_agrees(built)
    assert "texts/fake-loan.txt" in manifest.outputs


@pytest.mark.parametrize("code, words", [("ENOSPC", "磁盘空间已满"), ("EROFS", "只读")])
def test_disk_failure_at_the_manifest_rename_is_one_line_and_recoverable(built, code, words):
    failed = run_measured(["build", "-j", "1", "--only", "posters", "--only", "texts"], built,
                          prelude=FAIL_RENAME_OF_MANIFEST.format(code=code, where="not"))
    assert failed.returncode == 74, failed.stderr
    lines = [line for line in failed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in failed.stderr
    assert "替换了一部分" in lines[0] and "outreach build" in lines[0]
    assert_recovered_by_next_build(built)


def test_disk_full_while_staging_the_manifest_changes_nothing(built):
    before = build_state(built)
    failed = run_measured(["build", "-j", "1", "--only", "posters", "--only", "texts"], built,
                          prelude=FAIL_RENAME_OF_MANIFEST.format(code="ENOSPC", where=""))
    assert failed.returncode == 74 and "保持原样" in failed.stderr
    assert build_state(built) == before
    assert_agrees(built)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_disk_full_while_staging_leaves_the_previous_build(built, jobs):
    before = build_state(built)
    failed = run_measured(["build", "-j", jobs, "--only", "posters", "--only", "texts"], built,
                          prelude=FAIL_STAGED_WRITES.format(code="ENOSPC"))
    assert failed.returncode == 74
    lines = [line for line in failed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "磁盘空间已满" in lines[0] and "Traceback" not in failed.stderr
    assert build_state(built) == before
    assert_agrees(built)
    assert not list((built / "build").glob(".staging-*"))


def test_ctrl_c_stops_quietly_and_keeps_the_previous_build(built):
    before = build_state(built)
    code = f"{SLOW_RENDERS}\nimport sys\nfrom outreach.cli import main\nsys.argv = ['outreach', 'build', '-j', '2']\nmain()\n"
    process = subprocess.Popen([sys.executable, "-c", code], cwd=built, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert "需要生成" in process.stdout.readline()
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends: the whole group
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert [line for line in stderr.splitlines() if line.strip()] == [
        "已中断：build/ 保持上次生成完成时的样子，本次未完成的部分已丢弃。"]
    assert build_state(built) == before
    assert_agrees(built)
    assert not list((built / "build").glob(".staging-*"))


def test_two_builds_at_once_keep_every_record(built):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    slow = f"{SLOW_RENDERS}\nimport sys\nfrom outreach.cli import main\nsys.argv = ['outreach', *sys.argv[1:]]\nmain()\n"
    first = subprocess.Popen([sys.executable, "-c", slow, "build", "-j", "1", "--only", "posters"], cwd=built,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert "需要生成" in first.stdout.readline()  # the first build holds the lock and is rendering
    second = subprocess.run([sys.executable, "-m", "outreach", "build", "-j", "1", "--only", "texts"], cwd=built,
                            capture_output=True, text=True, env=env, timeout=120)
    first.communicate(timeout=120)
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert "另一个生成正在进行" in second.stderr
    manifest = json.loads((built / "build/manifest.json").read_text(encoding="utf-8"))
    assert {"posters/fake-loan", "texts/fake-loan", "posters/card-renting"} <= set(manifest["targets"])
    assert_agrees(built)


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_sigkill_of_a_build_takes_its_workers_and_the_next_build_sweeps_its_staging(fixture_project):
    process = subprocess.Popen([sys.executable, "-m", "outreach", "build", "-q", "-j", "2", "--clean"],
                               cwd=fixture_project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while len(workers := _children(process.pid)) < 2 and time.time() < deadline:
        time.sleep(0.05)
    assert len(workers) >= 2, "the build never started its workers"
    staging = list((fixture_project / "build").glob(".staging-*"))
    assert staging
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.time() + 10
    while any(_alive(pid) for pid in workers) and time.time() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers), "workers outlived the killed build"
    # The next build is not blocked by a lock the dead build's workers held, and removes
    # the staging directory it left — even when it has nothing else to do.
    result = build_project(fixture_project, only=("texts",))
    assert result.ok
    assert not list((fixture_project / "build").glob(".staging-*"))
