"""Domain checks on the loaded library: personal data, stale content, typography, hotlines."""

from __future__ import annotations

import datetime as dt
import re
from typing import AbstractSet, Callable, Iterator

from outreach.checks.glyphs import find_unprintable, primary_family
from outreach.checks.lawcites import lint_law_citations
from outreach.checks.scriptlint import lint_scripts
from outreach.checks.spacing import HAN, NO_SPACE_BETWEEN, SPACE_BETWEEN
from outreach.checks.textscan import digits, find_hotlines, prose_strings
from outreach.core import clock
from outreach.project.diagnostics import Diagnostic, error, warning
from outreach.project.kinds import LAWS, SCENARIOS
from outreach.project.library import Item, Library
from outreach.project.models import REVIEWED

CJK = HAN
_CJK_CHAR = re.compile(f"[{CJK}]")

# --- personal data -------------------------------------------------------------------

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![\d])1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?![\d])")
_CARD = re.compile(r"(?<![\d])\d(?:[ -]?\d){15,18}(?![\d])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def valid_id_number(number: str) -> bool:
    """Mainland resident ID: 17 digits and an ISO 7064 MOD 11-2 check character."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_valid(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def mask(number: str) -> str:
    plain = digits(number) or number
    return plain[:3] + "*" * max(len(plain) - 7, 1) + plain[-4:]


def find_personal_data(text: str, fictional: AbstractSet[str]) -> Iterator[tuple[int, str, str, str]]:
    """(offset, matched text, code, message) for every real-looking personal number."""
    taken: list[tuple[int, int]] = []
    for match in _ID_NUMBER.finditer(text):
        if valid_id_number(match.group()) and match.group().upper() not in fictional:
            taken.append(match.span())
            yield match.start(), match.group(), "pii-id-number", \
                f"疑似真实的居民身份证号码（{mask(match.group())}），对外材料不能出现个人身份证号。"
    for match in _MOBILE.finditer(text):
        if digits(match.group()) not in fictional:
            taken.append(match.span())
            yield match.start(), match.group(), "pii-mobile", \
                (f"出现了手机号码（{mask(match.group())}），对外材料不能出现个人手机号。"
                 "如确为虚构示例，请把它加入 outreach.toml 的 [lint] fictional_numbers。")
    for match in _CARD.finditer(text):
        number = digits(match.group())
        overlaps = any(s < match.end() and match.start() < e for s, e in taken)
        if not overlaps and 16 <= len(number) <= 19 and luhn_valid(number) and number not in fictional:
            yield match.start(), match.group(), "pii-bank-card", \
                f"疑似真实的银行卡号（{mask(number)}），对外材料不能出现银行卡号。"


# --- typography ------------------------------------------------------------------------

FULL_WIDTH = {",": "“，”", "?": "“？”", "!": "“！”", ":": "“：”", ";": "“；”", "(": "“（”", ")": "“）”",
              '"': "中文引号“”", ".": "句号“。”"}
_ASCII_PUNCT_NEAR_CJK = re.compile(f"(?<=[{CJK}])[,?!:;()\".]|[,?!:;(\"](?=[{CJK}])")


def find_typography(text: str, space_rule: str) -> Iterator[tuple[int, str, str, str]]:
    for match in _ASCII_PUNCT_NEAR_CJK.finditer(text):
        char = match.group()
        yield match.start(), char, "typography-punct", f"中文里用了半角标点“{char}”，应改为全角{FULL_WIDTH[char]}。"
    if space_rule == "none":
        for match in SPACE_BETWEEN.finditer(text):
            context = text[max(match.start() - 1, 0): match.end() + 1]
            yield match.start(), match.group(), "typography-space", \
                f"“{context}”中文与数字、字母之间不加空格（本项目约定，见 [lint] cjk_latin_space）。"
    elif space_rule == "require":
        for match in NO_SPACE_BETWEEN.finditer(text):
            context = text[max(match.start() - 1, 0): match.start() + 1]
            yield match.start(), context, "typography-space", \
                f"“{context}”中文与数字、字母之间应加一个空格（本项目约定，见 [lint] cjk_latin_space）。"


# --- skeleton markers ------------------------------------------------------------------

_UNFILLED = re.compile(r"（请填写[^）]*）")


def find_unfilled(text: str) -> Iterator[tuple[int, str, str, str]]:
    """Placeholders left from `outreach new`."""
    for match in _UNFILLED.finditer(text):
        yield match.start(), match.group(), "unfilled", f"这里还没有填写：{match.group()}。"


# --- SMS signatures ---------------------------------------------------------------------

_SIGNATURE = re.compile(r"^\s*(【[^【】]{1,20}】)")


def _sms_signatures(library: Library) -> Iterator[Diagnostic]:
    """A hand-written SMS that brings its own signature is sent as written: say so when it is
    not the project's (the build no longer adds a second one)."""
    ours = library.config.project.sms_signature
    for item in library.kind(SCENARIOS.folder).values():
        text = getattr(item.model, "sms", None) or ""
        match = _SIGNATURE.match(text)
        if match and match.group(1) != ours:
            line, column = item.source.locate_in_text(("sms",), text, match.start(1), match.group(1))
            yield warning(item.path, line, column, "sms-signature",
                          f"手写短信开头已有签名{match.group(1)}，和本项目的签名{ours}（[project] sms_signature）不同。"
                          f"发送时只用手写的这个；如果应当用本项目的签名，请删掉它，由工具统一加上。")


# --- driver ----------------------------------------------------------------------------

def _emit(item: Item, path: tuple, text: str, finds, severity: Callable) -> Iterator[Diagnostic]:
    for offset, fragment, code, message in finds:
        line, column = item.source.locate_in_text(path, text, offset, fragment)
        yield severity(item.path, line, column, code, message)


def _review_record(item: Item) -> Iterator[Diagnostic]:
    """An item marked 已审核 says who approved it and when: that is what the mark is worth."""
    model = item.model
    if getattr(model, "status", None) != REVIEWED:
        return
    missing = [label for field, label in (("reviewed_by", "审核人 reviewed_by"), ("reviewed_on", "审核日期 reviewed_on"))
               if not getattr(model, field, None)]
    if missing:
        yield error(item.path, *item.source.locate(("status",)), "review-incomplete",
                    f"标为“已审核”的内容要写明{'和'.join(missing)}。")


# The checks of one item that read nothing but the item and the settings, by everything they read:
# the editor lints the whole library on every keystroke, and only the edited item has changed.
_ITEM_PROBLEMS: dict[tuple, tuple[Diagnostic, ...]] = {}
ITEM_CACHE_SIZE = 4096


def _item_problems(item: Item, today: dt.date, fictional: frozenset[str], allowed: frozenset[str], family: str,
                   style: bool, rule: str) -> Iterator[Diagnostic]:
    yield from _review_record(item)
    review_by = getattr(item.model, "review_by", None)
    if review_by is not None and review_by < today:
        yield warning(item.path, *item.source.locate(("review_by",)), "review-overdue",
                      f"复核日期 {review_by.isoformat()} 已过，内容可能过时：请核对事实和法条后更新 review_by。")
    for path, text in prose_strings(item.raw):
        yield from _emit(item, path, text, find_personal_data(text, fictional), error)
        yield from _emit(item, path, text, find_unfilled(text), error)
        yield from _emit(item, path, text, find_unprintable(text, family), error)
        if item.kind == LAWS.folder:
            continue  # official texts are quoted as published
        if style and _CJK_CHAR.search(text):
            yield from _emit(item, path, text, find_typography(text, rule), warning)
        yield from _emit(item, path, text, find_hotlines(text, allowed), error)


def lint_library(library: Library, today: dt.date | None = None, style: bool = True) -> list[Diagnostic]:
    """Every domain check. `style=False` leaves out the warning-only authoring aids
    (typography, script form) that `outreach check` reports, so a build stays quick."""
    today = today or clock.today()
    config = library.config
    fictional = {digits(n) or n for n in config.lint.fictional_numbers} | {n.upper() for n in config.lint.fictional_numbers}
    allowed = set(config.hotline_numbers) | {digits(n) for n in config.lint.allowed_numbers}
    if config.project.region != "mainland":
        from outreach.checks.regionlint import MAINLAND_NUMBERS

        allowed |= MAINLAND_NUMBERS   # not wrong numbers but the wrong region's: lint_region says so
    family = primary_family(config.theme.font_family)
    settings = (today, frozenset(fictional), frozenset(allowed), family, style, config.lint.cjk_latin_space,
                config.project.region)
    problems: list[Diagnostic] = []
    for item in library.all_items():
        key = (item.kind, item.path, item.digest, item.source.text, settings)
        found = _ITEM_PROBLEMS.get(key)
        if found is None:
            found = tuple(_item_problems(item, *settings[:-1]))
            if len(_ITEM_PROBLEMS) >= ITEM_CACHE_SIZE:
                _ITEM_PROBLEMS.clear()
            _ITEM_PROBLEMS[key] = found
        problems.extend(found)
    problems.extend(_sms_signatures(library))
    problems.extend(lint_law_citations(library))
    # A region edition that still prints Mainland contacts or laws misinforms: the build refuses it too.
    from outreach.checks.regionlint import lint_region

    problems.extend(lint_region(library))
    if style:
        problems.extend(lint_scripts(library))
    return problems
