"""Find characters no installed font can draw (they would print as empty boxes, "tofu")."""

from __future__ import annotations

import bisect
import shutil
import subprocess
import unicodedata
from functools import lru_cache
from html.parser import HTMLParser


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "svg"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script", "svg") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    return "".join(parser.parts)


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
    coverage = _font_coverage(family)
    missing = []
    for char in sorted(set(text)):
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs"):
            continue
        if _covers(coverage, ord(char)):
            continue
        if not _any_font_has(char):
            missing.append(char)
    return missing


def primary_family(font_family_css: str) -> str:
    """The first family of a CSS font-family list."""
    return font_family_css.split(",")[0].strip().strip("\"'")
