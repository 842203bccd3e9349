"""Check and preview an item as the user types, without touching content/ or build/.

The form's values are merged into the file's text exactly as saving would write it, then
checked by `outreach check`'s own rules with that text standing in for the file, and the
item's outputs are rendered into a scratch folder the editor serves. Each problem is tied
to the field it is about, through the positions of the text that was checked.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from outreach.buildspec.options import BuildOptions
from outreach.buildspec.target import Target
from outreach.core.errors import OutreachError
from outreach.engine.roles import item_of
from outreach.outputs.base import RenderContext, Renderer, RenderError, RenderResult, RoleView, variant_of
from outreach.outputs.html import PageOverflow
from outreach.outputs.registry import all_renderers
from outreach.outputs.texts import SmsText, SmsTooLong, compose_sms
from outreach.preview.editor.forms import FORM_HIDDEN, REVIEW_FIELDS, typed_values
from outreach.preview.editor.itemcheck import check_item
from outreach.preview.editor.quickpdf import preview_pdf
from outreach.project.diagnostics import Diagnostic
from outreach.project.kinds import SCENARIOS
from outreach.project.library import Library
from outreach.project.outputdir import output_dir
from outreach.project.yamledit import merged_text
from outreach.project.yamlsource import SourceFile, parse_yaml
from outreach.rendering.sms import count
from outreach.rendering.theme import Theme

PREVIEW_WIDTH = 720       # pixels: sharp beside the form, small enough to come back fast
MAX_PREVIEW_TARGETS = 4   # a script with many roles previews its first outputs only


@dataclass
class Checked:
    text: str                                  # what saving would write
    problems: list[dict] = field(default_factory=list)
    errors: int = 0                            # errors in this file
    elsewhere: int = 0                         # errors in other files (they stop a build too)
    library: Library | None = None
    sms: dict | None = None                    # a scenario's SMS counter (sms_counter), also when it is too long


def check_values(root: Path, relpath: str, original: str, kind: str, values: Any) -> Checked:
    text = merged_text(original, typed_values(kind, values), keep=FORM_HIDDEN)
    diagnostics, library = check_item(root, relpath, text.encode("utf-8"))
    _, source, _ = parse_yaml(text.encode("utf-8"), relpath)
    checked = Checked(text=text, library=library)
    for diagnostic in diagnostics:
        if diagnostic.file != relpath:
            checked.elsewhere += diagnostic.is_error
            continue
        checked.errors += diagnostic.is_error
        checked.problems.append(problem_dict(diagnostic, source))
    if checked.library is not None:
        checked.sms = scenario_sms(root, checked.library, relpath)
    return checked


def scenario_sms(root: Path, library: Library, relpath: str) -> dict | None:
    """The counter of the SMS the scenario in `relpath` sends (None for other kinds, or when
    its template cannot be rendered: check reports that)."""
    item = next((i for i in library.kind(SCENARIOS.folder).values() if i.path == relpath), None)
    if item is None:
        return None
    ctx = RenderContext(root=root, library=library, options=BuildOptions(), theme=Theme(root), out_dir=output_dir(root))
    try:
        return sms_counter(compose_sms(ctx, item.id))
    except OutreachError:
        return None


def sms_counter(composed: SmsText) -> dict:
    """What the page shows beside the field the SMS comes from: characters used of those the
    configured number of parts carries ("170/134 字，超出 36 字"), and which field to shorten."""
    used, allowed, over = composed.counted.units, composed.allowed, composed.over
    counter = f"{used}/{allowed} 字" + (f"，超出 {over} 字" if over else "")
    # Besides a hand-written text, the SMS holds only the signature added in front of it (if any):
    # the page can count as the user types. A template's own words have no such simple sum.
    fixed = (count(composed.signed).units if composed.signed else 0) if composed.written else None
    return {"used": used, "allowed": allowed, "over": over, "ok": not over, "counter": counter,
            "parts": composed.counted.parts, "max_parts": composed.max_parts, "encoding": composed.counted.encoding,
            "field": list(composed.field), "field_label": composed.labels[0] if composed.labels else "",
            "fields": [{"path": list(path), "label": label, "chars": size}
                       for path, label, size in zip(composed.fields, composed.labels, composed.sizes, strict=True)],
            "fixed": fixed}


def problem_dict(diagnostic: Diagnostic, source: SourceFile | None) -> dict:
    return {"path": field_at(source, diagnostic.line, diagnostic.column) if source else [],
            "severity": diagnostic.severity.value, "code": diagnostic.code, "message": diagnostic.message,
            "line": diagnostic.line, "column": diagnostic.column}


_LINE_START = re.compile(r"[ \t]*(?:-[ \t]+)*")   # indentation and list dashes before a line's value


def field_at(source: SourceFile, line: int, column: int) -> list:
    """The deepest field whose key or value covers a position: where the form shows the problem."""
    if line <= 0:
        return []
    offset = source.offset(line, column)
    if offset is None:
        return []
    if column <= 1:
        # A problem located by line only (a build rule: an SMS over its parts) is about the value on
        # that line: step past the indentation and list dashes to it, else a list item's problem
        # would be shown on the whole list.
        start = _LINE_START.match(source.text, offset)
        offset = start.end() if start else offset
    best: tuple = ()
    for path, span in source.spans.items():
        begin = span.key_start if span.key_start is not None else span.start
        if begin <= offset <= max(span.end, begin) and len(path) > len(best):
            best = path
    if not best:   # a position between fields: the field above it
        keyed = sorted((s.key_start, p) for p, s in source.spans.items() if s.key_start is not None and len(p) == 1)
        index = bisect.bisect_right([k for k, _ in keyed], offset) - 1
        best = keyed[index][1] if index >= 0 else ()
    return list(best)


class Previewer:
    """Renders one item's outputs into the scratch folder, one preview at a time.

    The page asks in two parts (`render(part=...)`): the first target (a printed piece first:
    the poster of a scenario), then the others, so the picture people wait for is not held up
    by the outputs beside it (a scenario's long image costs as much as its poster)."""

    def __init__(self, root: Path, scratch: Path, options: BuildOptions | None = None) -> None:
        self.root = root
        self.scratch = scratch
        self.options = options or BuildOptions()
        self.lock = threading.Lock()
        self.serial = 0

    def targets(self, library: Library, relpath: str) -> list[tuple[Renderer, Target]]:
        """The item's targets in the order the page shows them: printed pieces first."""
        found: list[tuple[Renderer, Target]] = []
        ordered = sorted(all_renderers().items(), key=lambda kv: (not kv[1].printable, kv[1].phase, kv[0]))
        for _kind, renderer in ordered:
            if renderer.phase > 1:
                continue   # station packs: one per station, seen in the preview page after saving
            found += [(renderer, t) for t in renderer.plan(library, self.options) if t.sources[:1] == (relpath,)]
        return found[:MAX_PREVIEW_TARGETS]

    def render(self, library: Library, relpath: str) -> list[dict]:
        """Everything the item's preview shows."""
        return self.render_part(library, relpath, "all")[0] or []

    def render_part(self, library: Library, relpath: str, part: str,
                    current: Callable[[], bool] = lambda: True) -> tuple[list[dict] | None, int]:
        """What to show for `part` ("all", "first" or "rest" of the targets) and how many targets
        are left for the rest; None to show when `current()` turns false first (the user has
        typed on: a newer preview is on its way)."""
        from outreach.rendering.budget import render_budget

        # The build's per-target time limit holds for a preview too (templates stop at their
        # deadline in this thread, with the template's line named).
        with self.lock, render_budget(library.config.build.target_timeout):
            if not current():   # waited for the lock behind an older preview
                return None, 0
            self.serial += 1
            folder = self.scratch / str(self.serial)
            folder.mkdir(parents=True, exist_ok=True)
            ctx = RenderContext(root=self.root, library=library, options=self.options, theme=Theme(self.root),
                                out_dir=output_dir(self.root))
            every = self.targets(library, relpath)
            chosen = {"first": every[:1], "rest": every[1:]}.get(part, every)
            left = len(every) - 1 if part == "first" and every else 0
            shown: list[dict] = []
            for renderer, target in chosen:
                if not current():
                    return None, 0
                pictured = _pictured(renderer, target)
                result = _page_only(renderer, target, ctx, pictured)
                if result is None:
                    [result] = renderer.render_batch([_without(target, pictured)], ctx)
                if isinstance(result, RenderError):
                    shown.append(self._failed(ctx, folder, library, relpath, target.label, result))
                    continue
                shown += self._show(ctx, folder, renderer, result.outputs, pictured)
            self._prune(keep=self.serial)
            return shown, left

    def _failed(self, ctx: RenderContext, folder: Path, library: Library, relpath: str, label: str,
                problem: RenderError) -> dict:
        """A target that failed: an overflowing page is still shown, an SMS still counted."""
        if isinstance(problem, PageOverflow) and problem.pages == 1 and problem.relayout is not None:
            return self._overflow(ctx, folder, library, relpath, label, problem)
        if isinstance(problem, SmsTooLong) and problem.sms_text is not None:
            return sms_entry(problem.sms_text) | {"message": str(problem)}
        return {"type": "error", "label": label, "message": str(problem)}

    def _overflow(self, ctx: RenderContext, folder: Path, library: Library, relpath: str, label: str,
                  problem: PageOverflow) -> dict:
        """The page drawn as tall as its content, what does not fit marked, and what to cut."""
        from outreach.preview.editor import overflow
        from outreach.preview.editor.forms import form_for
        from outreach.rendering import pdf

        mm = max(1, round(problem.overflow_mm))
        view = pdf.overflow_view(problem.relayout, problem.overflow_mm, PREVIEW_WIDTH,
                                 label=f"红线以下放不下：超出约 {mm} 毫米")
        name = f"overflow-{len(list(folder.glob('overflow-*.png'))) + 1}.png"
        (folder / name).write_bytes(view.png)
        item = next((i for i in library.all_items() if i.path == relpath), None)
        found: list = []
        if item is not None:
            labels = {f["key"]: f"“{f['label']}”" for f in form_for(item.kind)["fields"]}
            values = {key: getattr(item.model, key) for key in labels if key not in REVIEW_FIELDS}
            found = overflow.cuts(values, labels, view.blocks, problem.overflow_mm, ctx.localize)
        sentence, cut, named = overflow.advice(problem.overflow_mm, found, view.blocks)
        return {"type": "overflow", "label": label, "message": str(problem), "advice": sentence,
                "url": f"/edit/scratch/{folder.name}/{name}", "cut": cut, "overflow_mm": round(problem.overflow_mm, 1),
                "pages": problem.pages, "cause": problem.cause,
                "fields": [{"path": list(c.path), "label": c.label, "cut": c.cut, "items": c.items,
                            "unit": c.unit if c.items else "", "lines": c.lines} for c in named]}

    def _show(self, ctx: RenderContext, folder: Path, renderer: Renderer, outputs: dict[str, bytes],
              pictured: dict[str, str] | None = None) -> list[dict]:
        """Each output as its renderer presents its role (RoleView.show), in the renderer's order;
        an output presented as a file is not shown beside the form. `pictured`: a picture left
        out of the render (see _pictured) and the PDF whose page is drawn in its place."""
        from outreach.rendering import pdf

        shown: list[dict[str, Any]] = []
        url = f"/edit/scratch/{folder.name}/"
        views = {name: _view(renderer, name) for name in outputs}
        stand_ins = {source: image for image, source in (pictured or {}).items()}
        # A picture of the page is there already: its PDF is not drawn a second time.
        drawn = any(view.show == "image" for view in views.values()) or bool(stand_ins)
        for name in sorted(outputs, key=lambda n: (views[n].order, n not in stand_ins)):
            data, view = outputs[name], views[name]
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            show = view.show
            if name in stand_ins:
                page = folder / (name[:-4] + ".page1.png")
                page.write_bytes(pdf.pdf_to_png(data, PREVIEW_WIDTH))
                shown.append({"type": "image", "label": stand_ins[name], "url": url + name[:-4] + ".page1.png",
                              "pdf": url + name})
            elif show == "image":
                shown.append({"type": "image", "label": name, "url": url + name})
            elif show == "pdf" and not drawn:
                page = folder / (name[:-4] + ".page1.png")
                page.write_bytes(pdf.pdf_to_png(data, PREVIEW_WIDTH))
                shown.append({"type": "image", "label": name, "url": url + name[:-4] + ".page1.png",
                              "pdf": url + name})
            elif show == "sms":
                shown.append(sms_entry(compose_sms(ctx, item_of(name))))
            elif show == "markdown":
                shown.append({"type": "markdown", "label": name, "html": _markdown(data.decode("utf-8"))})
            elif show == "text":
                shown.append({"type": "text", "label": name, "text": data.decode("utf-8")})
            elif show in ("page", "article"):
                # An article is build HTML: opened in its own sandboxed tab, never drawn in the editor's page.
                shown.append({"type": "link", "label": view.label, "url": url + name})
        return shown

    def _prune(self, keep: int) -> None:
        """Only the last two previews stay: the page may still be loading the one before."""
        import shutil

        for old in self.scratch.iterdir():
            if old.name.isdigit() and int(old.name) < keep - 1:
                shutil.rmtree(old, ignore_errors=True)


def _view(renderer: Renderer, name: str) -> RoleView:
    return renderer.output_view(name.removeprefix(variant_of(name)))[1] or RoleView(name)


def _pictured(renderer: Renderer, target: Target) -> dict[str, str]:
    """{picture: PDF} for a target that makes a picture of its PDF's page (a poster's PNG for
    WeChat): the preview draws that page at PREVIEW_WIDTH instead of making the picture at the
    build's width, which costs as much again and is shrunk to fit beside the form anyway."""
    pdfs = [name for name in target.outputs if _view(renderer, name).show == "pdf"]
    images = [name for name in target.outputs if _view(renderer, name).show == "image"]
    return {images[0]: pdfs[0]} if len(images) == 1 and pdfs else {}


def _page_only(renderer: Renderer, target: Target, ctx: RenderContext,
               pictured: dict[str, str]) -> RenderResult | RenderError | None:
    """The page a preview pictures, for a renderer that lays out (`laid_out`) and checks
    (`check_page`) its page apart from writing it: the same layout and the same checks on a PDF
    written faster (quickpdf) and without what the build adds to the file itself (the review date
    in its properties, the A3 copy). None when the renderer has no such steps or the build's
    finishing can fail (print masters are checked)."""
    laid_out, check_page = getattr(renderer, "laid_out", None), getattr(renderer, "check_page", None)
    if len(pictured) != 1 or laid_out is None or check_page is None or ctx.options.print_ready:
        return None
    [pdf_name] = pictured.values()
    result = RenderResult()
    try:
        data = preview_pdf(laid_out(target, ctx, result.warnings))
        check_page(target, data, ctx)
    except RenderError as problem:
        return problem
    result.outputs[pdf_name] = data
    return result


def _without(target: Target, pictured: dict[str, str]) -> Target:
    if not pictured:
        return target
    return dataclasses.replace(target, outputs=tuple(o for o in target.outputs if o not in pictured))


def sms_entry(composed: SmsText) -> dict:
    """The preview's SMS: the text as sent and its counter (see sms_counter)."""
    return {"type": "sms", "label": "短信", "text": composed.text, "count": composed.counted.label,
            "left": composed.allowed - composed.counted.units} | sms_counter(composed)


def _markdown(text: str) -> str:
    from markdown_it import MarkdownIt

    # Raw HTML off: a message's text is shown, never run, in the editor page.
    return MarkdownIt("commonmark", {"html": False}).render(text)
