"""Rendering one target, in a worker process (or in-process for tiny builds)."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import time
import traceback
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outreach.buildspec.target import Target
from outreach.core.errors import DiskError
from outreach.core.fsutil import atomic_write
from outreach.engine.buildlock import describe_disk_error, is_disk_error
from outreach.engine.configreads import RecordingConfig, undeclared
from outreach.engine.libraryreads import recording
from outreach.engine.libraryreads import undeclared as undeclared_items
from outreach.engine.limits import RenderTimeout, render_limits
from outreach.outputs.base import Renderer, print_sections
from outreach.outputs.registry import RenderContext, RenderError, all_renderers
from outreach.rendering.theme import Theme


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
    column: int = 0


_context: RenderContext | None = None
# The library as this process loaded it, and the item files of the one it now renders with.
_loaded: Any = None
_kept: frozenset[str] | None = None


def init_worker(root: Path, library, options, out_dir: Path, stage_dir: Path) -> None:
    """Set up once per process: the library, theme and (lazily) Jinja and fonts."""
    global _context, _loaded, _kept
    _context = RenderContext(root=root, library=library, options=options, theme=Theme(root), out_dir=out_dir,
                             stage_dir=stage_dir)
    _loaded, _kept = library, None


def use_items(keep: frozenset[str]) -> None:
    """Render with the items the main process planned with. A pool or Dask worker loads the
    library itself, items with errors included; the build left those out (engine/partial.py),
    and a render that still saw them would list them (feed.json) or read them undeclared."""
    global _kept
    assert _context is not None, "init_worker must run first"
    if keep == _kept or _loaded is None:
        return
    removed = {item.path for item in _loaded.all_items()} - keep
    _context.library = _loaded.without(removed) if removed else _loaded
    _kept = keep


def preload(root: Path, options) -> None:
    """Import in the main process what every worker needs, before the pool forks, and parse the
    content once: the workers then share one copy of WeasyPrint, pikepdf, pdfium, the renderers
    and the content models instead of each importing its own (about 0.5 s of CPU per worker), and
    their own load_library (like the main process's, for planning) finds every file parsed
    (project.loader's parse cache: 4 ms instead of 140 ms for the starter library), with the
    fonts set up (warm_up, but for the subsetter). Nothing here starts a thread: a fork copies only the calling one."""
    import pikepdf  # noqa: F401
    import pypdfium2  # noqa: F401
    from PIL import Image  # noqa: F401

    import outreach.rendering.fontfinish
    import outreach.rendering.pageinspect
    import outreach.rendering.pdf
    import outreach.rendering.templating  # noqa: F401
    from outreach.project.loader import load_library

    all_renderers()
    library, _ = load_library(root, stations=options.stations)
    if library is not None:
        # Fontconfig and Pango set up once for all workers (checked: no thread is started), each
        # worker then working on its own copy. Not the subsetter: its warm-up costs more here,
        # where every worker waits for it, than its first use saves each worker.
        _warm(library.config.theme.font_family, write=False)
    # Objects made so far are left out of garbage collection: a collection in a worker would
    # otherwise write to every one of them and copy the parent's memory page by page.
    gc.freeze()


_warmed: set[str] = set()


def _warm(font_family: str, write: bool = True) -> None:
    from outreach.rendering.pdf import warm_up

    if font_family not in _warmed:
        warm_up(font_family, write)
        _warmed.add(font_family)


def start_warm_worker(root: Path, options, out_dir: Path, stage_dir: Path, parent_pid: int | None = None) -> None:
    """Pool initializer: load the (small) library here and pay WeasyPrint's start-up now,
    while the main process is still checking and planning."""
    import signal

    from outreach.core.lifeline import die_with_parent
    from outreach.project.loader import load_library

    if parent_pid is not None:
        die_with_parent(parent_pid)

    # Ctrl-C reaches the whole process group: the main process stops the build and the
    # workers; a worker that handled it too would print its own traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    library, _ = load_library(root, stations=options.stations)
    init_worker(root, library, options, out_dir, stage_dir)
    if library is not None:
        _warm(library.config.theme.font_family)   # done already when the pool forked after preload()
    # The page check reads protected names in Traditional Chinese too, whatever the build's
    # script: its converter's dictionaries load here, while the main process plans, not on the
    # first page (about 75 ms a worker).
    from outreach.rendering.inspect_typesetting import warm_up as warm_page_check

    warm_page_check()


def run_batch(targets: list[Target], keep: frozenset[str] | None = None) -> list[Outcome]:
    """Render one batch; `keep`: the item files of the library the build planned with."""
    assert _context is not None, "init_worker must run first"
    if keep is not None:
        use_items(keep)
    return render_and_write(targets, _context)


def render_and_write(targets: list[Target], ctx: RenderContext) -> list[Outcome]:
    """Render targets of one renderer together, then write each one's outputs to staging."""
    started = time.perf_counter()
    renderer = all_renderers()[targets[0].renderer]
    if len(targets) > 1 and not ctx.config.pdf.optimise_fonts and type(renderer).render_batch is not Renderer.render_batch:
        # A batch's PDFs share fonts subset for all of them, made the file's own only by font
        # finishing: without it, each target alone, or its bytes would depend on its batch.
        return [outcome for target in targets for outcome in render_and_write([target], ctx)]
    limits = ctx.config.build
    library = ctx.library
    config = library.config
    recording = RecordingConfig(config)
    over_limit = False
    try:
        library.config = recording  # type: ignore[assignment]  # reads through to the real config
        if ctx.locale == "zh-Hant":
            ctx.hant_spec   # noqa: B018  # set up once per worker, before any target's reads are recorded
        with render_limits(limits.target_timeout * len(targets), limits.memory_limit_mb):
            results, reads = _render_recording(renderer, targets, ctx)
        if len(results) != len(targets):
            # Paired one to one below: a short list would drop the last targets without a word.
            results = [RenderError(f"内部错误：输出类型“{renderer.name}”要生成 {len(targets)} 项，只交回了 {len(results)} 个结果，"
                                   "没有写出任何文件。请把这个问题反馈给维护人员。")] * len(targets)
        else:
            results = [_undeclared_items(renderer, target, items) or _undeclared_outputs(renderer, target, outputs) or result
                       for target, result, (items, outputs) in zip(targets, results, reads, strict=True)]
        if missing := undeclared(recording.read, (*renderer.config_sections, *print_sections(ctx.options))):
            sections = "、".join(f"[{name}]" for name in missing)
            results = [RenderError(f"内部错误：输出类型“{renderer.name}”读取了 outreach.toml 的 {sections}，却没有在"
                                   f" config_sections 里声明，改了它不会重新生成。请把这个问题反馈给维护人员。")] * len(targets)
    except (RenderTimeout, MemoryError) as exc:
        over_limit = True
        results = [RenderError(_limit_message(exc, limits))] * len(targets)
    except Exception:
        detail = traceback.format_exc(limit=6)
        results = [RenderError(f"内部错误（请把以下信息反馈给维护人员）：\n{detail}")] * len(targets)
    finally:
        library.config = config
    if over_limit and len(targets) > 1:   # find the target that ran out: each one alone, with its own limit
        return [outcome for target in targets for outcome in render_and_write([target], ctx)]
    each = (time.perf_counter() - started) / len(targets)
    outcomes = []
    for target, result in zip(targets, results, strict=True):
        if isinstance(result, RenderError):
            outcomes.append(Outcome(target.id, False, each, file=result.file, line=result.line, message=result.message,
                                    column=result.column))
            continue
        try:
            finished = finish_outputs(ctx, result.outputs, result.finished)
            inspect_outputs(ctx, finished, result.inspected)
            written = write_outputs(ctx.stage_dir or ctx.out_dir, target, finished)
        except RenderError as exc:
            outcomes.append(Outcome(target.id, False, each, message=exc.message))
            continue
        except OSError as exc:
            if is_disk_error(exc):  # the whole build stops: every other write would fail the same way
                raise DiskError(describe_disk_error(exc, ctx.out_dir)) from None
            raise
        outcomes.append(Outcome(target.id, True, each, written=written, warnings=result.warnings))
    return outcomes


def _render_recording(renderer, targets: list[Target], ctx: RenderContext) -> tuple[list, list[tuple[set[str], set[str]]]]:
    """The renderer's results, and for each target the content files it read and the other
    targets' outputs it read that its deps do not make. A renderer that
    renders one target at a time is recorded target by target; one that renders a batch
    together (BatchRenderer, or its own render_batch) is recorded as a whole, and each target
    is held to what the batch declares between them."""
    results: list = []
    if type(renderer).render_batch is not Renderer.render_batch:
        with recording(ctx.library) as view, _recording_outputs(ctx) as outputs:
            results = renderer.render_batch(targets, ctx)
        declared = {source for target in targets for source in target.sources}
        readable = {path for target in targets for path in (*target.readable, *target.outputs)}
        return results, [(view.read - declared, outputs - readable)] * len(targets)
    reads = []
    for target in targets:
        with recording(ctx.library) as view, _recording_outputs(ctx) as outputs:
            try:
                results.append(renderer.render(target, ctx))
            except RenderError as problem:
                results.append(problem)
        reads.append((view.read, outputs - {*target.readable, *target.outputs}))
    return results, reads


@contextlib.contextmanager
def _recording_outputs(ctx: RenderContext):
    """The other targets' outputs read in the block (RenderContext.output_path)."""
    read: set[str] = set()
    ctx.outputs_read = read
    try:
        yield read
    finally:
        ctx.outputs_read = None


def _undeclared_outputs(renderer, target: Target, read: set[str]) -> RenderError | None:
    if not read:
        return None
    files = "、".join(sorted(read)[:5]) + (f" 等 {len(read)} 个文件" if len(read) > 5 else "")
    return RenderError(f"内部错误：输出类型“{renderer.name}”生成“{target.label or target.id}”时读取了 {files}，"
                       "却没有把生成它们的目标列在这个目标的 deps 里，它们变了不会重新生成这一项。请把这个问题反馈给维护人员。")


def _undeclared_items(renderer, target: Target, read: set[str]) -> RenderError | None:
    missing = undeclared_items(read, target.sources)
    if not missing:
        return None
    files = "、".join(missing[:5]) + (f" 等 {len(missing)} 个文件" if len(missing) > 5 else "")
    return RenderError(f"内部错误：输出类型“{renderer.name}”生成“{target.label or target.id}”时读取了 {files}，"
                       "却没有在这个目标的 sources 里声明，改了它们不会重新生成这一项。请把这个问题反馈给维护人员。")


def _limit_message(exc: BaseException, limits) -> str:
    if isinstance(exc, RenderTimeout):
        return (f"生成时间超过上限（{limits.target_timeout:g} 秒），已停止。可能是模板里有很大的循环，或内容过长；"
                f"确实需要更久时，可在 outreach.toml 的 [build] target_timeout 调高上限。")
    return (f"生成时占用的内存超过上限（{limits.memory_limit_mb} MB），已停止。可能是模板里生成了过大的文字或列表；"
            f"确实需要更多内存时，可在 outreach.toml 的 [build] memory_limit_mb 调高上限。")


TEXT_SUFFIXES = (".txt", ".md", ".json", ".html")


def finish_outputs(ctx: RenderContext, outputs: dict[str, bytes], done: Collection[str] = ()) -> dict[str, bytes]:
    """The last steps every output takes: the locale's folder and script; then HTML pages'
    Content-Security-Policy sealed to the hashes of their final inline scripts, and PDFs'
    fonts subset to the file and merged per face (outreach.rendering.fontfinish). Outputs in
    `done` (the renderer finished them itself, see RenderResult.finished) only move to their folder."""
    from outreach.rendering.csp import seal_inline_scripts

    prefix = ctx.output_prefix
    ready = {path if path.startswith(prefix) else prefix + path for path in done}
    finished = {}
    for path, data in localized(ctx, outputs, ready).items():
        if path in ready:
            pass
        elif path.endswith(".html"):
            data = seal_inline_scripts(data)
        elif path.endswith(".pdf") and ctx.config.pdf.optimise_fonts:
            from outreach.rendering.fontfinish import finish_pdf

            data = finish_pdf(data)
        finished[path] = data
    return finished


def inspect_outputs(ctx: RenderContext, outputs: dict[str, bytes], inspected: dict[str, set[int]]) -> None:
    """Every PDF about to be written, through the page inspector as `outreach check --pages` runs
    it (same checks, same project terms): a defect there fails the target here, so a build that
    succeeds leaves nothing for `check --pages` to reject (rendering/pageparity.py)."""
    from outreach.rendering.pageparity import build_error, page_defects
    from outreach.rendering.typeset import project_terms

    pdfs = sorted(path for path in outputs if path.endswith(".pdf"))
    if not pdfs:
        return
    prefix = ctx.output_prefix
    skip = {(path if path.startswith(prefix) else prefix + path): pages for path, pages in inspected.items()}
    terms = project_terms(ctx.config)    # as `check --pages` reads them: from outreach.toml
    defects = [problem for path in pdfs for problem in page_defects(outputs[path], path, terms, skip.get(path, ()))]
    if defects:
        raise RenderError(build_error(defects))


def localized(ctx: RenderContext, outputs: dict[str, bytes], done: Collection[str] = ()) -> dict[str, bytes]:
    """Outputs under the build's folder (zh-Hant/, print/); text outputs converted as a whole
    (this also catches text assembled in Python, such as feed titles and hand-written SMS)."""
    prefix = ctx.output_prefix
    if not prefix:
        return outputs
    convert = ctx.locale == "zh-Hant"
    moved = {}
    # Renderers may name outputs from target.outputs (already prefixed) or from scratch.
    for path, data in outputs.items():
        path = path if path.startswith(prefix) else prefix + path
        if convert and path.endswith(TEXT_SUFFIXES) and path not in done:
            data = ctx.localize(data.decode("utf-8")).encode("utf-8")
        moved[path] = data
    return moved


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
