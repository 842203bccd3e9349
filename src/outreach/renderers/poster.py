"""Posters: one A4 page per scam scenario (PDF for print, PNG for WeChat), optional A3."""

from __future__ import annotations

import math

from outreach.renderers.target import Target
from outreach.renderers.base import BatchRenderer, PackPart, RenderContext, RenderError, RenderResult, RoleView
from outreach.renderers.html import base_context, check_pages, law_citations, png_from_pdf, render_pages

A3_ZOOM = math.sqrt(2)  # A4 → A3 is a factor of √2 in each direction


class PosterRenderer(BatchRenderer):
    kind = "posters"
    label = "海报"
    version = "1"
    batch_size = 8
    pack_item = "poster"
    config_sections = ("project", "theme", "posters")
    roles = (("posters/*.pdf", "poster-pdf"), ("posters/*.png", "poster-png"))
    role_views = {"poster-png": RoleView("图片", "image"), "poster-pdf": RoleView("PDF", "pdf")}
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
        for scenario_id, item in sorted(library.kind("scenarios").items()):
            outputs = [f"posters/{scenario_id}.pdf", f"posters/{scenario_id}.png"]
            if "A3" in sizes:
                outputs.append(f"posters/{scenario_id}-a3.pdf")
            if "A4" not in sizes:
                outputs.remove(f"posters/{scenario_id}.pdf")
            law_files = sorted({library.item("laws", ref.law).path for ref in item.model.laws})
            targets.append(Target(
                id=f"posters/{scenario_id}", renderer=self.kind, outputs=tuple(outputs),
                sources=(item.path, *law_files), templates=("poster.html",),
                params={"scenario": scenario_id}, label=f"海报 {scenario_id}"))
        return targets

    def pack_parts(self, ref, library):
        return [PackPart(f"posters/{ref}.pdf", library.item("scenarios", ref).model.title, duplex=False,
                         copies="张贴 1–2 份；展板可改用 A3")]

    def pack_extras(self, ref, library):
        texts = [(f"texts/{ref}{suffix}", f"texts/{ref}") for suffix in (".sms.txt", ".txt", ".wecom.md")]
        return [(f"posters/{ref}.png", f"posters/{ref}"), *texts]

    def context(self, target: Target, ctx: RenderContext) -> dict:
        scenario_id = target.params["scenario"]
        scenario = ctx.library.item("scenarios", scenario_id).model
        return base_context(ctx) | {
            "scenario": scenario,
            "scenario_id": scenario_id,
            "laws": law_citations(ctx, scenario.laws),
            "audiences": [ctx.library.audience_label(a) for a in scenario.audiences],
            "size": "A4",
        }

    def render_batch(self, targets, ctx):
        """Lay out each poster on its own (one-page and glyph checks), write the PDFs together."""
        from outreach.render.pdf import write_many, write_pdf

        results: dict[str, RenderResult | RenderError] = {}
        laid_out = []
        for target in targets:
            result = RenderResult()
            what = f"海报 {target.params['scenario']}"
            source = ctx.library.item("scenarios", target.params["scenario"]).path
            try:
                document = render_pages(ctx, "poster.html", self.context(target, ctx), what, source,
                                        warnings=result.warnings, shorten="文字（如缩短案例或要点）")
            except RenderError as problem:
                results[target.id] = problem
                continue
            laid_out.append((target, document, result))
            results[target.id] = result

        pdfs = write_many([document for _, document, _ in laid_out]) if laid_out else []
        width = ctx.config.posters.png_width
        for (target, document, result), pdf_bytes in zip(laid_out, pdfs):
            try:
                check_pages(pdf_bytes, f"海报 {target.params['scenario']}", "poster.html", ctx)
            except RenderError as problem:
                results[target.id] = problem
                continue
            for output in target.outputs:
                if output.endswith("-a3.pdf"):
                    result.outputs[output] = write_pdf(document, zoom=A3_ZOOM)
                elif output.endswith(".pdf"):
                    result.outputs[output] = pdf_bytes
                elif output.endswith(".png"):
                    result.outputs[output] = png_from_pdf(ctx, pdf_bytes, width, ctx.config.posters.png_colors)
        return [results[t.id] for t in targets]
