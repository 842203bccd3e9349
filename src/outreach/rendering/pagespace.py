"""Where a pack prints its page numbers, and whether an item's page leaves that place free.

Every page of a pack (and of a station's pack) carries its number in one place: the outer
bottom corner, FOLIO_INSET_MM in from the outer edge (right on odd pages, left on even ones)
and FOLIO_RAISE_MM up from the bottom edge, on a small paper-coloured label so it reads on a
dark footer band as on white paper. Items are stitched in as finished PDFs, so every item
template keeps that corner free of text, pictures and lines (a background colour may run under
it): `occupied` says what, if anything, is in the way on each page.
"""

from __future__ import annotations

from dataclasses import dataclass

from outreach.rendering.units import PT_PER_MM

FOLIO_INSET_MM = 14.0     # outer edge of the label, from the outer trim edge
FOLIO_RAISE_MM = 3.0      # bottom of the label, from the bottom trim edge
FOLIO_HEIGHT_MM = 5.0
FOLIO_MAX_WIDTH_MM = 14.0  # a four-digit number
# The corner the label may take, with 1 mm of room around it: mm from the outer and bottom edges.
ZONE_MM = (FOLIO_INSET_MM - 1.0, FOLIO_RAISE_MM - 1.0,
           FOLIO_INSET_MM + FOLIO_MAX_WIDTH_MM + 1.0, FOLIO_RAISE_MM + FOLIO_HEIGHT_MM + 1.0)
RENDER_PX_PER_MM = 6      # the corner is looked at this sharply
FLAT_TOLERANCE = 24       # per RGB channel: still one flat colour


@dataclass(frozen=True)
class InTheWay:
    """Something an item prints where the pack's page number goes."""

    page: int          # 0-based, in the item's PDF
    what: str          # the text, or 图片 / 线条或图形
    x_mm: float        # from the trim's left edge
    y_mm: float        # from the trim's top edge


def zone_box(odd: bool, width_mm: float, height_mm: float) -> tuple[float, float, float, float]:
    """The folio corner of a page (left, top, right, bottom in mm from the trim's top-left)."""
    inner, low, outer, high = ZONE_MM
    left, right = (width_mm - outer, width_mm - inner) if odd else (inner, outer)
    return left, height_mm - high, right, height_mm - low


def occupied(pdf: bytes, odd_first: bool) -> list[InTheWay]:
    """What stands in the folio corner of each page of `pdf`, `odd_first` telling whether its
    first page lands on an odd (right-hand) page of the pack. The corner is rendered: anything
    but one flat colour there (text, a picture, a rule, a crop mark, the edge of a colour band)
    would be covered or crowded by the label; the text found there, if any, names it."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    found: list[InTheWay] = []
    try:
        for index in range(len(document)):
            page = document[index]
            left, bottom, right, top = page.get_trimbox()
            media = page.get_mediabox()
            width, height = (right - left) / PT_PER_MM, (top - bottom) / PT_PER_MM
            zone = zone_box((index % 2 == 0) == odd_first, width, height)
            # pdfium crops from the media box's edges, in points: left, bottom, right, top.
            crop = (left - media[0] + zone[0] * PT_PER_MM, top - (zone[3] * PT_PER_MM) - media[1],
                    media[2] - left - zone[2] * PT_PER_MM, media[3] - top + zone[1] * PT_PER_MM)
            image = page.render(scale=RENDER_PX_PER_MM / PT_PER_MM, crop=crop, may_draw_forms=False).to_pil()
            low, high = zip(*image.convert("RGB").getextrema(), strict=True)
            if max(h - lo for lo, h in zip(low, high, strict=True)) <= FLAT_TOLERANCE:
                continue
            glyph = _glyph_in(page, (left, top), zone)
            found.append(InTheWay(index, f"文字“{glyph[0]}”" if glyph else "线条、图形或图片",
                                  *(glyph[1:] if glyph else (zone[0], zone[1]))))
    finally:
        document.close()
    return found


def _glyph_in(page, origin: tuple[float, float], zone) -> tuple[str, float, float] | None:
    """The first glyph inside `zone` (mm from the trim's top-left), with its place, or None."""
    import pypdfium2.raw as raw

    left, top = origin
    textpage = page.get_textpage()
    try:
        for index in range(textpage.count_chars()):
            char = chr(raw.FPDFText_GetUnicode(textpage.raw, index))
            if not char.strip() or raw.FPDFText_IsGenerated(textpage.raw, index) == 1:
                continue
            g_left, g_bottom, g_right, g_top = textpage.get_charbox(index)
            box = ((g_left - left) / PT_PER_MM, (top - g_top) / PT_PER_MM,
                   (g_right - left) / PT_PER_MM, (top - g_bottom) / PT_PER_MM)
            if min(box[2], zone[2]) > max(box[0], zone[0]) and min(box[3], zone[3]) > max(box[1], zone[1]):
                return char, box[0], box[1]
    finally:
        textpage.close()
    return None
