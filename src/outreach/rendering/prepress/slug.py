"""The slug line: a line of small type below the marks (file, date, review date), cut away with
the margin. Laid out by WeasyPrint like everything else, so any Chinese text has its font."""

from __future__ import annotations

import functools
import html
import io

import pikepdf

from outreach.rendering.prepress.spec import MARK_CLEARANCE_MM, SLUG_SIZE_PT


@functools.lru_cache(maxsize=16)
def slug_page(text: str, media_w_pt: float, media_h_pt: float, left_mm: float, font_family: str) -> bytes:
    """A one-page PDF the size of the master's sheet with the slug at its bottom edge."""
    import weasyprint

    from outreach.rendering.fontfinish import finish_pdf
    from outreach.rendering.pdf import font_config

    family = font_family.replace("<", "").replace("{", "").replace("}", "").replace(";", "")
    page = f"""<html><head><style>
@page {{ size: {media_w_pt:.3f}pt {media_h_pt:.3f}pt; margin: 0 }}
body {{ margin: 0; font-family: {family}; font-size: {SLUG_SIZE_PT}pt; color: #000 }}
p {{ position: absolute; left: {left_mm:.2f}mm; bottom: {MARK_CLEARANCE_MM:.2f}mm; margin: 0; white-space: nowrap;
     line-height: 1 }}
</style></head><body><p>{html.escape(text)}</p></body></html>"""
    return finish_pdf(weasyprint.HTML(string=page).write_pdf(font_config=font_config()))


def slug_form(document: pikepdf.Pdf, source: pikepdf.Pdf):
    """The slug page of `source` as a form XObject of `document` (`source` must stay open until
    `document` is saved: stream data is copied then)."""
    return document.copy_foreign(source.pages[0].as_form_xobject())


def open_slug(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))
