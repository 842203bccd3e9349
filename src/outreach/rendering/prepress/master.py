"""print_master: a laid-out PDF (trim + bleed per page) → a PDF/X-4 print master."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import io

import pikepdf
from pikepdf import Array, Dictionary, Name

from outreach.rendering.prepress.colour import ColourMap, default_cmyk_table
from outreach.rendering.prepress.convert import PdfConverter
from outreach.rendering.prepress.errors import PrepressError
from outreach.rendering.prepress.marks import (
    REGISTRATION,
    fold_segments,
    mark_segments,
    marks_content,
    registration_space,
)
from outreach.rendering.prepress.pdfx import (
    PDF_VERSION,
    TIMEZONE,
    add_output_intent,
    drop_interactive,
    identify,
    pdf_date,
)
from outreach.rendering.prepress.profile import OutputProfile, load_profile
from outreach.rendering.prepress.slug import open_slug, slug_form, slug_page
from outreach.rendering.prepress.spec import PrintSpec, mm, pt_to_mm

# How far a page's trimmed size may be off the spec and still be taken as that size: A3 posters are
# A4 layouts zoomed by √2, which lands 0.02 mm short of 297 mm.
SIZE_TOLERANCE_MM = 0.5

_colour_maps: dict[tuple, ColourMap] = {}
SLUG = Name("/OutreachSlug")
PIECE_KEY = "/Outreach"   # /PieceInfo entry holding the cut boxes (mm from the trim's top-left)


def print_master(pdf: bytes, spec: PrintSpec) -> bytes:
    """The PDF as a PDF/X-4 print master (see the package docstring)."""
    profile = load_profile(spec.profile_path())
    colours = _colour_map(profile, dict(spec.cmyk) or default_cmyk_table())
    # The document id follows what the file holds, not where the project sits on disk: the same
    # project built in another folder (a colleague's copy, CI) gives byte-identical masters.
    seed = hashlib.sha256(pdf + repr(dataclasses.replace(spec, root=None, output_profile=None)).encode()
                          + hashlib.sha256(profile.data).digest() + repr(spec.folds).encode() * bool(spec.folds)).digest()
    with contextlib.ExitStack() as stack:
        document = stack.enter_context(pikepdf.open(io.BytesIO(pdf)))
        converter = PdfConverter(document, colours)
        registration = registration_space(document)
        margins = spec.margins_mm(len(document.pages))
        slug = None
        if spec.slug is not None and len(document.pages):
            left, top, right, bottom = margins
            width, height = spec.trim_mm
            source = stack.enter_context(open_slug(slug_page(
                spec.slug.text(), mm(left + width + right), mm(bottom + height + top), left, spec.font_family)))
            slug = slug_form(document, source)
            converter.convert_xobject(slug)
        day = spec.date or (spec.slug.date if spec.slug is not None else None) or dt.date.today()
        when = dt.datetime.combine(day, dt.time(), TIMEZONE)
        for index, page in enumerate(document.pages):
            _finish_page(document, page, index, spec, margins, converter, registration, slug)
            page.obj.PieceInfo = piece_info(spec.cuts_for(index), spec.bleed_mm, pdf_date(when), spec.folds_for(index))
        converter.finish()
        drop_interactive(document)
        add_output_intent(document, profile)
        identify(document, spec.title, when, seed)
        out = io.BytesIO()
        document.save(out, deterministic_id=True, compress_streams=True, force_version=PDF_VERSION,
                      object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _colour_map(profile: OutputProfile, table: dict) -> ColourMap:
    key = (profile.path, profile.data, tuple(sorted(table.items())))
    if key not in _colour_maps:
        _colour_maps.clear()   # one project per worker: keep one
        _colour_maps[key] = ColourMap(profile, table)
    return _colour_maps[key]


def input_trim(page, spec: PrintSpec, number: int) -> tuple[float, float, float, float]:
    """Where the trimmed page lies in the input page (x0, y0, x1, y1 in points)."""
    media = [float(v) for v in page.obj.MediaBox]
    width, height = spec.trim_mm
    if Name.TrimBox in page.obj:
        trim = [float(v) for v in page.obj.TrimBox]
    else:
        page_w, page_h = pt_to_mm(media[2] - media[0]), pt_to_mm(media[3] - media[1])
        bleed = spec.bleed_mm
        inset = mm(bleed) if abs(page_w - width - 2 * bleed) < SIZE_TOLERANCE_MM \
            and abs(page_h - height - 2 * bleed) < SIZE_TOLERANCE_MM else 0.0
        trim = [media[0] + inset, media[1] + inset, media[2] - inset, media[3] - inset]
    got_w, got_h = pt_to_mm(trim[2] - trim[0]), pt_to_mm(trim[3] - trim[1])
    if abs(got_w - width) > SIZE_TOLERANCE_MM or abs(got_h - height) > SIZE_TOLERANCE_MM:
        raise PrepressError(f"第 {number} 页的成品尺寸是 {got_w:.1f}×{got_h:.1f} 毫米，印刷文件应为 "
                            f"{width:g}×{height:g} 毫米：同一个文件的每一页必须一样大。")
    return trim[0], trim[1], trim[2], trim[3]


def _finish_page(document, page, index: int, spec: PrintSpec, margins, converter: PdfConverter,
                 registration, slug) -> None:
    # The page keeps its coordinate system (the MediaBox grows around it, with a negative origin
    # when it must): patterns are anchored to the page's default space, and a translated page
    # shows a gradient's tile seam in some renderers.
    trim_x0, trim_y0, _, _ = input_trim(page, spec, index + 1)
    left, top, right, bottom = margins
    width, height = spec.trim_mm
    media = (trim_x0 - mm(left), trim_y0 - mm(bottom), trim_x0 + mm(width + right), trim_y0 + mm(height + top))

    resources = page.obj.get(Name.Resources)
    if resources is None:
        resources = page.obj.Resources = Dictionary()
    converter.convert_resources(resources)
    converter.convert_page_group(page.obj)
    body = pikepdf.unparse_content_stream(converter.convert_stream_content(pikepdf.parse_content_stream(page), resources))

    bleed = mm(spec.bleed_mm)
    bleed_box = (trim_x0 - bleed, trim_y0 - bleed, trim_x0 + mm(width) + bleed, trim_y0 + mm(height) + bleed)
    # Artwork is clipped to the bleed: nothing but the marks and the slug may print beyond it.
    prefix = b"q\n%.4f %.4f %.4f %.4f re W n\n" % (bleed_box[0], bleed_box[1], bleed_box[2] - bleed_box[0],
                                                  bleed_box[3] - bleed_box[1])
    marks = marks_content(mark_segments(spec.cuts_for(index), spec.bleed_mm), trim_x0, trim_y0 + mm(height))
    if folds := spec.folds_for(index):
        marks += b"\n" + marks_content(fold_segments(folds, spec.trim_mm, spec.bleed_mm), trim_x0, trim_y0 + mm(height),
                                       dashed=True)
    slug_drawing = b""
    if slug is not None:
        xobjects = resources.get(Name.XObject)
        if not isinstance(xobjects, Dictionary):
            xobjects = resources.XObject = Dictionary()
        xobjects[SLUG] = slug
        slug_drawing = b"q 1 0 0 1 %.4f %.4f cm %s Do Q\n" % (media[0], media[1], bytes(SLUG.unparse()))
    page.obj.Contents = document.make_stream(prefix + body + b"\nQ\n" + marks + b"\n" + slug_drawing)

    spaces = resources.get(Name.ColorSpace)
    if not isinstance(spaces, Dictionary):
        spaces = resources.ColorSpace = Dictionary()
    spaces[REGISTRATION] = registration

    page.obj.MediaBox = Array([round(v, 4) for v in media])
    page.obj.TrimBox = Array([round(v, 4) for v in (trim_x0, trim_y0, trim_x0 + mm(width), trim_y0 + mm(height))])
    page.obj.BleedBox = Array([round(v, 4) for v in bleed_box])
    for key in (Name.CropBox, Name.ArtBox):
        if key in page.obj:
            del page.obj[key]


def piece_info(cuts, bleed_mm: float, modified: str, folds=()) -> Dictionary:
    """The cut boxes, for preflight: each card must carry its own bleed past its own cut, and a
    finished file no longer says where the cuts are except in its marks. Folds (a leaflet's) are
    recorded too, as [axis at] pairs, so a check can read the panel widths back from the file."""
    boxes = Array([Array([round(b.x, 3), round(b.y, 3), round(b.w, 3), round(b.h, 3)]) for b in cuts])
    private = Dictionary(Cuts=boxes, Bleed=bleed_mm, Unit=Name("/mm"))
    if folds:
        private.Folds = Array([Array([Name("/" + f.axis), round(f.at_mm, 3)]) for f in folds])
    return Dictionary({PIECE_KEY: Dictionary(LastModified=pikepdf.String(modified), Private=private)})
