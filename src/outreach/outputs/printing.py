"""The print variant's last step, shared by every printable kind: a finished PDF (fonts subset
and merged) becomes a print master through outreach.rendering.prepress.print_master (PDF/X-4,
CMYK, TrimBox/BleedBox on every page, marks over everything at each cut, a slug line), and
is then checked the way `outreach preflight` checks it: a master the shop would send back
fails its target instead of reaching build/.

Renderers call `finished_pdf` for a file they also put into a zip (the zip must hold the
bytes build/ gets) and `print_master` for each print master; both outputs are then listed in
RenderResult.finished so the worker leaves them as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from outreach.outputs.base import RenderContext, RenderError
from outreach.rendering.sheets import CARD_BLEED_MM, Box

BLEED_MM = CARD_BLEED_MM   # every print master's bleed (render.prepress.BLEED_MM), cards' included
A4_MM = (210.0, 297.0)


@dataclass(frozen=True)
class Finish:
    """What a print master is cut to: the trimmed page (mm) and, per page, the boxes the shop
    cuts out of it (mm from the trimmed page's top-left corner); no cuts: the page is the piece."""

    trim_mm: tuple[float, float]
    cuts: tuple[tuple[Box, ...], ...] = ()   # per page; a shorter list repeats its last entry
    review_by: dt.date | None = None         # the item's next review (the slug, not the artwork)
    bleed_mm: float = BLEED_MM               # large formats ask for more (rendering/largeformat.py)
    # Per page, where the piece is folded (rendering.prepress.Fold); a shorter list repeats its last entry.
    folds: tuple[tuple[Any, ...], ...] = ()

    def cuts_for(self, pages: int) -> list[list[Box]]:
        whole = [Box(0, 0, *self.trim_mm)]
        if not self.cuts:
            return [whole for _ in range(pages)]
        return [list(self.cuts[min(index, len(self.cuts) - 1)]) for index in range(pages)]


def finished_pdf(ctx: RenderContext, data: bytes, settled: Collection[int] = ()) -> bytes:
    """The PDF as the worker would finish it (fonts subset per file and merged per face);
    `settled`: pages already finished as they are (fontfinish.finish_document)."""
    if not ctx.config.pdf.optimise_fonts:
        return data
    from outreach.rendering.fontfinish import finish_pdf

    return finish_pdf(data, settled)


REVIEW_KEY = "/ReviewBy"   # Info entry: the content's next review date (ISO), off the public artwork


def with_review_date(data: bytes, review_by: dt.date) -> bytes:
    """The PDF with its content's next review date in its document properties: staff and the
    print shop's slug see it, the public page does not."""
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.docinfo[REVIEW_KEY] = pikepdf.String(review_by.isoformat())
        buffer = io.BytesIO()
        pdf.save(buffer, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return buffer.getvalue()


def slug_date() -> dt.date:
    """The day the master is made (the date on its slug); OUTREACH_TODAY pins it."""
    from outreach.core.clock import today

    return today()


def print_master(ctx: RenderContext, path: str, data: bytes, finish: Finish, role: str, title: str = "") -> bytes:
    """`data` (a laid-out PDF with 3 mm bleed) as a finished print master; `path` is the output's
    build-relative path (its name goes on the slug), `role` its screen role (the preflight's
    minimum text size). Raises RenderError when the master fails the preflight."""
    from outreach.rendering.prepress import PrepressError, PrintSpec, Slug
    from outreach.rendering.prepress import print_master as make_master

    data = finished_pdf(ctx, data)
    shown = ctx.output_prefix + path.removeprefix(ctx.output_prefix)
    pages, own_title = _pages_and_title(data)
    spec = PrintSpec.for_project(ctx.config, ctx.root, trim_mm=finish.trim_mm, cuts=finish.cuts_for(pages),
                                 bleed_mm=finish.bleed_mm,
                                 slug=Slug(file=shown, date=slug_date(), review_by=finish.review_by),
                                 role=role + "-print", title=title or own_title, folds=finish.folds)
    try:
        master = make_master(data, spec)
    except PrepressError as problem:
        raise RenderError(f"印刷版 {shown}：{problem}") from None
    preflight(master, shown, role + "-print")
    return master


def preflight(data: bytes, shown: str, role: str) -> None:
    """The checks `outreach preflight` runs, on a master about to be written: a failure fails the target."""
    from outreach.rendering.preflight import ERROR, check_master

    failures = [p for p in check_master(data, role) if p.severity == ERROR]
    if failures:
        listed = "；".join(p.located() for p in failures[:3])
        more = f"（另有 {len(failures) - 3} 处）" if len(failures) > 3 else ""
        raise RenderError(f"印刷版 {shown} 通不过印前检查：{listed}{more}。运行 outreach preflight {shown} 可列出全部问题。")


def _pages_and_title(data: bytes) -> tuple[int, str]:
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages), str(pdf.docinfo.get("/Title", ""))


def stitched_master(ctx: RenderContext, path: str, data: bytes, role: str, title: str,
                    checked: set[int] | None = None) -> bytes:
    """A file stitched from print masters (a pack, a station's pack; pages already converted, boxed
    and marked): fonts finished, identified as PDF/X-4 as a whole (OutputIntent, XMP, PDF 1.6),
    then preflighted like every master. `checked`: 0-based pages already preflighted as they are
    in another master (a station's pack body is the pack's, page for page): the preflight renders
    the others, and one of them to hold the boxes against."""
    import hashlib
    import io

    import pikepdf

    from outreach.rendering.prepress import PrintSpec, load_profile
    from outreach.rendering.prepress.pdfx import PDF_VERSION, TIMEZONE, add_output_intent, identify

    data = finished_pdf(ctx, data, settled=checked or ())
    spec = PrintSpec.for_project(ctx.config, ctx.root, trim_mm=(0.0, 0.0), role=role + "-print")
    profile = load_profile(spec.profile_path())
    with pikepdf.open(io.BytesIO(data)) as pdf:
        add_output_intent(pdf, profile)
        identify(pdf, title, dt.datetime.combine(slug_date(), dt.time(), TIMEZONE), hashlib.sha256(data).digest())
        buffer = io.BytesIO()
        pdf.save(buffer, deterministic_id=True, compress_streams=True, force_version=PDF_VERSION,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    master = buffer.getvalue()
    shown = ctx.output_prefix + path.removeprefix(ctx.output_prefix)
    preflight(_without_pages(master, checked) if checked else master, shown, role + "-print")
    return master


def _without_pages(data: bytes, pages: set[int]) -> bytes:
    """The PDF (its catalog, Info and XMP as they are) without `pages`, but for the first of them."""
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        keep = min(pages)
        for index in sorted(pages - {keep}, reverse=True):
            del pdf.pages[index]
        buffer = io.BytesIO()
        pdf.save(buffer, deterministic_id=True)
        return buffer.getvalue()


def pack_finish(ctx: RenderContext, path: str, data: bytes, slug: bool = True) -> bytes:
    """A pack's own pages (cover and contents, blank versos, a station's back page) as print
    masters of an A4 page; `slug`: False for page-number overlays (the page under them has its own)."""
    from outreach.rendering.prepress import PrepressError, PrintSpec, Slug
    from outreach.rendering.prepress import print_master as make_master

    data = finished_pdf(ctx, data)
    shown = ctx.output_prefix + path.removeprefix(ctx.output_prefix)
    spec = PrintSpec.for_project(ctx.config, ctx.root, trim_mm=A4_MM,
                                 slug=Slug(file=shown, date=slug_date()) if slug else None)
    try:
        return make_master(data, spec)
    except PrepressError as problem:
        raise RenderError(f"印刷版 {shown}：{problem}") from None

