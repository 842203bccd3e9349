"""The content model: what staff write in content/*.yaml. Field names are a public contract."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
# An id names output files (build/zh-Hant/quiz/<id>-answer-sheet.pdf, written through a
# temporary ".<name>.<random>.tmp" beside it) and the editor's history copies. File systems
# refuse a name over 255 bytes, so a long id that loads would fail the build instead of
# `check`; 64 leaves room for every suffix and prefix with a wide margin, and no one types
# a longer id by hand.
MAX_ID_LENGTH = 64
# \Z, not $: Python's $ also matches before a final newline, and "x\n" must not be an id.
ID_RE = re.compile(rf"[a-z0-9][a-z0-9-]{{0,{MAX_ID_LENGTH - 1}}}\Z")


def id_problem(value: str) -> str | None:
    """Why `value` cannot be an id (a file name, a station number), in plain words, or None."""
    if ID_RE.match(value):
        return None
    if len(value) > MAX_ID_LENGTH and re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
        return f"太长（最多 {MAX_ID_LENGTH} 个字符，现在有 {len(value)} 个；输出的文件名由它组成，太长的文件名存不下）"
    return "只能用小写字母、数字和连字符，并以字母或数字开头（例如 fake-loan）"


def unsafe_characters(text: str) -> list[str]:
    """Control and invisible formatting characters (bidi overrides such as U+202E, zero-width
    joiners): in a name that becomes a file name they make "甲\u202egnp.exe" display as
    "甲exe.png", and they never belong in a printed name."""
    return [c for c in text if unicodedata.category(c) in ("Cc", "Cf")]


def _no_unsafe_characters(value: str) -> str:
    found = unsafe_characters(value)
    if found:
        shown = "、".join(f"U+{ord(c):04X}" for c in dict.fromkeys(found))
        raise ValueError(f"不能含有控制字符或不可见的排版字符（{shown}）")
    return value


def _to_key(value):
    # `article: 38` in YAML is an int; article keys are strings ("38", "287之二").
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


ArticleKey = Annotated[str, BeforeValidator(_to_key),
                      Field(min_length=1, max_length=20, description="条文编号，例如“38”“287之二”")]
ItemId = Annotated[str, Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH, description="编号：小写字母、数字和连字符")]


# Every text field has a length that fits its use (a title is short, a story a few hundred
# characters), checked when content is loaded: layout time grows faster than linearly with
# the length of a paragraph, so an unbounded field could stall a build. Single fields say
# their limit in Field(); items of lists use these.
Line20 = Annotated[str, Field(min_length=1, max_length=20)]
Line150 = Annotated[str, Field(min_length=1, max_length=150)]
Line200 = Annotated[str, Field(min_length=1, max_length=200)]

# A slogan is printed on one line across a cloth banner (outputs/banners.py) at a height read from
# tens of metres: 20 characters fit an 8 m banner at its smallest size, and the widely used slogans
# ("不听、不信、不转账", "陌生来电要警惕，钱财转账需谨慎") are shorter. One line: no line breaks.
SLOGAN_MAX = 20
Slogan = Annotated[str, Field(min_length=1, max_length=SLOGAN_MAX, pattern=r"^[^\n\r]*$")]
SLOGANS_DESCRIPTION = f"宣传标语（横幅等大幅材料用），每条一行、不超过 {SLOGAN_MAX} 个字，例如“不听、不信、不转账”"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


ReviewStatus = Literal["草稿", "待审核", "已审核"]
REVIEWED: ReviewStatus = "已审核"


class Reviewable(Model):
    """Content that is published carries its review status (government content is approved
    before it goes out); without one it counts as outreach.toml [review] default_status."""

    status: ReviewStatus | None = Field(None, description="审核状态：草稿、待审核、已审核；不填按 outreach.toml [review] default_status")
    reviewed_by: str | None = Field(None, description="审核人", max_length=20)
    reviewed_on: dt.date | None = Field(None, description="审核日期")
    # Checked field by field when a region's project loads the item (project/regionoverlay.py).
    regions: dict[Literal["hk", "mo", "tw"], dict[str, Any]] = Field(
        default_factory=dict, description="港澳台版本的改写：地区（hk、mo、tw）下写要替换的字段，或 omit: true 表示该地区不用这一项")


class Article(Model):
    key: ArticleKey
    number: str = Field(description="条文序号，例如“第三十八条”", min_length=1, max_length=30)
    text: str = Field(description="条文原文，一字不差", min_length=1, max_length=5000)


class Law(Model):
    """法律法规：条文必须与官方文本一字不差。"""

    title: str = Field(description="法律全称，例如“中华人民共和国反电信网络诈骗法”", min_length=1, max_length=100)
    short: str = Field(description="简称，例如“反电信网络诈骗法”", min_length=1, max_length=30)
    effective: dt.date | None = Field(None, description="施行日期")
    source: str | None = Field(None, description="核对条文所依据的官方来源", max_length=500)
    jurisdiction: Literal["mainland", "hk", "mo", "tw"] = Field(
        "mainland", description="适用地区：mainland 内地（默认）、hk 香港、mo 澳门、tw 台湾；与项目的 region 不同时 check 会提醒")
    articles: list[Article] = Field(min_length=1, max_length=300, description="引用的条文")

    @field_validator("articles")
    @classmethod
    def _unique_keys(cls, articles: list[Article]) -> list[Article]:
        seen = set()
        for article in articles:
            if article.key in seen:
                raise ValueError(f"条文编号“{article.key}”重复")
            seen.add(article.key)
        return articles

    def article(self, key: str) -> Article | None:
        return next((a for a in self.articles if a.key == key), None)


class LawRef(Model):
    law: ItemId = Field(description="法律编号（content/laws/ 下的文件名）")
    article: ArticleKey


Audience = Annotated[str, Field(min_length=1, max_length=40, description="受众（取值见 outreach.toml 的 audiences）")]


# Schemes done face to face (the Anti-Telecom-Fraud Law's article 2 covers only telecom
# and network means) and crimes the reader might commit get their own banner line.
DEFAULT_KICKER = "防范电信网络诈骗"
KICKER_BY_CATEGORY = {
    "养老诈骗": "防范养老诈骗",
    "帮信犯罪": "不做诈骗帮凶",
}


class Scenario(Reviewable):
    """诈骗类型（一个场景对应一张海报、一条短信）。"""

    title: str = Field(description="标题", min_length=1, max_length=40)
    category: str = Field(description="类别，例如“刷单返利”", min_length=1, max_length=20)
    summary: str = Field(description="一句话概述", min_length=1, max_length=300)
    signs: list[Line200] = Field(min_length=1, max_length=10, description="识别要点")
    advice: list[Line200] = Field(min_length=1, max_length=10, description="防范要点")
    audiences: list[Audience] = Field(min_length=1, max_length=20, description="适用人群")
    review_by: dt.date = Field(description="复核日期：到期前需要重新核对内容")
    story: str | None = Field(None, description="匿名化的案例（Markdown）", max_length=2000)
    laws: list[LawRef] = Field(default_factory=list, max_length=10, description="相关法律条文")
    tags: list[Line20] = Field(default_factory=list, max_length=20, description="标签")
    sms: str | None = Field(None, description="手写的短信文本（替代自动生成的短信）", max_length=700)
    quote: str | None = Field(None, description="一句话口号", max_length=80)
    slogans: list[Slogan] = Field(default_factory=list, max_length=10, description=SLOGANS_DESCRIPTION)
    kicker: str | None = Field(None, description="海报标题栏右上角的一句话；不填则按类别，例如“防范电信网络诈骗”“防范养老诈骗”", max_length=16)
    published: dt.date | None = Field(None, description="发布日期（用于 feed.json），不填则用 outreach.toml [feed] published")

    @property
    def poster_kicker(self) -> str:
        return self.kicker or KICKER_BY_CATEGORY.get(self.category, DEFAULT_KICKER)


class Tip(Reviewable):
    """小贴士（法律小贴士或防范小贴士）。"""

    title: str = Field(description="标题", min_length=1, max_length=60)
    body: str = Field(description="正文（Markdown）", min_length=1, max_length=3000)
    laws: list[LawRef] = Field(default_factory=list, max_length=10, description="相关法律条文")
    audiences: list[Audience] = Field(min_length=1, max_length=20, description="适用人群")
    review_by: dt.date = Field(description="复核日期")


LETTERS = "ABCDEFGH"


def _truefalse(value):
    # Staff may write 对/错 or 正确/错误 for true/false questions.
    if isinstance(value, str) and value.strip() in {"对", "正确", "√"}:
        return True
    if isinstance(value, str) and value.strip() in {"错", "错误", "×"}:
        return False
    return value


class Question(Model):
    id: ItemId = Field(description="题目编号，在本套题内唯一，例如 q01")
    kind: Literal["single", "multiple", "truefalse"] = Field(description="题型：single 单选、multiple 多选、truefalse 判断")
    question: str = Field(description="题干", min_length=1, max_length=300)
    choices: list[Line150] = Field(default_factory=list, max_length=len(LETTERS), description="选项（判断题不填）")
    answer: Annotated[Union[bool, str, list[str]], BeforeValidator(_truefalse)] = Field(
        description="答案：单选填字母（B），多选填字母列表（[A, C]），判断题填 true/false")
    explanation: str = Field(description="答案解析", min_length=1, max_length=600)
    scenario: ItemId | None = Field(None, description="相关的诈骗类型编号")

    @model_validator(mode="after")
    def _answer_matches_kind(self) -> "Question":
        letters = LETTERS[: len(self.choices)]

        def wrong(field: str, message: str) -> PydanticCustomError:
            return PydanticCustomError(f"at_{field}", message)

        if self.kind == "truefalse":
            if self.choices:
                raise wrong("choices", "判断题不需要填写 choices（选项）")
            if not isinstance(self.answer, bool):
                raise wrong("answer", "判断题的答案应为 true（对）或 false（错）")
        elif self.kind == "single":
            if len(self.choices) < 2:
                raise wrong("choices", "单选题至少需要 2 个选项")
            if not (isinstance(self.answer, str) and self.answer in letters):
                raise wrong("answer", f"单选题的答案应为一个选项字母（{'、'.join(letters)} 之一）")
        else:
            if len(self.choices) < 3:
                raise wrong("choices", "多选题至少需要 3 个选项")
            answers = self.answer if isinstance(self.answer, list) else None
            if not answers or len(answers) < 2 or any(a not in letters for a in answers):
                raise wrong("answer", f"多选题的答案应为至少两个选项字母的列表，例如 [A, C]（可选 {'、'.join(letters)}）")
            if len(set(answers)) != len(answers):
                raise wrong("answer", "多选题的答案里有重复的字母")
        return self

    @property
    def answer_letters(self) -> list[str]:
        if isinstance(self.answer, list):
            return sorted(self.answer)
        if isinstance(self.answer, str):
            return [self.answer]
        return []

    @property
    def answer_text(self) -> str:
        if self.kind == "truefalse":
            return "正确" if self.answer else "错误"
        return "".join(self.answer_letters)


class Quiz(Reviewable):
    """有奖问答题库（一套题）。"""

    title: str = Field(description="题库标题", min_length=1, max_length=60)
    description: str | None = Field(None, description="说明", max_length=500)
    questions: list[Question] = Field(min_length=1, max_length=500, description="题目")


ScriptForm = Literal["小品", "快板", "三句半", "相声", "劝阻话术"]


class Role(Model):
    # A role name becomes a file name (build/scripts/<id>/<role>.pdf): no path characters.
    name: Annotated[str, Field(min_length=1, max_length=20, pattern=r'^[^/\\:*?"<>|.\s][^/\\:*?"<>|\s]*$'),
                    AfterValidator(_no_unsafe_characters)] = Field(
        description="角色名（不能含空格和 / \\ : * ? \" < > | 等文件名字符）")
    description: str | None = Field(None, description="角色说明", max_length=200)


class Line(Model):
    role: str = Field(description="角色名（须在 roles 中声明）", min_length=1, max_length=20)
    text: str = Field(description="台词", min_length=1, max_length=1000)


class Direction(Model):
    direction: str = Field(description="舞台提示", min_length=1, max_length=500)


def _line_kind(value) -> str:
    if isinstance(value, dict):
        return "direction" if "direction" in value else "line"
    return "direction" if isinstance(value, Direction) else "line"


ScriptLine = Annotated[
    Union[Annotated[Line, Tag("line")], Annotated[Direction, Tag("direction")]],
    Discriminator(_line_kind),
]


class Scene(Model):
    title: str | None = Field(None, description="场次标题", max_length=60)
    lines: list[ScriptLine] = Field(min_length=1, max_length=1000, description="台词（role + text）和舞台提示（direction）")


class Script(Reviewable):
    """节目脚本（小品、快板、三句半、相声）或劝阻话术。"""

    title: str = Field(description="标题", min_length=1, max_length=60)
    form: ScriptForm = Field(description="形式")
    roles: list[Role] = Field(min_length=1, max_length=30, description="角色")
    scenes: list[Scene] = Field(min_length=1, max_length=100, description="场次")
    scenario: ItemId | None = Field(None, description="相关的诈骗类型编号")


class PackItemBase(Model):
    """One entry of a pack's `items:`: exactly one of the pack item keys (`poster: fake-loan`).
    The keys are fields of a subclass built from the content kind registry (project/kinds.py)."""

    @model_validator(mode="after")
    def _exactly_one(self) -> "PackItemBase":
        keys = list(type(self).model_fields)
        given = [name for name in keys if getattr(self, name)]
        if len(given) != 1:
            raise ValueError(f"每一项必须且只能填写 {'、'.join(keys)} 中的一个")
        return self

    @property
    def key(self) -> str:
        """The pack item key given (not a content kind: "poster" names a scenario)."""
        return next(name for name in type(self).model_fields if getattr(self, name))

    @property
    def ref(self) -> str:
        return getattr(self, self.key)


class PackBase(Model):
    """宣传资料包：按打印顺序排列的素材。"""

    title: str = Field(description="资料包标题", min_length=1, max_length=60)
    audience: Audience = Field(description="目标人群")
    description: str | None = Field(None, description="说明", max_length=500)
    date: dt.date | None = Field(None, description="活动日期或印制日期，印在封面上")
    items: list[PackItemBase] = Field(min_length=1, max_length=100, description="素材（按顺序）")
    slogans: list[Slogan] = Field(default_factory=list, max_length=10, description=SLOGANS_DESCRIPTION)
    # Like a reviewable item's (project/regionoverlay.py): a region's edition may rewrite the
    # pack's title, description or slogans ("拨打110" is no slogan for Hong Kong).
    regions: dict[Literal["hk", "mo", "tw"], dict[str, Any]] = Field(
        default_factory=dict, description="港澳台版本的改写：地区（hk、mo、tw）下写要替换的字段（如 slogans），或 omit: true 表示该地区不用这个资料包")


class NewsCase(Model):
    title: str = Field(description="案例标题", min_length=1, max_length=60)
    text: str = Field(description="案情（匿名化）", min_length=1, max_length=600)


class Newsletter(Reviewable):
    """警务手机报（一期）。"""

    date: dt.date = Field(description="出刊日期")
    title: str | None = Field(None, description="标题，例如“反诈警务手机报（第46期）”", max_length=60)
    cases: list[NewsCase] = Field(min_length=1, max_length=20, description="近期发案情况")
    focus: list[ItemId] = Field(min_length=1, max_length=20, description="重点提示的诈骗类型编号")
    tips: list[ItemId] = Field(default_factory=list, max_length=20, description="小贴士编号")
