"""Traditional Chinese output: Simplified text converted with OpenCC after rendering.

OpenCC alone gets some phrases wrong for this material (its segmentation reads 急需周转 as
週轉, 并联系 as 並聯+系, 2400元后 keeps 后), and its regional vocabulary (s2twp) rewrites
proper names: 《反电信网络诈骗法》 would become 《反電信網路詐騙法》, a law that does not
exist. So before OpenCC runs, spans that need a fixed reading are cut out and replaced by
private-use placeholders (which OpenCC passes through untouched), converted separately and
put back:
- the project's phrase table ([hant] phrases) and the built-in fixes below: fixed readings;
- proper names (law titles, crime names, agencies, apps, anything in 《》, [hant]
  protected_terms): converted in script only, never in vocabulary;
- a number and unit followed by 后 (3天后, 2400元后): 後.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

HANT = "zh-Hant"

# Fixes for every conversion: OpenCC's segmentation or dictionary gets these wrong here.
BUILTIN_PHRASES = {
    "周转": "周轉",      # 週轉 is a dictionary error: 周轉 means turnover of money
    "卡里": "卡裡",      # 卡里6万元 stays 卡里
    "联系": "聯繫",      # 并联系银行 segments as 並聯 + 系
    "关联系统": "關聯系統",  # and 关联系统 as 關 + 聯繫 + 統
    "发卡": "發卡",      # 发卡银行 is the card-issuing bank, not a hair clip (髮卡)
    "冲销量": "衝銷量",
    "回复": "回覆",      # to reply; 回復 is to restore
    "发布": "發布",      # s2twp: 釋出 (a software release)
}
# Each region's own words. s2hk converts glyphs only, so Hong Kong and Macau words are listed
# here; s2twp's vocabulary is right mostly, wrong where it reads a word as computing jargon
# (注销 → 登出, 窗口 → 視窗, 类型 → 型別) or film (视频 → 影片).
_TAIWAN_FORMS = {"账户": "帳戶", "转账": "轉帳", "身份证": "身分證"}
REGIONAL_PHRASES = {
    "s2hk": {"视频": "視像", "短视频": "短片", "短信": "短訊", "信息": "訊息", "个人信息": "個人資料",
             "链接": "連結", "质量": "質素", "登录": "登入"},
    "s2tw": _TAIWAN_FORMS,
    "s2twp": {**_TAIWAN_FORMS, "联系": "聯絡", "视频电话": "視訊電話", "视频通话": "視訊通話", "视频聊天": "視訊聊天",
              "视频": "視訊", "短视频": "短影音", "注销": "註銷", "窗口": "窗口", "类型": "類型", "质量": "品質",
              "群众": "民眾", "渠道": "管道"},
}
# Hong Kong writes 裏 (常用字字形表); OpenCC's HK variants keep 裡.
REGIONAL_GLYPHS = {"s2hk": str.maketrans({"裡": "裏"})}

# Proper names: converted in script only. Law titles and short titles come from the library.
BUILTIN_PROTECTED = (
    "诈骗罪", "帮助信息网络犯罪活动罪", "帮信罪", "掩饰、隐瞒犯罪所得、犯罪所得收益罪", "非法吸收公众存款罪",
    "集资诈骗罪", "侵犯公民个人信息罪", "非法利用信息网络罪", "拒不履行信息网络安全管理义务罪", "妨害信用卡管理罪",
    "洗钱罪", "国家反诈中心", "全国反诈预警劝阻专线", "公安部", "公安机关", "工业和信息化部", "中国人民银行",
    "中国银联", "云闪付", "一证通查", "一键查卡", "最高人民法院", "最高人民检察院", "国家金融监督管理总局",
    "全国移动电话卡", "全国互联网账号", "视频号",
)
# The script-only form of each configuration.
SCRIPT_ONLY = {"s2t": "s2t", "s2tw": "s2tw", "s2twp": "s2tw", "s2hk": "s2hk"}

_TITLE = r"《[^《》\n]{1,80}》"
_AFTER_AMOUNT = r"(?:\d+|[〇一二三四五六七八九十百千万亿两几半]+)(?:元|块钱|块|万|天|年|个月|月|周|星期|小时|分钟|秒钟|秒|次|笔|岁)后"
_QUOTED = re.compile(r"“([^“”\n]{4,300})”")
# A quotation introduced by a document's title in the same sentence (“《意见》明确，“……””) is
# that document's wording: converted in script only, like a law the library holds.
_CITED_QUOTE = re.compile(r"(《[^《》\n]{1,80}》[^。！？\n“”]{0,60})“([^“”\n]{4,300})”")
# A Mainland amount (500元, 3万元) read in Hong Kong, Macau or Taiwan looks like local money.
_YUAN_AMOUNT = re.compile(r"(?<![\d.,〇一二三四五六七八九十百千万亿两几])(?<!人民币)"
                          r"(?:\d[\d,.]*|[〇一二三四五六七八九十百千两几]+)(?:[百千万亿]+)?元(?![旦宵素])")
_RANGE_JOINER = re.compile(r"(?:至|到|～|~|-|—)$")
_CORNER = str.maketrans({"“": "「", "”": "」", "‘": "『", "’": "』"})
_PLACEHOLDER_BASE = 0x100000   # Supplementary Private Use Area-B


@dataclass(frozen=True)
class HantSpec:
    """How this project converts to Traditional Chinese (hashable: compiled once per spec)."""

    opencc: str = "s2t"
    corner_quotes: bool = False
    phrases: tuple[tuple[str, str], ...] = ()
    protected: tuple[str, ...] = ()
    quotations: tuple[str, ...] = ()   # law paragraphs, quoted in script only
    renminbi: bool = False             # readers outside the mainland: say 人民币 before 元 amounts
    regional: bool = True              # the region's own words (off for quoted documents)


@lru_cache(maxsize=8)
def _converter(config: str):
    from opencc_purepy import OpenCC

    return OpenCC(config)


@lru_cache(maxsize=8)
def _fixed_readings(spec: HantSpec) -> tuple[re.Pattern, dict[str, str | None]]:
    """One pattern for every span with a fixed reading, and what each literal becomes
    (None: the literal is a proper name, converted in script only)."""
    readings: dict[str, str | None] = {term: None for term in (*BUILTIN_PROTECTED, *spec.protected) if term}
    readings.update(BUILTIN_PHRASES)
    if spec.regional:
        readings.update(REGIONAL_PHRASES.get(spec.opencc, {}))
    readings.update(dict(spec.phrases))
    literals = sorted(readings, key=len, reverse=True)   # at one position the longest wins
    pattern = re.compile("|".join([_TITLE, *map(re.escape, literals), _AFTER_AMOUNT]))
    return pattern, readings


def to_hant(text: str, spec: HantSpec) -> str:
    if any(ord(ch) >= _PLACEHOLDER_BASE for ch in text):
        return _finish(_converter(spec.opencc).convert(text), spec)   # placeholders would clash
    held: list[str] = []

    def hold(converted: str) -> str:
        held.append(converted)
        return chr(_PLACEHOLDER_BASE + len(held) - 1)

    if spec.quotations:
        text = _hold_quotations(text, spec, hold)
    text = _hold_cited_quotes(text, spec, hold)
    if spec.renminbi:
        text = mark_renminbi(text)
    pattern, readings = _fixed_readings(spec)
    script = _converter(SCRIPT_ONLY[spec.opencc])

    def reading(match: re.Match) -> str:
        span = match.group()
        if span in readings:
            fixed = readings[span]
            return hold(script.convert(span) if fixed is None else fixed)
        if span.startswith("《"):
            return hold(script.convert(span))
        return hold(script.convert(span[:-1]) + "後")   # a number and unit followed by 后

    converted = _converter(spec.opencc).convert(pattern.sub(reading, text))
    if held:
        converted = re.sub("[\U00100000-\U0010fffd]", lambda m: held[ord(m.group()) - _PLACEHOLDER_BASE], converted)
    return _finish(converted, spec)


def _hold_quotations(text: str, spec: HantSpec, hold) -> str:
    """Quoted law text keeps the statute's words: whole paragraphs, and “fragments” of them."""
    script_spec = _script_only(spec)
    for paragraph in spec.quotations:
        if paragraph in text:
            text = text.replace(paragraph, hold(to_hant(paragraph, script_spec)))
    corpus = "\n".join(spec.quotations)

    def fragment(match: re.Match) -> str:
        inner = match.group(1)
        return hold("“" + to_hant(inner, script_spec) + "”") if inner in corpus else match.group()

    return _QUOTED.sub(fragment, text)


def _script_only(spec: HantSpec) -> HantSpec:
    """How a quoted document is converted: its glyphs change, never its words or amounts."""
    return replace(spec, opencc=SCRIPT_ONLY[spec.opencc], quotations=(), corner_quotes=False, renminbi=False,
                   regional=False)


def _hold_cited_quotes(text: str, spec: HantSpec, hold) -> str:
    script_spec = _script_only(spec)
    return _CITED_QUOTE.sub(lambda m: m.group(1) + hold("“" + to_hant(m.group(2), script_spec) + "”"), text)


def mark_renminbi(text: str) -> str:
    """人民币 before each amount in 元 that does not follow another in a range (三千元至一万元)."""
    def mark(match: re.Match) -> str:
        before = text[:match.start()].rstrip()
        return match.group() if _RANGE_JOINER.search(before) else "人民币" + match.group()

    return _YUAN_AMOUNT.sub(mark, text)


def _finish(text: str, spec: HantSpec) -> str:
    glyphs = REGIONAL_GLYPHS.get(spec.opencc)
    if glyphs:
        text = text.translate(glyphs)
    return text.translate(_CORNER) if spec.corner_quotes else text


def to_locale(text: str, locale: str, spec: HantSpec = HantSpec()) -> str:
    """The text as readers of `locale` should see it (unchanged for Simplified Chinese)."""
    return to_hant(text, spec) if locale == HANT else text


def project_spec(config, library=None) -> HantSpec:
    """The conversion a project asks for: its region, [hant] section, names and laws."""
    from outreach.project.regions import REGIONS

    hant = config.hant
    corner = REGIONS[config.project.region].corner_quotes if hant.quotes == "auto" else hant.quotes == "corner"
    laws = law_names(library) if library else ()
    names = (config.project.organisation, config.project.app, *laws, *hant.protected_terms)
    # Statutes keep their words: regional vocabulary and 人民币 marks stop at their paragraphs.
    return HantSpec(opencc=config.project.opencc, corner_quotes=corner,
                    phrases=tuple(sorted(hant.phrases.items())),
                    protected=tuple(sorted({name for name in names if len(name) >= 2})),
                    quotations=law_paragraphs(library) if library else (),
                    renminbi=config.project.region != "mainland")


def law_names(library) -> tuple[str, ...]:
    return tuple(sorted({name for law in library.laws.values() for name in (law.title, law.short)}))


def law_paragraphs(library) -> tuple[str, ...]:
    """Every paragraph of every article in the library, longest first (a paragraph may contain
    a shorter one)."""
    paragraphs = {line.strip() for law in library.laws.values() for article in law.articles
                  for line in article.text.splitlines() if len(line.strip()) >= 4}
    return tuple(sorted(paragraphs, key=lambda p: (-len(p), p)))


def hant_font_family(css: str) -> str:
    """Prefer the Traditional Chinese cut of the same fonts (glyph shapes differ)."""
    for simplified, traditional in (("CJK SC", "CJK TC"), ("Sans SC", "Sans TC"), ("Serif SC", "Serif TC")):
        css = css.replace(simplified, traditional)
    return css
