"""outreach.toml: the project's configuration, as typed options with located errors."""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator, model_validator

from outreach.project.diagnostics import Diagnostic, error, shown, warning
from outreach.project.projectroot import CONFIG_NAME, find_project_root  # noqa: F401  (re-exported)
from outreach.project.regions import REGIONS, RegionId, default_app_line
from outreach.project.validation import validation_diagnostics


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Hotline(Section):
    number: str = Field(max_length=30, description="号码：短号（110、96110）、手机号、带区号的固话（0571-87654321）、400/800 号码或 8 位本地号码（港澳）")
    label: str = Field(min_length=1, max_length=20, description="名称，例如“全国反诈预警劝阻专线”")
    emergency_only: bool = Field(False, description="只在紧急情况拨打（如港澳的 999）：提醒语写成“紧急情况请拨打”，"
                                                    "不叫读者为可疑情况打这个号码")
    outside_region: bool = Field(False, description="明确要在港澳台版本里印这个其他地区的号码（例如给内地旅客的 110）；"
                                                    "不写时，其他地区的号码会被拒绝")

    @field_validator("number")
    @classmethod
    def _known_format(cls, value: str) -> str:
        from outreach.project.phones import FORMATS, canonical

        number = canonical(value)
        if number is None:
            raise ValueError(f"“{shown(value)}”不是有效的电话号码，应为{FORMATS}")
        return number

    @property
    def display(self) -> str:
        """Grouped for reading: 0571-8765 4321, 139 0000 0001."""
        from outreach.project.phones import grouped

        return grouped(self.number)

    @property
    def dial(self) -> str:
        """Digits only, for tel: links and comparisons."""
        from outreach.project.phones import digits

        return digits(self.number)


DEFAULT_HOTLINES = (
    Hotline(number="110", label="报警电话"),
    Hotline(number="96110", label="全国反诈预警劝阻专线"),
)

DEFAULT_AUDIENCES = {
    "elderly": "老年人",
    "student": "学生",
    "merchant": "商户",
    "rural": "农村群众",
    "parent": "家长",
    "worker": "务工人员",
    "public": "社会公众",
}


class ProjectSection(Section):
    name: str = Field(min_length=1, max_length=60, description="项目名称")
    organisation: str = Field(min_length=1, max_length=60, description="单位名称，印在海报和资料上")
    sms_signature: str = Field(pattern=r"^【[^【】]{1,20}】$", description="短信签名，例如【XX派出所】")
    hotlines: tuple[Hotline, ...] = Field(DEFAULT_HOTLINES, min_length=1, max_length=4, description="对外公布的电话（1–4 个）")
    app: str = Field("国家反诈中心", max_length=30, description="推荐安装的官方App")
    audiences: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_AUDIENCES), description="受众词表：编号 = 中文名称")
    app_line: str | None = Field(None, min_length=4, max_length=40,
                                 description="海报、卡片和文字消息里推荐 App 的一句话；不填则为“下载“{app}”App，开启来电预警”")
    region: RegionId = Field("mainland", description="读者所在地区：mainland 内地（默认）、hk 香港、mo 澳门、tw 台湾；"
                                                      "决定默认的电话、App 提示、繁体转换方式和引号")
    locale: Literal["zh-Hans", "zh-Hant"] = Field("zh-Hans", description="输出文字：简体 zh-Hans 或繁体 zh-Hant（地区为港澳台时默认繁体）")
    opencc: Literal["s2t", "s2tw", "s2twp", "s2hk"] = Field(
        "s2t", description="繁体转换方式：s2t 逐字转换、s2tw 台湾字形、s2twp 台湾字形和用语、s2hk 香港字形；"
                           "法律名称、罪名、机构和 App 名称只转字形，不换用语")

    @model_validator(mode="before")
    @classmethod
    def _region_defaults(cls, data):
        """A region profile fills in what the user did not set: script, conversion, hotlines."""
        if not isinstance(data, dict) or data.get("region") not in REGIONS:
            return data
        region = REGIONS[data["region"]]
        filled = dict(data)
        filled.setdefault("locale", region.locale)
        filled.setdefault("opencc", region.opencc)
        if region.hotlines:
            filled.setdefault("hotlines", [{"number": n, "label": label, "emergency_only": n in region.emergency_numbers}
                                           for n, label in region.hotlines])
        if region.app_line:
            filled.setdefault("app_line", region.app_line)
        return filled

    @property
    def call_advice(self) -> str:
        """Whom to ring, as a sentence without its full stop: suspicions go to the advice lines,
        an emergency number only for emergencies (Hong Kong police send suspicions to 18222)."""
        ask = [h.display for h in self.hotlines if not h.emergency_only]
        urgent = [h.display for h in self.hotlines if h.emergency_only]
        parts = [f"遇到可疑情况请拨打{'或'.join(ask)}"] if ask else []
        if urgent:
            parts.append(f"紧急情况请拨打{'或'.join(urgent)}")
        return "，".join(parts)

    @property
    def call_lead(self) -> str:
        """The words over a row of hotlines: an emergency-only number is not for suspicions."""
        if any(h.emergency_only for h in self.hotlines):
            return "有疑问或遇紧急情况，请拨打"
        return "遇到可疑情况，请拨打"

    @property
    def app_prompt(self) -> str:
        """The sentence recommending the official app, as printed."""
        # Templates add their own full stop.
        return (self.app_line or default_app_line(self.app)).rstrip("。.！!")

    @field_validator("audiences")
    @classmethod
    def _audience_ids(cls, value: dict[str, str]) -> dict[str, str]:
        for key, label in value.items():
            if not re.fullmatch(r"[a-z][a-z0-9-]{0,39}", key):
                raise ValueError(f"受众编号“{shown(key)}”只能用小写字母、数字和连字符（最多 40 个字符）")
            if not isinstance(label, str) or not 1 <= len(label) <= 20:
                raise ValueError(f"受众“{shown(key)}”的中文名称应为 1–20 个字")
        if not value:
            raise ValueError("受众词表不能为空")
        return value


class LintSection(Section):
    fictional_numbers: tuple[str, ...] = Field((), description="明确标注为虚构示例的号码，个人信息检查不报错")
    allowed_numbers: tuple[str, ...] = Field((), description="除 hotlines 外允许出现在文字里的服务号码，例如 119、120")
    real_numbers: tuple[str, ...] = Field((), max_length=20000,
                                          description="站点表里确实要对外公布的手机号（如社区民警的工作手机）；其余手机号格式的号码会被提醒")
    cjk_latin_space: Literal["none", "require", "ignore"] = Field(
        "none", description="中文与数字、英文之间的空格：none 不加、require 必须加、ignore 不检查")


class HantSection(Section):
    phrases: dict[str, str] = Field(default_factory=dict, max_length=2000,
                                    description="繁体转换的本项目词表：简体词 = 繁体写法，优先于 OpenCC，例如 \"周转\" = \"周轉\"")
    protected_terms: tuple[str, ...] = Field((), max_length=2000,
                                             description="专有名称（简体写法）：只转字形、不换地区用语，例如单位、App 和活动名称")
    quotes: Literal["auto", "corner", "curly"] = Field(
        "auto", description="引号：auto 按地区（港澳台用「」『』，内地用“”‘’）、corner 一律「」、curly 一律“”")

    @field_validator("phrases")
    @classmethod
    def _phrases(cls, value: dict[str, str]) -> dict[str, str]:
        for simplified, traditional in value.items():
            if not simplified.strip() or not isinstance(traditional, str) or not traditional.strip():
                raise ValueError(f"词表里的“{shown(simplified, 20)}”和它的繁体写法都不能为空")
            if len(simplified) > 40 or len(traditional) > 40:
                raise ValueError(f"词表里的“{shown(simplified, 20)}”太长（每项最多 40 个字）")
        return value

    @field_validator("protected_terms")
    @classmethod
    def _terms(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for term in value:
            if not 2 <= len(term.strip()) <= 60:
                raise ValueError(f"专有名称“{shown(term, 20)}”应为 2–60 个字")
        return value


class TypographySection(Section):
    keep_together: tuple[str, ...] = Field(
        (), max_length=500,
        description="不能拆在两行的词（2–16 个字），如本单位的简称、活动名称、App 名称；内置的罪名、法律简称、机关名称、"
                    "电话号码和 8 个字以内的引语不用再写")

    @field_validator("keep_together")
    @classmethod
    def _terms(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for term in value:
            text = term.strip()
            if not 2 <= len(text) <= 16:
                raise ValueError(f"“{shown(term, 20)}”应为 2–16 个字：更长的词排不进窄栏，只能在中间换行")
            if re.search(r"[<>&\n\t]", text):
                raise ValueError(f"“{shown(term, 20)}”不能含 < > & 或换行，只写词本身")
        return value


def _checked_url(value: str | None, noun: str) -> str | None:
    from outreach.project.urls import url_problem

    why_not = url_problem(value) if value else None
    if why_not:
        raise ValueError(f"{noun}“{shown(value)}”不能用：{why_not}")
    return value


class ThemeSection(Section):
    primary_color: str = Field("#c8102e", pattern=r"^#[0-9a-fA-F]{6}$", description="主色（标题栏）")
    accent_color: str = Field("#ffd400", pattern=r"^#[0-9a-fA-F]{6}$", description="强调色（电话号码）")
    ink_color: str = Field("#1a1a1a", pattern=r"^#[0-9a-fA-F]{6}$", description="正文颜色")
    paper_color: str = Field("#ffffff", pattern=r"^#[0-9a-fA-F]{6}$", description="纸张底色")
    inverse_color: str = Field("#ffffff", pattern=r"^#[0-9a-fA-F]{6}$", description="反白文字（主色标题栏和深色底上的文字）")
    inverse_muted_color: str = Field("#d1d5db", pattern=r"^#[0-9a-fA-F]{6}$", description="深色底上的次要文字")
    dark_color: str = Field("#111827", pattern=r"^#[0-9a-fA-F]{6}$", description="深色底（海报页脚、热线框、联系卡背面）")
    muted_color: str = Field("#374151", pattern=r"^#[0-9a-fA-F]{6}$", description="次要文字（说明、注释、舞台提示）")
    faint_color: str = Field("#6b7280", pattern=r"^#[0-9a-fA-F]{6}$", description="最淡的文字（页眉、页码、提示）")
    rule_color: str = Field("#9ca3af", pattern=r"^#[0-9a-fA-F]{6}$", description="线条和边框")
    surface_color: str = Field("#f3f4f6", pattern=r"^#[0-9a-fA-F]{6}$", description="浅色底（案例框、条文框、表头）")
    good_color: str = Field("#0b6b3a", pattern=r"^#[0-9a-fA-F]{6}$", description="正确答案和防范要点")
    good_surface_color: str = Field("#e3f5ea", pattern=r"^#[0-9a-fA-F]{6}$", description="答对时的浅色底")
    bad_color: str = Field("#b00020", pattern=r"^#[0-9a-fA-F]{6}$", description="答错时的颜色")
    bad_surface_color: str = Field("#fdeaea", pattern=r"^#[0-9a-fA-F]{6}$", description="答错时的浅色底")
    highlight_color: str = Field("#fef3c7", pattern=r"^#[0-9a-fA-F]{6}$", description="高亮底（答案卡背面、台词本里自己的台词）")
    highlight_edge_color: str = Field("#d97706", pattern=r"^#[0-9a-fA-F]{6}$", description="高亮边线")
    focus_color: str = Field("#1d4ed8", pattern=r"^#[0-9a-fA-F]{6}$", description="H5 问答页：选中和键盘焦点")
    focus_surface_color: str = Field("#e8efff", pattern=r"^#[0-9a-fA-F]{6}$", description="H5 问答页：选中的选项底色")
    logo: str | None = Field(None, max_length=300, description="标志图片路径（项目内，相对 outreach.toml；PNG、JPG 或 SVG 图片）")
    qr_url: str | None = Field(None, max_length=500, description="海报二维码指向的网址（http:// 或 https:// 开头）；不填则不印二维码")
    qr_caption: str = Field("扫码了解更多防骗知识", max_length=20, description="二维码下方的说明（最多 20 字，海报上排两行）")
    font_family: str = Field('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif',
                             pattern=r'^[^<>{};\\]+$', max_length=300, description="正文字体（CSS font-family，不能含 < > { } ; \\）")

    @field_validator("qr_url")
    @classmethod
    def _printable_link(cls, value: str | None) -> str | None:
        return _checked_url(value, "二维码网址")

    def css_variables(self) -> dict[str, str]:
        """Every colour of the theme as a CSS custom property: primary_color → --primary.

        The default theme's stylesheets use these variables and no colour literals, so each
        colour a page shows can be changed in outreach.toml."""
        return {f"--{name.removesuffix('_color').replace('_', '-')}": value
                for name, value in self if name.endswith("_color")}


class PosterSection(Section):
    sizes: tuple[Literal["A4", "A3"], ...] = Field(("A4",), min_length=1, description="海报尺寸：A4、A3")
    png_width: int = Field(1080, ge=320, le=4000, description="PNG 宽度（像素），用于微信朋友圈")
    png_colors: int = Field(256, ge=0, le=256, description="PNG 调色板颜色数（256 清晰且文件小；0 为全彩，适合含照片的模板）")


A4_MM = (210.0, 297.0)


class QuizSection(Section):
    card_width: float = Field(90, ge=40, le=200, description="问答卡片宽度（毫米）")
    card_height: float = Field(60, ge=30, le=280, description="问答卡片高度（毫米）")
    columns: int = Field(2, ge=1, le=4, description="每张 A4 排几列")
    rows: int = Field(4, ge=1, le=8, description="每张 A4 排几行")
    gutter: float = Field(6, ge=2, le=30, description="卡片之间的间距（毫米），裁切线画在这里")
    shuffle_seed: int | None = Field(None, description="打乱题目和选项顺序的种子；不填则按原顺序")

    @model_validator(mode="after")
    def _fits_on_a4(self) -> "QuizSection":
        width = self.columns * self.card_width + (self.columns - 1) * self.gutter
        height = self.rows * self.card_height + (self.rows - 1) * self.gutter
        if width > A4_MM[0] - 10 or height > A4_MM[1] - 10:
            raise ValueError(f"{self.columns} 列 × {self.rows} 行的卡片排版需要 {width:.0f}×{height:.0f} 毫米，"
                             f"放不进 A4（210×297 毫米，四周至少留 5 毫米）")
        return self


class FeedSection(Section):
    title: str | None = Field(None, max_length=100, description="JSON Feed 标题，默认用项目名称")
    home_page_url: str | None = Field(None, description="单位主页网址（http:// 或 https:// 开头，可不填）")
    published: dt.date | None = Field(None, description="内容未写 published 时使用的发布日期")
    timezone: str = Field("+08:00", pattern=r"^[+-]\d{2}:\d{2}$", description="发布时间的时区")

    @field_validator("home_page_url")
    @classmethod
    def _web_link(cls, value: str | None) -> str | None:
        return _checked_url(value, "主页网址")


PLATFORM_RATES = {"wecom": "20/min", "dingtalk": "20/min", "feishu": "5/s", "webhook": "60/min"}


class ChannelConfig(Section):
    type: Literal["wecom", "dingtalk", "feishu", "webhook"] = Field(description="渠道类型")
    url_env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="保存 Webhook 地址的环境变量名（地址本身不要写进配置文件）")
    secret_env: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="保存加签密钥的环境变量名（钉钉、飞书）")
    format: Literal["text", "markdown"] = Field("text", description="消息格式：text 纯文字，markdown")
    rate: str | None = Field(None, pattern=r"^\d+(\.\d+)?/(s|min)$", description="发送频率上限，如 20/min、5/s；默认按平台规定")
    timeout: float = Field(10.0, gt=0, le=120, description="每次请求的超时（秒）")
    retries: int = Field(4, ge=0, le=10, description="网络错误、限流、服务器错误时的重试次数")
    retry_base: float = Field(1.0, ge=0, le=60, description="重试等待的基数（秒），按指数增加并加随机抖动")
    limit_wait: float = Field(60, ge=1, le=600, description="被平台限流时最多等待多少秒（企业微信、飞书按分钟计数）再放弃")

    def rate_limit(self) -> tuple[float, float]:
        """(messages, per seconds)."""
        count, _, unit = (self.rate or PLATFORM_RATES[self.type]).partition("/")
        return float(count), 1.0 if unit == "s" else 60.0


class ScriptsSection(Section):
    large_print: bool = Field(False, description="大字版：脚本和分角色台词的正文至少 16 磅")
    chars_per_minute: int = Field(200, ge=60, le=600, description="估算演出时长用的语速（每分钟字数）")
    card_layout: Literal["A6", "A4-2up"] = Field(
        "A6", description="劝阻话术卡：A6 口袋卡（正反两面），或 A4-2up（两面并排印在一张横向 A4 上，对折成 A5）")


class StationsSection(Section):
    enabled: bool = Field(False, description="是否为每个派出所生成个性化资料包和警民联系卡（也可用 outreach build --stations）")
    card_gutter: float = Field(3, ge=2, le=10, description="警民联系卡之间的间距（毫米）")


class PdfSection(Section):
    optimise_fonts: bool = Field(True, description="每个 PDF 里的字体只保留这个文件用到的字，同一字体在合并的 PDF 里只存一份（文件小很多）。"
                                                   "个别老旧印刷设备（RIP）处理不了时改为 false")


_THEME_COLOUR_NAMES = tuple(name.removesuffix("_color") for name in ThemeSection.model_fields if name.endswith("_color"))


class PrintSection(Section):
    """Print masters (outreach build --print-ready): the press's colour condition, exact CMYK values, the slug."""

    output_profile: str | None = Field(
        None, max_length=300,
        description="印刷厂的 CMYK 颜色配置文件（.icc，项目里的相对路径，例如 FOGRA39、Japan Color 2001 Coated）；"
                    "不填则用 make build 安装的通用铜版纸配置文件")
    slug: bool = Field(True, description="印刷文件在裁切线外印一行说明（文件名、生成日期、内容复核日期），裁掉后不出现在成品上")
    cmyk: dict[str, tuple[float, float, float, float]] = Field(
        default_factory=dict, max_length=200,
        description="颜色的 CMYK 印刷值（每项 0–100）：主题颜色名或 \"#rrggbb\" = [C, M, Y, K]，"
                    "例如 primary = [0, 100, 80, 5]；没写的颜色用内置值或按颜色配置文件换算")

    # How many to print (印刷清单's suggested quantities): each pack for this many events.
    events: int = Field(1, ge=1, le=10000, description="印刷清单的建议数量按几场活动计算（每场一套资料）")
    participants: int = Field(50, ge=1, le=100000, description="每场活动预计参加人数（答题卡、小贴士按人数印）")
    audience_participants: dict[str, int] = Field(
        default_factory=dict, max_length=50,
        description="按资料包的适用人群另设每场人数，例如 student = 120（人群名见 [project] audiences）")
    staff: int = Field(4, ge=1, le=1000, description="每场活动的工作人员人数（话术卡、劝阻话术按人数印）")
    spare: int = Field(10, ge=0, le=100, description="多印的余量（百分比），补裁切和发放的损耗")
    contact_cards: int = Field(200, ge=1, le=100000, description="每个派出所印多少张警民联系卡")

    @field_validator("audience_participants")
    @classmethod
    def _participant_counts(cls, value: dict[str, int]) -> dict:
        for key, count in value.items():
            if not 1 <= count <= 100000:
                raise ValueError(f"“{shown(key)}”的人数应在 1 到 100000 之间")
        return value

    @field_validator("cmyk")
    @classmethod
    def _cmyk_values(cls, value: dict[str, tuple[float, float, float, float]]) -> dict:
        for key, inks in value.items():
            if key not in _THEME_COLOUR_NAMES and not re.fullmatch(r"#[0-9a-fA-F]{6}", key):
                raise ValueError(f"“{shown(key)}”不是主题颜色名（{'、'.join(_THEME_COLOUR_NAMES[:6])} 等）"
                                 f"也不是 #rrggbb 形式的颜色")
            if any(not 0 <= ink <= 100 for ink in inks):
                raise ValueError(f"“{shown(key)}”的 CMYK 值每项应在 0 到 100 之间（百分比）")
        return value


class ReviewSection(Section):
    default_status: Literal["草稿", "待审核", "已审核"] = Field(
        "已审核", description="没写 status 的内容按什么状态算（默认“已审核”：以前的内容照常使用）")
    include_drafts: bool = Field(False, description="资料包和自动发送也使用未审核的内容（一般不要打开）")


class BuildSection(Section):
    output_dir: str = Field("build", max_length=200, description="输出目录（项目里的相对路径）")
    jobs: int = Field(0, ge=0, le=256, description="并行进程数；0 表示按 CPU 核数")
    target_timeout: float = Field(120, ge=1, le=3600, description="每个素材的生成时间上限（秒），超过则该素材失败")
    memory_limit_mb: int = Field(3072, ge=256, le=65536, description="每个素材生成时可多用的内存上限（MB），超过则该素材失败")


class ProjectConfig(Section):
    project: ProjectSection
    lint: LintSection = LintSection()
    theme: ThemeSection = ThemeSection()
    posters: PosterSection = PosterSection()
    quiz: QuizSection = QuizSection()
    feed: FeedSection = FeedSection()
    scripts: ScriptsSection = ScriptsSection()
    stations: StationsSection = StationsSection()
    build: BuildSection = BuildSection()
    pdf: PdfSection = PdfSection()
    hant: HantSection = HantSection()
    typography: TypographySection = TypographySection()
    review: ReviewSection = ReviewSection()
    print: PrintSection = PrintSection()
    channels: dict[str, ChannelConfig] = Field(default_factory=dict, description="自动发送渠道")

    @field_validator("channels")
    @classmethod
    def _channel_names(cls, value: dict) -> dict:
        for name in value:
            if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
                raise ValueError(f"渠道名“{shown(name)}”只能用小写字母、数字、连字符和下划线")
        return value

    @property
    def hotline_numbers(self) -> list[str]:
        return [h.dial for h in self.project.hotlines]


# The built-in sections by their Chinese names, for messages about a key inside one; an output
# kind's own section by its model's title or after the kind (plugin_sections.declared_sections).
SECTION_NAMES = {
    "project": "单位和电话", "lint": "内容检查", "theme": "颜色、标志和二维码", "posters": "海报", "quiz": "有奖问答",
    "feed": "JSON Feed", "scripts": "节目脚本", "stations": "派出所资料包", "build": "生成", "pdf": "PDF 文件",
    "hant": "繁体转换", "typography": "排版", "review": "审核", "print": "印刷文件", "channels": "自动发送渠道",
}


@functools.lru_cache(maxsize=1)
def config_model() -> type[ProjectConfig]:
    """ProjectConfig with the sections the installed output kinds bring (Renderer.config_section):
    what outreach.toml is validated against and what `outreach schema` describes."""
    from outreach.core.errors import OutreachError
    from outreach.project.plugin_sections import declared_sections, strict

    sections = declared_sections()
    if not sections:
        return ProjectConfig
    fields: dict = {}
    for section, model, label in sections:
        if section in ProjectConfig.model_fields:
            raise OutreachError(f"有一种输出类型声明的设置段 [{section}]（{label}）和内置的设置段重名。"
                                "请把这个问题反馈给插件的作者。")
        model = strict(model)
        fields[section] = (model, Field(default_factory=model, description=label))
    return create_model("ProjectConfig", __base__=ProjectConfig, __module__=__name__, **fields)


def section_name(section: str) -> str:
    """A section as messages name it: “[sms]（短信的设置）”."""
    field = config_model().model_fields.get(section)
    label = SECTION_NAMES.get(section) or (field.description if field is not None else "")
    return f"[{section}]（{label}）" if label else f"[{section}]"


def load_config(root: Path, text: str | None = None) -> tuple[ProjectConfig | None, list[Diagnostic]]:
    """Read and validate outreach.toml; `text`: check this instead of the file (the editor,
    before it saves)."""
    path = root / CONFIG_NAME
    if text is None and not path.is_file():
        return None, [error(CONFIG_NAME, 0, 0, "config-missing",
                            f"找不到 {CONFIG_NAME}。请在项目目录中运行，或用 outreach init 新建项目。")]
    raw = path.read_bytes() if text is None else text.encode("utf-8")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [error(CONFIG_NAME, 1, 1, "encoding", f"{CONFIG_NAME} 不是 UTF-8 编码，请以 UTF-8 另存。")]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, column = _toml_error_position(str(exc), text)
        from outreach.project.tomlmessages import translate_toml_error

        return None, [error(CONFIG_NAME, line, column, "toml-syntax",
                            f"配置文件格式错误（第 {line} 行第 {column} 列）：{translate_toml_error(str(exc))}")]
    positions = toml_key_positions(text)

    def locate(loc: tuple, key: bool = False) -> tuple[int, int]:
        return _nearest_position(positions, loc) or (1, 1)

    model = config_model()
    try:
        config = model.model_validate(data)
    except ValidationError as exc:
        return None, _in_sections(exc, validation_diagnostics(exc, CONFIG_NAME, locate, model), locate)
    from outreach.project.regionconfig import region_hotline_problems, region_locale_warnings, region_qr_problems

    problems = [error(CONFIG_NAME, *locate(loc), "bad-path", message)
                for loc, message in project_path_problems(config, root)]
    problems += [error(CONFIG_NAME, *locate(loc), "region-hotline", message)
                 for loc, message in region_hotline_problems(config)]
    problems += [error(CONFIG_NAME, *locate(loc), "region-site", message) for loc, message in region_qr_problems(config)]
    if problems:
        return None, problems
    return config, ([warning(CONFIG_NAME, *locate(loc), "unfilled", message) for loc, message in _blanks(config)] +
                    [warning(CONFIG_NAME, *locate(loc), "region-locale", message)
                     for loc, message in region_locale_warnings(config, data)] +
                    [warning(CONFIG_NAME, *locate(loc), "config", message) for loc, message in _unknown_audiences(config)])


def _in_sections(exc: ValidationError, diagnostics: list[Diagnostic], locate) -> list[Diagnostic]:
    """An unknown key inside a section says which section it is in (the key alone, “未知字段“txt””,
    leaves the reader to work out which of a dozen [sections] the line belongs to)."""
    import dataclasses

    sections = {locate(tuple(err["loc"]), True): str(err["loc"][0]) for err in exc.errors(include_url=False)
                if err["type"] == "extra_forbidden" and len(err["loc"]) >= 2}
    return [dataclasses.replace(d, message=f"{section_name(sections[(d.line, d.column)])}里：{d.message}")
            if d.code == "unknown-key" and (d.line, d.column) in sections else d for d in diagnostics]


def _unknown_audiences(config: "ProjectConfig") -> list[tuple[tuple, str]]:
    """[print.audience_participants] names no audience the project has: its count would never be used."""
    known = config.project.audiences
    return [(("print", "audience_participants", key),
             f"[print.audience_participants] 里的“{shown(key)}”不是 [project] audiences 里的人群（可用：{'、'.join(known)}），"
             "这个人数不会用到。")
            for key in config.print.audience_participants if key not in known]


def _blanks(config: "ProjectConfig") -> list[tuple[tuple, str]]:
    """Values `outreach init` left for the user to fill in: printed as they are, they would put
    “（请填写单位名称）” on a poster."""
    found = []
    for key, label in (("organisation", "单位名称"), ("sms_signature", "短信签名")):
        value = getattr(config.project, key)
        if "请填写" in value:
            found.append((("project", key), f"[project] {key}（{label}）还没有填写：现在是“{shown(value)}”，会原样印在"
                                            f"{'海报和资料' if key == 'organisation' else '每条短信'}上。"))
    return found


def project_path_problems(config: "ProjectConfig", root: Path) -> list[tuple[tuple, str]]:
    """Paths in the config that would lead outside the project: (key path, message)."""
    from outreach.core.safepath import output_dir_problem

    problems = []
    why = output_dir_problem(config.build.output_dir, root)
    if why:
        problems.append((("build", "output_dir"), why))
    logo = config.theme.logo
    if logo:
        why = _logo_problem(logo, root)
        if why:
            # Named as the editor's settings form labels it, and as the file spells it.
            problems.append((("theme", "logo"), f"“标志图片路径”（[theme] logo）“{shown(logo)}”{why}"))
    profile = config.print.output_profile
    if profile:
        why = _profile_problem(profile, root)
        if why:
            problems.append((("print", "output_profile"), f"印刷颜色配置文件（[print] output_profile）“{shown(profile)}”{why}"))
    return problems


def _profile_problem(profile: str, root: Path) -> str | None:
    from outreach.core.safepath import is_hidden, is_regular_file, resolved_inside, safe_name
    from outreach.project.iccprofile import icc_file_problem

    path = root / profile
    if not safe_name(profile.replace("\\", "/")) or Path(profile).is_absolute() or is_hidden(profile):
        return "必须是项目里的相对路径（不能用 ..、绝对路径或隐藏文件）。"
    if not path.exists():
        return "找不到这个文件（路径相对于 outreach.toml）。"
    if resolved_inside(path, [root]) is None or not is_regular_file(path):
        return "不是项目里的普通文件。请把印刷厂给的 .icc 文件复制到项目里。"
    why = icc_file_problem(path)
    if why:
        return f"{why}。请向印刷厂要 CMYK 印刷配置文件（.icc）。"
    return None


def _logo_problem(logo: str, root: Path) -> str | None:
    from outreach.core.safepath import is_hidden, is_regular_file, resolved_inside, safe_name
    from outreach.project.images import file_picture_problem

    path = root / logo
    if not safe_name(logo.replace("\\", "/")) or Path(logo).is_absolute() or is_hidden(logo):
        return "必须是项目里的相对路径（不能用 ..、绝对路径或隐藏文件）。"
    if not path.exists():
        return "找不到这个文件（路径相对于 outreach.toml）。"
    if resolved_inside(path, [root]) is None:
        return "是指向项目外的链接，已拒绝。请把图片复制到项目里。"
    if not is_regular_file(path):
        return "不是普通文件。"
    why = file_picture_problem(path)
    if why:
        return f"不能用作标志：{why}。请换成 PNG、JPG 或 SVG 图片（也可以在编辑器的“项目设置”里上传）。"
    return None


def _toml_error_position(message: str, text: str = "") -> tuple[int, int]:
    match = re.search(r"line (\d+), column (\d+)", message)
    if match:
        return int(match.group(1)), int(match.group(2))
    if "end of document" in message and text.strip():
        # Something was left open: point after the last thing written.
        lines = text.rstrip().splitlines()
        return len(lines), len(lines[-1]) + 1
    return 1, 1


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r'^\s*("[^"]*"|[A-Za-z0-9_-]+)\s*=')


def config_position(root: Path, loc: tuple) -> tuple[int, int]:
    """(line, column) in the project's outreach.toml of a setting, or of the nearest table or
    array of tables that holds it ((0, 0) when the file cannot be read): for a message about a
    value found too long only when output is laid out."""
    try:
        positions = toml_key_positions((root / CONFIG_NAME).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return 0, 0
    return _nearest_position(positions, loc) or (0, 0)


def _nearest_position(positions: dict[tuple, tuple[int, int]], loc: tuple) -> tuple[int, int] | None:
    """Where a key path is, or the nearest table or array of tables above it that is written."""
    loc = tuple(loc)
    while loc and loc not in positions:
        loc = loc[:-1]
    return positions.get(loc)


def toml_key_positions(text: str) -> dict[tuple, tuple[int, int]]:
    """Map key paths to (line, column) by scanning headers and `key =` lines.

    tomllib gives no positions for values; this scan covers the shapes a config
    file uses (tables, arrays of tables, plain keys), which is what errors point at.
    """
    positions: dict[tuple, tuple[int, int]] = {}
    table: tuple = ()
    array_counts: dict[tuple, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            parts = tuple(part.strip().strip('"') for part in header.group(2).split("."))
            column = line.index(header.group(1)) + 1
            if header.group(1) == "[[":
                index = array_counts.get(parts, 0)
                array_counts[parts] = index + 1
                table = parts + (index,)
                positions.setdefault(parts, (number, column))
            else:
                table = parts
            positions[table] = (number, column)
            continue
        key = _KEY.match(line)
        if key:
            name = key.group(1).strip('"')
            positions[table + (name,)] = (number, line.index(key.group(1)) + 1)
    return positions
