"""警民联系贴: per station, a rounded sticker (100×70 mm by default) with the community officer,
the station's numbers, the project's hotlines and a QR code, for doors and lifts; imposed N-up on
a sheet with the die line as the `CutContour` spot colour (rendering/cutcontour.py) that sticker
shops' print-and-cut RIPs follow. The station's zip takes the sheet along (station_attachments)."""

from __future__ import annotations

import dataclasses
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from outreach.buildspec.target import Target
from outreach.outputs.base import (
    BatchRenderer,
    PackPart,
    RenderContext,
    RenderError,
    RenderResult,
    RoleView,
    failures_of,
)
from outreach.outputs.html import base_context, check_imposed_pages, render_pages, template_text
from outreach.outputs.printing import BLEED_MM, Finish, finished_pdf, print_master
from outreach.project.stations import Station
from outreach.rendering.contract import TemplateContract
from outreach.rendering.sheets import PRINT_GUTTER_MM, Box, sheet_boxes

TEMPLATE = "stickers/sticker.html"
ROLE = "sticker-sheet"
# Sheets a sticker shop prints on: SRA3 is the digital press's common sheet;
# A3 and A4 for shops and office printers with self-adhesive paper of that size.
SHEETS_MM = {"SRA3": (320.0, 450.0), "A3": (297.0, 420.0), "A4": (210.0, 297.0)}
# From each sticker's cut to the sheet's edge: the crop marks (bleed + 5 mm) and the gripper/the
# cutter's own registration marks (OPOS, Roland crop marks), which the shop's RIP adds there.
SHEET_MARGIN_MM = 10.0
DEFAULT_SIZE = (100.0, 70.0)


class StickersSection(BaseModel):
    """[stickers] in outreach.toml: the contact sticker's size and shape, and the sheet it is imposed on."""

    model_config = ConfigDict(extra="forbid")

    size: tuple[float, float] = Field(DEFAULT_SIZE, description="贴纸的成品尺寸（宽, 高，毫米），如 [100, 70]")
    radius: float = Field(5.0, ge=0, le=20, description="贴纸圆角半径（毫米），0 为直角")
    sheet: Literal["SRA3", "A3", "A4"] = Field("SRA3", description="拼版用的纸张：SRA3（数码印刷机常用，320×450 毫米）、A3 或 A4")

    @model_validator(mode="after")
    def _sane(self) -> "StickersSection":
        width, height = self.size
        if not (50 <= width <= 200 and 40 <= height <= 200):
            raise ValueError("贴纸尺寸应在 50×40 到 200×200 毫米之间（低于这个尺寸民警电话就印不下了）")
        if self.radius > min(width, height) / 4:
            raise ValueError(f"圆角半径 {self.radius:g} 毫米太大，最多是短边的四分之一（{min(width, height) / 4:g} 毫米）")
        return self


def sheet_path(station_id: str) -> str:
    """Beside the station's contact-cards.pdf in its zip, under the same kind of name."""
    return f"stickers/{station_id}/contact-stickers.pdf"


def contract(size: tuple[float, float]) -> TemplateContract:
    return TemplateContract(TEMPLATE, page_mm=size, why="贴纸按这个尺寸拼版，模切线按它画")


def settings(library) -> StickersSection:
    found = getattr(library.config, "stickers", None)
    return found if isinstance(found, StickersSection) else StickersSection()


def sheet_layout(config: StickersSection) -> tuple[tuple[float, float], list[Box]]:
    """The sheet (in whichever orientation holds more stickers) and each sticker's cut box on it.
    Every sticker carries its own bleed, so two neighbours are two bleeds apart."""
    from outreach.rendering.cutcontour import fitting_grid

    width, height = SHEETS_MM[config.sheet]
    best: tuple[int, tuple[float, float], tuple[int, int]] | None = None
    for sheet in ((width, height), (height, width)):
        columns, rows = fitting_grid(sheet, config.size, PRINT_GUTTER_MM, SHEET_MARGIN_MM)
        if best is None or columns * rows > best[0]:
            best = (columns * rows, sheet, (columns, rows))
    assert best is not None
    count, sheet, (columns, rows) = best
    if not count:
        return sheet, []
    return sheet, sheet_boxes(sheet[0], sheet[1], *config.size, columns, rows, PRINT_GUTTER_MM)


class StickersRenderer(BatchRenderer):
    name = "stickers"
    label = "警民联系贴"
    version = "1"
    batch_size = 8
    config_section = "stickers"
    config_model = StickersSection
    config_sections = ("project", "theme", "stickers")
    printable = True
    per_station = True
    roles = (("stickers/*/contact-stickers.pdf", ROLE),)
    role_views = {ROLE: RoleView("警民联系贴（整版）", "pdf")}
    template_contracts = (contract(DEFAULT_SIZE),)
    templates_described = {
        TEMPLATE: "警民联系贴（每个派出所一张，默认 100×70 毫米圆角；生成时拼在 SRA3 纸上，并加 CutContour 模切线）",
        "stickers/sticker.css": "警民联系贴样式",
    }

    def plan(self, library, options):
        # per_station: the planner asks only when station outputs are on (or to tell whether the
        # sheets an earlier --stations build left still match).
        targets = []
        for station in library.stations:
            data = dataclasses.asdict(station)
            targets.append(Target(
                id=self.target_id(station.id), renderer=self.name, outputs=(sheet_path(station.id),),
                sources=(f"{library.stations_path}#{station.id}",), templates=(TEMPLATE,),
                params={"station": data}, label=f"警民联系贴 {station.id}"))
        return targets

    def station_attachments(self, station_id, library, print_ready):
        if not any(station.id == station_id for station in library.stations):
            return []
        # Called while the station's own target renders: nothing here may read [stickers] (the
        # station does not declare it); sizes and counts are on the sheet itself, and its
        # finished size in 印刷清单 is read from the file.
        return [PackPart(
            sheet_path(station_id), "警民联系贴", duplex=False, copies="每场活动 1 张（一张纸排满本派出所的贴纸）",
            cut="贴在门上或电梯里。用不干胶纸单面打印，沿紫红色细线剪下圆角贴纸（细线不是图案）",
            target=self.target_id(station_id),
            stock="PP 背胶或乙烯基不干胶（带离型纸；电梯里的可加覆亮膜）",
            finishing="单面印刷；按 CutContour 专色线模切（半切：只切透贴纸，不切底纸），CutContour 线不印刷；"
                      "贴纸四边各带 3 毫米出血，纸边的裁切标记只用于对位",
            per="event", each=1.0)]

    def check(self, ctx):
        """What fails every sticker, found without a layout for `outreach check`: a size the sheet
        cannot hold, hotlines the sticker's band cannot hold (the template's fit_hotlines)."""
        if not ctx.library.stations:
            return []
        config = settings(ctx.library)
        if not sheet_layout(config)[1]:
            return [self._no_room(ctx, config)]
        station = ctx.library.stations[0]   # the hotline band is the same on every station's sticker
        return failures_of(template_text, ctx, TEMPLATE, self._context(ctx, station, config),
                           f"派出所 {station.id} 的警民联系贴")

    @staticmethod
    def _no_room(ctx: RenderContext, config: StickersSection) -> RenderError:
        from outreach.outputs.html import _config_line

        sheet_w, sheet_h = SHEETS_MM[config.sheet]
        return RenderError(
            f"outreach.toml 的 [stickers] size = [{config.size[0]:g}, {config.size[1]:g}] 的贴纸在 {config.sheet} 纸"
            f"（{sheet_w:g}×{sheet_h:g} 毫米，四边各留 {SHEET_MARGIN_MM:g} 毫米给裁切标记）上一个也排不下。"
            "请改小 size，或把 sheet 换成更大的纸。", "outreach.toml", _config_line(ctx, ("stickers", "size")))

    def render_batch(self, targets, ctx):
        from outreach.rendering.pdf import write_many

        config = settings(ctx.library)
        sheet, boxes = sheet_layout(config)
        results: dict[str, RenderResult | RenderError] = {}
        laid_out = []
        for target in targets:
            station = Station(**target.params["station"])
            if not boxes:
                results[target.id] = self._no_room(ctx, config)
                continue
            try:
                laid_out.append((target, station, self._sticker(ctx, station, config)))
            except RenderError as problem:
                results[target.id] = problem
        pdfs = write_many([document for _, _, document in laid_out]) if laid_out else []
        for (target, station, _), piece in zip(laid_out, pdfs, strict=True):
            try:
                results[target.id] = self._sheet(ctx, target, station, piece, config, sheet, boxes)
            except RenderError as problem:
                results[target.id] = problem
        return [results[t.id] for t in targets]

    def _sticker(self, ctx: RenderContext, station: Station, config: StickersSection):
        """One sticker laid out at its real size (with its bleed in a print build)."""
        source = ctx.library.stations_path or "content/stations.csv"
        try:
            return render_pages(ctx, TEMPLATE, self._context(ctx, station, config), f"派出所 {station.id} 的警民联系贴", source,
                                shorten="派出所名称、民警信息或地址", contract=contract(config.size))
        except RenderError as problem:
            if problem.file == source:
                problem.line = station.row   # the station's own row of the sheet
            raise

    @staticmethod
    def _context(ctx: RenderContext, station: Station, config: StickersSection) -> dict:
        width, height = config.size
        return base_context(ctx) | {
            "station": station, "sticker": {"width": width, "height": height, "radius": config.radius},
            "sticker_qr": station.wechat_qr_url or ctx.config.theme.qr_url or ""}

    def _sheet(self, ctx: RenderContext, target: Target, station: Station, piece: bytes, config: StickersSection,
               sheet: tuple[float, float], boxes: list[Box]) -> RenderResult:
        from outreach.rendering.cutcontour import impose_die_cut

        path = sheet_path(station.id)
        result = RenderResult()
        check_imposed_pages(piece, path, TEMPLATE, ctx, result)
        bleed = BLEED_MM if ctx.print_ready else 0.0
        data = impose_die_cut(piece, boxes, sheet, config.radius, bleed_mm=bleed)
        if ctx.print_ready:
            data = print_master(ctx, path, data, Finish(sheet, cuts=(tuple(boxes),)), ROLE, f"{station.name} 警民联系贴")
        else:
            data = finished_pdf(ctx, data)
        result.outputs, result.finished = {path: data}, {path}
        return result
