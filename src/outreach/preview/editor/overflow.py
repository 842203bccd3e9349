"""What to cut when an item's page overflows: the item's fields found on the taller page, and
about how many characters of each must go for the content to fit.

The estimate is read off the layout, not guessed from the text's length: the overflow needs
ceil(overflow ÷ line pitch) whole lines to go, and a line of a field holds as many characters
as its box is wide in ems. Cutting that many characters from one paragraph of the field
removes that many lines from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from outreach.render.pdf import TextBlock

MIN_BLOCK_LETTERS = 2     # a list number or a lone mark is not a field's text
MAX_SUGGESTED = 2         # the advice names at most this many fields
SAME_CUT = 0.15           # two fields' estimates this close are said as one number


@dataclass(frozen=True)
class Cut:
    path: tuple
    label: str
    letters: int    # characters of the field on the page
    cut: int        # about how many of them to cut for the content to fit


def cuts(values: dict[str, Any], labels: dict[str, str], blocks: list[TextBlock], overflow_mm: float,
         localize: Callable[[str], str] = str) -> list[Cut]:
    """The item's text fields found on the page, longest first, each with its estimate. A field
    too short to lose that many characters comes after the ones that can."""
    owners: dict[int, tuple[int, str]] = {}   # block index → (overlap, field key)
    for key, texts in _texts(values).items():
        for text in texts:
            letters = _letters(localize(text))
            for index, block in enumerate(blocks):
                overlap = _overlap(letters, _letters(block.text))
                if overlap and overlap > owners.get(index, (0, ""))[0]:
                    owners[index] = (overlap, key)
    found = []
    for key in dict.fromkeys(key for _, key in owners.values()):
        mine = [blocks[i] for i, (_, owner) in owners.items() if owner == key]
        letters = sum(len(_letters(block.text)) for block in mine)
        found.append(Cut((key,), labels.get(key, key), letters, estimate(mine, overflow_mm)))
    return sorted(found, key=lambda c: (c.cut > c.letters, -c.letters))


def estimate(blocks: list[TextBlock], overflow_mm: float) -> int:
    """Characters to cut from text set like these blocks: whole lines, each a full line of characters."""
    widest = max(blocks, key=lambda block: (block.lines, block.per_line))
    if widest.line_mm <= 0:
        return 0
    return math.ceil(overflow_mm / widest.line_mm - 1e-6) * max(block.per_line for block in blocks)


def advice(overflow_mm: float, found: list[Cut], blocks: list[TextBlock]) -> tuple[str, int, list[Cut]]:
    """The plain sentence, the main estimate and the fields it names."""
    over = f"超出约 {max(1, round(overflow_mm))} 毫米"
    named = found[:MAX_SUGGESTED]
    if not named:   # no field of the item on the page (a template that prints other text): the main text's measure
        text = [block for block in blocks if len(block.text) >= MIN_BLOCK_LETTERS]
        main = max(text, key=lambda block: len(block.text) * block.line_mm, default=None)
        cut = estimate([main], overflow_mm) if main else 0
        return f"{over}，请删减大约 {cut} 个字。", cut, []
    first = named[0]
    if len(named) == 1 or abs(named[1].cut - first.cut) <= SAME_CUT * first.cut:
        cut = max(c.cut for c in named)
        where = "或".join(c.label for c in named)
        return f"{over}，请删减大约 {cut} 个字（例如在{where}里）。", cut, named
    ways = "，或".join(f"在{c.label}里删减大约 {c.cut} 个字" for c in named)
    return f"{over}，请{ways}（字号不同，能放下的字数也不同）。", first.cut, named


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
