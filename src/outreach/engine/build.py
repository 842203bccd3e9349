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
from outreach.buildspec.options import BuildOptions
from outreach.core.errors import DiskError, OutreachError, ProjectSetupError
from outreach.core.packagedata import THEME_DIR
from outreach.core.safepath import is_regular_file, project_files, resolved_inside
from outreach.engine.buildlock import build_lock, describe_disk_error, is_disk_error
from outreach.engine.journal import Journal, commit, journal_path, pending_stages, recover
from outreach.engine.manifest import Manifest, manifest_name
from outreach.engine.skipped import SkippedItem
from outreach.engine.staging import create_staging, sweep_abandoned
from outreach.outputs.base import variant_of
from outreach.project.diagnostics import Diagnostic, Diagnostics
from outreach.project.outputdir import output_dir, raw_config

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
    column: int = 0

    @property
    def where(self) -> str:
        """"file:line:column: " (as far as known), or "" when the failure has no place."""
        if not self.file:
            return ""
        if not self.line:
            return f"{self.file}: "
        return f"{self.file}:{self.line}:{self.column or 1}: "


@dataclass
class BuildResult:
    out_dir: Path
    noop: bool = False
    built: list[str] = field(default_factory=list)       # target ids rendered and committed
    unchanged: list[str] = field(default_factory=list)   # target ids whose outputs were up to date
    removed: list[str] = field(default_factory=list)     # output paths deleted from build/
    failures: list[Failure] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (label, message)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)   # every problem found in the input
    # Content left out for errors in its own file (or in what it uses), everything else built.
    skipped: list[SkippedItem] = field(default_factory=list)
    # Errors that stopped the whole build (outreach.toml, the content folder): nothing was built.
    fatal: list[Diagnostic] = field(default_factory=list)
    # Plain lines about what the build did to build/ beyond building (stale station packs removed).
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures and not self.diagnostics.has_errors() and not self.skipped and not self.fatal

    @property
    def kept(self) -> list[str]:
        """Outputs in build/ still from the last good build of content that now has errors."""
        return sorted({path for item in self.skipped for path in item.kept})


def inputs_digest(root: Path, options: BuildOptions) -> str:
    """One hash over every file a build can read, the options and the tool versions."""
    from outreach.buildspec.target import tool_versions

    digest = hashlib.sha256()
    digest.update(json.dumps({"options": options.identity(), "versions": tool_versions()},
                             sort_keys=True, default=str).encode())
    sources = [(root, root / "outreach.toml")]
    config = raw_config(root)
    # Files outreach.toml names: the logo, and the print shop's colour profile (print masters).
    named = [config.get("theme", {}).get("logo"), config.get("print", {}).get("output_profile")]
    for name in named:
        if isinstance(name, str) and name and resolved_inside(root / name, [root]) is not None:
            sources.append((root, root / name))
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
        result.fatal = result.diagnostics.errors
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


class _Busy(Exception):
    """Another build holds the lock: the quick answer leaves the waiting to build()."""


def _busy(message: str) -> None:
    raise _Busy(message)


def noop_build(root: Path, options: BuildOptions) -> BuildResult | None:
    """build()'s result when it would find nothing to build, decided by the same code under
    the same lock; None when there is something to build, or when only build() can say (no
    build folder yet, another build running, an unusable output_dir): then call build().
    Imports neither the content models nor the renderers (the CLI's `outreach build` asks
    this before it loads itself: cli/quick.py)."""
    started = time.perf_counter()
    try:
        out_dir = output_dir(root)
        if not out_dir.is_dir():
            return None
        options = with_configured_jobs(root, options)
        name = manifest_name(options.shard)
        result = BuildResult(out_dir=out_dir)
        with build_lock(out_dir, name, _busy):
            _up_to_date(root, options, out_dir, name, result)
    except (_Busy, OutreachError, OSError):
        return None
    result.seconds = time.perf_counter() - started
    return result if result.noop else None


def _up_to_date(root: Path, options: BuildOptions, out_dir: Path, name: str, result: BuildResult) -> tuple[Manifest, str]:
    """The manifest and the digest of the inputs; `result` marked a no-op when every output
    is there from these very inputs. Under the build lock."""
    recover(out_dir, name)  # a commit a killed build left half-done is finished first
    # Staging directories of builds that died (kill -9) go now, even when nothing needs building.
    sweep_abandoned(out_dir, keep=pending_stages(out_dir))
    manifest = Manifest.load(out_dir, name)
    inputs = inputs_digest(root, options)
    # The same inputs leave out the same content: a no-op says so again rather than "nothing changed".
    replayed = _replay_skipped(manifest)
    if (not options.clean and manifest.inputs == inputs and manifest.outputs and replayed is not None
            and manifest.outputs_present(out_dir)):
        result.noop = True
        result.unchanged = sorted(manifest.targets)
        result.skipped = replayed
    return manifest, inputs


def _build_locked(root: Path, options: BuildOptions, reporter: Reporter, out_dir: Path, name: str,
                  result: BuildResult) -> None:
    # From here on the build reads the project (the digest first, then the library, which the
    # workers load again as they start): a reporter that matches builds to saved changes takes
    # this moment, not when the build was asked for or the lock came free.
    reading = getattr(reporter, "reading", None)
    if reading is not None:
        reading()
    manifest, inputs = _up_to_date(root, options, out_dir, name, result)
    if result.noop:
        return
    # Taken again once the digest is read: a change saved while it was read is in this build
    # (its digest or, from here on, its library and its workers'), so this build is the one to
    # report it, and not the next, which finds nothing left to do ("没有变化").
    if reading is not None:
        reading()

    from outreach.engine.executors import start_executor

    # New outputs wait in a staging directory; nothing in build/ changes until the commit,
    # so an interrupted build leaves the previous outputs and manifest exactly as they were.
    stage_dir = create_staging(out_dir)
    # Workers start now, importing WeasyPrint while this process checks and plans.
    executor = start_executor(root, options, out_dir, stage_dir)
    finished = False
    try:
        plan = _check_and_plan(root, options, result, manifest)
        if plan is None:
            finished = True
            return
        if options.clean:
            to_delete, kept = sorted(manifest.outputs), set()
        else:
            kept = _keep_last_good(plan, manifest, result)
            to_delete = _stale_outputs(manifest, plan, kept) + _stale_station_outputs(manifest, plan, kept, result)
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
        changed_meanwhile = inputs_digest(root, options) != inputs
        if changed_meanwhile:
            _unsettle(manifest, result)
        manifest.tool = f"outreach {__version__}"
        # `only` and `shard` are part of the digest, so a partial build never masks a full one.
        manifest.inputs = inputs if not result.failures and not changed_meanwhile else ""
        manifest.skipped = [item.to_dict() for item in result.skipped]
        commit(out_dir, stage_dir, Journal(stage=stage_dir.name, manifest=name, moves=moves, deletes=to_delete),
               manifest.to_json())
    finally:
        executor.close(abort=not finished)
        if not journal_path(out_dir, name).exists():  # a journal still needs its staged files
            shutil.rmtree(stage_dir, ignore_errors=True)
        reporter.finish()


def _replay_skipped(manifest: Manifest) -> list[SkippedItem] | None:
    """What the last build left out, as it recorded it; None when the record is unreadable
    (then the content is checked again)."""
    try:
        return [SkippedItem.from_dict(entry) for entry in manifest.skipped]
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def _check_and_plan(root: Path, options: BuildOptions, result: BuildResult, manifest: Manifest):
    """Load and lint the content, then plan what can be built; None (with the reasons in
    `result`) when nothing can."""
    from outreach.checks.lint import lint_library
    from outreach.engine.partial import partition
    from outreach.engine.planner import PlanError, enabled_kinds, plan_build, station_kinds
    from outreach.project.loader import load_library, read_station_sheet

    library, diagnostics = load_library(root, stations=options.stations)
    if library is not None:
        diagnostics.extend(lint_library(library, style=False))
    result.diagnostics = diagnostics
    if library is None:
        result.fatal = diagnostics.errors
        return None
    usable, result.skipped, result.fatal = partition(library, diagnostics)
    if result.fatal:
        return None
    # Station packs an earlier `--stations` build left behind are checked against the sheet as
    # it is now, even when this build does not make them (their problems are not this build's).
    per_station = station_kinds()
    dormant = "stations" not in enabled_kinds(options, usable) and any(
        entry.get("renderer") in per_station for entry in manifest.targets.values())
    if dormant:
        read_station_sheet(usable)
    try:
        return plan_build(root, usable, options, dormant_stations=dormant)
    except PlanError as exc:
        result.failures.append(Failure("plan", "构建计划", "", 0, str(exc)))
        return None


def _source_file(source: str) -> str:
    return source.split("#", 1)[0]   # "content/stations.csv#east" is a row of the sheet


def _keep_last_good(plan, manifest: Manifest, result: BuildResult) -> set[str]:
    """Targets whose outputs in build/ stay exactly as the last good build made them, because
    content they were made from now has errors. They are taken out of the plan; the items in
    `result.skipped` learn which of their outputs were kept.

    - not planned any more (a broken scenario's poster, a pack listing it): kept, not deleted;
    - planned, but last built from a file that now has errors: kept rather than rebuilt
      without it (feed.json listing a scenario that broke; a station's packs, one of which broke).
      A new, unfinished item was never in them, so it holds nothing back."""
    broken = {item.file for item in result.skipped if item.kind != "stations"}
    sheet = {item.file for item in result.skipped if item.kind == "stations"}
    candidates = [*plan.all_targets, *(plan.dormant or [])]   # in dependency order
    planned = {t.id for t in candidates}
    kept: set[str] = set()
    for target_id, entry in manifest.targets.items():
        if variant_of(target_id) != plan.prefix:   # the other script's or variant's outputs
            continue
        sources = {_source_file(s) for s in entry.get("sources", [])}
        # A station row with errors is not read: its last good outputs are kept, like an item's.
        if sources & broken or (target_id not in planned and sources & sheet):
            kept.add(target_id)
    held = {t.id for t in candidates} & kept
    for target in candidates:
        if target.id not in held and any(dep in held for dep in target.deps):
            held.add(target.id)
            if target.id in manifest.targets:
                kept.add(target.id)
            else:   # nothing of it to keep, and it cannot be made without what is held: said, not silent
                result.skipped.append(SkippedItem(target.label or target.id, "", target.renderer, target.id,
                                                  blocked_by=tuple((d, "") for d in target.deps if d in held)))
    if held:
        plan.targets = [t for t in plan.targets if t.id not in held]
        plan.owned = plan.owned - held
    result.skipped = [_with_kept(item, manifest, kept) for item in result.skipped]
    return kept


def _with_kept(item: SkippedItem, manifest: Manifest, kept: set[str]) -> SkippedItem:
    from dataclasses import replace as replaced

    outputs = sorted(path for target_id in kept
                     if item.file in {_source_file(s) for s in manifest.targets[target_id].get("sources", [])}
                     for path in manifest.targets[target_id].get("outputs", []))
    return replaced(item, kept=tuple(outputs))


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
            result.unchanged.append(target.id)
        else:
            dirty_ids.add(target.id)
    pending = list(dirty_ids)
    while pending:
        for dep in by_id[pending.pop()].deps:
            if dep in by_id and dep not in plan.owned and dep not in dirty_ids and not fresh(by_id[dep], reference):
                dirty_ids.add(dep)
                pending.append(dep)
    return [t for t in plan.targets if t.id in dirty_ids]


def _stale_outputs(manifest: Manifest, plan, kept: set[str]) -> list[str]:
    """Outputs whose source is gone, or that their target no longer produces."""
    planned = {t.id: t for t in plan.all_targets}
    stale: list[str] = []
    for target_id, entry in manifest.targets.items():
        if entry.get("renderer") not in plan.selected_kinds or target_id in kept:
            continue
        if variant_of(target_id) != plan.prefix:
            continue  # the other script's outputs, and print masters beside screen files, live beside ours
        target = planned.get(target_id)
        keep = set(target.outputs) if target else set()
        stale.extend(p for p in entry.get("outputs", []) if p not in keep)
    return sorted(stale)


STATIONS_HOW = "要重新生成请运行 outreach build --stations，或在 outreach.toml 设 [stations] enabled = true。"


def _stale_station_outputs(manifest: Manifest, plan, kept: set[str], result: BuildResult) -> list[str]:
    """Station outputs an earlier `--stations` build left that no longer match, when this build
    does not make station outputs: they would print a previous officer's name and number (or an
    old pack). They are removed in this build's commit, and the build says so in one line."""
    from outreach.engine.planner import station_kinds

    if plan.dormant is None:
        return []   # station outputs are on (or there are none in build/)
    now = {t.id: t for t in plan.dormant}
    per_station = station_kinds()   # the station packs, and a station's stickers with them
    stale_ids, sheet_changed = [], False
    for target_id, entry in sorted(manifest.targets.items()):
        if entry.get("renderer") not in per_station or target_id in kept:
            continue
        if variant_of(target_id) != plan.prefix:
            continue
        target = now.get(target_id)
        if target is not None and target.fingerprint == entry.get("fingerprint"):
            continue
        stale_ids.append(target_id)
        rows = [s for s in entry.get("sources", []) if "#" in s]
        old = entry.get("source_digests", {})
        sheet_changed |= target is None or not old or any(old.get(r) != plan.source_digests.get(r) for r in rows)
    if not stale_ids:
        return []
    cause = "站点表已修改" if sheet_changed else "资料包、模板或设置已修改"
    stations = {target_id.rsplit("/", 1)[-1] for target_id in stale_ids}   # "stations/east", "stickers/east"
    result.notices.append(f"{cause}，旧的派出所资料包已删除（{len(stations)} 个派出所）；{STATIONS_HOW}")
    return sorted(p for target_id in stale_ids for p in manifest.targets[target_id].get("outputs", []))


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
        answered: set[str] = set()
        for outcome in executor.run(batch):
            if outcome.target_id not in by_id or outcome.target_id in answered:
                continue   # an outcome for nothing asked, or a second one: never a file recorded twice
            answered.add(outcome.target_id)
            target = by_id[outcome.target_id]
            reporter.done(target.label or target.id, outcome.seconds, outcome.ok)
            result.warnings.extend((target.label, w) for w in outcome.warnings)
            if outcome.ok:
                staged.append((target, outcome.written))
            else:
                failed.add(target.id)
                result.failures.append(Failure(target.id, target.label, outcome.file, outcome.line, outcome.message,
                                               outcome.column))
        for target in batch:
            if target.id not in answered:   # a worker that lost a target: a failure, never "unchanged" next time
                failed.add(target.id)
                reporter.done(target.label or target.id, 0.0, False)
                result.failures.append(Failure(target.id, target.label, "", 0,
                                               "内部错误：这一项没有得到生成结果，没有写出任何文件。请把这个问题反馈给维护人员。"))
    return staged


def _record(staged: list[tuple], plan, manifest: Manifest, result: BuildResult) -> list[str]:
    """Record the owned, successfully staged targets in the manifest; their files to rename in."""
    moves = []
    for target, written in staged:
        if target.id not in plan.owned:
            continue  # a shard renders what its targets need but commits only what it owns
        manifest.record(target.id, target.renderer, target.fingerprint, list(target.sources), written, target.roles,
                        digests=plan.source_digests)
        result.built.append(target.id)
        moves.extend(written)
    return moves


def _unsettle(manifest: Manifest, result: BuildResult) -> None:
    """A file of the project changed while this build read it (a save in the editor, a git pull):
    the main process planned with one version and a worker may have rendered another. What was
    built is committed (each file is a whole render) but recorded as of no known inputs, so the
    next build renders it again; `outreach serve` starts that build for the change anyway."""
    for target_id in result.built:
        manifest.unsettle(target_id)
    result.notices.append("生成期间项目里有文件被修改（例如在编辑器里保存）：这次生成的文件下次生成时会按修改后的内容重新生成。")


def _phase(target) -> int:
    from outreach.outputs.registry import all_renderers

    return all_renderers()[target.renderer].phase


def _present(out_dir: Path, relpath: str, manifest: Manifest) -> bool:
    info = manifest.outputs.get(relpath)
    try:
        return info is not None and (out_dir / relpath).stat().st_size == info["size"]
    except OSError:
        return False
