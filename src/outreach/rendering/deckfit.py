"""Measure text for slide text boxes before it is placed: line breaks as a slide program makes
them (Chinese line-breaking rules, Latin words kept whole) and the height the lines take.

A deck names fonts Windows and WPS have (微软雅黑); this machine measures with the fonts it has:
Noto Sans CJK SC (a CJK glyph is one em wide in both) and, for Latin letters and digits, the
wider of Noto's and DejaVu Sans (LibreOffice's stand-in for a Latin face it does not have).
Widths are taken from the fonts' advance tables (fontTools) and the box is measured a little
narrower than it is (SAFETY), so a line that fits here fits on every machine.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path

SAFETY = 0.93            # measure against this share of the box's width
AUTOSPACE = 0.25         # em between Chinese and Latin text
WIDOW = 3                # fewest characters on a paragraph's last line (W3C clreq)
# Kinsoku (W3C clreq): characters a line may not start with, and ones it may not end with.
NO_START = set("。，、；：？！）」』】》〉”’…—～·.,;:?!)]}%‰℃")
NO_END = set("（「『【《〈“‘([{")
_LATIN_WORD = re.compile(r"[A-Za-z0-9@#&+\-_/.%:]+")
_SENTENCE = re.compile(r"(?<=[。！？；])")


class FontMissing(Exception):
    """The measuring font is not installed (fonts-noto-cjk)."""


def _fc_file(pattern: str) -> tuple[str, int] | None:
    if not shutil.which("fc-match"):
        return None
    found = subprocess.run(["fc-match", "-f", "%{file}\t%{index}", pattern], capture_output=True, text=True,
                           timeout=20, check=False).stdout
    file, _, index = found.partition("\t")
    return (file, int(index or 0)) if file and Path(file).is_file() else None


@functools.lru_cache(maxsize=1)
def _advance_tables() -> tuple[tuple[dict[int, float], ...], tuple[dict[int, float], ...]]:
    """(CJK fonts, Latin fonts): each a map code point → advance in em."""
    from fontTools.ttLib import TTFont

    def table(where: tuple[str, int]) -> dict[int, float]:
        font = TTFont(where[0], fontNumber=where[1], lazy=True)
        upm = font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        return {code: metrics[name][0] / upm for code, name in font.getBestCmap().items()}

    cjk = _fc_file("Noto Sans CJK SC:bold")
    if cjk is None or "CJK" not in Path(cjk[0]).name:
        raise FontMissing("Noto Sans CJK SC")
    latin = _fc_file("DejaVu Sans:bold")
    cjk_table = table(cjk)
    latin_tables = (cjk_table, table(latin)) if latin and "DejaVu" in Path(latin[0]).name else (cjk_table,)
    return (cjk_table,), latin_tables


def char_width_em(char: str) -> float:
    cjk, latin = _advance_tables()
    code = ord(char)
    if code < 0x2E80:   # Latin, digits, general punctuation: the widest stand-in
        return max((t.get(code, 0.0) for t in latin), default=0.0) or 0.6
    return cjk[0].get(code, 1.0)


def text_width_pt(text: str, size_pt: float) -> float:
    return sum(char_width_em(c) for c in text) * size_pt


def _tokens(text: str, keep: re.Pattern | None = None) -> list[str]:
    """Unbreakable pieces: a Latin word or number whole, a kept term (`keep`: names, phone
    numbers, short quotations) whole, each other character on its own."""
    tokens: list[str] = []
    position = 0
    kept = list(keep.finditer(text)) if keep is not None else []
    spans = [(m.start(), m.end()) for m in kept]
    for match in _LATIN_WORD.finditer(text):
        if not any(start < match.end() and match.start() < end for start, end in spans):
            spans.append((match.start(), match.end()))
    for start, end in sorted(spans):
        if start < position:
            continue
        tokens.extend(text[position:start])
        tokens.append(text[start:end])
        position = end
    tokens.extend(text[position:])
    return tokens


def _token_width(token: str, size_pt: float) -> float:
    """A piece's width; a Latin word or number gets a quarter em on each side, the space slide
    programs put between Chinese and Latin text (LibreOffice's and PowerPoint's autospace)."""
    extra = AUTOSPACE * 2 if _LATIN_WORD.search(token) else 0.0
    return text_width_pt(token, size_pt) + extra * size_pt


def wrap(text: str, width_pt: float, size_pt: float, keep: re.Pattern | None = None) -> list[str] | None:
    """The lines `text` breaks into in a box `width_pt` wide; None when one piece (a long Latin
    word) is wider than the box. A paragraph's last line keeps at least WIDOW characters when
    narrower lines give it that without adding a line."""
    limit = width_pt * SAFETY
    lines: list[str] = []
    for paragraph in text.split("\n"):
        found = _wrap_one(paragraph, limit, size_pt, keep)
        if found is None:
            return None
        # A short last line takes characters from the line above: the two lines again, narrower.
        for step in range(1, 5):
            if len(found) < 2 or len(found[-1]) >= WIDOW:
                break
            narrower = _wrap_one(found[-2] + found[-1], limit - step * size_pt, size_pt, keep)
            if narrower is not None and len(narrower) == 2 and len(narrower[-1]) >= WIDOW:
                found[-2:] = narrower
                break
        lines.extend(found)
    return lines


def one_line_width_pt(text: str, size_pt: float, keep: re.Pattern | None = None) -> float:
    """How wide a box `text` needs to stay on one line, as `wrap` measures it."""
    return sum(_token_width(token, size_pt) for token in _tokens(text, keep)) / SAFETY


def widest_piece_pt(text: str, size_pt: float, keep: re.Pattern | None = None) -> float:
    """How wide a box `text` needs for `wrap` to break it only where it may (a kept name or
    number wider than the box is cut into characters)."""
    return max((_token_width(token, size_pt) for token in _tokens(text, keep)), default=0.0) / SAFETY


def _wrap_one(paragraph: str, limit: float, size_pt: float, keep: re.Pattern | None) -> list[str] | None:
    lines: list[str] = []
    line: list[str] = []
    width = 0.0
    pending = _tokens(paragraph, keep)
    while pending:
        token = pending.pop(0)
        token_width = _token_width(token, size_pt)
        if token_width > limit:
            if len(token) > 1 and not _LATIN_WORD.fullmatch(token):   # a kept term longer than a line
                for char in reversed(token[1:]):
                    pending.insert(0, char)
                token = token[0]
                token_width = _token_width(token, size_pt)
            else:
                return None
        if line and width + token_width > limit:
            carried: list[str] = []
            # A closing mark may not start the next line: take the last piece down with it;
            # an opening mark may not end this one.
            if token[0] in NO_START and line:
                carried.insert(0, line.pop())
            while line and line[-1][-1] in NO_END:
                carried.insert(0, line.pop())
            if not line:   # nothing could stay: break anyway (as a slide program does)
                line, carried = carried, []
            lines.append("".join(line).rstrip())
            line = carried
            width = sum(_token_width(t, size_pt) for t in line)
            if token == " " and not line:
                continue
        line.append(token)
        width += token_width
    lines.append("".join(line).rstrip())
    return lines


def sentences(text: str) -> list[str]:
    """A paragraph cut after each full stop, question mark, exclamation mark or semicolon."""
    return [part for part in _SENTENCE.split(text) if part.strip()]
