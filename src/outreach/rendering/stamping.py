"""A station's page as the page every station shares plus a stamp of its own part.

A thousand stations' covers differ only in the station's block at the foot; laying out the
pack's title, description and contents again for each took two thirds of each cover's layout.
A template marks the part that changes with `data-station` on an element taken out of the flow
(position: absolute or fixed), so that nothing else on the page depends on it. Then:

- the shared page is the page with that element emptied and not displayed: the same HTML for
  every station, laid out once per process;
- the stamp is the page with only that element and its ancestors, everything but the element
  itself invisible and without backgrounds, laid out per station;
- the station's page is the stamp drawn over the shared page (pikepdf's page overlay).

Whether the two really make the page is not assumed: the first time a shared page is seen,
outputs/stationpages.py lays the whole page out too and compares the pictures (same_picture);
a page that differs is laid out whole from then on. The station's part, out of the flow, cannot
change anything else for the stations after it.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser

MARK = "data-station"
PATH_MARK = "data-station-path"
# Author !important: above every rule of the page, whether WeasyPrint reads them as the page's
# own or as lifted stylesheets (rendering/stylecache.py).
SHARED_STYLE = f"<style>[{MARK}] {{ display: none !important; }}</style>"
STAMP_STYLE = (f"<style>html, body, [{PATH_MARK}] {{ visibility: hidden !important; background: none !important; }}"
               f" [{MARK}] {{ visibility: visible !important; }}</style>")


@dataclass(frozen=True)
class Split:
    shared: str   # the page without its station part
    stamp: str    # the station part alone, on a transparent page
    key: str      # the shared page's digest: the same for every station when only the part differs


class _Spans(HTMLParser):
    """Where the marked element and each of its ancestors start and end in the page's text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = text
        self.line_starts = [0]
        newline = text.find("\n")
        while newline >= 0:
            self.line_starts.append(newline + 1)
            newline = text.find("\n", newline + 1)
        self.open: list[tuple[str, int, int]] = []     # (tag, start, end of its start tag)
        self.path: list[tuple[str, int, int]] | None = None
        self.marked: tuple[str, int, int] | None = None
        self.marked_end: int | None = None
        self.depth = 0                                  # same-name elements open inside the marked one
        self.head_end: int | None = None
        self.count = 0

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        start = self._offset()
        end = start + len(self.get_starttag_text() or "")
        if any(name == MARK for name, _ in attrs):
            self.count += 1
            if self.marked is None:
                self.marked, self.path = (tag, start, end), list(self.open)
                return
        if self.marked is not None and self.marked_end is None and tag == self.marked[0]:
            self.depth += 1
        if tag not in _VOID:
            self.open.append((tag, start, end))

    def handle_startendtag(self, tag, attrs):
        if any(name == MARK for name, _ in attrs):
            self.count += 1   # a void element cannot hold a station's part

    def handle_endtag(self, tag):
        start = self._offset()
        if tag == "head" and self.head_end is None:
            self.head_end = start
        if self.marked is not None and self.marked_end is None and tag == self.marked[0]:
            if self.depth == 0:
                self.marked_end = self.text.index(">", start) + 1
                return
            self.depth -= 1
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                break


# What makes WeasyPrint read a file: the shared page is kept by its text alone, so it must have none.
_FETCHES = re.compile(r"url\s*\(|@import|<link\b|<(?:object|embed|iframe|image|use)\b|xlink:href"
                      r"|\bsrc\s*=\s*(?![\"']?data:)", re.I)
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def split_page(html: str) -> Split | None:
    """The page split at its one element marked `data-station`, or None (no mark, several, or
    a page whose structure this does not follow: it is then laid out whole)."""
    if MARK not in html:
        return None
    spans = _Spans(html)
    try:
        spans.feed(html)
        spans.close()
    except (AssertionError, ValueError):
        return None
    if spans.count != 1 or spans.marked is None or spans.marked_end is None or spans.head_end is None \
            or spans.path is None:
        return None
    tags = [tag for tag, _, _ in spans.path]
    if "body" not in tags or spans.marked[1] < spans.head_end:
        return None
    tag, start, inner = spans.marked
    close = html.rindex("<", inner, spans.marked_end)
    shared = html[:spans.head_end] + SHARED_STYLE + html[spans.head_end:inner] + html[close:]
    if _FETCHES.search(shared):
        return None   # laid out once per process, it would keep a picture or sheet that has since changed
    below_body = spans.path[tags.index("body") + 1:]
    body_tag, _, body_end = spans.path[tags.index("body")]
    opening = "".join(_with_path_mark(html[s:e]) for _, s, e in below_body)
    closing = "".join(f"</{t}>" for t, _, _ in reversed(below_body))
    stamp = (html[:spans.head_end] + STAMP_STYLE + html[spans.head_end:body_end] + opening
             + html[start:spans.marked_end] + closing + f"</{body_tag}></html>")
    return Split(shared, stamp, hashlib.sha256(shared.encode("utf-8", "surrogatepass")).hexdigest())


def _with_path_mark(start_tag: str) -> str:
    """An ancestor's start tag, marked so the stamp's style can hide its background."""
    name_end = next((i for i, c in enumerate(start_tag) if i and (c.isspace() or c in "/>")), len(start_tag))
    return f"{start_tag[:name_end]} {PATH_MARK}{start_tag[name_end:]}"


def compose(shared_pdf: bytes, stamp_pdf: bytes) -> bytes:
    """The shared one-page PDF with the stamp's page drawn over it."""
    import pikepdf

    from outreach.rendering.packing import overlay

    with pikepdf.open(io.BytesIO(shared_pdf)) as shared, pikepdf.open(io.BytesIO(stamp_pdf)) as stamp:
        page = shared.pages[0]
        # Page onto page, bleed included: a print master's station block may run into the bleed.
        overlay(shared, page, stamp.pages[0], pikepdf.Name("/OutreachStation"), tuple(page.mediabox), bleed=True)
        buffer = io.BytesIO()
        shared.save(buffer, deterministic_id=True, compress_streams=True)
    return buffer.getvalue()


def same_picture(a: bytes, b: bytes, dpi: int = 150) -> bool:
    """Whether two one-page PDFs look the same: rendered at `dpi`, no pixel differs by more than
    antialiasing does (a text moved by a tenth of a millimetre differs on hundreds)."""
    import pypdfium2 as pdfium
    from PIL import ImageChops

    pictures = []
    for data in (a, b):
        document = pdfium.PdfDocument(data)
        try:
            if len(document) != 1:
                return False
            page = document[0]
            pictures.append(page.render(scale=dpi / 72).to_pil().convert("L"))
            page.close()
        finally:
            document.close()
    if pictures[0].size != pictures[1].size:
        return False
    difference = ImageChops.difference(*pictures)
    histogram = difference.histogram()
    return sum(histogram[24:]) == 0
