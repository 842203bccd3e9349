"""Fit 1–4 hotlines into a band: the largest legible layout within the band's width (and, where
the band has one, its height), or a clear error naming the outreach.toml entry and how much
room is missing.

A hotline — its number and its label — is one unit that is never split: a layout puts whole
units on rows (in the configured order), each number at one size, each label either below its
number or right after it. More hotlines give more rows or smaller numbers, never a number broken
over two lines or a label on another line than its number. Templates print the units with
`white-space: nowrap` (see partials/hotlines.html), so the estimate here decides the rows.

Widths are estimated from the characters (CJK one em, digits and Latin about 0.6 em in the
heavy weights the bands use, a little over the real advance so the estimate errs on the
safe side); the build still checks the laid-out page, so an estimate can never hide text.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from dataclasses import dataclass, field
from itertools import pairwise

from outreach.core.errors import OutreachError

PT_TO_MM = 25.4 / 72
INLINE_GAP_MM = 2.0        # between a number and the label that follows it (stylesheets: 1.5 mm + a space)
NUMBER_LINE = 1.05         # line heights the stylesheets give numbers and labels
INLINE_LINE = 1.1
LABEL_LINE = 1.45


class HotlinesDoNotFit(OutreachError):
    """The hotlines cannot be printed legibly in the band, even on several rows at the smallest size."""

    def __init__(self, index: int, hotline, missing_mm: float, where: str) -> None:
        super().__init__(f"第 {index + 1} 项“{hotline.label} {hotline.number}”放不下：{where}还差约 {missing_mm:.0f} 毫米")
        self.index, self.hotline, self.missing_mm, self.where = index, hotline, missing_mm, where


@dataclass
class HotlineBand:
    size_pt: float                             # font size of the numbers
    rows: list[list] = field(default_factory=list)
    label_pt: float = 12.0                     # font size of the labels
    inline_labels: bool = False                # each label follows its number on the same line
    gap_mm: float = 0.0                        # between two hotlines on a row

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def row_width_mm(self, index: int = -1) -> float:
        """Estimated width of one row (the last by default)."""
        return _row_width_mm(self.rows[index], self.size_pt, self.label_pt, self.gap_mm, self.inline_labels)

    @staticmethod
    def text_mm(text: str, size_pt: float) -> float:
        """Estimated width of a line of text, for a template that places something beside the band."""
        return text_width_em(text) * size_pt * PT_TO_MM

    @staticmethod
    def text_lines(text: str, size_pt: float, width_mm: float) -> int:
        return text_lines(text, size_pt, width_mm)

    def height_mm(self) -> float:
        """Height of the numbers and labels (line heights as the stylesheets set them)."""
        if self.inline_labels:
            return self.row_count * max(self.size_pt * INLINE_LINE, self.label_pt * LABEL_LINE) * PT_TO_MM
        return self.row_count * (self.size_pt * NUMBER_LINE + self.label_pt * LABEL_LINE) * PT_TO_MM


def text_width_em(text: str) -> float:
    width = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            width += 1.0
        elif char == " ":
            width += 0.26
        elif char in "-–—·.,":
            width += 0.4
        else:
            width += 0.62
    return width


def text_lines(text: str, size_pt: float, width_mm: float) -> int:
    """Lines a run of text needs at `size_pt` in a column `width_mm` wide (an estimate that errs
    on the long side: a line holds whole characters only)."""
    if not text:
        return 0
    per_line = max(int(width_mm / (size_pt * PT_TO_MM)), 1)    # CJK characters per line
    return max(1, math.ceil(text_width_em(text) / per_line))


def _unit_width_mm(hotline, size_pt: float, label_pt: float, inline: bool) -> float:
    number = text_width_em(hotline.display) * size_pt * PT_TO_MM
    label = text_width_em(hotline.label) * label_pt * PT_TO_MM
    return number + INLINE_GAP_MM + label if inline else max(number, label)


def _row_width_mm(row, size_pt: float, label_pt: float, gap_mm: float, inline: bool = False) -> float:
    # Every unit carries its gap (stylesheets put it as a margin, the last one included) plus
    # the space between inline blocks in the source.
    return sum(_unit_width_mm(h, size_pt, label_pt, inline) for h in row) + len(row) * (gap_mm + 1.5)


def _partitions(hotlines: list, rows: int) -> list[list[list]]:
    """Every way to cut the ordered hotlines into `rows` non-empty rows, the most even first."""
    found = []
    for cuts in itertools.combinations(range(1, len(hotlines)), rows - 1):
        bounds = (0, *cuts, len(hotlines))
        found.append([hotlines[a:b] for a, b in pairwise(bounds)])
    return sorted(found, key=lambda layout: (max(len(r) for r in layout) - min(len(r) for r in layout),
                                             [-len(r) for r in layout]))


def _sizes(largest: float, smallest: float) -> list[float]:
    sizes = [largest - 2 * step for step in range(int((largest - smallest) / 2) + 1)]
    return sizes if sizes[-1] == smallest else sizes + [smallest]


def fit_hotlines(hotlines, width_mm: float, largest_pt: float, smallest_pt: float, label_pt: float,
                 gap_mm: float, two_rows_largest_pt: float | None = None, where: str = "电话栏",
                 height_mm: float | None = None, smallest_label_pt: float | None = None,
                 labels: str = "auto") -> HotlineBand:
    """The band's layout with the largest numbers that fit: on one row (labels below the numbers),
    else on more rows (numbers up to `two_rows_largest_pt`), each label after its number or below
    it, fewer rows first. `height_mm`: the height the numbers and labels may take (the band does
    not grow); `smallest_label_pt`: labels may shrink from `label_pt` down to this (never below
    the output's minimum text size, rendering/textsizes.py) before the numbers shrink further;
    `labels`: "beside" keeps every label after its number (a line of text such as a footer),
    "beside-first" puts it below only where a unit does not fit on one line."""
    hotlines = list(hotlines)
    label_sizes = _sizes(label_pt, smallest_label_pt) if smallest_label_pt and smallest_label_pt < label_pt else [label_pt]
    for size in _sizes(largest_pt, smallest_pt):
        for rows, inline in _arrangements(len(hotlines), labels):
            if rows > 1 and two_rows_largest_pt and size > two_rows_largest_pt:
                continue
            for label in label_sizes:
                band = _fitting(hotlines, rows, size, label, gap_mm, inline, width_mm, height_mm)
                if band is not None:
                    return band
    # Nothing fits: name the widest entry and how much even one per row at the smallest sizes lacks.
    label = label_sizes[-1]
    placements = {inline for _, inline in _arrangements(len(hotlines), labels)}
    widths = [min(_row_width_mm([h], smallest_pt, label, gap_mm, inline) for inline in placements) for h in hotlines]
    widest = max(range(len(hotlines)), key=lambda i: widths[i])
    missing = widths[widest] - width_mm
    if missing <= 0 and height_mm:   # wide enough, too low: say how much height is missing
        missing = HotlineBand(smallest_pt, [[h] for h in hotlines], label, True).height_mm() - height_mm
    raise HotlinesDoNotFit(widest, hotlines[widest], max(missing, 1.0), where)


def _arrangements(count: int, labels: str) -> list[tuple[int, bool]]:
    """(rows, labels beside their numbers) in order of preference."""
    rows = range(1, count + 1)
    if labels == "beside":
        return [(n, True) for n in rows]
    if labels == "beside-first":     # a line of text: label and number side by side wherever they fit
        return [(n, True) for n in rows] + [(n, False) for n in rows]
    # A band: one row reads best with each label under its number; several rows stay low with
    # the label beside it.
    return [(1, False), (1, True)] + [(n, inline) for n in rows[1:] for inline in (True, False)]


def _fitting(hotlines, rows: int, size: float, label: float, gap_mm: float, inline: bool, width_mm: float,
             height_mm: float | None) -> HotlineBand | None:
    band = HotlineBand(size, [], label, inline, gap_mm)
    band.rows = [[]] * rows
    if height_mm is not None and band.height_mm() > height_mm + 0.01:
        return None
    for layout in _partitions(hotlines, rows):
        if all(_row_width_mm(row, size, label, gap_mm, inline) <= width_mm for row in layout):
            band.rows = layout
            return band
    return None
