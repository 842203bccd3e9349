"""Crop marks in the registration colour, drawn over everything, outside the bleed."""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name

from outreach.rendering.prepress.spec import MARK_LENGTH_MM, MARK_WIDTH_PT, Box, mm

REGISTRATION = Name("/OutreachAll")


def registration_space(pdf: pikepdf.Pdf):
    """/Separation /All: every plate gets the mark (the alternate shows it as solid CMYK black)."""
    tint = Dictionary(FunctionType=2, Domain=Array([0, 1]), C0=Array([0, 0, 0, 0]), C1=Array([1, 1, 1, 1]), N=1)
    return pdf.make_indirect(Array([Name.Separation, Name.All, Name.DeviceCMYK, pdf.make_indirect(tint)]))


def mark_segments(boxes: tuple[Box, ...], bleed_mm: float) -> list[tuple[float, float, float, float]]:
    """(x0, y0, x1, y1) in mm from the trim's top-left: for every cut line, a mark at each end of
    the sheet, starting at the bleed of the outermost cut and running MARK_LENGTH_MM outwards.
    Inner cuts of a card sheet get their marks at the sheet's edges, never over a card."""
    left = min(b.x for b in boxes)
    top = min(b.y for b in boxes)
    right = max(b.right for b in boxes)
    bottom = max(b.bottom for b in boxes)
    xs = sorted({round(v, 3) for b in boxes for v in (b.x, b.right)})
    ys = sorted({round(v, 3) for b in boxes for v in (b.y, b.bottom)})
    near, far = bleed_mm, bleed_mm + MARK_LENGTH_MM
    segments = []
    for x in xs:
        segments.append((x, top - far, x, top - near))
        segments.append((x, bottom + near, x, bottom + far))
    for y in ys:
        segments.append((left - far, y, left - near, y))
        segments.append((right + near, y, right + far, y))
    return segments


def marks_content(segments, trim_left_pt: float, trim_top_pt: float) -> bytes:
    """Content stream drawing the segments (mm from the trim's top-left) on a page whose trim's
    top-left corner is at (trim_left_pt, trim_top_pt) in PDF points."""
    lines = [b"q", b"%s CS 1 SCN" % bytes(REGISTRATION.unparse()), b"%.3f w 0 J 0 j [] 0 d" % MARK_WIDTH_PT]
    for x0, y0, x1, y1 in segments:
        lines.append(b"%.3f %.3f m %.3f %.3f l S" % (trim_left_pt + mm(x0), trim_top_pt - mm(y0),
                                                     trim_left_pt + mm(x1), trim_top_pt - mm(y1)))
    lines.append(b"Q")
    return b"\n".join(lines)
