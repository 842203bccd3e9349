"""WeasyPrint and pypdfium2 wrappers: safe resource fetching, one-page checks, PDF → PNG."""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import mimetypes
import os
import re
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse

from outreach.core.errors import OutreachError
from outreach.core.safepath import is_hidden, is_regular_file, resolved_inside
from outreach.rendering import typeset_layout
from outreach.rendering.stylecache import lift_styles
from outreach.rendering.units import PX_PER_MM

MAX_RESOURCE_BYTES = 20 * 1024 * 1024
MAX_DATA_URL_BYTES = 2 * 1024 * 1024


class SafeFetcher(URLFetcher):
    """Serves only files inside the allowed roots (or the allowed single files); refuses the
    network, hidden files (.env, .git/, .outreach/) and everything else.

    Each refusal is recorded as a warning naming the template, and WeasyPrint then
    renders the page without that resource.
    """

    def __init__(self, allowed_roots: list[Path], template: str, warnings: list[str],
                 allowed_files: list[Path] | tuple[Path, ...] = ()) -> None:
        super().__init__(timeout=1, allowed_protocols=["file", "data"], allow_redirects=False)
        self.allowed_roots = [r.resolve() for r in allowed_roots]
        self._roots_as_named = [Path(os.path.normpath(r.absolute())) for r in allowed_roots]
        self.allowed_files = {f.resolve() for f in allowed_files}
        self.template = template
        self.warnings = warnings

    def refuse(self, url: str, why: str) -> NoReturn:
        shown = url if len(url) < 120 else url[:100] + "…"
        self.warnings.append(f"模板 {self.template} 引用的资源“{shown}”已被拒绝：{why}")
        raise ValueError(why)

    def fetch(self, url, headers=None):
        scheme = urllib.parse.urlsplit(url).scheme.lower()
        if scheme == "data":
            if len(url) > MAX_DATA_URL_BYTES:
                self.refuse(url, f"内嵌数据超过 {MAX_DATA_URL_BYTES // 1024 // 1024} MB")
            return super().fetch(url, headers)
        if scheme != "file":
            self.refuse(url, "不允许访问网络或其他协议，只能使用模板目录、内置主题里的文件和配置的标志图片")
        try:
            path = Path(urllib.request.url2pathname(urllib.parse.urlsplit(url).path))
            lexical = Path(os.path.normpath(path))
        except ValueError:
            self.refuse(url, "路径无效")
        if self._hidden(lexical):
            self.refuse(url, "不允许读取隐藏文件和目录（如 .env、.git、.outreach）")
        resolved = resolved_inside(path, self.allowed_roots)
        if resolved is None and path.exists() and path.resolve() in self.allowed_files:
            resolved = path.resolve()
        if resolved is None:
            self.refuse(url, "文件在项目的 templates/ 和内置主题目录之外（包括通过符号链接或 .. 跳出）")
        if self._hidden(resolved):
            self.refuse(url, "不允许读取隐藏文件和目录（如 .env、.git、.outreach）")
        if not resolved.exists():
            self.refuse(url, "文件不存在")
        if not is_regular_file(resolved) or resolved.stat().st_size > MAX_RESOURCE_BYTES:
            self.refuse(url, f"不是普通文件或超过 {MAX_RESOURCE_BYTES // 1024 // 1024} MB")
        mime, _ = mimetypes.guess_type(resolved.name)
        return URLFetcherResponse(url, body=resolved.read_bytes(),
                                  headers={"Content-Type": mime or "application/octet-stream"})


    def _hidden(self, path: Path) -> bool:
        """A hidden name at any depth below the allowed directory the path is in (a theme installed
        under a hidden folder such as .venv/ is fine; templates/.private/a/b/logo.png is not)."""
        for root in (*self._roots_as_named, *self.allowed_roots):
            if path.is_relative_to(root):
                return is_hidden(path.relative_to(root))
        return path.name.startswith(".")


class AttachmentRefused(OutreachError):
    """A template asked WeasyPrint to embed files in the PDF (<link rel=attachment>, <a rel=attachment>)."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} 个附件")
        self.count = count


def refuse_attachments(document) -> None:
    """Published PDFs carry no embedded files: a template could otherwise attach project secrets
    (.env, .git/config) to a poster. Checked before anything is fetched for writing."""
    count = len(document.metadata.attachments or [])
    count += sum(1 for page in document.pages for link in page.links if link[0] == "attachment")
    if count:
        raise AttachmentRefused(count)


@dataclass
class RenderLog:
    """WeasyPrint's own warnings (bad CSS, missing images) collected for the user."""

    messages: list[str] = field(default_factory=list)


class _Collect(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "已被拒绝" not in message and "URI uses disallowed protocol" not in message and "Failed to load" not in message:
            self.sink.append(message)


_font_config = None


def font_config():
    """One FontConfiguration per process: fontconfig set-up is paid once per worker."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def warm_up(font_family: str, write: bool = True) -> None:
    """Pay one-time costs (fontconfig, Pango, font coverage; HarfBuzz's subsetter when `write`)
    before real work arrives. Writing costs about 80 ms, of which only about 20 ms is paid once:
    a process that forks workers leaves it to them (engine/worker.py preload)."""
    from outreach.rendering.glyphs import missing_glyphs, primary_family

    missing_glyphs("", primary_family(font_family))
    weights = "".join(f'<p style="font-weight:{w}">反诈宣传 110 96110</p>' for w in (400, 500, 700, 900))
    html = f'<html><body style="font-family:{font_family}">{weights}</body></html>'
    document = weasyprint.HTML(string=html).render(font_config=font_config())
    if write:
        document.write_pdf()


def render_document(html: str, base_url: str, fetcher: SafeFetcher, extra_css: str | None = None):
    logger = logging.getLogger("weasyprint")
    collected: list[str] = []
    handler = _Collect(collected)
    logger.addHandler(handler)
    previous, propagated = logger.level, logger.propagate
    logger.setLevel(logging.WARNING)
    logger.propagate = False   # collected here and shown located, not printed twice
    try:
        stylesheets = [weasyprint.CSS(string=extra_css, font_config=font_config())] if extra_css else None

        def lay_out(page: str):
            source = weasyprint.HTML(string=page, base_url=base_url, url_fetcher=fetcher)
            # A print build's extra stylesheet is a user stylesheet already: the page's own stay
            # author stylesheets beside it, as the cascade between the two expects.
            sheets = stylesheets or lift_styles(source, base_url, font_config())
            return source.render(stylesheets=sheets, font_config=font_config()), source.etree_element

        # Rules that need the laid-out lines: balanced headings, hung opening marks.
        document = typeset_layout.lay_out(html, lay_out)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
        logger.propagate = propagated
    for message in collected:
        fetcher.warnings.append(f"模板 {fetcher.template}：排版提示：{message}")
    refuse_attachments(document)
    return document


def write_pdf(document, zoom: float = 1) -> bytes:
    """PDF bytes; WeasyPrint derives the file identifier from the content, so unchanged input gives unchanged bytes."""
    return document.write_pdf(zoom=zoom)


def write_many(documents) -> list[bytes]:
    """One PDF per document, written together so each font is subset once for the lot.

    WeasyPrint merges the pages of documents laid out with one FontConfiguration;
    pikepdf then splits the result. Subsetting a CJK font costs tens of milliseconds,
    so this is several times faster than writing each document on its own.

    A file's bytes must not depend on which documents shared its batch (the number of
    workers cuts the batches): a lone document is split off the same way, each keeps its own
    element ids and resources, and font finishing (fontfinish) subsets its fonts to the file
    and gives it an identifier from its final content. Without finishing the worker renders
    one target per batch (engine/worker.py).
    """
    if not documents:  # every target of the batch failed before layout
        return []
    import pikepdf

    with _anchors_per_document(documents):
        merged = documents[0].copy([page for document in documents for page in document.pages]).write_pdf()
    outputs = []
    with pikepdf.open(io.BytesIO(merged)) as source:
        destinations = _named_destinations(source)
        start = 0
        for number, document in enumerate(documents):
            with pikepdf.new() as single:
                for index in range(start, start + len(document.pages)):
                    single.pages.append(source.pages[index])
                _keep_destinations(single, destinations, start, start + len(document.pages), f"{number}{ANCHOR_MARK}")
                start += len(document.pages)
                single.docinfo["/Title"] = document.metadata.title or ""
                single.docinfo["/Producer"] = str(source.docinfo.get("/Producer", "WeasyPrint"))
                single.docinfo["/Creator"] = "outreach"
                _own_resources(single)
                buffer = io.BytesIO()
                single.save(buffer, deterministic_id=True, compress_streams=True)
                outputs.append(buffer.getvalue())
    return outputs


ANCHOR_MARK = "~"
_NAME = re.compile(rb"/([^\s/\[\]()<>{}%]+)")


def _own_resources(single) -> None:
    """Each page's resources cut down to the names its content draws with: WeasyPrint gives all
    pages of a batch one resource dictionary, so a file would carry the graphic states, images
    and fonts of every other document in its batch (qpdf's remove_unreferenced_resources leaves
    graphic states). Forms and patterns may draw with the page's names: theirs count too."""
    import pikepdf

    def names(stream) -> set[str]:
        return {match.decode("latin-1") for match in _NAME.findall(stream.read_bytes())}

    for page in single.pages:
        resources = page.obj.get("/Resources")
        contents = page.obj.get("/Contents")
        if not isinstance(resources, pikepdf.Dictionary) or contents is None:
            continue
        used: set[str] = set()
        pending = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        seen: set[tuple[int, int]] = set()
        while pending:
            stream = pending.pop()
            if stream.objgen in seen and stream.objgen != (0, 0):
                continue
            seen.add(stream.objgen)
            found = names(stream) - used
            used |= found
            for category in ("/XObject", "/Pattern"):
                entries = resources.get(category)
                if isinstance(entries, pikepdf.Dictionary):
                    pending += [entries[key] for key in entries.keys()
                                if key[1:] in found and isinstance(entries[key], pikepdf.Stream)]
        page.obj.Resources = pikepdf.Dictionary({
            category: pikepdf.Dictionary({key: entries[key] for key in entries.keys() if key[1:] in used})
            if isinstance(entries, pikepdf.Dictionary) else entries
            for category, entries in resources.items()})


@contextlib.contextmanager
def _anchors_per_document(documents):
    """Element ids made unique per document while the batch is written as one PDF: WeasyPrint
    keeps only the first of equal names, so every poster after the first would lose its
    destinations (and an internal link would point into another poster) — in a batch only."""
    saved = []
    try:
        for number, document in enumerate(documents):
            prefix = f"{number}{ANCHOR_MARK}"
            for page in document.pages:
                saved.append((page, page.anchors, page.links))
                page.anchors = {prefix + name: value for name, value in page.anchors.items()}
                page.links = [(kind, prefix + target if kind == "internal" else target, *rest)
                              for kind, target, *rest in page.links]
        yield
    finally:
        for page, anchors, links in saved:
            page.anchors, page.links = anchors, links


def _named_destinations(source) -> list[tuple[str, int, list]]:
    """(name, page index, rest of the destination) for every named destination (element ids)."""
    import pikepdf

    try:
        names = source.Root.Names.Dests.Names
    except (AttributeError, KeyError):
        return []
    pages = {page.objgen: index for index, page in enumerate(source.pages)}
    found = []
    for i in range(0, len(names) - 1, 2):
        target = names[i + 1]
        if isinstance(target, pikepdf.Array) and len(target) and target[0].objgen in pages:
            found.append((str(names[i]), pages[target[0].objgen], list(target)[1:]))
    return found


def _keep_destinations(single, destinations, start: int, end: int, prefix: str = "") -> None:
    """Carry the named destinations of pages start..end over to the split-off file, under the
    names the document gave them (without the batch's `prefix`), links to them too."""
    import pikepdf

    entries = []
    for name, index, rest in sorted((name.removeprefix(prefix), index, rest) for name, index, rest in destinations
                                    if start <= index < end and name.startswith(prefix)):
        entries += [pikepdf.String(name), pikepdf.Array([single.pages[index - start].obj, *rest])]
    if entries:
        single.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=pikepdf.Array(entries)))
    for page in single.pages if prefix else ():
        for annotation in page.obj.get("/Annots", ()):
            dest = annotation.get("/Dest")
            if isinstance(dest, pikepdf.String) and str(dest).startswith(prefix):
                annotation.Dest = pikepdf.String(str(dest).removeprefix(prefix))


def flow_overflow_mm(html: str, base_url: str, fetcher: SafeFetcher, document, pages_allowed: int) -> float:
    """How far the content runs past `pages_allowed` pages: lay it out again on pages 5 m tall
    and compare where the content ends with the real pages' content height. Works for any
    template: no marker element is needed."""
    first = document.pages[0]
    width_mm = first.width / PX_PER_MM
    tall = render_document(html, base_url, fetcher, extra_css=f"@page {{ size: {width_mm}mm 5000mm !important; }}")
    height = _content_height_px(first)
    bottoms = [_content_bottom_px(page) - _content_top_px(page) for page in tall.pages]
    if len(bottoms) >= pages_allowed:  # forced page breaks (a card's front and back): side by side
        overflow = max(bottom - height for bottom in bottoms)
    else:  # content flowing over several pages
        overflow = sum(bottoms) - pages_allowed * height
    return max(overflow, 0.0) / PX_PER_MM


@dataclass
class Relayout:
    """What laying an overflowing page out again needs, with the real page's geometry: kept on
    the build's overflow error so the editor can draw the page taller without rendering twice."""

    html: str
    base_url: str
    fetcher: SafeFetcher
    extra_css: str | None
    width_mm: float
    height_mm: float
    content_top_mm: float      # where the flow starts on the real page
    content_height_mm: float   # how much of it the real page holds

    @classmethod
    def of(cls, html: str, base_url: str, fetcher: SafeFetcher, extra_css: str | None, document) -> "Relayout":
        page = document.pages[0]
        return cls(html, base_url, fetcher, extra_css, page.width / PX_PER_MM, page.height / PX_PER_MM,
                   _content_top_px(page) / PX_PER_MM, _content_height_px(page) / PX_PER_MM)

    @property
    def edge_mm(self) -> float:
        """The bottom edge of what fits: text laid out below it is the overflow."""
        return self.content_top_mm + self.content_height_mm


@dataclass(frozen=True)
class TextBlock:
    """A paragraph (or list item, heading…) as laid out: its text and the measure of its lines."""

    text: str
    lines: int
    line_mm: float     # distance from one line to the next
    per_line: int      # characters a full line holds
    top_mm: float
    bottom_mm: float


@dataclass
class OverflowView:
    png: bytes                 # the page made taller, the part below `edge_mm` tinted, a red line at the edge
    blocks: list[TextBlock]    # every paragraph of the taller page
    edge_mm: float
    end_mm: float              # where the content ends on the taller page


OVERFLOW_SLACK_MM = 10    # room between the overflowing text and the footer of the taller page, for the label
MARK_RGB = (255, 0, 0)    # pure red: brighter than any theme's primary colour, so the line stands out
TINT_RGBA = (255, 0, 0, 56)


def overflow_view(relayout: Relayout, overflow_mm: float, width_px: int, label: str = "") -> OverflowView:
    """The page as it would look if it were tall enough for its content: everything the real
    page cannot hold is tinted red, below a red line where the real page's text area ends.
    Margin boxes (a running footer) stay at the bottom of the taller page."""
    import math

    from PIL import Image, ImageDraw

    height = relayout.height_mm + math.ceil(overflow_mm) + OVERFLOW_SLACK_MM
    page_css = f"@page {{ size: {relayout.width_mm}mm {height}mm !important; }}"
    extra = f"{relayout.extra_css}\n{page_css}" if relayout.extra_css else page_css
    tall = render_document(relayout.html, relayout.base_url, relayout.fetcher, extra_css=extra)
    page = tall.pages[0]
    end_mm = _content_bottom_px(page) / PX_PER_MM
    image = Image.open(io.BytesIO(pdf_to_png(write_pdf(tall), width_px, colors=0))).convert("RGB")
    scale = image.width / relayout.width_mm
    edge = round(relayout.edge_mm * scale)
    end = max(round(end_mm * scale), edge + 1)
    tint = Image.new("RGBA", image.size, (0, 0, 0, 0))
    ImageDraw.Draw(tint).rectangle((0, edge, image.width, end), fill=TINT_RGBA)
    image = Image.alpha_composite(image.convert("RGBA"), tint).convert("RGB")
    thickness = max(3, width_px // 240)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, edge - thickness // 2, image.width, edge + thickness - thickness // 2 - 1), fill=MARK_RGB)
    if label:
        _draw_label(draw, label, image.width, end, round((end_mm + OVERFLOW_SLACK_MM) * scale))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return OverflowView(buffer.getvalue(), text_blocks(page), relayout.edge_mm, end_mm)


def _draw_label(draw, label: str, width: int, top: int, bottom: int) -> None:
    """A white-on-red note in the room below the overflowing text, at the right (no font: no note)."""
    from PIL import ImageFont

    path = _label_font()
    if not path or bottom - top < 12:
        return
    size = min(max(12, (bottom - top) * 3 // 5), max(12, width // 36))
    font = ImageFont.truetype(path, size)
    left, upper, right, lower = draw.textbbox((0, 0), label, font=font)
    pad = size // 3
    x = width - (right - left) - 3 * pad
    y = top + (bottom - top - (lower - upper)) // 2 - upper
    draw.rounded_rectangle((x - pad, y + upper - pad, x + right - left + pad, y + lower + pad), radius=pad,
                           fill=MARK_RGB)
    draw.text((x - left, y), label, font=font, fill=(255, 255, 255))


@functools.cache
def _label_font() -> str:
    """A bold CJK font file for the note (fontconfig knows where the installed Noto CJK is)."""
    import shutil
    import subprocess

    if not shutil.which("fc-match"):
        return ""
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", "sans-serif:lang=zh-cn:bold"], capture_output=True,
                               text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return found if found.lower().endswith((".ttc", ".ttf", ".otf")) and Path(found).is_file() else ""


def text_blocks(page) -> list[TextBlock]:
    """Every block of the page's flow that holds lines of text, top to bottom (margin boxes aside)."""
    from weasyprint.formatting_structure import boxes

    found: list[TextBlock] = []
    stack = [child for child in reversed(page._page_box.children) if not isinstance(child, boxes.MarginBox)]
    while stack:
        box = stack.pop()
        children = list(getattr(box, "children", []))
        lines = [child for child in children if isinstance(child, boxes.LineBox)]
        if lines:
            found.append(_block(box, lines))
        stack.extend(reversed([child for child in children if not isinstance(child, boxes.LineBox)]))
    return sorted(found, key=lambda block: block.top_mm)


def _block(box, lines) -> TextBlock:
    from weasyprint.formatting_structure import boxes

    texts, sizes = [], []
    for line in lines:
        parts, stack = [], list(line.children)
        while stack:
            inner = stack.pop(0)
            if isinstance(inner, boxes.TextBox):
                parts.append(inner.text)
                sizes.append(inner.style["font_size"])
            stack[:0] = list(getattr(inner, "children", []))
        texts.append("".join(parts))
    heights = sorted(line.height for line in lines)
    size = max(set(sizes), key=sizes.count) if sizes else 0
    # A full line holds the box's width in ems (Chinese characters are one em wide); a line of
    # narrower Latin letters and digits may hold more, as measured.
    per_line = max([len(text.strip()) for text in texts] + [int(box.width / size) if size else 0])
    return TextBlock("".join(texts), len(lines), heights[len(heights) // 2] / PX_PER_MM, per_line,
                     lines[0].position_y / PX_PER_MM, (lines[-1].position_y + lines[-1].height) / PX_PER_MM)


def _content_top_px(page) -> float:
    return page._page_box.content_box_y()


def _content_height_px(page) -> float:
    return page._page_box.height


def _content_bottom_px(page) -> float:
    """Where the lowest box of the page's flow ends (margin boxes such as running footers aside)."""
    from weasyprint.formatting_structure import boxes

    bottom = _content_top_px(page)
    stack = list(page._page_box.children)
    while stack:
        box = stack.pop()
        if isinstance(box, boxes.MarginBox):
            continue
        try:
            bottom = max(bottom, box.position_y + box.margin_height())
        except (AttributeError, TypeError):
            pass
        stack.extend(getattr(box, "children", []))
    return bottom


def pdf_to_png(pdf: bytes, width_px: int, page_index: int = 0, trim: bool = False, colors: int = 256) -> bytes:
    """Rasterise one page to PNG at exactly `width_px` wide (cut to the TrimBox when asked).

    With `colors` (2–256) the PNG gets a palette: posters are flat colours and text, so
    256 colours look the same, the file is about a third of the size (good for WeChat)
    and it is faster to write. 0 keeps full colour (for photos in custom templates).
    """
    import pypdfium2 as pdfium
    from PIL import Image

    document = pdfium.PdfDocument(pdf)
    try:
        page = document[page_index]
        left, bottom, right, top = page.get_mediabox()
        crop = (0.0, 0.0, 0.0, 0.0)
        if trim:
            t_left, t_bottom, t_right, t_top = page.get_trimbox()
            crop = (t_left - left, t_bottom - bottom, right - t_right, top - t_top)
        width_pt = (right - left) - crop[0] - crop[2]
        bitmap = page.render(scale=width_px / width_pt, crop=crop, may_draw_forms=False)
        image = bitmap.to_pil().convert("RGB")
        if image.width != width_px:  # pdfium rounds the bitmap size; fix the odd pixel
            height = round(image.height * width_px / image.width)
            image = image.resize((width_px, height), Image.Resampling.LANCZOS)
        if colors:
            image = image.quantize(colors=colors, method=Image.Quantize.FASTOCTREE)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=1)
        return buffer.getvalue()
    finally:
        document.close()


def file_url(path: Path) -> str:
    return path.resolve().as_uri()
