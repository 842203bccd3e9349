"""What to cut when an item's page overflows: the item's fields found on the taller page, and
about how many characters of each must go for the content to fit.

The estimate is read off the layout, not guessed from the text's length: the overflow needs
ceil(overflow ÷ line pitch) whole lines to go, and a line of a field holds as many characters
as its box is wide in ems. Cutting that many characters from a paragraph of the field removes
that many lines from it, as long as the paragraph has them; a list of one-line entries loses
lines only by losing entries, so there the advice is to delete entries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Callable

from outreach.rendering.pdf import TextBlock

MIN_BLOCK_LETTERS = 2     # a list number or a lone mark is not a field's text
MAX_SUGGESTED = 2         # the advice names at most this many fields
SAME_CUT = 0.15           # two fields' estimates this close are said as one number


@dataclass(frozen=True)
class Cut:
    path: tuple
    label: str
    letters: int    # characters of the field on the page
    cut: int        # about how many of them to cut for the content to fit
    items: int = 0  # entries of a list (paragraphs of a text) to delete instead: its lines cannot be shortened enough
    unit: str = "条"
    lines: int = 0  # when shortening: the whole lines `cut` removes (one line fewer would not be enough)

    @property
    def words(self) -> str:
        if self.items:
            return f"删掉{self.label}里的 {self.items} {self.unit}（约 {self.cut} 个字）"
        return f"在{self.label}里删减大约 {self.cut} 个字"


def cuts(values: dict[str, Any], labels: dict[str, str], blocks: list[TextBlock], overflow_mm: float,
         localize: Callable[[str], str] = str) -> list[Cut]:
    """The item's text fields found on the page with what to cut from each: shortening first
    (longest field first), then deleting entries of a list (paragraphs of a text) whose lines
    are too few to shorten."""
    owners: dict[int, tuple[int, str]] = {}   # block index → (overlap, field key)
    lists = set()
    for key, texts in _texts(values).items():
        lists.update([key] if isinstance(values[key], list) else [])
        for text in texts:
            letters = _letters(localize(text))
            for index, block in enumerate(blocks):
                overlap = _overlap(letters, _letters(block.text))
                if overlap and overlap > owners.get(index, (0, ""))[0]:
                    owners[index] = (overlap, key)
    found = []
    for key in dict.fromkeys(key for _, key in owners.values()):
        mine = [blocks[i] for i in sorted(owners) if owners[i][1] == key]
        size = sum(len(_letters(block.text)) for block in mine)
        label = labels.get(key, key)
        if (shortened := shorten(mine, overflow_mm)) is not None:
            found.append(Cut((key,), label, size, shortened[0], lines=shortened[1]))
        elif len(mine) > 1 and (deleted := delete(mine, overflow_mm)) is not None:
            found.append(Cut((key,), label, size, deleted[1], items=deleted[0], unit="条" if key in lists else "段"))
    return sorted(found, key=lambda c: (bool(c.items), -c.letters))


def lines_to_go(blocks: list[TextBlock], overflow_mm: float) -> tuple[int, TextBlock]:
    main = max(blocks, key=lambda block: (block.lines, block.per_line))
    return math.ceil(overflow_mm / main.line_mm - 1e-6), main


def shorten(blocks: list[TextBlock], overflow_mm: float) -> tuple[int, int] | None:
    """(characters, lines): characters to cut from text set like these blocks so that enough
    whole lines go, each a full line of characters; None when the blocks do not have that many
    lines to lose (every paragraph keeps its first line)."""
    if not blocks or max(block.line_mm for block in blocks) <= 0:
        return None
    lines, _ = lines_to_go(blocks, overflow_mm)
    if lines > sum(block.lines - 1 for block in blocks):
        return None
    return lines * max(block.per_line for block in blocks), lines


def delete(blocks: list[TextBlock], overflow_mm: float) -> tuple[int, int] | None:
    """(entries, characters) to delete from a list or paragraphs to delete from a text, the tallest
    first, each taking its lines and the gap after it; None if deleting all of them (but one) is
    not enough."""
    gaps = sorted(b.top_mm - a.bottom_mm for a, b in pairwise(blocks) if b.top_mm >= a.bottom_mm)
    gap = gaps[len(gaps) // 2] if gaps else 0.0
    freed, letters = 0.0, 0
    ranked = sorted(blocks, key=lambda block: (-block.lines, len(block.text)))
    for count, block in enumerate(ranked[:-1], start=1):
        freed += block.bottom_mm - block.top_mm + gap
        letters += len(_letters(block.text))
        if freed >= overflow_mm:
            return count, letters
    return None


def advice(overflow_mm: float, found: list[Cut], blocks: list[TextBlock]) -> tuple[str, int, list[Cut]]:
    """The plain sentence, the main estimate and the fields it names."""
    over = f"超出约 {max(1, round(overflow_mm))} 毫米"
    named = found[:MAX_SUGGESTED]
    if not named:   # no field of the item to shorten (a template printing other text): the main text's measure
        text = [block for block in blocks if len(block.text) >= MIN_BLOCK_LETTERS]
        main = max(text, key=lambda block: len(block.text) * block.line_mm, default=None)
        cut = lines_to_go([main], overflow_mm)[0] * main.per_line if main and main.line_mm > 0 else 0
        return f"{over}，请删减大约 {cut} 个字。", cut, []
    first = named[0]
    if len(named) == 2 and not first.items and not named[1].items \
            and abs(named[1].cut - first.cut) <= SAME_CUT * first.cut:
        cut = max(c.cut for c in named)
        return f"{over}，请删减大约 {cut} 个字（例如在{first.label}或{named[1].label}里）。", cut, named
    if len(named) == 1 and not first.items:
        return f"{over}，请删减大约 {first.cut} 个字（例如在{first.label}里）。", first.cut, named
    return f"{over}，请{'，或'.join(c.words for c in named)}。", first.cut, named


def _texts(values: dict[str, Any]) -> dict[str, list[str]]:
    """Each top-level text field's strings (a list of lines gives each line)."""
    found: dict[str, list[str]] = {}
    for key, value in values.items():
        if isinstance(value, str):
            found[key] = [value]
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            found[key] = list(value)
    return found


def _overlap(field: str, block: str) -> int:
    """How much of a block is this field's text: the block is part of the field (a paragraph of
    a story), or the field is most of the block (a list item behind a number or a label)."""
    if len(block) < MIN_BLOCK_LETTERS or not field:
        return 0
    if block in field:
        return len(block)
    if field in block and 2 * len(field) >= len(block):
        return len(field)
    return 0


def _letters(text: str) -> str:
    """Characters and digits only: templates add punctuation, spacing and Markdown around a field."""
    return "".join(char for char in text if char.isalnum())
