"""Crop marks in the registration colour, drawn over everything, outside the bleed."""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name

from outreach.rendering.prepress.spec import FOLD_DASH_MM, MARK_LENGTH_MM, MARK_WIDTH_PT, Box, Fold, mm

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


def fold_segments(folds: tuple[Fold, ...], trim_mm: tuple[float, float], bleed_mm: float) -> list[tuple[float, float, float, float]]:
    """(x0, y0, x1, y1) in mm from the trim's top-left: a mark at each end of every fold line,
    where the crop marks are (from the bleed, MARK_LENGTH_MM outwards), never on the piece."""
    width, height = trim_mm
    near, far = bleed_mm, bleed_mm + MARK_LENGTH_MM
    segments = []
    for fold in folds:
        if fold.axis == "x":
            segments.append((fold.at_mm, -far, fold.at_mm, -near))
            segments.append((fold.at_mm, height + near, fold.at_mm, height + far))
        else:
            segments.append((-far, fold.at_mm, -near, fold.at_mm))
            segments.append((width + near, fold.at_mm, width + far, fold.at_mm))
    return segments


def marks_content(segments, trim_left_pt: float, trim_top_pt: float, dashed: bool = False) -> bytes:
    """Content stream drawing the segments (mm from the trim's top-left) on a page whose trim's
    top-left corner is at (trim_left_pt, trim_top_pt) in PDF points; `dashed`: fold marks."""
    dash = b"[%.3f %.3f] 0 d" % (mm(FOLD_DASH_MM[0]), mm(FOLD_DASH_MM[1])) if dashed else b"[] 0 d"
    lines = [b"q", b"%s CS 1 SCN" % bytes(REGISTRATION.unparse()), b"%.3f w 0 J 0 j %s" % (MARK_WIDTH_PT, dash)]
    for x0, y0, x1, y1 in segments:
        lines.append(b"%.3f %.3f m %.3f %.3f l S" % (trim_left_pt + mm(x0), trim_top_pt - mm(y0),
                                                     trim_left_pt + mm(x1), trim_top_pt - mm(y1)))
    lines.append(b"Q")
    return b"\n".join(lines)
