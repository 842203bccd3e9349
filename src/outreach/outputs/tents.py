"""桌牌: an A4 tent card for each pack's event desk — the event's title and the hotlines.

The sheet is folded across the middle (148.5 mm from the top) and stands on the desk: its two
faces are the same, the lower one upright and the upper one turned 180°, so each reads the right
way up from its side of the desk. The print master carries dashed fold marks outside the trim at
the fold (Finish.folds); the screen file, printed in the office, a dashed guide line instead.

Sizes come from the reading distance across a desk (1–2 m, about 4 mm of letter height per metre):
no text under MIN_PT, the title at least TITLE_MIN_PT, as large as two lines in its zone allow. A
title too long even then fails the target with how many characters to cut.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field

from outreach.buildspec.target import Target
from outreach.outputs.base import PackPart, Renderer, RenderError, RenderResult, RoleView
from outreach.outputs.html import base_context, render_pages
from outreach.outputs.printing import A4_MM, Finish, finished_pdf, print_master
from outreach.project.kinds import PACKS
from outreach.rendering.contract import TemplateContract
from outreach.rendering.hotlinefit import PT_TO_MM, text_width_em

TEMPLATE = "tents/tent.html"
FOLD_MM = A4_MM[1] / 2          # the fold, from the sheet's top edge
TITLE_WIDTH_MM = 186.0          # the title's zone on a face (12 mm margins)
TITLE_MAX_PT, TITLE_ONE_LINE_PT, TITLE_MIN_PT = 44.0, 32.0, 24.0
MIN_PT = 14.0                   # every other text on the card (labels, app line, unit name)


class TentsSection(BaseModel):
    """outreach.toml [tents]: only this kind reads it."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="桌牌")

    title: str | None = Field(None, min_length=1, max_length=40, pattern=r"^[^\n\r<>]*$",
                              description="桌牌上的标题；不填则用各资料包的标题（title）")


def title_size(title: str) -> tuple[float, float] | tuple[None, int]:
    """(font size in pt, the line's measure in em) for the title: one line when it can be at least
    TITLE_ONE_LINE_PT, else two lines of equal length, as large as the zone allows (up to
    TITLE_MAX_PT); (None, characters to cut) when two lines do not fit even at TITLE_MIN_PT."""
    width = max(text_width_em(title), 1.0)
    one = TITLE_WIDTH_MM / ((width + 0.5) * PT_TO_MM)
    if one >= TITLE_ONE_LINE_PT:
        return math.floor(min(one, TITLE_MAX_PT) * 2) / 2, width + 0.5
    measure = math.ceil(width / 2) + 1.0     # balanced lines, a character to spare for the line breaker
    two = TITLE_WIDTH_MM / (measure * PT_TO_MM)
    if two < TITLE_MIN_PT:
        most = 2 * (int(TITLE_WIDTH_MM / (TITLE_MIN_PT * PT_TO_MM)) - 1)
        return None, max(math.ceil(width - most), 1)
    return math.floor(min(two, TITLE_MAX_PT) * 2) / 2, measure


class TentsRenderer(Renderer):
    name = "tents"
    label = "桌牌"
    version = "1"
    config_section = "tents"
    config_model = TentsSection
    config_sections = ("project", "theme", "lint")
    printable = True
    roles = (("tents/*.pdf", "tent-pdf"),)
    role_views = {"tent-pdf": RoleView("桌牌（PDF）", "pdf", order=31)}
    templates_described = {
        TEMPLATE: "桌牌：A4 对折立在桌上，上下两面内容相同、上面一面倒转 180 度；活动标题和电话",
        "css/tent.css": "桌牌样式",
    }
    template_contracts = (
        TemplateContract(TEMPLATE, A4_MM, why="桌牌在 A4 纸正中对折，折线标记按 A4 高度的一半画"),
    )

    def plan(self, library, options):
        return [Target(id=f"tents/{pack_id}", renderer=self.name, outputs=(f"tents/{pack_id}.pdf",),
                       sources=(item.path,), templates=(TEMPLATE,), params={"pack": pack_id},
                       label=f"桌牌 {pack_id}")
                for pack_id, item in sorted(library.kind(PACKS.folder).items())]

    def check(self, ctx):
        problems = []
        for pack_id in sorted(ctx.library.kind(PACKS.folder)):
            try:
                self._title(ctx, pack_id)
            except RenderError as problem:
                problems.append(problem)
        return problems

    def _title(self, ctx, pack_id: str) -> tuple[str, float, float]:
        override = ctx.config.tents.title
        item = ctx.library.item(PACKS.folder, pack_id)
        title = ctx.localize(override or item.model.title)
        size, found = title_size(title)
        if size is None:
            if override:
                from outreach.project.config import CONFIG_NAME, config_position

                file, (line, column) = CONFIG_NAME, config_position(ctx.root, ("tents", "title"))
            else:
                file, (line, column) = item.path, item.source.locate(("title",))
            raise RenderError(f"桌牌标题“{title}”太长：字号不能小于 {TITLE_MIN_PT:g} 磅（隔着桌子 1–2 米要看得清），"
                              f"两行放不下。请删去约 {found} 个字（或在 outreach.toml 的 [tents] title 写一个短标题）。",
                              file, line, code="tent-title-too-long", column=column)
        return title, size, found

    def render(self, target: Target, ctx) -> RenderResult:
        from outreach.rendering.pdf import write_pdf
        from outreach.rendering.prepress import Fold

        pack_id = target.params["pack"]
        item = ctx.library.item(PACKS.folder, pack_id)
        title, size, measure = self._title(ctx, pack_id)
        context = base_context(ctx) | {"title": title, "title_pt": size, "title_em": measure, "pack": item.model,
                                       "pack_id": pack_id}
        result = RenderResult()
        document = render_pages(ctx, TEMPLATE, context, f"桌牌 {pack_id}", item.path, warnings=result.warnings,
                                shorten="标题", contract=self.template_contracts[0])
        output = f"tents/{pack_id}.pdf"
        data = write_pdf(document)
        if ctx.print_ready:
            finish = Finish(A4_MM, folds=((Fold("y", FOLD_MM),),))
            data = print_master(ctx, output, data, finish, "tent-pdf", title=f"桌牌：{title}")
        else:
            data = finished_pdf(ctx, data)
        result.outputs[output] = data
        result.finished.add(output)
        return result

    def pack_attachments(self, pack_id, library, print_ready):
        return [PackPart(f"tents/{pack_id}.pdf", "桌牌（A4 对折立放）", duplex=False, copies="每张桌子 1 份",
                         target=f"tents/{pack_id}", in_pack=False, stock="250 克白卡纸",
                         finishing="按裁切标记裁切，沿中间的折线对折（折线标记在裁切线外）", per="event", each=2)]
