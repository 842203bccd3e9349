"""Fit 1–4 hotlines into a band of fixed width: one row at the largest size that fits, or two
rows, or a clear error naming the outreach.toml entry and how much room is missing.

Widths are estimated from the characters (CJK one em, digits and Latin about 0.6 em in the
heavy weights the bands use, a little over the real advance so the estimate errs on the
safe side); the build still checks the laid-out page, so an estimate can never hide text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

PT_TO_MM = 25.4 / 72


class HotlinesDoNotFit(Exception):
    """The hotlines cannot be printed legibly in the band, even on two rows at the smallest size."""

    def __init__(self, index: int, hotline, missing_mm: float, where: str) -> None:
        super().__init__(f"第 {index + 1} 项“{hotline.label} {hotline.number}”放不下：{where}还差约 {missing_mm:.0f} 毫米")
        self.index, self.hotline, self.missing_mm, self.where = index, hotline, missing_mm, where


@dataclass
class HotlineBand:
    size_pt: float                             # font size of the numbers
    rows: list[list] = field(default_factory=list)
    label_pt: float = 12.0

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def inline_labels(self) -> bool:
        """On two rows each label follows its number on the same line, so the band stays low."""
        return self.row_count > 1

    def height_mm(self) -> float:
        """Height of the numbers and labels (line heights as the stylesheets set them)."""
        if self.inline_labels:
            return self.row_count * self.size_pt * 1.1 * PT_TO_MM
        return (self.size_pt * 1.05 + self.label_pt * 1.45) * PT_TO_MM


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


def _row_width_mm(row, size_pt: float, label_pt: float, gap_mm: float, inline: bool = False) -> float:
    if inline:
        blocks = [(text_width_em(h.display) * size_pt + text_width_em(h.label) * label_pt) * PT_TO_MM + 2 for h in row]
    else:
        blocks = [max(text_width_em(h.display) * size_pt, text_width_em(h.label) * label_pt) * PT_TO_MM for h in row]
    return sum(blocks) + gap_mm * (len(row) - 1)


def _split(hotlines: list, rows: int) -> list[list]:
    per_row = -(-len(hotlines) // rows)
    return [hotlines[i:i + per_row] for i in range(0, len(hotlines), per_row)]


def fit_hotlines(hotlines, width_mm: float, largest_pt: float, smallest_pt: float, label_pt: float,
                 gap_mm: float, two_rows_largest_pt: float | None = None, where: str = "电话栏") -> HotlineBand:
    """The biggest legible layout: one row down to about three quarters of `largest_pt`, then two
    rows (numbers up to `two_rows_largest_pt`), then one or two rows down to `smallest_pt`."""
    hotlines = list(hotlines)
    sizes = [largest_pt - 2 * step for step in range(int((largest_pt - smallest_pt) / 2) + 1)]
    two_rows = [s for s in sizes if s <= (two_rows_largest_pt or largest_pt)]
    preferences = [(1, s) for s in sizes if s >= 0.75 * largest_pt] + [(2, s) for s in two_rows] + \
                  [(1, s) for s in sizes if s < 0.75 * largest_pt]
    for rows, size in preferences:
        if rows > len(hotlines):
            continue
        layout = _split(hotlines, rows)
        if all(_row_width_mm(row, size, label_pt, gap_mm, inline=rows > 1) <= width_mm for row in layout):
            return HotlineBand(size, layout, label_pt)
    # Nothing fits: name the widest entry and how much the best attempt lacks.
    layout = _split(hotlines, min(2, len(hotlines)))
    widths = [_row_width_mm(row, smallest_pt, label_pt, gap_mm, inline=len(layout) > 1) for row in layout]
    worst_row = max(range(len(layout)), key=lambda i: widths[i])
    widest = max(layout[worst_row], key=lambda h: text_width_em(h.display) + text_width_em(h.label))
    raise HotlinesDoNotFit(hotlines.index(widest), widest, widths[worst_row] - width_mm, where)
