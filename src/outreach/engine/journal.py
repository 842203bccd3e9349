"""The commit journal: build/ and its manifest always agree, even when a build dies mid-commit.

A build stages every new output and the new manifest first. Before it renames the first
file into build/, it writes a journal naming every rename and deletion. The commit then
replays the journal; if it is killed (or the disk fails) half-way, the next build, or any
command that reads the manifest, finds the journal and replays it to the end. Replaying is
idempotent: a rename whose staged file is gone has already happened.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from outreach.core.fsutil import atomic_write, fsync_directory

JOURNAL_PREFIX = ".outreach-commit-"


@dataclass
class Journal:
    stage: str                                        # staging directory name inside build/
    manifest: str                                     # the manifest file the commit replaces
    moves: list[str] = field(default_factory=list)    # build-relative paths staged for renaming in
    deletes: list[str] = field(default_factory=list)  # build-relative paths of stale outputs


def journal_path(out_dir: Path, manifest_name: str) -> Path:
    return out_dir / f"{JOURNAL_PREFIX}{manifest_name}"


def pending_stages(out_dir: Path) -> set[str]:
    """Staging directories that an unfinished commit still needs (never swept)."""
    stages = set()
    for path in out_dir.glob(JOURNAL_PREFIX + "*"):
        journal = _read(path)
        if journal is not None:
            stages.add(journal.stage)
    return stages


def commit(out_dir: Path, stage_dir: Path, journal: Journal, manifest_text: str) -> None:
    """Stage the manifest, write the journal, then apply it. Until the journal is on disk
    nothing in build/ has changed, so a failure before that point leaves the old build."""
    atomic_write(stage_dir / journal.manifest, manifest_text)
    path = journal_path(out_dir, journal.manifest)
    atomic_write(path, json.dumps(asdict(journal), ensure_ascii=False))
    _apply(out_dir, journal)
    path.unlink()


def recover(out_dir: Path, manifest_name: str | None = None) -> list[str]:
    """Finish every interrupted commit found in `out_dir` (or the one of `manifest_name`).
    Returns the manifests whose commit was finished. Call it holding the build lock."""
    finished = []
    paths = [journal_path(out_dir, manifest_name)] if manifest_name else sorted(out_dir.glob(JOURNAL_PREFIX + "*"))
    for path in paths:
        journal = _read(path)
        if journal is None:
            continue
        _apply(out_dir, journal)
        path.unlink(missing_ok=True)
        finished.append(journal.manifest)
    return finished


def _read(path: Path) -> Journal | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        journal = Journal(**data)
    except (OSError, ValueError, TypeError):
        return None
    if "/" in journal.stage or not journal.stage.startswith(".staging-"):
        return None
    return journal


def _inside(out_dir: Path, relpath: str) -> Path | None:
    base = out_dir.resolve()
    path = (out_dir / relpath).resolve()
    return path if base in path.parents else None


def _apply(out_dir: Path, journal: Journal) -> None:
    stage = out_dir / journal.stage
    for relpath in journal.deletes:
        path = _inside(out_dir, relpath)
        if path is None:
            continue
        path.unlink(missing_ok=True)
        _prune_empty_parents(path.parent, out_dir.resolve())
    touched = set()
    for relpath in [*journal.moves, journal.manifest]:
        source, destination = stage / relpath, _inside(out_dir, relpath)
        if destination is None or not source.is_file():
            continue  # renamed before the interruption
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, destination)
        touched.add(destination.parent)
    for directory in touched:
        fsync_directory(directory)
    shutil.rmtree(stage, ignore_errors=True)


def _prune_empty_parents(directory: Path, base: Path) -> None:
    while directory != base and base in directory.parents and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent
