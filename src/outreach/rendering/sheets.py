"""Geometry of duplex card sheets (quiz cards, contact cards): where each card goes on A4,
where its back goes, where the cut marks go, and whether a card's text fits.

In a print master every card carries its own 3 mm bleed and the gutter between two cards is
at least twice that (PRINT_GUTTER_MM): each card is cut out with its own cuts, and neither its
colour nor its neighbour's shows at its edge when a cut or the duplex registration drifts."""

from __future__ import annotations

from dataclasses import dataclass

from outreach.rendering.units import PX_PER_MM

CARD_BLEED_MM = 3.0
PRINT_GUTTER_MM = 2 * CARD_BLEED_MM


@dataclass(frozen=True)
class Box:
    x: float   # mm from the page's left edge
    y: float   # mm from the page's top edge
    w: float
    h: float


def sheet_boxes(page_w: float, page_h: float, card_w: float, card_h: float, columns: int, rows: int,
                gutter: float) -> list[Box]:
    """Front card positions on one sheet, reading order, centred on the page."""
    grid_w = columns * card_w + (columns - 1) * gutter
    grid_h = rows * card_h + (rows - 1) * gutter
    left = (page_w - grid_w) / 2
    top = (page_h - grid_h) / 2
    return [Box(left + c * (card_w + gutter), top + r * (card_h + gutter), card_w, card_h)
            for r in range(rows) for c in range(columns)]


def grown(box: Box, by: float) -> Box:
    """The box with `by` mm more on every side (a card with its bleed)."""
    return Box(box.x - by, box.y - by, box.w + 2 * by, box.h + 2 * by)


def mirrored(box: Box, page_w: float) -> Box:
    """Where a card's back must be so it sits behind its front after a long-edge flip."""
    return Box(page_w - box.x - box.w, box.y, box.w, box.h)


def cut_marks(boxes: list[Box], length: float = 3.0, offset: float = 1.0) -> list[tuple[float, float, float, float]]:
    """Short lines outside each card corner, in the gutter, marking where to cut."""
    marks = []
    for b in boxes:
        for x in (b.x, b.x + b.w):
            marks.append((x, b.y - offset - length, x, b.y - offset))               # above
            marks.append((x, b.y + b.h + offset, x, b.y + b.h + offset + length))   # below
        for y in (b.y, b.y + b.h):
            marks.append((b.x - offset - length, y, b.x - offset, y))               # left
            marks.append((b.x + b.w + offset, y, b.x + b.w + offset + length, y))   # right
    return marks


def card_overflow_mm(document, card_ids: list[str], card_height_mm: float, reserved_mm: float) -> dict[str, float]:
    """How far each card's content runs past its usable height, by card element id.

    Templates put an empty element with id "end-<card id>" after each card's content;
    its position (a public WeasyPrint anchor) is where the content ends, clipped or not.
    """
    anchors: dict[str, tuple[float, float]] = {}
    for page in document.pages:
        anchors.update({name: (pos[0], pos[1]) for name, pos in page.anchors.items()})
    over = {}
    for card_id in card_ids:
        top, end = anchors.get(card_id), anchors.get(f"end-{card_id}")
        if top is None or end is None:
            continue  # a custom template without markers: nothing to measure (reported through the template contract)
        limit = top[1] + (card_height_mm - reserved_mm) * PX_PER_MM
        if end[1] > limit + 0.5:
            over[card_id] = (end[1] - limit) / PX_PER_MM
    return over
