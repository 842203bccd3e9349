"""Large formats: a roll-up banner (易拉宝) per pack and display boards (展板) per pack, and per
scenario when asked, at true size, as print masters with the bleed large-format shops ask for.

Sizes, zones and the type sizes (from viewing distance) are in outreach.rendering.largeformat.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from outreach.buildspec.target import Target
from outreach.outputs.base import PackPart, RenderContext, Renderer, RenderError, RenderResult, RoleView, failures_of
from outreach.outputs.html import base_context, check_pages, render_pages
from outreach.outputs.printing import Finish, finished_pdf, print_master
from outreach.project.kinds import PACKS, SCENARIOS
from outreach.rendering.contract import TemplateContract
from outreach.rendering.largeformat import (
    BOARD_MIN_PT,
    BOARD_TITLE_MIN_PT,
    LARGE_BLEED_MM,
    PT_TO_MM,
    ROLLUP_MIN_PT,
    ROLLUP_TOP_MIN_PT,
    ROLLUP_TOP_RAIL_MM,
    TitleTooLong,
    board_size,
    fit_title,
    rollup_zones,
    size_label,
    size_slug,
)
from outreach.rendering.largeformat import ROLLUP_SIZES as _ROLLUPS

RollupSize = Literal["80x200", "60x160", "85x200"]
BoardSize = Literal["90x120", "60x90"]
DEFAULT_LINE = "不听、不信、不转账"


class LargeSection(BaseModel):
    """outreach.toml [large]: only the roll-ups and boards read it."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="易拉宝和展板")

    rollup_size: RollupSize = Field("80x200", description="易拉宝的尺寸（宽×高，厘米）：80x200、60x160 或 85x200")
    rollup_sizes_by_pack: dict[str, RollupSize] = Field(
        default_factory=dict, description="个别资料包用别的易拉宝尺寸，例如 {campus = \"60x160\"}")
    rollup_line: str = Field(DEFAULT_LINE, min_length=1, max_length=20, pattern=r"^[^\n\r<>]*$",
                             description="易拉宝标题下的一句口号（资料包写了 slogans 时用它的第一条）")
    board_sizes: list[BoardSize] = Field(["90x120"], min_length=1, max_length=2,
                                         description="展板的尺寸（宽×高，厘米）：90x120、60x90，可以都要")
    board_orientation: Literal["portrait", "landscape"] = Field(
        "portrait", description="展板竖放（portrait）还是横放（landscape）")
    scenario_boards: bool = Field(False, description="是否给每个诈骗类型各做一块展板（默认只给每个资料包做一块总览展板）")
    bleed_mm: float = Field(LARGE_BLEED_MM, ge=3, le=20,
                            description="易拉宝和展板印刷版四边的出血（毫米），大幅面喷绘一般要 5 毫米，按印刷厂要求改")


ROLLUP_TEMPLATE = "large/rollup.html"
PACK_BOARD_TEMPLATE = "large/board-pack.html"
SCENARIO_BOARD_TEMPLATE = "large/board-scenario.html"
# Title ladders (size pt, most lines), largest first; the last step is the viewing-distance floor.
ROLLUP_TITLE = ((220, 1), (180, 2), (150, 2), (120, 3), (ROLLUP_TOP_MIN_PT + 5, 3))
BOARD_TITLE = ((120, 1), (96, 2), (72, 2), (56, 3), (BOARD_TITLE_MIN_PT * 1.5, 3))


def _settings(config) -> LargeSection:
    return getattr(config, "large", None) or LargeSection()


def pack_scenarios(library, pack_id: str) -> list[str]:
    """The scenarios a pack prints (reviewed, in its order), each once."""
    from outreach.outputs.packs import publishable_entries

    pack = library.item(PACKS.folder, pack_id).model
    kept, _ = publishable_entries(library, pack)
    found: list[str] = []
    for entry in kept:
        # The pack item key ("poster: <scenario>"): `key`, formerly `kind` (renamed this session).
        key = getattr(entry, "key", None) or getattr(entry, "kind", None)
        if key == "poster" and entry.ref not in found:
            found.append(entry.ref)
    return found


def _pack_sources(library, pack_id: str) -> tuple[str, ...]:
    from outreach.outputs.packs import entry_sources

    item = library.item(PACKS.folder, pack_id)
    return (item.path, *entry_sources(library, item.model))


def short_title(title: str) -> str:
    """A pack's title as a roll-up's: "校园反诈宣传资料包" → "校园反诈"."""
    for suffix in ("宣传资料包", "资料包"):
        if title.endswith(suffix) and len(title) > len(suffix):
            return title.removesuffix(suffix)
    return title


def top_line(ctx: RenderContext, model) -> str:
    """The line under the title (as written: the page is converted to the build's script as a whole)."""
    slogans = getattr(model, "slogans", None) or []
    return slogans[0] if slogans else _settings(ctx.config).rollup_line


def _title_error(ctx: RenderContext, problem: TitleTooLong, what: str, source: str) -> RenderError:
    return RenderError(f"{what}的标题“{problem.text}”太长：在远处能看清的最小字号下，标题最多 {problem.max_lines} 行、"
                       f"每行约 {problem.per_line} 个字，还要删去约 {problem.cut} 个字。请缩短标题。", source, 0)


def _unknown_packs(names: list[str]) -> RenderError | None:
    if not names:
        return None
    return RenderError(f"outreach.toml 的 [large] rollup_sizes_by_pack 写了不存在的资料包：{'、'.join(names)}。"
                       f"请写 content/{PACKS.folder}/ 里的文件名（不带 .yaml）。", "outreach.toml", 0, code="large-settings")


def _scenario_points(ctx: RenderContext, scenario_ids: list[str]) -> list[dict]:
    points = []
    for scenario_id in scenario_ids:
        scenario = ctx.library.item(SCENARIOS.folder, scenario_id).model
        points.append({"id": scenario_id, "title": scenario.title, "category": scenario.category,
                       "sign": scenario.signs[0], "advice": scenario.advice[0]})
    return points


def _master(ctx: RenderContext, output: str, pdf_bytes: bytes, size_mm, role: str, template: str, what: str,
            result: RenderResult) -> bytes:
    """The file as build/ gets it: a print master with the large-format bleed, or the screen PDF
    with its fonts finished; its page passes the page inspector as it is written."""
    if ctx.print_ready:
        final = print_master(ctx, output, pdf_bytes, Finish(size_mm, bleed_mm=_settings(ctx.config).bleed_mm), role)
    else:
        final = finished_pdf(ctx, pdf_bytes)
    check_pages(final, what, template, ctx)
    result.finished.add(output)
    return final


class RollupRenderer(Renderer):
    name = "rollups"
    label = "易拉宝"
    version = "1"
    config_section = "large"
    config_model = LargeSection
    config_sections = ("project", "theme", "review", "large")
    printable = True
    roles = (("rollups/*.pdf", "rollup-pdf"),)
    role_views = {"rollup-pdf": RoleView("易拉宝（PDF）", "pdf", order=6)}
    templates_described = {
        ROLLUP_TEMPLATE: "易拉宝（每个资料包一幅，实际尺寸，底部 15 厘米留空给底座）",
        "large/large.css": "易拉宝和展板共用的样式",
    }
    template_contracts = (TemplateContract(ROLLUP_TEMPLATE, anchors=("rollup-body",),
                                           why="易拉宝的页面按 [large] rollup_size 的实际尺寸排版"),)

    def size_of(self, config, pack_id: str) -> tuple[float, float]:
        settings = _settings(config)
        return _ROLLUPS[settings.rollup_sizes_by_pack.get(pack_id, settings.rollup_size)]

    def plan(self, library, options):
        targets = []
        for pack_id in sorted(library.kind(PACKS.folder)):
            targets.append(Target(
                id=f"rollups/{pack_id}", renderer=self.name, outputs=(f"rollups/{pack_id}.pdf",),
                sources=_pack_sources(library, pack_id), templates=(ROLLUP_TEMPLATE,),
                params={"pack": pack_id}, label=f"易拉宝 {pack_id}"))
        return targets

    def check(self, ctx):
        """What needs no layout: [large] naming packs that do not exist, titles too long for the top zone."""
        packs = ctx.library.kind(PACKS.folder)
        problems = [_unknown_packs(sorted(set(_settings(ctx.config).rollup_sizes_by_pack) - set(packs)))]
        problems += [failure for pack_id in sorted(packs) for failure in failures_of(self.context, ctx, pack_id)]
        return [p for p in problems if p is not None]

    def pack_attachments(self, pack_id, library, print_ready):
        title = library.item(PACKS.folder, pack_id).model.title
        size = size_label(self.size_of(library.config, pack_id))
        return [PackPart(f"rollups/{pack_id}.pdf", f"易拉宝：{short_title(title)}（{size}）", duplex=False,
                         copies="每个活动点 1 幅", target=f"rollups/{pack_id}", stock="写真布（户外用 PP 背胶或灯布）",
                         finishing=f"装入 {size}的易拉宝架（上端夹条、底部 15 厘米卷入底座）", per="event", each=1)]

    def context(self, ctx: RenderContext, pack_id: str) -> dict:
        pack = ctx.library.item(PACKS.folder, pack_id).model
        source = ctx.library.item(PACKS.folder, pack_id).path
        size = self.size_of(ctx.config, pack_id)
        zones = rollup_zones(size)
        title = short_title(pack.title)
        try:
            fitted = fit_title(ctx.localize(title), zones.text_width, ROLLUP_TITLE)
        except TitleTooLong as problem:
            raise _title_error(ctx, problem, "易拉宝", source) from None
        return base_context(ctx) | {
            "pack": pack, "pack_id": pack_id, "title": title, "title_pt": fitted.size_pt, "line": top_line(ctx, pack),
            "points": _scenario_points(ctx, pack_scenarios(ctx.library, pack_id)), "size_mm": size, "zones": zones,
            "bleed_mm": _settings(ctx.config).bleed_mm, "rail_mm": ROLLUP_TOP_RAIL_MM,
            "min_pt": ROLLUP_MIN_PT, "pt_to_mm": PT_TO_MM,
        }

    def laid_out(self, target, ctx, warnings):
        pack_id = target.params["pack"]
        source = ctx.library.item(PACKS.folder, pack_id).path
        size = self.size_of(ctx.config, pack_id)
        contract = TemplateContract(ROLLUP_TEMPLATE, page_mm=size, why="易拉宝按实际尺寸印刷")
        return render_pages(ctx, ROLLUP_TEMPLATE, self.context(ctx, pack_id), f"易拉宝 {pack_id}", source,
                            warnings=warnings, contract=contract,
                            shorten=f"资料包里的海报（易拉宝上每个诈骗类型一条要点），或在 outreach.toml 的 [large] 换用更大的易拉宝（现为 {size_label(size)}）")

    def check_page(self, target, pdf_bytes, ctx) -> None:
        check_pages(pdf_bytes, f"易拉宝 {target.params['pack']}", ROLLUP_TEMPLATE, ctx)

    def render(self, target: Target, ctx: RenderContext) -> RenderResult:
        from outreach.rendering.pdf import write_pdf

        result = RenderResult()
        document = self.laid_out(target, ctx, result.warnings)
        output = target.outputs[0]
        size = self.size_of(ctx.config, target.params["pack"])
        result.outputs[output] = _master(ctx, output, write_pdf(document), size, "rollup-pdf", ROLLUP_TEMPLATE,
                                         f"易拉宝 {target.params['pack']}", result)
        return result


class BoardRenderer(Renderer):
    name = "boards"
    label = "展板"
    version = "1"
    config_section = "large"
    config_model = LargeSection
    config_sections = ("project", "theme", "review", "large")
    printable = True
    roles = (("boards/*.pdf", "board-pdf"),)
    role_views = {"board-pdf": RoleView("展板（PDF）", "pdf", order=7)}
    templates_described = {
        PACK_BOARD_TEMPLATE: "资料包总览展板（每个资料包一块：各诈骗类型的识别要点）",
        SCENARIO_BOARD_TEMPLATE: "诈骗类型展板（[large] scenario_boards = true 时每个诈骗类型一块）",
        "large/large.css": "易拉宝和展板共用的样式",
        "large/board.css": "展板的页面和分区（按尺寸）",
        "large/board-frame.html": "展板的标题栏和电话栏",
    }
    template_contracts = (
        TemplateContract(PACK_BOARD_TEMPLATE, anchors=("board-body",), why="展板按 [large] board_sizes 的实际尺寸排版"),
        TemplateContract(SCENARIO_BOARD_TEMPLATE, anchors=("board-body",), why="展板按 [large] board_sizes 的实际尺寸排版"),
    )

    def sizes(self, config) -> list[tuple[float, float]]:
        settings = _settings(config)
        return [board_size(name, settings.board_orientation) for name in dict.fromkeys(settings.board_sizes)]

    def plan(self, library, options):
        sizes = self.sizes(library.config)
        targets = []
        for pack_id in sorted(library.kind(PACKS.folder)):
            targets.append(Target(
                id=f"boards/packs/{pack_id}", renderer=self.name,
                outputs=tuple(f"boards/packs/{pack_id}-{size_slug(s)}.pdf" for s in sizes),
                sources=_pack_sources(library, pack_id), templates=(PACK_BOARD_TEMPLATE,),
                params={"pack": pack_id}, label=f"展板 {pack_id}"))
        if _settings(library.config).scenario_boards:
            for scenario_id, item in sorted(library.kind(SCENARIOS.folder).items()):
                targets.append(Target(
                    id=f"boards/scenarios/{scenario_id}", renderer=self.name,
                    outputs=tuple(f"boards/scenarios/{scenario_id}-{size_slug(s)}.pdf" for s in sizes),
                    sources=(item.path,), templates=(SCENARIO_BOARD_TEMPLATE,),
                    params={"scenario": scenario_id}, label=f"展板 {scenario_id}"))
        return targets

    def pack_attachments(self, pack_id, library, print_ready):
        title = short_title(library.item(PACKS.folder, pack_id).model.title)
        parts = []
        for size in self.sizes(library.config):
            parts.append(PackPart(f"boards/packs/{pack_id}-{size_slug(size)}.pdf", f"展板：{title}（{size_label(size)}）",
                                  duplex=False, copies="每个活动点 1 块", target=f"boards/packs/{pack_id}",
                                  stock="PP 背胶（裱 5 毫米 KT 板）", finishing="裱板、覆亚膜；按裁切标记裁去出血，挂放或上展架",
                                  per="event", each=1))
        if _settings(library.config).scenario_boards:
            for scenario_id in pack_scenarios(library, pack_id):
                scenario = library.item(SCENARIOS.folder, scenario_id).model
                for size in self.sizes(library.config):
                    parts.append(PackPart(
                        f"boards/scenarios/{scenario_id}-{size_slug(size)}.pdf", f"展板：{scenario.title}（{size_label(size)}）",
                        duplex=False, copies="每个活动点 1 块", target=f"boards/scenarios/{scenario_id}",
                        stock="PP 背胶（裱 5 毫米 KT 板）", finishing="裱板、覆亚膜；按裁切标记裁去出血，挂放或上展架",
                        per="event", each=1))
        return parts

    def _template(self, target: Target) -> str:
        return SCENARIO_BOARD_TEMPLATE if "scenario" in target.params else PACK_BOARD_TEMPLATE

    def context(self, ctx: RenderContext, target: Target, size: tuple[float, float]) -> dict:
        width = size[0] - 2 * 50.0
        if "scenario" in target.params:
            scenario_id = target.params["scenario"]
            model = ctx.library.item(SCENARIOS.folder, scenario_id).model
            source = ctx.library.item(SCENARIOS.folder, scenario_id).path
            title = model.title
            extra: dict = {"scenario": model, "scenario_id": scenario_id}
        else:
            pack_id = target.params["pack"]
            model = ctx.library.item(PACKS.folder, pack_id).model
            source = ctx.library.item(PACKS.folder, pack_id).path
            title = short_title(model.title)
            extra = {"pack": model, "pack_id": pack_id,
                     "points": _scenario_points(ctx, pack_scenarios(ctx.library, pack_id))}
        try:
            fitted = fit_title(ctx.localize(title), width, BOARD_TITLE)
        except TitleTooLong as problem:
            raise _title_error(ctx, problem, "展板", source) from None
        return base_context(ctx) | extra | {
            "title": title, "title_pt": fitted.size_pt, "line": top_line(ctx, model), "size_mm": size,
            "landscape": size[0] > size[1], "board_top_mm": max(round(size[1] * 0.2), 160), "board_band_mm": max(round(size[1] * 0.17), 150),
            "bleed_mm": _settings(ctx.config).bleed_mm, "min_pt": BOARD_MIN_PT,
            "pt_to_mm": PT_TO_MM,
        }

    def _source(self, ctx: RenderContext, target: Target) -> str:
        if "scenario" in target.params:
            return ctx.library.item(SCENARIOS.folder, target.params["scenario"]).path
        return ctx.library.item(PACKS.folder, target.params["pack"]).path

    def laid_out(self, target, ctx, warnings, size=None):
        size = size or self.sizes(ctx.config)[0]
        template = self._template(target)
        ref = target.params.get("scenario") or target.params["pack"]
        contract = TemplateContract(template, page_mm=size, why="展板按实际尺寸印刷")
        shorten = ("这个诈骗类型的识别要点、防范要点或案例" if "scenario" in target.params
                   else "资料包里的海报（展板上每个诈骗类型一条要点）")
        return render_pages(ctx, template, self.context(ctx, target, size), f"展板 {ref}（{size_label(size)}）",
                            self._source(ctx, target), warnings=warnings, contract=contract,
                            shorten=f"{shorten}，或在 outreach.toml 的 [large] 换用更大的展板")

    def render(self, target: Target, ctx: RenderContext) -> RenderResult:
        from outreach.rendering.pdf import write_pdf

        result = RenderResult()
        template = self._template(target)
        for output, size in zip(target.outputs, self.sizes(ctx.config), strict=True):
            document = self.laid_out(target, ctx, result.warnings, size)
            what = f"展板 {target.params.get('scenario') or target.params['pack']}（{size_label(size)}）"
            result.outputs[output] = _master(ctx, output, write_pdf(document), size, "board-pdf", template, what, result)
        return result
