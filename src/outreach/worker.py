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


def init_worker(root: Path, library, options, out_dir: Path) -> None:
    """Set up once per process: the library, theme and (lazily) Jinja and fonts."""
    global _context
    _context = RenderContext(root=root, library=library, options=options, theme=Theme(root), out_dir=out_dir)


def run_target(target: Target) -> Outcome:
    assert _context is not None, "init_worker must run first"
    return render_and_write(target, _context)


def render_and_write(target: Target, ctx: RenderContext) -> Outcome:
    started = time.perf_counter()
    renderer = all_renderers()[target.renderer]
    try:
        result = renderer.render(target, ctx)
        written = write_outputs(ctx.out_dir, target, result.outputs)
    except RenderError as exc:
        return Outcome(target.id, False, time.perf_counter() - started, file=exc.file, line=exc.line, message=exc.message)
    except Exception:  # noqa: BLE001 - one broken target must not stop the others
        detail = traceback.format_exc(limit=6)
        return Outcome(target.id, False, time.perf_counter() - started,
                       message=f"内部错误（请把以下信息反馈给维护人员）：\n{detail}")
    return Outcome(target.id, True, time.perf_counter() - started, written=written, warnings=result.warnings)


def write_outputs(out_dir: Path, target: Target, outputs: dict[str, bytes]) -> dict[str, dict]:
    """Write each declared output atomically; refuse undeclared paths and paths outside build/."""
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
