"""Chinese typesetting rules (W3C clreq), as data the pre-layout pass applies and the page
inspector checks: which terms never split, which punctuation squeezes, what counts as a widow.

One definition for both sides, so the inspector flags exactly what the pass is meant to prevent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Punctuation by where its ink sits in a full-width cell (Noto Sans CJK SC; the TC cut centres
# some stops, which still squeeze the same way through the font's `halt` feature).
OPENING = "“‘（《「『【〔〖〈"
CLOSING = "”’）》」』】〕〗〉"
STOPS = "，。、；：！？"
# A line ending in one of these may be the end of a sentence (a new paragraph can follow).
TERMINAL = "。！？；：…"

# Quotations this short stay on one line with their marks (“安全账户”, 《刑法》, 「神藥」).
QUOTE_MAX = 8
BOOK_TITLE_MAX = 12
QUOTE_PAIRS = {"“": "”", "‘": "’", "「": "」", "『": "』", "《": "》"}

# A paragraph's last line of this many units or fewer is a widow (“声！”, “醒；”, a lone “包”;
# a Chinese character is 1, a Latin letter or digit 0.5, punctuation 0). The pass keeps the
# last TAIL_UNITS together: four rather than three, so a two-character word is seldom cut.
WIDOW_UNITS = 2
TAIL_UNITS = 4
# Names longer than this may break after their own enumeration comma (掩饰、隐瞒犯罪所得、|犯罪所得收益罪).
LONG_TERM = 10
LONG_PART = 5
TERM_MAX = 16

# Names readers must never see broken over two lines. Law titles and short names, the project's
# organisation, app and hotlines, and [typography] keep_together are added per project.
BUILTIN_TERMS = (
    # crime names
    "帮助信息网络犯罪活动罪", "帮信罪", "诈骗罪", "集资诈骗罪", "合同诈骗罪", "掩饰、隐瞒犯罪所得罪",
    "掩饰、隐瞒犯罪所得、犯罪所得收益罪", "侵犯公民个人信息罪", "非法利用信息网络罪", "妨害信用卡管理罪",
    "拒不履行信息网络安全管理义务罪", "非法吸收公众存款罪", "洗钱罪", "招摇撞骗罪", "敲诈勒索罪", "非法经营罪",
    "组织、领导传销活动罪", "偷越国（边）境罪",
    # laws, judicial documents and their short names
    "两高一部", "两高", "反电信网络诈骗法", "反诈法", "个人信息保护法", "网络安全法", "数据安全法", "治安管理处罚法",
    "刑事诉讼法", "消费者权益保护法", "电子商务法", "民法典", "刑法",
    # agencies
    "国家反诈中心", "全国反诈预警劝阻专线", "公安部", "公安机关", "公安局", "派出所", "反诈中心", "最高人民法院",
    "最高人民检察院", "最高法", "最高检", "工业和信息化部", "工信部", "中国人民银行", "人民银行", "中国银联",
    "国家金融监督管理总局", "金融监管总局", "市场监督管理局", "市场监管局", "网信办", "检察院", "人民法院",
    # apps and services
    "国家反诈中心App", "云闪付", "一证通查", "一键查卡", "微信", "支付宝", "抖音", "快手", "淘宝", "拼多多",
    "闲鱼", "美团", "钉钉", "QQ",
    # fixed phrases of anti-fraud work
    "安全账户", "三不一多", "刷单返利", "杀猪盘", "屏幕共享", "验证码",
    # hotlines
    "96110", "12381", "12321", "110",
)

WJ = "\u2060"   # WORD JOINER: no line break on either side, invisible and dropped from PDF text
ZWSP = "\u200b"  # ZERO WIDTH SPACE: a line may break here; invisible and dropped from PDF text

# Grouped phone numbers (0571-8765 4321, 139 0000 0001, 400-123-4567): no break at their spaces.
PHONE = re.compile(r"(?<![0-9A-Za-z])\+?\d[\d-]*(?: \d[\d-]*)+(?![0-9A-Za-z])")


def is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\U00020000" <= char <= "\U0003134f"


def units(text: str) -> float:
    """How long a line reads: Chinese characters 1, Latin letters and digits 0.5, punctuation
    and spaces 0."""
    total = 0.0
    for char in text:
        if is_han(char) or "\u3040" <= char <= "\u30ff" or "\uac00" <= char <= "\ud7af":
            total += 1
        elif char.isalnum():
            total += 0.5
    return total


def is_punctuation(char: str) -> bool:
    return char in OPENING or char in CLOSING or char in STOPS or unicodedata.category(char).startswith("P")


def squeezed(first: str, second: str) -> int:
    """Which of two adjacent full-width marks gives up its blank half (clreq 3.1.6): 0 the
    first (a closing mark or stop before any mark: ”“ ）（ 。” ，“), 1 the second (an opening
    mark after an opening mark: （“), -1 neither."""
    if first in CLOSING + STOPS and second in CLOSING + OPENING + STOPS:
        return 0
    if first in OPENING and second in OPENING:
        return 1
    return -1


@dataclass(frozen=True)
class Term:
    text: str
    breaks: frozenset[int]   # offsets inside the term where a line may still break


def term(text: str) -> Term:
    """A protected term; a long one may break after its own enumeration comma where both parts
    stay words of their own (掩饰、隐瞒犯罪所得、|犯罪所得收益罪, never 掩饰、|隐瞒…)."""
    text = text.strip()
    if len(text) <= LONG_TERM:
        return Term(text, frozenset())
    return Term(text, frozenset(i + 1 for i, c in enumerate(text)
                                if c == "、" and min(i + 1, len(text) - i - 1) >= LONG_PART))


@dataclass(frozen=True)
class Rules:
    """What one project keeps together: the built-in names, its own and its setting's terms."""

    terms: tuple[str, ...]

    @property
    def pattern(self) -> re.Pattern:
        return _pattern(self.terms)

    def breaks(self, text: str) -> frozenset[int]:
        """Where a matched term may still break (none for quotations and phone numbers)."""
        found = _terms(self.terms).get(text)
        return found.breaks if found else frozenset()


@lru_cache(maxsize=16)
def _terms(terms: tuple[str, ...]) -> dict[str, Term]:
    return {t: term(t) for t in terms}


@lru_cache(maxsize=16)
def _pattern(terms: tuple[str, ...]) -> re.Pattern:
    """Protected terms (longest first: at one position the longest wins), short quotations
    with their marks, and grouped phone numbers."""
    quotes = [f"{re.escape(o)}[^{re.escape(o + c)}\\n<>]{{1,{BOOK_TITLE_MAX if o == '《' else QUOTE_MAX}}}{re.escape(c)}"
              for o, c in QUOTE_PAIRS.items()]
    literals = [re.escape(t) for t in sorted(terms, key=lambda t: (-len(t), t))]
    return re.compile("|".join([*quotes, *literals, PHONE.pattern]))


@lru_cache(maxsize=16)
def rules(extra: tuple[str, ...] = (), locale: str = "zh-Hans", spec=None) -> Rules:
    """The built-in terms plus `extra` (a project's own names and setting), in the output's
    script too when it is Traditional Chinese (`spec`: the project's conversion)."""
    from outreach.rendering.localize import HantSpec, to_locale

    found: set[str] = set()
    for text in (*BUILTIN_TERMS, *(t.strip() for t in extra if 2 <= len(t.strip()) <= TERM_MAX)):
        found.add(text)
        found.add(to_locale(text, locale, spec or HantSpec()))
    return Rules(tuple(sorted(found)))


def context_rules(ctx) -> Rules:
    """The rules for one render: the project's terms in the build's locale."""
    hant = ctx.locale == "zh-Hant"
    with ctx.shared_reads():   # every law's names: a read all targets share, in every fingerprint
        terms = project_terms(ctx.config, ctx.library)
    return rules(terms, ctx.locale, ctx.hant_spec if hant else None)


def project_terms(config, library=None) -> tuple[str, ...]:
    """The names a project adds to the built-in list: its organisation, app, hotlines (as
    printed), law short names and [typography] keep_together."""
    from outreach.rendering.localize import law_names

    project = config.project
    names = [project.app, project.organisation, *(h.display for h in project.hotlines)]
    if library is not None:
        names += [name for name in law_names(library) if len(name) <= BOOK_TITLE_MAX]
    typography = getattr(config, "typography", None)
    if typography is not None:
        names += list(typography.keep_together)
    return tuple(n for n in names if n)
