"""Posters: one A4 page per scam scenario (PDF for print, PNG for WeChat), optional A3."""

from __future__ import annotations

import math

from outreach.buildspec.target import Target
from outreach.outputs.base import BatchRenderer, PackPart, RenderContext, RenderError, RenderResult, RoleView
from outreach.outputs.html import (
    check_pages,
    final_checked_output,
    png_from_pdf,
    render_pages,
    scenario_context,
)
from outreach.outputs.printing import BLEED_MM, Finish, print_master, with_review_date
from outreach.project.config import A4_MM
from outreach.project.kinds import LAWS, SCENARIOS

A3_ZOOM = math.sqrt(2)  # A4 → A3 is a factor of √2 in each direction
A3_MM = (297.0, 420.0)


class PosterRenderer(BatchRenderer):
    name = "posters"
    label = "海报"
    version = "1"
    batch_size = 8
    pack_item = "poster"
    config_sections = ("project", "theme", "posters")
    printable = True
    roles = (("posters/*.pdf", "poster-pdf"), ("posters/*.png", "poster-png"))
    # The picture is for WeChat: a pack holding the poster takes it along in its zip.
    role_views = {"poster-png": RoleView("图片", "image", in_print_zip=True), "poster-pdf": RoleView("PDF", "pdf", order=1)}
    templates_described = {
        "poster.html": "海报（每个诈骗类型一张 A4，PDF 和 PNG）",
        "css/poster.css": "海报样式",
        "partials/hotlines.html": "电话和 App 提示条（海报、卡片共用）",
        "base.html": "所有 HTML 页面的外框（颜色、字体变量）",
        "css/base.css": "所有页面共用的字体排版样式",
    }

    def plan(self, library, options):
        sizes = library.config.posters.sizes
        targets = []
        for scenario_id, item in sorted(library.kind(SCENARIOS.folder).items()):
            outputs = [f"posters/{scenario_id}.pdf"]
            if not options.print_ready:   # the picture is for WeChat, not for the print shop
                outputs.append(f"posters/{scenario_id}.png")
            if "A3" in sizes:
                outputs.append(f"posters/{scenario_id}-a3.pdf")
            if "A4" not in sizes:
                outputs.remove(f"posters/{scenario_id}.pdf")
            law_files = sorted({library.item(LAWS.folder, ref.law).path for ref in item.model.laws})
            targets.append(Target(
                id=f"posters/{scenario_id}", renderer=self.name, outputs=tuple(outputs),
                sources=(item.path, *law_files), templates=("poster.html",),
                params={"scenario": scenario_id}, label=f"海报 {scenario_id}"))
        return targets

    def pack_parts(self, ref, library):
        title = library.item(SCENARIOS.folder, ref).model.title
        sizes = library.config.posters.sizes
        a3 = "A3" in sizes
        path = f"posters/{ref}.pdf" if "A4" in sizes else f"posters/{ref}-a3.pdf"
        parts = [PackPart(path, title, duplex=False, copies="张贴 1–2 份" + ("；展板用 A3 版" if a3 and "A4" in sizes else ""),
                          stock="157 克铜版纸", finishing="按裁切标记裁去出血", per="event", each=2)]
        if a3 and "A4" in sizes:   # the A3 file goes with the pack only when it is built
            parts.append(PackPart(f"posters/{ref}-a3.pdf", f"{title}（A3 展板）", duplex=False, copies="展板 1 份",
                                  in_pack=False, stock="157 克铜版纸（或按展板材料）", finishing="按裁切标记裁去出血",
                                  per="event", each=1))
        return parts

    def context(self, target: Target, ctx: RenderContext) -> dict:
        return scenario_context(ctx, target.params["scenario"]) | {"size": "A4"}

    def laid_out(self, target, ctx, warnings):
        """The poster's page laid out, not yet written (RenderError when it does not fit): the
        editor's preview draws this page without making the print file."""
        source = ctx.library.item(SCENARIOS.folder, target.params["scenario"]).path
        return render_pages(ctx, "poster.html", self.context(target, ctx), f"海报 {target.params['scenario']}", source,
                            warnings=warnings, shorten="文字（如缩短案例或要点）")

    def check_page(self, target, pdf_bytes, ctx) -> None:
        """The written page's layout checks (RenderError: text over text, off the page...)."""
        check_pages(pdf_bytes, f"海报 {target.params['scenario']}", "poster.html", ctx)

    def render_batch(self, targets, ctx):
        """Lay out each poster on its own (one-page and glyph checks), write the PDFs together."""
        from outreach.rendering.pdf import write_many

        results: dict[str, RenderResult | RenderError] = {}
        laid_out = []
        for target in targets:
            result = RenderResult()
            try:
                document = self.laid_out(target, ctx, result.warnings)
            except RenderError as problem:
                results[target.id] = problem
                continue
            laid_out.append((target, document, result))
            results[target.id] = result

        pdfs = write_many([document for _, document, _ in laid_out]) if laid_out else []
        width = ctx.config.posters.png_width
        for (target, document, result), pdf_bytes in zip(laid_out, pdfs, strict=True):
            try:
                self._outputs(target, document, pdf_bytes, result, width, ctx)
            except RenderError as problem:
                results[target.id] = problem
        return [results[t.id] for t in targets]

    def _outputs(self, target, document, pdf_bytes: bytes, result: RenderResult, width: int, ctx) -> None:
        """The poster's outputs. The A4 PDF leaves here in its final bytes (fonts finished, or the
        print master made) with its page inspected once, in those bytes, for the poster's layout
        checks and the build's own (check_final_pages); the worker finishes and inspects the A3 file."""
        review_by = ctx.library.item(SCENARIOS.folder, target.params["scenario"]).model.review_by
        a4 = next((name for name in target.outputs if name.endswith(".pdf") and not name.endswith("-a3.pdf")), None)
        if a4 is None:   # A3 only: the A4 page (the picture's) is checked as it is
            self.check_page(target, pdf_bytes, ctx)
        pdf_bytes = with_review_date(pdf_bytes, review_by)
        for output in sorted(target.outputs, key=lambda name: name != a4):   # the A4 page's checks first
            if output == a4:
                final_checked_output(ctx, result, output, pdf_bytes, Finish(A4_MM, review_by=review_by), "poster-pdf",
                                     "poster.html")
            elif output.endswith("-a3.pdf"):
                a3 = with_review_date(a3_pdf(document, ctx.print_ready), review_by)
                if ctx.print_ready:
                    a3 = print_master(ctx, output, a3, Finish(A3_MM, review_by=review_by), "poster-pdf")
                    result.finished.add(output)
                result.outputs[output] = a3
            elif output.endswith(".png"):
                result.outputs[output] = png_from_pdf(ctx, pdf_bytes, width, ctx.config.posters.png_colors)


def a3_pdf(document, bleed: bool) -> bytes:
    """The A4 layout enlarged to A3. WeasyPrint scales the page but not its bleed when it works
    out the TrimBox (which then comes out 299.5×422.5 mm): the boxes are set here, the trim
    exactly 297×420 mm and the bleed 3 mm, and the file is saved like the A4 one (same PDF version)."""
    import io

    import pikepdf

    from outreach.rendering.pdf import write_pdf
    from outreach.rendering.units import PT_PER_MM

    enlarged = write_pdf(document, zoom=A3_ZOOM)
    with pikepdf.open(io.BytesIO(enlarged)) as source, pikepdf.new() as output:
        output.pages.extend(source.pages)
        for page in output.pages:
            left, bottom = float(page.mediabox[0]), float(page.mediabox[1])
            if bleed:   # the artwork's trim is the enlarged A4 trim: its bleed, enlarged, sits around it
                left, bottom = left + BLEED_MM * A3_ZOOM * PT_PER_MM, bottom + BLEED_MM * A3_ZOOM * PT_PER_MM
            trim = [left, bottom, left + A3_MM[0] * PT_PER_MM, bottom + A3_MM[1] * PT_PER_MM]
            page.obj.TrimBox = pikepdf.Array([round(v, 4) for v in trim])
            edge = BLEED_MM * PT_PER_MM if bleed else 0.0
            box = pikepdf.Array([round(trim[0] - edge, 4), round(trim[1] - edge, 4),
                                 round(trim[2] + edge, 4), round(trim[3] + edge, 4)])
            page.obj.MediaBox = box
            if bleed:
                page.obj.BleedBox = box
            elif "/BleedBox" in page.obj:
                del page.obj["/BleedBox"]
        for key in ("/Title", "/Producer", "/Creator"):
            if key in source.docinfo:
                output.docinfo[key] = source.docinfo[key]
        buffer = io.BytesIO()
        output.save(buffer, deterministic_id=True, compress_streams=True,
                    object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return buffer.getvalue()
