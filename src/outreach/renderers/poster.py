"""Posters: one A4 page per scam scenario (PDF for print, PNG for WeChat), optional A3."""

from __future__ import annotations

import math

from outreach.plan import Target
from outreach.renderers.base import Renderer, RenderContext, RenderResult
from outreach.renderers.html import base_context, html_to_pdf, law_citations, png_from_pdf, render_html

A3_ZOOM = math.sqrt(2)  # A4 → A3 is a factor of √2 in each direction


class PosterRenderer(Renderer):
    kind = "posters"
    label = "海报"
    version = "1"
    config_sections = ("project", "theme", "posters")
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
            law_files = sorted({library.get("laws", ref.law).path for ref in item.model.laws})
            targets.append(Target(
                id=f"posters/{scenario_id}", renderer=self.kind, outputs=tuple(outputs),
                sources=(item.path, *law_files), templates=("poster.html",),
                params={"scenario": scenario_id}, label=f"海报 {scenario_id}"))
        return targets

    def render(self, target: Target, ctx: RenderContext) -> RenderResult:
        scenario_id = target.params["scenario"]
        item = ctx.library.get("scenarios", scenario_id)
        scenario = item.model
        context = base_context(ctx) | {
            "scenario": scenario,
            "scenario_id": scenario_id,
            "laws": law_citations(ctx, scenario.laws),
            "audiences": [ctx.library.audience_label(a) for a in scenario.audiences],
            "size": "A4",
        }
        result = RenderResult()
        what = f"海报 {scenario_id}"
        html = render_html(ctx, "poster.html", context, what)
        document, pdf_bytes = html_to_pdf(ctx, html, "poster.html", what, item.path, one_page=True,
                                          warnings=result.warnings)
        width = ctx.config.posters.png_width
        png = png_from_pdf(ctx, pdf_bytes, width)
        for output in target.outputs:
            if output.endswith("-a3.pdf"):
                result.outputs[output] = document.write_pdf(identifier=b"outreach", zoom=A3_ZOOM)
            elif output.endswith(".pdf"):
                result.outputs[output] = pdf_bytes
            elif output.endswith(".png"):
                result.outputs[output] = png
        return result
