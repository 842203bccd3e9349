"""横幅: cloth banners, one slogan on one line, white on red by default, for every pack.

Which banners: each of a pack's `slogans:` (at most [banners] per_pack); a pack without slogans
takes the first slogan of each scenario it has a poster of. Each slogan gets one file per size
in [banners] sizes (height × length in millimetres).

Scale: a PDF page may be at most 5.08 m (200 in) long, and a banner page is far larger than the
page inspector and the preflight render comfortably (a 5 m page at 150 dpi is 126 megapixels).
Large-format shops take banner files at a stated scale — 1:10 is the usual one — so every
banner is drawn at 1:[banners] scale, the scale in its file name (`…-700x8000-1to10.pdf`) and,
through PackPart.scale, in 打印说明 and 印刷清单, which give the finished size. The file's 3 mm
bleed is then 30 mm at full size: what shops ask for long banners (about an inch), room for the
hem without white at the edge.

Type: the slogan is set as large as the banner's height allows (its font size EM_OF_HEIGHT of
the height, which puts the ink of a line of Chinese at about 65–70 % of it), smaller only when
the slogan is too long for the length, and never below MIN_EM_OF_HEIGHT of the height (at 0.7 m,
28 cm characters: legible from over 100 m, about 4 mm of letter height per metre). A slogan too
long even then fails its target, naming the slogan and how many characters to cut.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

from outreach.buildspec.target import Target
from outreach.outputs.base import PackPart, Renderer, RenderError, RenderResult, RoleView
from outreach.outputs.html import _config_line, base_context, render_pages
from outreach.outputs.printing import Finish, finished_pdf, print_master
from outreach.project.kinds import PACKS, SCENARIOS
from outreach.rendering.contract import TemplateContract
from outreach.rendering.hotlinefit import text_width_em

TEMPLATE = "banners/banner.html"
EM_OF_HEIGHT = 0.72        # the slogan's font size, as a share of the banner's height
MIN_EM_OF_HEIGHT = 0.40    # never smaller than this
END_OF_HEIGHT = 0.35       # clear at each end (ropes, grommets, the hem), as a share of the height
MAX_PAGE_MM = 5080.0       # the longest side a PDF page may have (14400 pt, 200 in)
SIZE_PATTERN = r"^[1-9][0-9]{2,3}x[1-9][0-9]{3,4}$"


class BannersSection(BaseModel):
    """outreach.toml [banners]: only this kind reads it."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="横幅")

    sizes: list[str] = Field(["700x5000", "700x8000"], min_length=1, max_length=6,
                             description="横幅的成品尺寸，“高x长”，单位毫米，例如 700x5000 是 0.7×5 米；每个尺寸各出一个文件")
    scale: int = Field(10, ge=1, le=50, description="文件按 1:scale 缩小绘制（默认 1:10，喷绘店常用；文件名和打印说明都写明比例）")
    per_pack: int = Field(3, ge=0, le=10, description="每个资料包最多做几条横幅（按 slogans 的顺序取）")
    background: str | None = Field(None, pattern=r"^#[0-9a-fA-F]{6}$",
                                    description="底色，不填用主题主色（[theme] primary_color，默认红色）")
    text_color: str | None = Field(None, pattern=r"^#[0-9a-fA-F]{6}$",
                                   description="文字颜色，不填用反白色（[theme] inverse_color，默认白色）")

    def parsed_sizes(self) -> list[tuple[int, int]]:
        """(height, length) in mm, in the order given, without repeats."""
        found = []
        for size in self.sizes:
            if not re.match(SIZE_PATTERN, size):
                continue   # validated below; never reached for a loaded config
            height, length = (int(v) for v in size.split("x"))
            if (height, length) not in found:
                found.append((height, length))
        return found

    @field_validator("sizes")
    @classmethod
    def _sizes(cls, sizes: list[str]) -> list[str]:
        for size in sizes:
            if not re.match(SIZE_PATTERN, size):
                raise ValueError(f"横幅尺寸“{size}”应写成“高x长”（毫米），例如 700x5000")
            height, length = (int(v) for v in size.split("x"))
            if length < 2 * height:
                raise ValueError(f"横幅尺寸“{size}”的长度应至少是高度的两倍（“高x长”，例如 700x5000）")
        return sizes


@dataclass(frozen=True)
class BannerLayout:
    height_mm: float      # the finished banner
    length_mm: float
    scale: int
    em_mm: float          # the slogan's font size on the page (1:scale)

    @property
    def page_w_mm(self) -> float:
        return round(self.length_mm / self.scale, 3)

    @property
    def page_h_mm(self) -> float:
        return round(self.height_mm / self.scale, 3)

    @property
    def finished_em_mm(self) -> float:
        return self.em_mm * self.scale


class SloganTooLong(Exception):
    def __init__(self, cut: int, most: int, min_em_mm: float) -> None:
        super().__init__(cut)
        self.cut, self.most, self.min_em_mm = cut, most, min_em_mm


def banner_layout(slogan: str, height_mm: float, length_mm: float, scale: int) -> BannerLayout:
    """The slogan's size on a banner of this size (SloganTooLong when it does not fit at the minimum)."""
    room = length_mm - 2 * END_OF_HEIGHT * height_mm
    width_em = max(text_width_em(slogan), 1.0)
    em = min(EM_OF_HEIGHT * height_mm, room / width_em)
    smallest = MIN_EM_OF_HEIGHT * height_mm
    if em < smallest - 1e-6:
        most = int(room / smallest)
        raise SloganTooLong(max(math.ceil(width_em - room / smallest), 1), most, smallest)
    return BannerLayout(height_mm, length_mm, scale, round(em / scale, 3))


def banner_name(pack_id: str, number: int, height: int, length: int, scale: int) -> str:
    """The file's build-relative path: the finished size and, when drawn smaller, the scale."""
    return f"banners/{pack_id}-{number}-{height}x{length}" + (f"-1to{scale}" if scale > 1 else "") + ".pdf"


@dataclass(frozen=True)
class Slogan:
    text: str
    file: str            # the content file it comes from
    where: tuple         # its path in that file
    kind: str            # PACKS.folder or SCENARIOS.folder
    item_id: str


def pack_slogans(library, pack_id: str) -> list[Slogan]:
    """The slogans a pack's banners carry (see the module docstring), at most [banners] per_pack."""
    pack = library.item(PACKS.folder, pack_id)
    found = [Slogan(text, pack.path, ("slogans", index), PACKS.folder, pack_id)
             for index, text in enumerate(pack.model.slogans)]
    if not found:
        seen: set[str] = set()
        for entry in pack.model.items:
            if entry.key != "poster":
                continue
            scenario = library.kind(SCENARIOS.folder).get(entry.ref)
            if scenario is None or not scenario.model.slogans or scenario.model.slogans[0] in seen:
                continue
            seen.add(scenario.model.slogans[0])
            found.append(Slogan(scenario.model.slogans[0], scenario.path, ("slogans", 0), SCENARIOS.folder, entry.ref))
    return found[:library.config.banners.per_pack]


def _slogan_sources(library, pack_id: str) -> list[str]:
    """The files pack_slogans reads: the pack, and when it has no slogans of its own, the
    scenarios it has posters of (each is looked at for a slogan)."""
    pack = library.item(PACKS.folder, pack_id)
    if pack.model.slogans:
        return [pack.path]
    return [pack.path, *(library.kind(SCENARIOS.folder)[entry.ref].path for entry in pack.model.items
                         if entry.key == "poster" and entry.ref in library.kind(SCENARIOS.folder))]


class BannersRenderer(Renderer):
    name = "banners"
    label = "横幅"
    version = "1"
    config_section = "banners"
    config_model = BannersSection
    config_sections = ("project", "theme", "lint")
    printable = True
    roles = (("banners/*.pdf", "banner-pdf"),)
    role_views = {"banner-pdf": RoleView("横幅（PDF）", "pdf", order=30)}
    templates_described = {
        TEMPLATE: "横幅：一条标语一行，按比例缩小绘制（默认 1:10），字号由 outputs/banners.py 按横幅高度算好",
    }
    # The page size depends on the banner's size and scale: each render checks it against a
    # contract made for that size (see render), so none is declared for `templates check`.

    def _sized(self, library) -> list[tuple[int, int]]:
        return library.config.banners.parsed_sizes()

    def plan(self, library, options):
        settings = library.config.banners
        targets = []
        for pack_id in sorted(library.kind(PACKS.folder)):
            sources = tuple(dict.fromkeys(_slogan_sources(library, pack_id)))
            for number in range(1, len(pack_slogans(library, pack_id)) + 1):
                outputs = tuple(banner_name(pack_id, number, h, length, settings.scale) for h, length in self._sized(library))
                targets.append(Target(
                    id=f"banners/{pack_id}-{number}", renderer=self.name, outputs=outputs, sources=sources,
                    templates=(TEMPLATE,), params={"pack": pack_id, "number": number},
                    label=f"横幅 {pack_id} 第 {number} 条"))
        return targets

    def check(self, ctx):
        """Slogans too long for a banner size, and sizes too long for a page: no layout needed."""
        problems = []
        for pack_id in sorted(ctx.library.kind(PACKS.folder)):
            for slogan in pack_slogans(ctx.library, pack_id):
                for height, length in self._sized(ctx.library):
                    try:
                        self._layout(ctx, slogan, height, length)
                    except RenderError as problem:
                        problems.append(problem)
        return problems

    def _layout(self, ctx, slogan: Slogan, height: int, length: int) -> BannerLayout:
        scale = ctx.config.banners.scale
        if length / scale + 2 * 20 > MAX_PAGE_MM:   # the page, its bleed, marks and slug
            needed = math.ceil(length / (MAX_PAGE_MM - 40))
            raise RenderError(f"横幅 {height}×{length} 毫米按 1:{scale} 绘制时文件长 {length / scale / 1000:.2f} 米，"
                              f"超过 PDF 页面的上限 5.08 米。请把 outreach.toml 的 [banners] scale 改为 {needed} 或更大。",
                              "outreach.toml", _config_line(ctx, ("banners", "scale")), code="banner-scale")
        text = ctx.localize(slogan.text)
        try:
            return banner_layout(text, height, length, scale)
        except SloganTooLong as problem:
            line, column = ctx.library.item(slogan.kind, slogan.item_id).source.locate(slogan.where)
            raise RenderError(
                f"标语“{slogan.text}”放不进 {height / 1000:g}×{length / 1000:g} 米的横幅：字高不能小于"
                f"横幅高度的 {MIN_EM_OF_HEIGHT:.0%}（{problem.min_em_mm / 10:.0f} 厘米），这样一行最多约 {problem.most} 个字。"
                f"请删去约 {problem.cut} 个字，或在 [banners] sizes 里改用更长的横幅。",
                slogan.file, line, code="banner-slogan-too-long", column=column) from None

    def render(self, target: Target, ctx) -> RenderResult:
        from outreach.rendering.pdf import write_pdf

        pack_id, number = target.params["pack"], target.params["number"]
        slogan = pack_slogans(ctx.library, pack_id)[number - 1]
        settings = ctx.config.banners
        pack = ctx.library.item(PACKS.folder, pack_id).model
        result = RenderResult()
        for height, length in self._sized(ctx.library):
            layout = self._layout(ctx, slogan, height, length)
            output = banner_name(pack_id, number, height, length, settings.scale)
            context = base_context(ctx) | {
                "slogan": slogan.text, "banner": layout, "scale": settings.scale, "pack": pack, "pack_id": pack_id,
                "background": settings.background or ctx.config.theme.primary_color,
                "text_color": settings.text_color or ctx.config.theme.inverse_color,
            }
            contract = TemplateContract(TEMPLATE, (layout.page_w_mm, layout.page_h_mm), why=f"横幅按 1:{settings.scale} 绘制")
            document = render_pages(ctx, TEMPLATE, context, f"横幅 {output}", slogan.file, warnings=result.warnings,
                                    shorten="标语", contract=contract)
            data = write_pdf(document)
            if ctx.print_ready:
                finish = Finish((layout.page_w_mm, layout.page_h_mm))
                data = print_master(ctx, output, data, finish, "banner-pdf", title=f"横幅：{slogan.text}")
            else:
                data = finished_pdf(ctx, data)
            result.outputs[output] = data
            result.finished.add(output)
        return result

    def pack_attachments(self, pack_id, library, print_ready):
        settings = library.config.banners
        parts = []
        for number, slogan in enumerate(pack_slogans(library, pack_id), start=1):
            for height, length in self._sized(library):
                scaled = f"，文件按 1:{settings.scale} 绘制" if settings.scale > 1 else ""
                parts.append(PackPart(
                    banner_name(pack_id, number, height, length, settings.scale),
                    f"横幅“{slogan.text}”（{height / 1000:g}×{length / 1000:g} 米{scaled}）", duplex=False,
                    copies="按需要选一个尺寸印 1 条", target=f"banners/{pack_id}-{number}", in_pack=False,
                    stock="横幅布（或写真布）", finishing="四周锁边，两端穿绳或打扣眼", per="event", each=1,
                    scale=settings.scale))
        return parts
