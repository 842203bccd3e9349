"""三折页: one A4 tri-fold leaflet per pack, printed on both sides and roll-folded (卷折/包心折),
handed to every participant. It goes into the pack's zip (Renderer.pack_attachments).

What goes where (rendering/folding.py has the geometry):
- outside, right: the front cover (the pack's title, its audience, the unit, “三不一多”);
- outside, middle: the back cover (hotlines, the app, the QR code, the unit);
- outside, left, the fold-in panel: the pack's first tip, seen first when the cover is opened
  (the slogans “三不一多” spelled out when the pack has no tip to spare);
- inside, left to right: the pack's first three scenarios (title, summary, warning signs, what
  to do); a pack with fewer scenarios fills the rest with its tips.
A pack whose reviewed scenarios and tips are fewer than three has no leaflet.

Nothing shrinks to fit: each panel's content is measured against the panel's height, and a
panel that runs over fails the leaflet naming its item and by how many millimetres.
"""

from __future__ import annotations

import dataclasses

from outreach.buildspec.target import Target
from outreach.outputs.base import BatchRenderer, PackPart, RenderContext, RenderError, RenderResult, RoleView
from outreach.outputs.html import base_context, final_checked_output, render_html
from outreach.outputs.packs import entry_sources, publishable_entries
from outreach.outputs.printing import Finish, with_review_date
from outreach.project.kinds import PACKS, SCENARIOS, TIPS
from outreach.rendering.contract import TemplateContract, missing_anchors
from outreach.rendering.folding import FOLD_SAFE_MM, TRIM_SAFE_MM, roll_fold
from outreach.rendering.textsizes import ELDERLY_PT, PUBLIC_PT
from outreach.rendering.units import PX_PER_MM

TEMPLATE = "leaflets/leaflet.html"
FOLD = roll_fold()
PANEL_NAMES = tuple(panel.name for side in FOLD.pages() for panel in side)
CONTRACT = TemplateContract(TEMPLATE, page_mm=(FOLD.width_mm, FOLD.height_mm),
                            anchors=tuple(f"{prefix}panel-{name}" for name in PANEL_NAMES for prefix in ("", "end-")),
                            why="三折页按 A4 横向双面印刷，每栏的宽度和折线位置由程序给定，每栏内容的起止位置用来量是否超出")
FOLD_GAP_MM = 2.0        # colour blocks stop this short of a fold (folding machines drift ~1 mm)
PANEL_LABELS = {"cover": "封面（外面右栏）", "back": "封底（外面中栏）", "flap": "折进去的一栏（外面左栏）",
                "inside-1": "内页左栏", "inside-2": "内页中栏", "inside-3": "内页右栏"}
# Type sizes (pt) by readers: body, headings, the cover's title, hotline numbers, and the smallest
# text on the page, which is the audience's minimum (rendering/textsizes.py).
SIZES = {"public": {"body": 11.0, "head": 15.0, "title": 26.0, "number": 26.0, "small": PUBLIC_PT},
         "elderly": {"body": ELDERLY_PT, "head": 16.0, "title": 26.0, "number": 26.0, "small": ELDERLY_PT}}
STOCK = "157 克铜版纸"
FINISHING = "卷折（包心折）两折三页，按折线标记折叠；双面四色，短边翻转；157 克纸先压痕再折，折线不爆色"


def readers(audience: str) -> str:
    return "elderly" if audience == "elderly" else "public"


@dataclasses.dataclass(frozen=True)
class Block:
    kind: str     # cover | back | scenario | tip | rules
    ref: str = ""


def blocks(library, pack) -> dict[str, Block] | None:
    """What each panel shows (by panel name), or None when the pack has too little for a leaflet."""
    entries = publishable_entries(library, pack)[0]
    scenarios = list(dict.fromkeys(e.ref for e in entries if e.key == "poster"))
    tips = list(dict.fromkeys(e.ref for e in entries if e.key == "tip"))
    inside = [Block("scenario", ref) for ref in scenarios[:3]]
    inside += [Block("tip", ref) for ref in tips[:3 - len(inside)]]
    if len(inside) < 3:
        return None
    spare = [ref for ref in tips if Block("tip", ref) not in inside]
    flap = Block("tip", spare[0]) if spare else Block("rules")
    return {"cover": Block("cover"), "back": Block("back"), "flap": flap,
            "inside-1": inside[0], "inside-2": inside[1], "inside-3": inside[2]}


class LeafletsRenderer(BatchRenderer):
    name = "leaflets"
    label = "三折页"
    version = "1"
    batch_size = 4
    # review: a leaflet prints what its pack prints (reviewed content unless [review] says otherwise).
    config_sections = ("project", "theme", "review")
    printable = True
    roles = (("leaflets/*.pdf", "leaflet-pdf"),)
    role_views = {"leaflet-pdf": RoleView("三折页", "pdf", order=4)}
    template_contracts = (CONTRACT,)
    templates_described = {
        TEMPLATE: "三折页（每个资料包一张 A4 横向、双面、卷折成三折：外面为小贴士、封底、封面，内页为三个诈骗类型）",
        "leaflets/leaflet.css": "三折页样式（字号按人群，不小于最小字号）",
        "leaflets/cover.html": "三折页封面：资料包标题、适用人群、单位、“三不一多”",
        "leaflets/back.html": "三折页封底：热线、App、二维码",
        "leaflets/scenario.html": "三折页内页一栏：一个诈骗类型的概述、识别要点和防范要点",
        "leaflets/tip.html": "三折页的小贴士一栏",
        "leaflets/rules.html": "没有小贴士时外面左栏的防骗口诀",
    }

    def plan(self, library, options):
        targets = []
        for pack_id, item in sorted(library.kind(PACKS.folder).items()):
            if blocks(library, item.model) is None:
                continue
            targets.append(Target(
                id=f"leaflets/{pack_id}", renderer=self.name, outputs=(f"leaflets/{pack_id}.pdf",),
                sources=(item.path, *entry_sources(library, item.model)),
                templates=(TEMPLATE,), params={"pack": pack_id}, label=f"三折页 {pack_id}"))
        return targets

    def pack_attachments(self, pack_id, library, print_ready):
        item = library.get(PACKS.folder, pack_id)
        if item is None or blocks(library, item.model) is None:
            return []
        return [PackPart(f"leaflets/{pack_id}.pdf", f"{item.model.title}（三折页）", duplex=True, flip="short",
                         copies="每位参加者 1 份", target=f"leaflets/{pack_id}",
                         cut="A4 纸双面打印，选“短边翻转”；第 1 页是外面，按栏线折成三折，封面（右栏）朝外",
                         stock=STOCK, finishing=FINISHING, per="participant", each=1)]

    def context(self, ctx: RenderContext, pack_id: str) -> tuple[dict, dict[str, Block]]:
        pack = ctx.library.item(PACKS.folder, pack_id).model
        chosen = blocks(ctx.library, pack)
        if chosen is None:   # planned with enough content: a reviewed item is a draft again
            raise RenderError(f"资料包 {pack_id} 里审核过的诈骗类型和小贴士不足三项，做不成三折页。",
                              ctx.library.item(PACKS.folder, pack_id).path, 0)
        sides = []
        for side_name, panels in zip(("outside", "inside"), FOLD.pages(), strict=True):
            shown = []
            for panel in panels:
                block = chosen[panel.name]
                data: dict = {"kind": block.kind}
                if block.kind == "scenario":
                    data["scenario"] = ctx.library.item(SCENARIOS.folder, block.ref).model
                elif block.kind == "tip":
                    data["tip"] = ctx.library.item(TIPS.folder, block.ref).model
                shown.append({"name": panel.name, "label": PANEL_LABELS[panel.name], "x_mm": round(panel.x_mm, 3),
                              "width_mm": round(panel.width_mm, 3), "block": data})
            sides.append({"name": side_name, "panels": shown})
        context = base_context(ctx) | {
            "pack": pack, "pack_id": pack_id, "audience_label": ctx.library.audience_label(pack.audience),
            "date": pack.date, "sides": sides, "sizes": SIZES[readers(pack.audience)],
            "safe_mm": max(FOLD_SAFE_MM, TRIM_SAFE_MM), "fold_gap_mm": FOLD_GAP_MM,
        }
        return context, chosen

    def laid_out(self, target: Target, ctx: RenderContext, warnings: list[str]):
        """The two pages laid out, each panel measured (RenderError naming the item that runs over)."""
        from outreach.outputs.html import layout

        pack_id = target.params["pack"]
        context, chosen = self.context(ctx, pack_id)
        what = f"三折页 {pack_id}"
        source = ctx.library.item(PACKS.folder, pack_id).path
        html = render_html(ctx, TEMPLATE, context, what)
        document = layout(ctx, html, TEMPLATE, what, source, warnings=warnings, contract=CONTRACT)
        template = ctx.theme.display_path(TEMPLATE)
        if len(document.pages) != 2:
            raise RenderError(f"三折页 {pack_id} 排成了 {len(document.pages)} 页，应为正反两页（外面、内页）：请检查模板 "
                              f"{CONTRACT.template} 的分页。", template, 0)
        measured = document
        if missing_anchors(document, CONTRACT, [0]):
            # A panel's end marker below the page is not on it at all: lay the sheet out again
            # on pages tall enough to hold every panel, to say by how much each runs over.
            measured = tall_layout(ctx, html)
            if missing := missing_anchors(measured, CONTRACT, [0]):
                names = "、".join(f'id="{m}"' for m in missing[:4])
                raise RenderError(f"模板 {CONTRACT.template} 缺少 {names}（{CONTRACT.why}）。见 docs/templates.md 的“三折页”。",
                                  template, 0)
        over = panel_overflow_mm(measured)
        for name, beyond in over.items():
            raise self._too_long(ctx, pack_id, name, chosen[name], beyond)
        return document

    def _too_long(self, ctx: RenderContext, pack_id: str, panel: str, block: Block, over_mm: float) -> RenderError:
        where = f"{PANEL_LABELS[panel]}超出栏高约 {max(over_mm, 1):.0f} 毫米，不会自动缩小字号。"
        if block.kind == "scenario":
            item = ctx.library.item(SCENARIOS.folder, block.ref)
            line, column = item.source.locate_key(("signs",))
            return RenderError(f"{where}请精简诈骗类型“{item.model.title}”的概述、识别要点或防范要点。", item.path, line, column=column)
        if block.kind == "tip":
            item = ctx.library.item(TIPS.folder, block.ref)
            line, column = item.source.locate_key(("body",))
            return RenderError(f"{where}请精简小贴士“{item.model.title}”的正文。", item.path, line, column=column)
        pack = ctx.library.item(PACKS.folder, pack_id)
        if block.kind == "cover":
            return RenderError(f"{where}请缩短资料包标题，或 outreach.toml 里的单位名称。", pack.path,
                               pack.source.locate_key(("title",))[0])
        return RenderError(f"{where}请减少 outreach.toml 的 [[project.hotlines]]，或缩短单位名称。", "outreach.toml", 0)

    def render_batch(self, targets, ctx):
        from outreach.rendering.pdf import write_many

        results: dict[str, RenderResult | RenderError] = {}
        laid_out = []
        for target in targets:
            result = RenderResult()
            try:
                laid_out.append((target, self.laid_out(target, ctx, result.warnings), result))
                results[target.id] = result
            except RenderError as problem:
                results[target.id] = problem
        pdfs = write_many([document for _, document, _ in laid_out]) if laid_out else []
        for (target, _, result), pdf_bytes in zip(laid_out, pdfs, strict=True):
            try:
                self._output(target, pdf_bytes, result, ctx)
            except RenderError as problem:
                results[target.id] = problem
        return [results[t.id] for t in targets]

    def _output(self, target: Target, pdf_bytes: bytes, result: RenderResult, ctx: RenderContext) -> None:
        pack_id = target.params["pack"]
        output = f"leaflets/{pack_id}.pdf"
        pack = ctx.library.item(PACKS.folder, pack_id).model
        check_text_sizes(pdf_bytes, SIZES[readers(pack.audience)]["small"], styled_by(ctx),
                         ctx.library.audience_label(pack.audience))
        review_by = min(self._review_dates(ctx, pack))
        pdf_bytes = with_review_date(pdf_bytes, review_by)
        folds: tuple = ()
        if ctx.print_ready:   # marks on the master only: the screen file's page is its trim
            from outreach.rendering.prepress import Fold

            folds = tuple(tuple(Fold("x", x) for x in xs) for xs in (FOLD.outside_folds, FOLD.inside_folds))
        final_checked_output(ctx, result, output, pdf_bytes,
                             Finish((FOLD.width_mm, FOLD.height_mm), review_by=review_by, folds=folds),
                             "leaflet-pdf", TEMPLATE, f"{pack.title}（三折页）")

    @staticmethod
    def _review_dates(ctx: RenderContext, pack):
        chosen = blocks(ctx.library, pack) or {}
        for block in chosen.values():
            if block.kind == "scenario":
                yield ctx.library.item(SCENARIOS.folder, block.ref).model.review_by
            elif block.kind == "tip":
                yield ctx.library.item(TIPS.folder, block.ref).model.review_by


TALL_PAGE = "<style>@page { size: 297mm 3000mm; }</style>"


def tall_layout(ctx: RenderContext, html: str):
    """The sheet laid out on very tall pages (for measuring only: the panels keep their places)."""
    from outreach.outputs.html import PRINT_READY_CSS, resource_fetcher, template_base_url
    from outreach.rendering import pdf

    tall = html.replace("</head>", TALL_PAGE + "</head>", 1)
    return pdf.render_document(tall, template_base_url(ctx, TEMPLATE), resource_fetcher(ctx, TEMPLATE, []),
                               extra_css=PRINT_READY_CSS if ctx.print_ready else None)


def panel_overflow_mm(document) -> dict[str, float]:
    """How far each panel's content runs below its bottom safe line, by panel name: the content
    starts at the anchor panel-NAME (the panel's top safe line) and ends at end-panel-NAME."""
    anchors: dict[str, tuple[float, float]] = {}
    for page in document.pages:
        anchors.update({name: (pos[0], pos[1]) for name, pos in page.anchors.items()})
    usable = FOLD.height_mm - 2 * TRIM_SAFE_MM
    over = {}
    for name in PANEL_NAMES:
        start, end = anchors.get(f"panel-{name}"), anchors.get(f"end-panel-{name}")
        if start is None or end is None:
            continue
        beyond = (end[1] - start[1]) / PX_PER_MM - usable
        if beyond > 0.2:
            over[name] = beyond
    return over


def styled_by(ctx: RenderContext) -> str:
    """The file to name for a type size: the project's first override the leaflet pulls in (a
    volunteer's stylesheet), else the built-in template."""
    from outreach.outputs.html import environment
    from outreach.rendering.templating import template_closure

    overridden = sorted(n for n in template_closure(environment(ctx), TEMPLATE) if ctx.theme.is_overridden(n))
    return f"templates/{overridden[0]}" if overridden else ctx.theme.display_path(TEMPLATE)


def check_text_sizes(pdf_bytes: bytes, minimum_pt: float, template: str, audience: str) -> None:
    """No text below the audience's minimum (a template override that sets a smaller size fails
    here, in the screen build too, not only at the print shop's preflight)."""
    import pypdfium2 as pdfium

    from outreach.rendering.preflight.text import page_glyphs

    document = pdfium.PdfDocument(pdf_bytes)
    try:
        for number in range(len(document)):
            page = document[number]
            try:
                small = [g for g in page_glyphs(page) if g.size_pt < minimum_pt - 0.05]
            finally:
                page.close()
            if small:
                worst = min(small, key=lambda g: g.size_pt)
                raise RenderError(f"三折页第 {number + 1} 页的文字“{worst.text}”只有 {worst.size_pt:.1f} 磅，面向{audience}的三折页"
                                  f"至少要 {minimum_pt:g} 磅。请在模板里加大字号。", template, 0)
    finally:
        document.close()
