"""Check and preview an item as the user types, without touching content/ or build/.

The form's values are merged into the file's text exactly as saving would write it, then
checked by `outreach check`'s own rules with that text standing in for the file, and the
item's outputs are rendered into a scratch folder the editor serves. Each problem is tied
to the field it is about, through the positions of the text that was checked.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outreach.engine.precheck import check_project
from outreach.project.diagnostics import Diagnostic
from outreach.project.library import Library
from outreach.project.outputdir import output_dir
from outreach.project.yamledit import merged_text
from outreach.project.yamlsource import SourceFile, parse_yaml
from outreach.preview.editor.forms import typed_values
from outreach.render.theme import Theme
from outreach.renderers.base import RenderContext, RenderError
from outreach.renderers.options import BuildOptions
from outreach.renderers.registry import all_renderers

PREVIEW_WIDTH = 720       # pixels: sharp beside the form, small enough to come back fast
MAX_PREVIEW_TARGETS = 4   # a script with many roles previews its first outputs only


@dataclass
class Checked:
    text: str                                  # what saving would write
    problems: list[dict] = field(default_factory=list)
    errors: int = 0                            # errors in this file
    elsewhere: int = 0                         # errors in other files (they stop a build too)
    library: Library | None = None


def check_values(root: Path, relpath: str, original: str, kind: str, values: Any) -> Checked:
    text = merged_text(original, typed_values(kind, values))
    libraries: list[Library] = []
    diagnostics = check_project(root, {relpath: text.encode("utf-8")}, libraries)
    _, source, _ = parse_yaml(text.encode("utf-8"), relpath)
    checked = Checked(text=text, library=libraries[0] if libraries else None)
    for diagnostic in diagnostics:
        if diagnostic.file != relpath:
            checked.elsewhere += diagnostic.is_error
            continue
        checked.errors += diagnostic.is_error
        checked.problems.append(problem_dict(diagnostic, source))
    return checked


def problem_dict(diagnostic: Diagnostic, source: SourceFile | None) -> dict:
    return {"path": field_at(source, diagnostic.line, diagnostic.column) if source else [],
            "severity": diagnostic.severity.value, "code": diagnostic.code, "message": diagnostic.message,
            "line": diagnostic.line, "column": diagnostic.column}


def field_at(source: SourceFile, line: int, column: int) -> list:
    """The deepest field whose key or value covers a position: where the form shows the problem."""
    if line <= 0:
        return []
    offset = source.offset(line, column)
    if offset is None:
        return []
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
    """Renders one item's outputs into the scratch folder, one preview at a time."""

    def __init__(self, root: Path, scratch: Path, options: BuildOptions | None = None) -> None:
        self.root = root
        self.scratch = scratch
        self.options = options or BuildOptions()
        self.lock = threading.Lock()
        self.serial = 0

    def render(self, library: Library, relpath: str) -> list[dict]:
        with self.lock:
            self.serial += 1
            folder = self.scratch / str(self.serial)
            folder.mkdir(parents=True, exist_ok=True)
            ctx = RenderContext(root=self.root, library=library, options=self.options, theme=Theme(self.root),
                                out_dir=output_dir(self.root))
            shown: list[dict] = []
            targets = 0
            for _kind, renderer in sorted(all_renderers().items(), key=lambda kv: (kv[1].phase, kv[0])):
                if renderer.phase > 1:
                    continue   # station packs: one per station, seen in the preview page after saving
                for target in renderer.plan(library, self.options):
                    if target.sources[:1] != (relpath,) or targets >= MAX_PREVIEW_TARGETS:
                        continue
                    targets += 1
                    [result] = renderer.render_batch([target], ctx)
                    if isinstance(result, RenderError):
                        shown.append({"type": "error", "label": target.label, "message": str(result)})
                        continue
                    shown += self._show(ctx, folder, result.outputs)
            self._prune(keep=self.serial)
            return shown

    def _show(self, ctx: RenderContext, folder: Path, outputs: dict[str, bytes]) -> list[dict]:
        from outreach.render import pdf
        from outreach.render.sms import capacity, count

        shown: list[dict[str, Any]] = []
        url = f"/edit/scratch/{folder.name}/"
        names = set(outputs)
        for name, data in outputs.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            if name.endswith(".png"):
                shown.append({"type": "image", "label": name, "url": url + name})
            elif name.endswith(".pdf") and name[:-4] + ".png" not in names:
                page = folder / (name[:-4] + ".page1.png")
                page.write_bytes(pdf.pdf_to_png(data, PREVIEW_WIDTH))
                shown.append({"type": "image", "label": name, "url": url + name[:-4] + ".page1.png",
                              "pdf": url + name})
            elif name.endswith(".sms.txt"):
                text = data.decode("utf-8").strip()
                counted = count(text)
                limit = ctx.config.sms.max_parts
                shown.append({"type": "sms", "label": "短信", "text": text, "count": counted.label,
                              "parts": counted.parts, "max_parts": limit,
                              "left": capacity(counted.encoding, limit) - counted.units})
            elif name.endswith(".md"):
                shown.append({"type": "markdown", "label": name, "html": _markdown(data.decode("utf-8"))})
            elif name.endswith(".txt"):
                shown.append({"type": "text", "label": name, "text": data.decode("utf-8")})
            elif name.endswith(".html"):
                shown.append({"type": "link", "label": "H5 页面", "url": url + name})
        return shown

    def _prune(self, keep: int) -> None:
        """Only the last two previews stay: the page may still be loading the one before."""
        import shutil

        for old in self.scratch.iterdir():
            if old.name.isdigit() and int(old.name) < keep - 1:
                shutil.rmtree(old, ignore_errors=True)


def _markdown(text: str) -> str:
    from markdown_it import MarkdownIt

    # Raw HTML off: a message's text is shown, never run, in the editor page.
    return MarkdownIt("commonmark", {"html": False}).render(text)
