"""Page inspector checks for Chinese typesetting (render.typeset's rules, read back from the PDF).

Lines are rebuilt from pdfium's character origins: characters in text order on one baseline
form a line; a line continues the one above when it has the same size, sits one line pitch
below and lines up with it (left edges, or centres for centred text). On those lines:
- term-split (defect): a protected name, hotline or short quotation broken over two lines;
- title-widow (defect) / widow (polish): a paragraph's last line of one or two characters
  after a full line (“声！”, a lone “包” under a title);
- punct-unsqueezed (polish): two adjacent full-width marks a full em apart (”“ ）（ 。”);
- line-start-mark (polish): a line starting with an opening mark that is not moved left by
  the mark's blank half, so its text does not line up with the lines above.
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import pairwise
from typing import Any, Callable, Protocol

from outreach.rendering.textpages import text_of
from outreach.rendering.typeset import (
    CLOSING,
    OPENING,
    QUOTE_MAX,
    QUOTE_PAIRS,
    TERMINAL,
    WIDOW_UNITS,
    is_han,
    rules,
    squeezed,
    units,
)


class Where(Protocol):
    """The page being inspected (pageinspect._Page): its pdfium page, and a located problem
    from a point in PDF coordinates. A protocol, so pageinspect can import this module and not
    the other way round."""

    page: Any
    textpage: Any   # the page's pdfium text, opened once for every check (or None)

    def problem(self, x_pt: float, y_pt: float, code: str, message: str, severity: str = ...) -> Any: ...

# Codes that are defects (the build fails); the others are polish, reported as 提示.
TYPESETTING_DEFECTS = ("term-split", "title-widow")
TITLE_SIZE = 1.5           # a line this much larger than the page's most common text is a title
TITLE_MIN_PT = 16.0        # and at least this large
SQUEEZED_MAX_EM = 0.8      # two adjacent marks further apart than this have not been squeezed
FULL_WIDTH_MAX_EM = 1.15   # (an unsqueezed mark advances one em)
# A mark with less blank than this on the side it would give up has no half to squeeze: Noto
# Sans CJK TC's centred ？ (ink 0.25–0.74 em) has no `halt` form, so “？”” stays two ems wide.
SQUEEZABLE_EM = 0.3
PITCH_EM = (0.9, 2.6)      # baselines this far apart (in ems) are neighbouring lines of one block
FULL_SLACK_EM = 1.6        # a line ending this close to its block's right edge is full


@dataclass
class _Char:
    char: str
    x: float          # origin (pen position), points
    y: float          # baseline
    size: float       # font size in points
    right: float      # right edge of the glyph box
    left: float       # left edge of the glyph box


@dataclass
class _Line:
    chars: list[_Char] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c.char for c in self.chars)

    @property
    def left(self) -> float:
        return self.chars[0].x

    @property
    def right(self) -> float:
        return max(c.right for c in self.chars)

    @property
    def y(self) -> float:
        return self.chars[0].y

    @cached_property
    def size(self) -> float:
        # Read for every pair of lines: computed once (a line is complete before it is read).
        return Counter(round(c.size, 1) for c in self.chars).most_common(1)[0][0]


def typesetting_problems(where: Where, terms: tuple[str, ...] = (),
                         limited: Callable[[list], list] = lambda found: found) -> list:
    lines = page_lines(where.page, where.textpage)
    if not lines:
        return []
    body = Counter(round(c.size, 1) for line in lines for c in line.chars).most_common(1)[0][0]
    found: list = []
    found += limited(_splits(where, lines, terms))
    found += limited(_widows(where, lines, body))
    found += limited(_unsqueezed(where, lines))
    found += limited(_unhung(where, lines))
    return found


def page_lines(page, textpage=None) -> list[_Line]:
    """The page's text as lines (horizontal text only; spaces dropped). `textpage`: the page's
    text, when already open."""
    import pypdfium2.raw as raw

    lines: list[_Line] = []
    line = _Line()
    matrix = raw.FS_MATRIX()
    x, y = ctypes.c_double(), ctypes.c_double()
    with text_of(page, textpage) as textpage:
        for index in range(textpage.count_chars()):
            if raw.FPDFText_IsGenerated(textpage.raw, index) == 1:
                continue
            char = chr(raw.FPDFText_GetUnicode(textpage.raw, index))
            if not char.strip() or char == "\u2060":
                continue
            raw.FPDFText_GetMatrix(textpage.raw, index, matrix)
            if abs(matrix.b) > 1e-3 or abs(matrix.c) > 1e-3 or matrix.a <= 0 or matrix.d <= 0:
                continue   # rotated or mirrored text is the orientation check's business
            raw.FPDFText_GetCharOrigin(textpage.raw, index, x, y)
            size = raw.FPDFText_GetFontSize(textpage.raw, index) * matrix.d
            box = textpage.get_charbox(index)
            current = _Char(char, x.value, y.value, size, box[2], box[0])
            if line.chars and _new_line(line.chars[-1], current):
                lines.append(line)
                line = _Line()
            line.chars.append(current)
    if line.chars:
        lines.append(line)
    return lines


def _new_line(previous: _Char, char: _Char) -> bool:
    size = max(previous.size, char.size, 1.0)
    return abs(char.y - previous.y) > 0.4 * size or char.x < previous.x - 0.3 * size or \
        char.x > previous.right + 2.5 * size


def _next_to(above: _Line, below: _Line) -> bool:
    """`below` is the next line of the same block of text as `above`."""
    size = above.size
    if abs(below.size - size) > 0.05 * size:
        return False
    pitch = (above.y - below.y) / size
    if not PITCH_EM[0] <= pitch <= PITCH_EM[1]:
        return False
    aligned = abs(below.left - above.left) <= 2.2 * size
    centred = abs((below.left + below.right) - (above.left + above.right)) / 2 <= 1.0 * size
    return (aligned or centred) and below.left < above.right and below.right > above.left


def _blocks(lines: list[_Line]) -> list[list[_Line]]:
    """Runs of lines one line pitch apart: a paragraph (or paragraphs set without space between).
    Where the pitch changes a new paragraph starts; the smaller pitch is the one inside a
    paragraph (the larger one includes the space between paragraphs)."""
    blocks: list[list[_Line]] = []
    for line in lines:
        block = blocks[-1] if blocks else []
        if not block or not _next_to(block[-1], line):
            blocks.append([line])
            continue
        if len(block) == 1 or _same_pitch(block[-2], block[-1], line):
            block.append(line)
        elif len(block) == 2 and _pitch(block[-1], line) < _pitch(block[0], block[1]):
            blocks.append([block.pop(), line])
        else:
            blocks.append([line])
    return blocks


def _pitch(above: _Line, below: _Line) -> float:
    return above.y - below.y


def _same_pitch(first: _Line, second: _Line, third: _Line) -> bool:
    return abs(_pitch(second, third) - _pitch(first, second)) <= 0.1 * _pitch(first, second)


def warm_up() -> None:
    """Load what the first page's check would (the Traditional Chinese converter)."""
    from outreach.rendering.localize import HANT, HantSpec, to_locale

    to_locale("反诈宣传", HANT, HantSpec())


@lru_cache(maxsize=8)
def _split_pattern(terms: tuple[str, ...]) -> tuple[re.Pattern, dict[str, frozenset[int]]]:
    """Protected names as the PDF's text shows them (without spaces), in Simplified and
    Traditional Chinese, and short quotations."""
    from outreach.rendering.localize import HantSpec

    plain: dict[str, frozenset[int]] = {}
    for rule in (rules(terms), rules(terms, "zh-Hant", HantSpec())):
        plain.update({re.sub(r"\s", "", t): rule.breaks(t) for t in rule.terms})
    quotes = [f"{re.escape(o)}[^{re.escape(o + c)}]{{1,{QUOTE_MAX}}}{re.escape(c)}" for o, c in QUOTE_PAIRS.items()
              if o != "《"]
    literals = [re.escape(t) for t in sorted(plain, key=lambda t: (-len(t), t)) if len(t) >= 2]
    return re.compile("|".join([*quotes, *literals])), plain


def _splits(where, lines: list[_Line], terms: tuple[str, ...]) -> list:
    pattern, allowed = _split_pattern(tuple(sorted(terms)))
    problems = []
    for block in _blocks(lines):
        for above, below in pairwise(block):
            head, tail = above.text, below.text
            joined, cut = head + tail, len(head)
            for match in pattern.finditer(joined, max(0, cut - 40), min(len(joined), cut + 40)):
                if not match.start() < cut < match.end() or cut - match.start() in allowed.get(match.group(), ()):
                    continue
                first = below.chars[0]
                problems.append(where.problem(
                    first.x, first.y, "term-split",
                    f"{_quoted(match.group())}被拆在两行（上一行末尾“{joined[match.start():cut]}”，下一行开头"
                    f"“{joined[cut:match.end()]}”）：专有名称、电话号码和短引语应排在同一行"))
    return problems


def _quoted(text: str) -> str:
    return text if text[0] in OPENING else f"“{text}”"


def _widows(where, lines: list[_Line], body: float) -> list:
    problems = []
    for block in _blocks(lines):
        edge = max(line.right for line in block)
        for above, below in pairwise(block):
            text = below.text
            if not 0 < units(text) <= WIDOW_UNITS or above.right < edge - FULL_SLACK_EM * above.size:
                continue
            if above.text.rstrip(CLOSING)[-1:] in TERMINAL:
                continue   # the line above ends a sentence: the short line may be a paragraph of its own
            if not any(is_han(c) for c in above.text + text) or _in_row(below, lines):
                continue   # list numbers, page numbers; a table's label with its value beside it
            title = below.size >= max(TITLE_SIZE * body, TITLE_MIN_PT)
            first = below.chars[0]
            kind = "标题" if title else "段落"
            problems.append(where.problem(
                first.x, first.y, "title-widow" if title else "widow",
                f"{kind}最后一行只有“{text}”（上一行末尾“{above.text[-6:]}”）：末行至少应有三个字",
                "error" if title else "warning"))
    return problems


def _in_row(line: _Line, lines: list[_Line]) -> bool:
    """Another piece of text sits on the same baseline to the right (a table row, a label and
    its value): the line is a cell, not a paragraph's last line."""
    return any(other is not line and abs(other.y - line.y) <= 0.2 * line.size and other.left > line.right
               for other in lines)


def _unsqueezed(where, lines: list[_Line]) -> list:
    problems = []
    edges = sorted({round(line.left, 1) for line in lines})
    for line in lines:
        for first, second in pairwise(line.chars):
            which = squeezed(first.char, second.char)
            if which < 0 or _starts_column(second, edges):
                continue
            blank = (second.x - first.right) if which == 0 else (second.left - second.x)
            if blank < SQUEEZABLE_EM * first.size:
                continue
            gap = (second.x - first.x) / first.size
            if SQUEEZED_MAX_EM < gap <= FULL_WIDTH_MAX_EM:   # wider: a column or a gap set by the layout
                problems.append(where.problem(
                    first.x, first.y, "punct-unsqueezed",
                    f"相邻标点“{first.char}{second.char}”占了 {gap + 1:.1f} 个字宽，中间空得太宽（应挤掉半个字宽）",
                    "warning"))
    return problems


def _starts_column(char: _Char, edges: list[float]) -> bool:
    """The mark starts a column other lines start at (a script's speech after its role column):
    the space before it is the layout's, not the punctuation's."""
    return any(-0.6 * char.size <= char.x - edge <= 0.1 * char.size for edge in edges)


def _unhung(where, lines: list[_Line]) -> list:
    problems = []
    for block in _blocks(lines):
        plain = [line.left for line in block[1:] if line.text[0] not in OPENING]
        for line in block[1:]:
            if line.text[0] not in OPENING or not plain:
                continue
            if any(abs(line.left - left) <= 0.15 * line.size for left in plain):
                problems.append(where.problem(
                    line.left, line.y, "line-start-mark",
                    f"行首的“{line.text[0]}”没有减半，这一行“{line.text[:8]}”比上下行往右缩进了半个字", "warning"))
    return problems
