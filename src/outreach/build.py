"""`outreach build`: plan → skip unchanged → render in parallel → write → manifest.

The no-op path (nothing changed since the last build) only hashes input files and
stats outputs: it imports neither the content models nor WeasyPrint.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from outreach import __version__
from outreach.diagnostics import Diagnostics
from outreach.manifest import Manifest, manifest_name
from outreach.options import BuildOptions

THEME_DIR = Path(__file__).resolve().parent / "default_theme"
STAGING_PREFIX = ".staging-"


class Reporter(Protocol):
    def start(self, total: int) -> None: ...
    def done(self, label: str, seconds: float, ok: bool) -> None: ...
    def finish(self) -> None: ...


class SilentReporter:
    def start(self, total: int) -> None:
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


def output_dir(root: Path) -> Path:
    """The build directory from outreach.toml, read without validating the whole config."""
    name = _raw_config(root).get("build", {}).get("output_dir", "build")
    return root / (name if isinstance(name, str) and name else "build")


def _raw_config(root: Path) -> dict:
    try:
        return tomllib.loads((root / "outreach.toml").read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return {}


def inputs_digest(root: Path, options: BuildOptions) -> str:
    """One hash over every file a build can read, the options and the tool versions."""
    from outreach.plan import tool_versions

    digest = hashlib.sha256()
    digest.update(json.dumps({"options": options.identity(), "versions": tool_versions()},
                             sort_keys=True, default=str).encode())
    sources = [(root, root / "outreach.toml")]
    logo = _raw_config(root).get("theme", {}).get("logo")
    if isinstance(logo, str) and logo:
        sources.append((root, root / logo))
    for directory in (root / "content", root / "templates", THEME_DIR):
        if directory.is_dir():
            sources.extend((directory, p) for p in sorted(directory.rglob("*"))
                           if p.is_file() and "__pycache__" not in p.parts)
    for base, path in sources:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        name = path.relative_to(base).as_posix() if path.is_relative_to(base) else str(path)
        digest.update(f"{base.name}/{name}\0{len(data)}\0".encode())
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def build(root: Path, options: BuildOptions, reporter: Reporter | None = None) -> BuildResult:
    started = time.perf_counter()
    reporter = reporter or SilentReporter()
    out_dir = output_dir(root)
    result = BuildResult(out_dir=out_dir)
    name = manifest_name(options.shard)
    manifest = Manifest.load(out_dir, name)
    inputs = inputs_digest(root, options)
    if not options.clean and manifest.inputs == inputs and manifest.outputs and manifest.outputs_present(out_dir):
        result.noop = True
        result.skipped = sorted(manifest.targets)
        result.seconds = time.perf_counter() - started
        return result

    from outreach.executors import start_executor

    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_temp_files(out_dir)
    # New outputs wait in a staging directory; nothing in build/ changes until the commit,
    # so an interrupted build leaves the previous outputs and manifest exactly as they were.
    stage_dir = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    # Workers start now, importing WeasyPrint while this process checks and plans.
    executor = start_executor(root, options, out_dir, stage_dir)
    try:
        plan = _check_and_plan(root, options, result)
        if plan is None:
            return result
        to_delete = sorted(manifest.outputs) if options.clean else _stale_outputs(manifest, plan)
        if options.clean:
            manifest = Manifest()
        reference = manifest if options.shard is None else Manifest.load(out_dir)
        dirty = _dirty_targets(plan, manifest, reference, out_dir, result)
        staged = _execute(executor, plan.library, dirty, result, reporter)
        result.removed = _delete(out_dir, to_delete, manifest)
        _commit(out_dir, stage_dir, [(t, w) for t, w in staged if t.id in plan.owned], manifest, result)
        manifest.tool = f"outreach {__version__}"
        # `only` and `shard` are part of the digest, so a partial build never masks a full one.
        manifest.inputs = inputs if not result.failures else ""
        manifest.save(out_dir, name)
    finally:
        executor.close()
        shutil.rmtree(stage_dir, ignore_errors=True)
        reporter.finish()
        result.seconds = time.perf_counter() - started
    return result


def _check_and_plan(root: Path, options: BuildOptions, result: BuildResult):
    """Load and lint the content, then plan; None (with the reasons in `result`) when we cannot build."""
    from outreach.lint import lint_library
    from outreach.loader import load_library
    from outreach.planner import PlanError, plan_build

    library, diagnostics = load_library(root)
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


def _commit(out_dir: Path, stage_dir: Path, staged: list[tuple], manifest: Manifest, result: BuildResult) -> None:
    """Move staged outputs into place (each rename is atomic) and record them."""
    for target, written in staged:
        for relpath in written:
            destination = out_dir / relpath
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(stage_dir / relpath, destination)
        manifest.record(target.id, target.renderer, target.fingerprint, list(target.sources), written)
        result.built.append(target.id)


def _phase(target) -> int:
    from outreach.renderers import all_renderers

    return all_renderers()[target.renderer].phase


def _present(out_dir: Path, relpath: str, manifest: Manifest) -> bool:
    info = manifest.outputs.get(relpath)
    try:
        return info is not None and (out_dir / relpath).stat().st_size == info["size"]
    except OSError:
        return False


def _delete(out_dir: Path, relpaths: list[str], manifest: Manifest) -> list[str]:
    removed = []
    base = out_dir.resolve()
    for relpath in relpaths:
        owner = manifest.outputs.get(relpath, {}).get("target")
        if owner:
            manifest.forget(owner)
        path = (out_dir / relpath).resolve()
        if base not in path.parents:
            continue  # never delete outside the build directory
        try:
            path.unlink()
            removed.append(relpath)
        except FileNotFoundError:
            pass
        parent = path.parent
        while parent != base and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    return removed


def _remove_stale_temp_files(out_dir: Path, older_than: float = 600.0) -> None:
    """Staging dirs and temp files left by a killed build (not a concurrent shard's live ones)."""
    now = time.time()
    leftovers = list(out_dir.glob(STAGING_PREFIX + "*")) + list(out_dir.rglob(".*.tmp"))
    for path in leftovers:
        try:
            if now - path.stat().st_mtime > older_than:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink()
        except OSError:
            pass
