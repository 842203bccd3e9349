"""Die-cut sheets: one laid-out piece (a sticker) placed N-up on a sheet, and the line a cutting
plotter follows around each piece.

The cut line is a separate spot colour named exactly `CutContour` (/Separation /CutContour with a
100 % magenta alternate): the name the RIPs of sticker shops' print-and-cut machines (Roland
VersaWorks, Mimaki RasterLink, Summa GoProduce, Caldera) take as "cut here, do not print". It is
stroked as a hairline and set to overprint, so on screen and on a proof it shows as a thin magenta
line and never knocks a white line out of the artwork under it. The shapes are rounded rectangles
at each piece's trim; the artwork runs past them by the bleed, so a cut that drifts shows no white.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pikepdf
from pikepdf import Array, Dictionary, Name

from outreach.rendering.sheets import Box
from outreach.rendering.units import PT_PER_MM

CUT_CONTOUR = Name("/CutContour")      # the spot colour's name, as the RIPs expect it
CUT_SPACE = Name("/OutreachCutContour")   # its resource name on the page
CUT_STATE = Name("/OutreachCutOverprint")
CUT_WIDTH_PT = 0.25                    # a hairline the RIP reads as a path; the preflight's thinnest line
CUT_ALTERNATE_CMYK = (0.0, 1.0, 0.0, 0.0)   # how proofs and office printers show the line: magenta
# The Bézier handle length for a quarter circle (4/3 · (√2 − 1)): off the true arc by 0.03 % of the radius.
KAPPA = 0.5522847498


def rounded_rect_path(x0: float, y0: float, x1: float, y1: float, r: float) -> bytes:
    """A closed rounded rectangle in PDF user space (points; y up), corner radius `r`."""
    r = max(0.0, min(r, (x1 - x0) / 2, (y1 - y0) / 2))
    k = r * KAPPA
    if r == 0:
        return b"%.4f %.4f %.4f %.4f re\n" % (x0, y0, x1 - x0, y1 - y0)
    parts = [
        b"%.4f %.4f m" % (x0 + r, y0),
        b"%.4f %.4f l" % (x1 - r, y0),
        b"%.4f %.4f %.4f %.4f %.4f %.4f c" % (x1 - r + k, y0, x1, y0 + r - k, x1, y0 + r),
        b"%.4f %.4f l" % (x1, y1 - r),
        b"%.4f %.4f %.4f %.4f %.4f %.4f c" % (x1, y1 - r + k, x1 - r + k, y1, x1 - r, y1),
        b"%.4f %.4f l" % (x0 + r, y1),
        b"%.4f %.4f %.4f %.4f %.4f %.4f c" % (x0 + r - k, y1, x0, y1 - r + k, x0, y1 - r),
        b"%.4f %.4f l" % (x0, y0 + r),
        b"%.4f %.4f %.4f %.4f %.4f %.4f c" % (x0, y0 + r - k, x0 + r - k, y0, x0 + r, y0),
        b"h",
    ]
    return b"\n".join(parts) + b"\n"


def cut_contour_space(pdf: pikepdf.Pdf):
    """[/Separation /CutContour /DeviceCMYK tint→magenta]: a spot colour, never converted to process."""
    tint = Dictionary(FunctionType=2, Domain=Array([0, 1]), C0=Array([0, 0, 0, 0]),
                      C1=Array(list(CUT_ALTERNATE_CMYK)), N=1)
    return pdf.make_indirect(Array([Name.Separation, CUT_CONTOUR, Name.DeviceCMYK, pdf.make_indirect(tint)]))


def contour_content(boxes: Sequence[Box], radius_mm: float, trim_left_pt: float, trim_top_pt: float) -> bytes:
    """The stroke of every box's rounded outline (boxes in mm from the trim's top-left corner)."""
    lines = [b"q", b"%s gs" % bytes(CUT_STATE.unparse()), b"%s CS 1 SCN" % bytes(CUT_SPACE.unparse()),
             b"%.3f w 0 J 0 j [] 0 d" % CUT_WIDTH_PT]
    for box in boxes:
        x0 = trim_left_pt + box.x * PT_PER_MM
        y1 = trim_top_pt - box.y * PT_PER_MM
        lines.append(rounded_rect_path(x0, y1 - box.h * PT_PER_MM, x0 + box.w * PT_PER_MM, y1,
                                       radius_mm * PT_PER_MM) + b"S")
    lines.append(b"Q")
    return b"\n".join(lines) + b"\n"


def impose_die_cut(piece: bytes, boxes: Sequence[Box], sheet_mm: tuple[float, float], radius_mm: float,
                   bleed_mm: float = 0.0) -> bytes:
    """A one-page sheet: page 1 of `piece` at every box (mm from the sheet's top-left), each with
    the CutContour line at its trim drawn over it.

    With `bleed_mm` the piece was laid out with that much bleed: each copy is placed with its bleed
    around its box, and the sheet gets the same bleed around its trim (MediaBox = BleedBox, TrimBox
    = the sheet), as print_master expects its input."""
    width, height = (v * PT_PER_MM for v in sheet_mm)
    edge = bleed_mm * PT_PER_MM
    with pikepdf.new() as output, pikepdf.open(io.BytesIO(piece)) as source:
        page = output.add_blank_page(page_size=(width, height))
        if edge:
            page.obj.MediaBox = page.obj.BleedBox = Array([-edge, -edge, width + edge, height + edge])
            page.obj.TrimBox = Array([0, 0, width, height])
        form = output.copy_foreign(source.pages[0].as_form_xobject())
        if edge:   # the form shows the piece's bleed too, not only its trimmed size
            form.BBox = Array([float(v) for v in source.pages[0].obj.get("/BleedBox", source.pages[0].mediabox)])
        name = Name("/Piece")
        page.add_resource(form, Name.XObject, name)
        drawing = b""
        for box in boxes:
            left, top = box.x * PT_PER_MM, height - box.y * PT_PER_MM
            rect = pikepdf.Rectangle(left - edge, top - box.h * PT_PER_MM - edge, left + box.w * PT_PER_MM + edge,
                                     top + edge)
            drawing += page.calc_form_xobject_placement(form, name, rect) + b"\n"
        drawing += contour_content(boxes, radius_mm, 0.0, height)
        page.contents_add(output.make_stream(drawing), prepend=False)
        resources = page.obj.Resources
        resources.ColorSpace = Dictionary()
        resources.ColorSpace[CUT_SPACE] = cut_contour_space(output)
        # Overprint on for strokes and fills (OPM 1: only the spot plate is touched where it is drawn).
        resources.ExtGState = Dictionary()
        resources.ExtGState[CUT_STATE] = output.make_indirect(Dictionary(Type=Name.ExtGState, OP=True, op=True, OPM=1))
        for key in ("/Title", "/Producer"):
            if key in source.docinfo:
                output.docinfo[key] = source.docinfo[key]
        output.docinfo["/Creator"] = "outreach"
        buffer = io.BytesIO()
        output.save(buffer, deterministic_id=True, compress_streams=True)
        return buffer.getvalue()


def fitting_grid(sheet_mm: tuple[float, float], piece_mm: tuple[float, float], gutter_mm: float,
                 margin_mm: float) -> tuple[int, int]:
    """(columns, rows) of pieces a sheet holds with `gutter_mm` between them and `margin_mm` from
    each cut to the sheet's edge (room for the marks and the cutter's own registration marks)."""
    def count(room: float, size: float) -> int:
        return max(0, int((room - 2 * margin_mm + gutter_mm) // (size + gutter_mm)))

    return count(sheet_mm[0], piece_mm[0]), count(sheet_mm[1], piece_mm[1])
