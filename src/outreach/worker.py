"""Rendering one target, in a worker process (or in-process for tiny builds)."""

from __future__ import annotations

import hashlib
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from outreach.fsutil import atomic_write
from outreach.plan import Target
from outreach.renderers import RenderContext, RenderError, all_renderers
from outreach.theme import Theme


@dataclass
class Outcome:
    target_id: str
    ok: bool
    seconds: float = 0.0
    written: dict[str, dict] = field(default_factory=dict)   # path → {sha256, size}
    warnings: list[str] = field(default_factory=list)
    file: str = ""
    line: int = 0
    message: str = ""


_context: RenderContext | None = None


def init_worker(root: Path, library, options, out_dir: Path, stage_dir: Path) -> None:
    """Set up once per process: the library, theme and (lazily) Jinja and fonts."""
    global _context
    _context = RenderContext(root=root, library=library, options=options, theme=Theme(root), out_dir=out_dir,
                             stage_dir=stage_dir)


def start_warm_worker(root: Path, options, out_dir: Path, stage_dir: Path) -> None:
    """Pool initializer: load the (small) library here and pay WeasyPrint's start-up now,
    while the main process is still checking and planning."""
    from outreach.loader import load_library

    library, _ = load_library(root)
    init_worker(root, library, options, out_dir, stage_dir)
    if library is not None:
        from outreach.pdf import warm_up

        warm_up(library.config.theme.font_family)


def run_batch(targets: list[Target]) -> list[Outcome]:
    assert _context is not None, "init_worker must run first"
    return render_and_write(targets, _context)


def render_and_write(targets: list[Target], ctx: RenderContext) -> list[Outcome]:
    """Render targets of one renderer together, then write each one's outputs to staging."""
    started = time.perf_counter()
    renderer = all_renderers()[targets[0].renderer]
    try:
        results = renderer.render_batch(targets, ctx)
    except Exception:  # noqa: BLE001 - one broken batch must not stop the build
        detail = traceback.format_exc(limit=6)
        results = [RenderError(f"内部错误（请把以下信息反馈给维护人员）：\n{detail}")] * len(targets)
    each = (time.perf_counter() - started) / len(targets)
    outcomes = []
    for target, result in zip(targets, results):
        if isinstance(result, RenderError):
            outcomes.append(Outcome(target.id, False, each, file=result.file, line=result.line, message=result.message))
            continue
        try:
            written = write_outputs(ctx.stage_dir or ctx.out_dir, target, localized(ctx, result.outputs))
        except RenderError as exc:
            outcomes.append(Outcome(target.id, False, each, message=exc.message))
            continue
        outcomes.append(Outcome(target.id, True, each, written=written, warnings=result.warnings))
    return outcomes


TEXT_SUFFIXES = (".txt", ".md", ".json", ".html")


def localized(ctx: RenderContext, outputs: dict[str, bytes]) -> dict[str, bytes]:
    """Outputs under the locale's folder; text outputs converted as a whole (this also catches
    text assembled in Python, such as feed titles and hand-written SMS)."""
    prefix = ctx.output_prefix
    if not prefix:
        return outputs
    # Renderers may name outputs from target.outputs (already prefixed) or from scratch.
    return {(path if path.startswith(prefix) else prefix + path):
            ctx.localize(data.decode("utf-8")).encode("utf-8") if path.endswith(TEXT_SUFFIXES) else data
            for path, data in outputs.items()}


def write_outputs(out_dir: Path, target: Target, outputs: dict[str, bytes]) -> dict[str, dict]:
    """Write each declared output (to the staging dir); refuse undeclared paths and paths outside it."""
    declared = set(target.outputs)
    produced = set(outputs)
    if produced != declared:
        raise RenderError(f"渲染器产出的文件与计划不符：缺少 {sorted(declared - produced)}，多出 {sorted(produced - declared)}")
    base = out_dir.resolve()
    written = {}
    for relpath in sorted(outputs):
        path = (out_dir / relpath).resolve()
        if base not in path.parents:
            raise RenderError(f"输出路径“{relpath}”不在输出目录内，已拒绝写入。")
        data = outputs[relpath]
        atomic_write(path, data)
        written[relpath] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    return written
