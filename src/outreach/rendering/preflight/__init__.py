"""`outreach preflight`: the checks a print shop runs on a PDF before it goes to press (anchored on
Acrobat Preflight's and callas pdfToolbox's PDF/X-4 profiles), as located, plain findings.

    check_pdf(data: bytes, role: str = "", file: str = "") -> Report
    check_master(data: bytes, role: str) -> list[Problem]     # what the print build runs

Per file: PDF/X identification (XMP pdfxid:GTS_PDFXVersion, Trapped, PDF version), the
OutputIntent and its CMYK profile, TrimBox/BleedBox on every page and the same boxes on every page,
3 mm bleed, colour spaces (no DeviceRGB, CalRGB or RGB ICC anywhere: content, images, shadings,
groups, soft masks, patterns), fonts embedded (and subset), no annotations, the smallest text
against outreach.rendering.textsizes for the role, reversed type, the thinnest line, image
resolution at placed size, bleed continuation at every cut (the cuts print_master recorded, else
the trim) and crop marks outside the bleed. Errors make the file fail; warnings do not.
"""

from __future__ import annotations

import io

import pikepdf

from outreach.rendering.preflight.content import check_content
from outreach.rendering.preflight.problems import ERROR, WARNING, Measures, Problem, Report
from outreach.rendering.preflight.raster import Raster, check_bleed, check_marks, cuts_of
from outreach.rendering.preflight.structure import (
    check_annotations,
    check_boxes,
    check_fonts,
    check_identification,
    check_output_intent,
)
from outreach.rendering.preflight.text import check_text
from outreach.rendering.textsizes import text_size


def check_pdf(data: bytes, role: str = "", file: str = "") -> Report:
    report = Report(file=file, role=role)
    problems, measures = report.problems, report.measures
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as exc:
        problems.append(Problem("unreadable", ERROR, f"不是能打开的 PDF 文件（{exc}）"))
        return report
    with pdf:
        if not len(pdf.pages):
            problems.append(Problem("no-pages", ERROR, "PDF 里没有页面"))
            return report
        check_identification(pdf, problems, measures)
        check_output_intent(pdf, problems, measures)
        pages = check_boxes(pdf, problems, measures)
        check_fonts(pdf, problems)
        check_annotations(pdf, pages, problems)
        check_content(pdf, pages, problems, measures)
        cuts = [cuts_of(page.obj, boxes) for page, boxes in zip(pdf.pages, pages, strict=True)]
    _check_rendered(data, pages, cuts, role, problems, measures)
    return report


def _check_rendered(data: bytes, pages, cuts, role: str, problems: list[Problem], measures: Measures) -> None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        check_text(document, pages, text_size(role), problems, measures)
        bleed = measures.bleed_mm if measures.bleed_mm is not None else 3.0
        for number, (boxes, page_cuts) in enumerate(zip(pages, cuts, strict=True), start=1):
            if boxes.trim is None:
                continue
            page = document[number - 1]
            try:
                raster = Raster(page, boxes)
            finally:
                page.close()
            check_bleed(raster, page_cuts, max(bleed, 3.0), number, boxes, problems)
            check_marks(raster, page_cuts, boxes, max(bleed, 3.0), number, problems)
    finally:
        document.close()


def check_master(data: bytes, role: str) -> list[Problem]:
    """The findings on a print master just made (the print build fails its target on an error)."""
    return check_pdf(data, role).problems


__all__ = ["ERROR", "WARNING", "Measures", "Problem", "Report", "check_master", "check_pdf"]
