"""`outreach build`: plan → skip unchanged → render in parallel → write → manifest.

The no-op path (nothing changed since the last build) only hashes input files and
stats outputs: it imports neither the content models nor WeasyPrint.
"""

from __future__ import annotations

import hashlib
import json
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from outreach import __version__
from outreach.diagnostics import Diagnostics
from outreach.manifest import Manifest
from outreach.options import BuildOptions

THEME_DIR = Path(__file__).resolve().parent / "default_theme"


class Reporter(Protocol):
    def start(self, total: int) -> None: ...
    def done(self, label: str, seconds: float, ok: bool) -> None: ...
    def finish(self) -> None: ...


class _Silent:
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
    try:
        data = tomllib.loads((root / "outreach.toml").read_text(encoding="utf-8-sig"))
        name = data.get("build", {}).get("output_dir", "build")
    except (OSError, ValueError):
        name = "build"
    return root / (name if isinstance(name, str) and name else "build")


def inputs_digest(root: Path, options: BuildOptions) -> str:
    """One hash over every file a build can read, the options and the tool versions."""
    from outreach.plan import tool_versions

    digest = hashlib.sha256()
    digest.update(json.dumps({"options": options.identity(), "versions": tool_versions()},
                             sort_keys=True, default=str).encode())
    sources = [(root, root / "outreach.toml")]
    for directory in (root / "content", root / "templates", THEME_DIR):
        if directory.is_dir():
            sources.extend((directory, p) for p in sorted(directory.rglob("*"))
                           if p.is_file() and "__pycache__" not in p.parts)
    for base, path in sources:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        digest.update(f"{base.name}/{path.relative_to(base).as_posix()}\0{len(data)}\0".encode())
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def build(root: Path, options: BuildOptions, reporter: Reporter | None = None) -> BuildResult:
    started = time.perf_counter()
    reporter = reporter or _Silent()
    out_dir = output_dir(root)
    result = BuildResult(out_dir=out_dir)
    manifest = Manifest.load(out_dir)
    inputs = inputs_digest(root, options)
    if not options.clean and manifest.inputs == inputs and manifest.outputs and manifest.outputs_present(out_dir):
        result.noop = True
        result.skipped = sorted(manifest.targets)
        result.seconds = time.perf_counter() - started
        return result

    from outreach.lint import lint_library
    from outreach.loader import load_library

    library, diagnostics = load_library(root)
    if library is not None:
        diagnostics.extend(lint_library(library))
    result.diagnostics = diagnostics
    if library is None or diagnostics.has_errors():
        result.seconds = time.perf_counter() - started
        return result

    from outreach.planner import PlanError, plan_build

    try:
        plan = plan_build(root, library, options)
    except PlanError as exc:
        result.failures.append(Failure("plan", "构建计划", "", 0, str(exc)))
        result.seconds = time.perf_counter() - started
        return result
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_temp_files(out_dir)
    if options.clean:
        for target_id in list(manifest.targets):
            result.removed.extend(_delete(out_dir, manifest.forget(target_id)))
        manifest = Manifest()

    # Outputs whose source is gone (or that a target no longer produces) are deleted.
    planned = {t.id: t for t in plan.all_targets}
    for target_id, entry in list(manifest.targets.items()):
        if entry.get("renderer") not in plan.selected_kinds:
            continue
        target = planned.get(target_id)
        if target is None:
            result.removed.extend(_delete(out_dir, manifest.forget(target_id)))
        else:
            gone = set(entry.get("outputs", [])) - set(target.outputs)
            result.removed.extend(_delete(out_dir, sorted(gone)))

    dirty = []
    for target in plan.targets:
        entry = manifest.targets.get(target.id)
        fresh = (entry is not None and entry.get("fingerprint") == target.fingerprint
                 and sorted(entry.get("outputs", [])) == sorted(target.outputs)
                 and all(_present(out_dir, p, manifest) for p in target.outputs))
        if fresh:
            result.skipped.append(target.id)
        else:
            dirty.append(target)

    manifest.tool = f"outreach {__version__}"
    manifest.inputs = ""  # set again only when the whole build succeeds
    try:
        _execute(root, library, options, out_dir, dirty, manifest, result, reporter)
    finally:
        if not result.failures and not plan.partial:
            manifest.inputs = inputs
        manifest.save(out_dir)
        reporter.finish()
    result.seconds = time.perf_counter() - started
    return result


def _execute(root, library, options, out_dir, dirty, manifest, result, reporter) -> None:
    from outreach.executors import make_executor

    by_id = {t.id: t for t in dirty}
    failed: set[str] = set()
    reporter.start(len(dirty))
    with make_executor(root, library, options, out_dir, len(dirty)) as executor:
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
                    manifest.record(target.id, target.renderer, target.fingerprint, list(target.sources), outcome.written)
                    result.built.append(target.id)
                else:
                    failed.add(target.id)
                    result.failures.append(Failure(target.id, target.label, outcome.file, outcome.line, outcome.message))


def _phase(target) -> int:
    from outreach.renderers import all_renderers

    return all_renderers()[target.renderer].phase


def _present(out_dir: Path, relpath: str, manifest: Manifest) -> bool:
    info = manifest.outputs.get(relpath)
    try:
        return info is not None and (out_dir / relpath).stat().st_size == info["size"]
    except OSError:
        return False


def _delete(out_dir: Path, relpaths: list[str]) -> list[str]:
    removed = []
    base = out_dir.resolve()
    for relpath in relpaths:
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
    """Temp files left by a build that was killed mid-write (not a concurrent shard's live ones)."""
    now = time.time()
    for path in out_dir.rglob(".*.tmp"):
        try:
            if now - path.stat().st_mtime > older_than:
                path.unlink()
        except OSError:
            pass
