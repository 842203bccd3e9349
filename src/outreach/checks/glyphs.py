"""Characters that cannot be printed: no installed font draws them, or they have no agreed
shape at all (private-use and unassigned code points). They would print as empty boxes ("tofu").

One rule for `check` (content, at file:line:col) and for the build (the rendered page, in
rendering/glyphs.py): what check passes, the build prints.
"""

from __future__ import annotations

import bisect
import shutil
import subprocess
import unicodedata
from functools import lru_cache
from typing import Iterator

from outreach.project.diagnostics import visible


@lru_cache(maxsize=8)
def _font_coverage(family: str) -> tuple[list[int], list[int]]:
    """Code-point ranges (starts, ends) of the font fontconfig picks for `family`.

    fontconfig already knows each font's charset; asking it is milliseconds, where
    reading the cmap of a CJK collection with fontTools takes a few hundred.
    """
    if not shutil.which("fc-match"):
        return [], []
    result = subprocess.run(["fc-match", "-f", "%{charset}", family], capture_output=True, text=True, timeout=20)
    starts, ends = [], []
    for part in result.stdout.split():
        low, _, high = part.partition("-")
        try:
            starts.append(int(low, 16))
            ends.append(int(high or low, 16))
        except ValueError:
            continue
    return starts, ends


def _covers(coverage: tuple[list[int], list[int]], code: int) -> bool:
    starts, ends = coverage
    index = bisect.bisect_right(starts, code) - 1
    return index >= 0 and code <= ends[index]


@lru_cache(maxsize=4096)
def _any_font_has(char: str) -> bool:
    if not shutil.which("fc-list"):
        return True  # cannot tell; do not cry wolf
    result = subprocess.run(["fc-list", f":charset={ord(char):x}", "family"], capture_output=True, text=True, timeout=20)
    return bool(result.stdout.strip())


def missing_glyphs(text: str, family: str) -> list[str]:
    """Characters in `text` that neither the main font nor any fallback font can draw."""
    return list(_missing_glyphs(text, family))


@lru_cache(maxsize=16384)
def _missing_glyphs(text: str, family: str) -> tuple[str, ...]:
    # Cached per string: the editor checks the same content on every keystroke.
    coverage = _font_coverage(family)
    missing = []
    for char in sorted(set(text)):
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs"):
            continue
        if _covers(coverage, ord(char)):
            continue
        if not _any_font_has(char):
            missing.append(char)
    return tuple(missing)


def primary_family(font_family_css: str) -> str:
    """The first family of a CSS font-family list."""
    return font_family_css.split(",")[0].strip().strip("\"'")


def find_unprintable(text: str, family: str) -> Iterator[tuple[int, str, str, str]]:
    """(offset, character, code, message) for the first place of each character in `text` that
    would print as a box: private-use and unassigned code points everywhere, and characters no
    installed font can draw."""
    shapeless = {c for c in set(text) if unicodedata.category(c) in ("Co", "Cn")}
    for char in sorted(shapeless | set(missing_glyphs(text, family))):
        named = f"“{char}”（U+{ord(char):04X}）" if visible(char) == char else f" U+{ord(char):04X} "
        if char in shapeless:
            why = ("是私用区字符或未分配的编码（输入法或网页自造的符号，不是标准文字），没有通用的字形，"
                   "印出来和在手机上都会是方框")
        else:
            why = "没有任何已安装的字体能显示，印出来会是方框，生成时也会因此失败"
        yield text.index(char), char, "unprintable-character", f"字符{named}{why}。请换成常用字或删除它。"
