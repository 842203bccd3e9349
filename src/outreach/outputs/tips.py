"""法律小贴士: one A4 handout per tip, quoting the cited articles in full."""

from __future__ import annotations

from outreach.buildspec.target import Target
from outreach.outputs.base import BatchRenderer, PackPart, RenderError, RenderResult, RoleView
from outreach.outputs.html import base_context, final_checked_output, law_citations, render_pages
from outreach.outputs.printing import Finish, with_review_date
from outreach.project.config import A4_MM
from outreach.project.kinds import LAWS, TIPS


class TipsRenderer(BatchRenderer):
    name = "tips"
    label = "小贴士"
    version = "1"
    batch_size = 16
    config_sections = ("project", "theme")
    printable = True
    roles = (("tips/*.pdf", "tip-pdf"),)
    role_views = {"tip-pdf": RoleView("PDF", "pdf")}
    pack_item = "tip"
    templates_described = {
        "tip.html": "法律小贴士单页（正文 + 法律原文）",
        "css/tip.css": "小贴士样式",
    }

    def plan(self, library, options):
        targets = []
        for tip_id, item in sorted(library.kind(TIPS.folder).items()):
            laws = sorted({library.item(LAWS.folder, ref.law).path for ref in item.model.laws})
            targets.append(Target(id=f"tips/{tip_id}", renderer=self.name, outputs=(f"tips/{tip_id}.pdf",),
                                  sources=(item.path, *laws), templates=("tip.html",), params={"tip": tip_id},
                                  label=f"小贴士 {tip_id}"))
        return targets

    def render_batch(self, targets, ctx):
        """Lay out each tip, then write the batch together (fonts subset once; see pdf.write_many)."""
        from outreach.rendering.pdf import write_many

        results: dict[str, RenderResult | RenderError] = {}
        laid_out = []
        for target in targets:
            tip_id = target.params["tip"]
            item = ctx.library.item(TIPS.folder, tip_id)
            context = base_context(ctx) | {
                "tip": item.model, "tip_id": tip_id, "laws": law_citations(ctx, item.model.laws),
                "audiences": [ctx.library.audience_label(a) for a in item.model.audiences],
            }
            result = RenderResult()
            try:
                # A tip sheet is one page by design, like a poster: it is handed out and pinned up.
                laid_out.append((target, render_pages(ctx, "tip.html", context, f"小贴士 {tip_id}", item.path,
                                                      warnings=result.warnings,
                                                      shorten="正文，或少引用几条法条"), result))
                results[target.id] = result
            except RenderError as problem:
                results[target.id] = problem
        for (target, _, result), pdf_bytes in zip(laid_out, write_many([d for _, d, _ in laid_out]), strict=True):
            output = f"tips/{target.params['tip']}.pdf"
            review_by = ctx.library.item(TIPS.folder, target.params["tip"]).model.review_by
            pdf_bytes = with_review_date(pdf_bytes, review_by)
            # In its final bytes, its page inspected once in those bytes for the tip sheet's
            # layout checks and the build's.
            try:
                final_checked_output(ctx, result, output, pdf_bytes, Finish(A4_MM, review_by=review_by), "tip-pdf",
                                     "tip.html")
            except RenderError as problem:
                results[target.id] = problem
        return [results[t.id] for t in targets]

    def pack_parts(self, ref: str, library) -> list[PackPart]:
        return [PackPart(f"tips/{ref}.pdf", library.item(TIPS.folder, ref).model.title, duplex=False,
                         copies="张贴或发放，按需要印刷", stock="128 克铜版纸", finishing="按裁切标记裁去出血",
                         per="participant", each=1)]

    def target_id(self, ref: str) -> str:
        return f"tips/{ref}"
