"""Where a finished page has room for a mark of ours, such as a pack's page number.

Items are stitched into a pack as finished PDFs, so a page number must go where the item's
own page has nothing: on a poster the outer bottom corner holds the review date, on a tip
sheet the footer band. Each candidate spot is tried in order and the first one that no
glyph or image touches is chosen.
"""

from __future__ import annotations

from outreach.render.pageinspect import glyphs_of, image_boxes

A4_MM = (210.0, 297.0)
# Candidate spots for a page number on an A4 page, in millimetres from the top-left corner
# (left, top, right, bottom), for an odd (right-hand) page; mirrored for even pages. They
# match the positions pack-stamp.html draws, with 2 mm of room around the bubble.
SPOTS = {
    "bottom-outer": (186.0, 284.0, 208.0, 296.0),
    "top-outer": (186.0, 1.0, 208.0, 13.0),
    "bottom-center": (94.0, 284.0, 116.0, 296.0),
    "top-center": (94.0, 1.0, 116.0, 13.0),
}


def free_spots(pdf: bytes, odd_first: bool) -> list[str]:
    """For every page of `pdf`, the first spot with nothing on it ("bottom-outer" when none
    is free, so the page inspector reports the overlap rather than the number vanishing).
    `odd_first`: whether the PDF's first page lands on an odd (right-hand) pack page."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    chosen = []
    try:
        for index in range(len(document)):
            page = document[index]
            odd = (index % 2 == 0) == odd_first
            boxes = [g.box for g in glyphs_of(page)] + image_boxes(page)
            width, height = page.get_size()
            chosen.append(next((name for name, spot in SPOTS.items()
                                if not _touches(_to_points(spot, odd, width, height), boxes)), "bottom-outer"))
    finally:
        document.close()
    return chosen


def _to_points(spot, odd: bool, width: float, height: float) -> tuple[float, float, float, float]:
    left, top, right, bottom = spot
    if not odd:
        left, right = A4_MM[0] - right, A4_MM[0] - left
    sx, sy = width / A4_MM[0], height / A4_MM[1]
    return left * sx, height - bottom * sy, right * sx, height - top * sy


def _touches(area, boxes) -> bool:
    return any(min(area[2], b[2]) > max(area[0], b[0]) and min(area[3], b[3]) > max(area[1], b[1]) for b in boxes)
