"""The preview's PDF of a laid-out page: the same drawing as the build's, written faster.

The build subsets every font to the glyphs of each file; for a CJK font that is most of the
time spent writing a page (two faces: tens of milliseconds), and the page is written again on
every pause in typing. Here each face is subset once, to the common characters (seed, at the
editor's start) and the glyphs previews have used, and that subset is embedded again while the
page needs nothing more: fonts keep their glyph ids when subset, so a face holding more glyphs
draws the same page. Streams are left uncompressed: deflating them costs more than reading them
back saves the rasteriser.

This reaches into WeasyPrint's font writer (weasyprint.pdf.fonts.Font.subset): only while a
preview is written in this thread (a context variable), so a build in the same process writes
its files exactly as before; a WeasyPrint without that method is simply not sped up.
"""

from __future__ import annotations

import contextvars
import threading
from typing import Any

MAX_GLYPHS = 8000   # a face's kept subset grows to this many glyphs, then starts again from the page's
SEED_WEIGHTS = (400, 700)   # the faces pages are set in: body text and headings


def _common_characters() -> str:
    """What Chinese text is mostly typed with: the 3755 characters of GB 2312 level 1 (the most
    used hanzi), ASCII and the usual full-width punctuation."""
    level_one = (bytes([high, low]).decode("gb2312") for high in range(0xB0, 0xD8) for low in range(0xA1, 0xFF)
                 if not (high == 0xD7 and low > 0xF9))
    return "".join(level_one) + "".join(map(chr, range(0x21, 0x7F))) + "，。、；：？！“”‘’（）《》【】—…·"

_previewing: contextvars.ContextVar[bool] = contextvars.ContextVar("outreach_preview_pdf", default=False)
_subsets: dict[tuple, tuple[frozenset[int], bytes]] = {}
_lock = threading.Lock()


def preview_pdf(document: Any) -> bytes:
    """`document` (a laid-out WeasyPrint document) as PDF bytes for the preview's picture and checks."""
    _install()
    token = _previewing.set(True)
    try:
        return document.write_pdf(uncompressed_pdf=True)
    finally:
        _previewing.reset(token)


def seed(font_family: str) -> None:
    """Keep each face's subset with the common characters from the start (the editor's warm-up):
    typing a character the page had not shown then rarely makes a face be subset again."""
    import html

    import weasyprint

    from outreach.rendering.pdf import SafeFetcher, font_config

    text = _common_characters()
    paragraphs = "".join(f'<p style="font-weight:{weight}">{text}</p>' for weight in SEED_WEIGHTS)
    page = f'<html><body style="font-family:{html.escape(font_family)}">{paragraphs}</body></html>'
    # The family is the project's setting: quoted, and nothing it might name is fetched.
    document = weasyprint.HTML(string=page, url_fetcher=SafeFetcher([], "seed", []))
    preview_pdf(document.render(font_config=font_config()))


def _install() -> None:
    try:
        from weasyprint.pdf.fonts import Font
    except ImportError:
        return
    with _lock:
        original = getattr(Font, "subset", None)
        if original is None or getattr(original, "outreach_preview", False):
            return

        def subset(font: Any, to_unicode: dict, hinting: bool) -> None:
            if not _previewing.get() or not to_unicode or getattr(font, "missing", True):
                return original(font, to_unicode, hinting)   # a glyph the font lacks: its own notdef handling
            key = (font.hash, font.index, len(font.file_content), hinting)
            needed = frozenset(to_unicode)
            with _lock:
                kept = _subsets.get(key)
            if kept is not None and needed <= kept[0]:
                font.file_content = kept[1]
                return None
            glyphs = needed | kept[0] if kept is not None and len(needed | kept[0]) <= MAX_GLYPHS else needed
            original(font, dict.fromkeys(sorted(glyphs), ""), hinting)
            with _lock:
                _subsets[key] = (glyphs, font.file_content)
            return None

        subset.outreach_preview = True  # type: ignore[attr-defined]
        Font.subset = subset
