"""`outreach build`: plan → skip unchanged → render in parallel → write → manifest.

The no-op path (nothing changed since the last build) only hashes input files and
stats outputs: it imports neither the content models nor WeasyPrint.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from outreach import __version__
from outreach.engine.buildlock import build_lock, describe_disk_error, is_disk_error
from outreach.project.diagnostics import Diagnostics
from outreach.core.packagedata import THEME_DIR
from outreach.core.errors import DiskError, ProjectSetupError
from outreach.project.outputdir import output_dir, raw_config
from outreach.engine.journal import Journal, commit, journal_path, pending_stages, recover
from outreach.engine.manifest import Manifest, manifest_name
from outreach.renderers.options import BuildOptions
from outreach.core.safepath import is_regular_file, project_files, resolved_inside
from outreach.engine.staging import create_staging, sweep_abandoned

MAX_INPUT_BYTES = 64 * 1024 * 1024


class Reporter(Protocol):
    def start(self, total: int) -> None: ...
    def done(self, label: str, seconds: float, ok: bool) -> None: ...
    def note(self, message: str) -> None: ...
    def finish(self) -> None: ...


class SilentReporter:
    def start(self, total: int) -> None:
        pass

    def note(self, message: str) -> None:
        pass

    def done(self, label: str, seconds: float, ok: bool) -> None:
        pass

    def finish(self) -> None:
        pass


@dataclass
class Failure:
    target: str
    label: str
    file: str
    line: int
    message: str


@dataclass
class BuildResult:
    out_dir: Path
    noop: bool = False
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (label, message)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures and not self.diagnostics.has_errors()


def inputs_digest(root: Path, options: BuildOptions) -> str:
    """One hash over every file a build can read, the options and the tool versions."""
    from outreach.renderers.target import tool_versions

    digest = hashlib.sha256()
    digest.update(json.dumps({"options": options.identity(), "versions": tool_versions()},
                             sort_keys=True, default=str).encode())
    sources = [(root, root / "outreach.toml")]
    logo = raw_config(root).get("theme", {}).get("logo")
    if isinstance(logo, str) and logo and resolved_inside(root / logo, [root]) is not None:
        sources.append((root, root / logo))
    for directory in (root / "content", root / "templates"):
        sources.extend((directory, p) for p in project_files(directory, root))
    sources.extend((THEME_DIR, p) for p in project_files(THEME_DIR, THEME_DIR))
    for base, path in sources:
        # Only regular files of the project: a link to a device or a FIFO would never finish reading.
        if not is_regular_file(path) or path.stat().st_size > MAX_INPUT_BYTES:
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        name = path.relative_to(base).as_posix() if path.is_relative_to(base) else str(path)
        digest.update(f"{base.name}/{name}\0{len(data)}\0".encode())
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def with_configured_jobs(root: Path, options: BuildOptions) -> BuildOptions:
    """`-j` wins; without it, outreach.toml [build] jobs; without that, one worker per core."""
    if options.jobs:
        return options
    configured = raw_config(root).get("build", {}).get("jobs", 0)
    if isinstance(configured, int) and not isinstance(configured, bool) and 0 < configured <= 256:
        return replace(options, jobs=configured)
    return options


def build(root: Path, options: BuildOptions, reporter: Reporter | None = None) -> BuildResult:
    """Build the project. Raises DiskError when build/ cannot be written (full, read-only)."""
    started = time.perf_counter()
    reporter = reporter or SilentReporter()
    try:
        out_dir = output_dir(root)
    except ProjectSetupError:
        from outreach.project.config import load_config

        result = BuildResult(out_dir=root)
        result.diagnostics.extend(load_config(root)[1])  # the same problem, located in outreach.toml
        return result
    result = BuildResult(out_dir=out_dir)
    options = with_configured_jobs(root, options)
    name = manifest_name(options.shard)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with build_lock(out_dir, name, reporter.note):
            _build_locked(root, options, reporter, out_dir, name, result)
    except OSError as exc:
        if is_disk_error(exc):
            pending = journal_path(out_dir, name).exists()
            raise DiskError(describe_disk_error(exc, out_dir, commit_pending=pending)) from None
        raise
    finally:
        result.seconds = time.perf_counter() - started
    return result


def _build_locked(root: Path, options: BuildOptions, reporter: Reporter, out_dir: Path, name: str,
                  result: BuildResult) -> None:
    recover(out_dir, name)  # a commit a killed build left half-done is finished first
    # Staging directories of builds that died (kill -9) go now, even when nothing needs building.
    sweep_abandoned(out_dir, keep=pending_stages(out_dir))
    manifest = Manifest.load(out_dir, name)
    inputs = inputs_digest(root, options)
    if not options.clean and manifest.inputs == inputs and manifest.outputs and manifest.outputs_present(out_dir):
        result.noop = True
        result.skipped = sorted(manifest.targets)
        return

    from outreach.engine.executors import start_executor

    # New outputs wait in a staging directory; nothing in build/ changes until the commit,
    # so an interrupted build leaves the previous outputs and manifest exactly as they were.
    stage_dir = create_staging(out_dir)
    # Workers start now, importing WeasyPrint while this process checks and plans.
    executor = start_executor(root, options, out_dir, stage_dir)
    finished = False
    try:
        plan = _check_and_plan(root, options, result)
        if plan is None:
            finished = True
            return
        to_delete = sorted(manifest.outputs) if options.clean else _stale_outputs(manifest, plan)
        if options.clean:
            manifest = Manifest()
        reference = manifest if options.shard is None else Manifest.load(out_dir)
        dirty = _dirty_targets(plan, manifest, reference, out_dir, result)
        staged = _execute(executor, plan.library, dirty, result, reporter)
        finished = True
        result.removed = [p for p in to_delete if (out_dir / p).exists()]
        for relpath in to_delete:
            owner = manifest.outputs.get(relpath, {}).get("target")
            if owner:
                manifest.forget(owner)
        moves = _record(staged, plan, manifest, result)
        manifest.tool = f"outreach {__version__}"
        # `only` and `shard` are part of the digest, so a partial build never masks a full one.
        manifest.inputs = inputs if not result.failures else ""
        commit(out_dir, stage_dir, Journal(stage=stage_dir.name, manifest=name, moves=moves, deletes=to_delete),
               manifest.to_json())
    finally:
        executor.close(abort=not finished)
        if not journal_path(out_dir, name).exists():  # a journal still needs its staged files
            shutil.rmtree(stage_dir, ignore_errors=True)
        reporter.finish()


def _check_and_plan(root: Path, options: BuildOptions, result: BuildResult):
    """Load and lint the content, then plan; None (with the reasons in `result`) when we cannot build."""
    from outreach.checks.lint import lint_library
    from outreach.project.loader import load_library
    from outreach.engine.planner import PlanError, plan_build

    library, diagnostics = load_library(root, stations=options.stations)
    if library is not None:
        diagnostics.extend(lint_library(library, style=False))
    result.diagnostics = diagnostics
    if library is None or diagnostics.has_errors():
        return None
    try:
        return plan_build(root, library, options)
    except PlanError as exc:
        result.failures.append(Failure("plan", "构建计划", "", 0, str(exc)))
        return None


def _dirty_targets(plan, manifest: Manifest, reference: Manifest, out_dir: Path, result: BuildResult) -> list:
    """Owned targets that changed, plus whatever not-owned dependencies (in a shard) they need."""

    def fresh(target, record: Manifest) -> bool:
        entry = record.targets.get(target.id)
        return (entry is not None and entry.get("fingerprint") == target.fingerprint
                and sorted(entry.get("outputs", [])) == sorted(target.outputs)
                and all(_present(out_dir, p, record) for p in target.outputs))

    by_id = {t.id: t for t in plan.targets}
    dirty_ids = set()
    for target in plan.targets:
        if target.id not in plan.owned:
            continue
        if fresh(target, manifest):
            result.skipped.append(target.id)
        else:
            dirty_ids.add(target.id)
    pending = list(dirty_ids)
    while pending:
        for dep in by_id[pending.pop()].deps:
            if dep in by_id and dep not in plan.owned and dep not in dirty_ids and not fresh(by_id[dep], reference):
                dirty_ids.add(dep)
                pending.append(dep)
    return [t for t in plan.targets if t.id in dirty_ids]


def _stale_outputs(manifest: Manifest, plan) -> list[str]:
    """Outputs whose source is gone, or that their target no longer produces."""
    planned = {t.id: t for t in plan.all_targets}
    stale: list[str] = []
    for target_id, entry in manifest.targets.items():
        if entry.get("renderer") not in plan.selected_kinds:
            continue
        if target_id.startswith("zh-Hant/") != (plan.prefix == "zh-Hant/"):
            continue  # the other script's outputs live beside ours
        target = planned.get(target_id)
        keep = set(target.outputs) if target else set()
        stale.extend(p for p in entry.get("outputs", []) if p not in keep)
    return sorted(stale)


def _execute(executor, library, dirty, result, reporter) -> list[tuple]:
    """Render the dirty targets phase by phase into the staging directory."""
    by_id = {t.id: t for t in dirty}
    failed: set[str] = set()
    staged: list[tuple] = []
    reporter.start(len(dirty))
    if dirty:
        executor.prepare(library)
    for phase in sorted({_phase(t) for t in dirty}):
        batch = []
        for target in dirty:
            if _phase(target) != phase:
                continue
            blocked = [d for d in target.deps if d in failed]
            if blocked:
                failed.add(target.id)
                result.failures.append(Failure(target.id, target.label, "", 0,
                                               f"依赖的 {', '.join(blocked)} 生成失败，已跳过。"))
                reporter.done(target.label, 0.0, False)
                continue
            batch.append(target)
        for outcome in executor.run(batch):
            target = by_id[outcome.target_id]
            reporter.done(target.label or target.id, outcome.seconds, outcome.ok)
            result.warnings.extend((target.label, w) for w in outcome.warnings)
            if outcome.ok:
                staged.append((target, outcome.written))
            else:
                failed.add(target.id)
                result.failures.append(Failure(target.id, target.label, outcome.file, outcome.line, outcome.message))
    return staged


def _record(staged: list[tuple], plan, manifest: Manifest, result: BuildResult) -> list[str]:
    """Record the owned, successfully staged targets in the manifest; their files to rename in."""
    moves = []
    for target, written in staged:
        if target.id not in plan.owned:
            continue  # a shard renders what its targets need but commits only what it owns
        manifest.record(target.id, target.renderer, target.fingerprint, list(target.sources), written, target.roles)
        result.built.append(target.id)
        moves.extend(written)
    return moves


def _phase(target) -> int:
    from outreach.renderers.registry import all_renderers

    return all_renderers()[target.renderer].phase


def _present(out_dir: Path, relpath: str, manifest: Manifest) -> bool:
    info = manifest.outputs.get(relpath)
    try:
        return info is not None and (out_dir / relpath).stat().st_size == info["size"]
    except OSError:
        return False
