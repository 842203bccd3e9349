"""Text as printed: the size of every glyph (font size × text and page matrices, read by pdfium),
against the kind's minimum; reversed (white) type small or thin enough to fill in on press."""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass

from outreach.rendering.preflight.geometry import PageBoxes
from outreach.rendering.preflight.problems import ERROR, WARNING, Measures, Problem
from outreach.rendering.textsizes import TextSize

# Type knocked out of a solid colour (white or near-white on a coloured ground) fills in when the
# plates are off by a fraction of a millimetre: it needs 9 pt and a bold weight below 12 pt.
REVERSED_MIN_PT = 9.0
REVERSED_REGULAR_MIN_PT = 12.0
LIGHT = 235          # every channel at least this: the text is (near) white, i.e. reversed
_BOLD_WORDS = ("bold", "black", "heavy", "semibold", "demibold", "extrabold", "ultra")


@dataclass
class Glyph:
    size_pt: float
    x: float
    y: float
    light: bool
    bold: bool
    text: str


def page_glyphs(page) -> list[Glyph]:
    """One entry per run of characters drawn by the same text object (its size, colour and font)."""
    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    try:
        count = raw.FPDFText_CountChars(textpage)
        matrix = raw.FS_MATRIX()
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        r, g, b, a = (ctypes.c_uint() for _ in range(4))
        name = ctypes.create_string_buffer(256)
        flags = ctypes.c_int()
        glyphs: list[Glyph] = []
        previous = None
        for index in range(count):
            code = raw.FPDFText_GetUnicode(textpage, index)
            if code in (0, 0x20, 0x3000, 0x0A, 0x0D, 0x09, 0xFFFE, 0xFFFF) or raw.FPDFText_IsGenerated(textpage, index) == 1:
                continue
            obj = raw.FPDFText_GetTextObject(textpage, index)
            key = ctypes.cast(obj, ctypes.c_void_p).value
            if key is not None and key == previous and glyphs:
                if len(glyphs[-1].text) < 12:
                    glyphs[-1].text += chr(code)
                continue
            previous = key
            size = raw.FPDFText_GetFontSize(textpage, index)
            if not raw.FPDFText_GetMatrix(textpage, index, matrix):
                continue
            effective = size * math.hypot(matrix.c, matrix.d)
            raw.FPDFText_GetCharBox(textpage, index, left, right, bottom, top)
            light = False
            if raw.FPDFText_GetFillColor(textpage, index, r, g, b, a):
                light = min(r.value, g.value, b.value) >= LIGHT and a.value > 0
            bold = False
            if light:
                length = raw.FPDFText_GetFontInfo(textpage, index, name, len(name), flags)
                font = name.raw[:max(0, length - 1)].decode("latin-1").lower()
                weight = raw.FPDFText_GetFontWeight(textpage, index)
                bold = weight >= 600 or any(word in font for word in _BOLD_WORDS)
            glyphs.append(Glyph(effective, left.value, top.value, light, bold, chr(code)))
        return glyphs
    finally:
        textpage.close()


def check_text(document, pages: list[PageBoxes], minimum: TextSize, problems: list[Problem], measures: Measures) -> None:
    """`document`: a pypdfium2 PdfDocument of the same file."""
    smallest: tuple[float, int, float, float] | None = None
    for number, boxes in enumerate(pages, start=1):
        page = document[number - 1]
        try:
            glyphs = [g for g in page_glyphs(page) if _inside(boxes.finished, g.x, g.y)]
        finally:
            page.close()
        small = [g for g in glyphs if g.size_pt < minimum.minimum_pt - 0.05]
        for glyph in glyphs:
            if smallest is None or glyph.size_pt < smallest[0]:
                x, y = boxes.to_mm(glyph.x, glyph.y)
                smallest = (glyph.size_pt, number, x, y)
        if small:
            worst = min(small, key=lambda g: g.size_pt)
            x, y = boxes.to_mm(worst.x, worst.y)
            more = f"（本页共 {len(small)} 处小于 {minimum.minimum_pt:g} 磅）" if len(small) > 1 else ""
            problems.append(Problem("small-text", ERROR, f"文字“{worst.text}”只有 {worst.size_pt:.1f} 磅，{minimum.readers}"
                                    f"至少要 {minimum.minimum_pt:g} 磅{more}。请在模板里加大字号", number, x, y))
        reversed_small = [g for g in glyphs if g.light and (g.size_pt < REVERSED_MIN_PT - 0.05
                                                            or (g.size_pt < REVERSED_REGULAR_MIN_PT - 0.05 and not g.bold))]
        if reversed_small:
            worst = min(reversed_small, key=lambda g: g.size_pt)
            x, y = boxes.to_mm(worst.x, worst.y)
            problems.append(Problem("reversed-text", WARNING, f"深色底上的白字“{worst.text}”只有 {worst.size_pt:.1f} 磅"
                                    f"{'' if worst.bold else '且不是粗体'}：套印稍有偏差就会发糊。反白字至少 {REVERSED_MIN_PT:g} 磅，"
                                    f"{REVERSED_REGULAR_MIN_PT:g} 磅以下请用粗体", number, x, y))
    if smallest is not None:
        measures.smallest_text_pt = round(smallest[0], 2)
        measures.smallest_text_at = smallest[1:]


def _inside(box, x: float, y: float) -> bool:
    return box[0] - 0.5 <= x <= box[2] + 0.5 and box[1] - 0.5 <= y <= box[3] + 0.5
