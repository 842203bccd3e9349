"""Finding things in content text that more than one check looks for: prose strings, service numbers."""

from __future__ import annotations

import re
from typing import AbstractSet, Any, Iterator


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


# --- hotlines --------------------------------------------------------------------------

# Every shape of a Chinese service line, one rule for all: 3- and 5-digit numbers starting with 1
# (110, 10086, 12345), 95xxx/96xxx(x), and 400/800 numbers however they are grouped.
_SERVICE_NUMBER = re.compile(r"(?<![\d.\-])(?:[48]00[- ]?\d{3}[- ]?\d{4}|1\d{4}|1\d{2}|9[5-6]\d{3,4})(?![\d.%])")
_BEFORE = re.compile(r"(拨打|致电|热线|专线|电话|报警|呼叫|回拨|打给|号码)[^\d\n]{0,4}$")
_AFTER = re.compile(r"^[^\d\n]{0,2}(来电|打来|热线|专线|电话|报警|求助|咨询|举报)")


def find_hotlines(text: str, allowed: AbstractSet[str]) -> Iterator[tuple[int, str, str, str]]:
    for match in _SERVICE_NUMBER.finditer(text):
        number = digits(match.group())
        near_phone_word = _BEFORE.search(text[: match.start()]) or _AFTER.search(text[match.end():])
        if near_phone_word and number not in allowed:
            yield match.start(), match.group(), "unknown-hotline", \
                (f"电话“{match.group()}”不在本项目公布的号码里（{'、'.join(sorted(allowed))}）。"
                 "请核对号码；确需使用请加入 outreach.toml 的 [project] hotlines 或 [lint] allowed_numbers。")


# Values that are ids or machine keys, not prose.
_NOT_PROSE = {"id", "kind", "answer", "scenario", "law", "article", "key", "audiences", "audience",
              "form", "poster", "tip", "tips", "quiz", "script", "focus", "source",
              "regions"}   # a region's edition is checked as that region's project loads it


def prose_strings(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, child in value.items():
            if key not in _NOT_PROSE:
                yield from prose_strings(child, path + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from prose_strings(child, path + (index,))
