"""Fit 1–4 hotlines into a band of fixed width: one row at the largest size that fits, or two
rows, or a clear error naming the outreach.toml entry and how much room is missing.

Widths are estimated from the characters (CJK one em, digits and Latin about 0.6 em in the
heavy weights the bands use, a little over the real advance so the estimate errs on the
safe side); the build still checks the laid-out page, so an estimate can never hide text.
"""

from __future__ import annotations

from outreach.core.errors import OutreachError

import unicodedata
from dataclasses import dataclass, field

PT_TO_MM = 25.4 / 72


class HotlinesDoNotFit(OutreachError):
    """The hotlines cannot be printed legibly in the band, even on two rows at the smallest size."""

    def __init__(self, index: int, hotline, missing_mm: float, where: str) -> None:
        super().__init__(f"第 {index + 1} 项“{hotline.label} {hotline.number}”放不下：{where}还差约 {missing_mm:.0f} 毫米")
        self.index, self.hotline, self.missing_mm, self.where = index, hotline, missing_mm, where


@dataclass
class HotlineBand:
    size_pt: float                             # font size of the numbers
    rows: list[list] = field(default_factory=list)
    label_pt: float = 12.0
    inline_labels: bool = False                # each label follows its number on the same line

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def height_mm(self) -> float:
        """Height of the numbers and labels (line heights as the stylesheets set them)."""
        if self.inline_labels:
            return self.row_count * self.size_pt * 1.1 * PT_TO_MM
        return self.row_count * (self.size_pt * 1.05 + self.label_pt * 1.45) * PT_TO_MM


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
    # Every block carries its gap (stylesheets put it as a right margin, the last one included)
    # plus the space between inline blocks in the source.
    return sum(blocks) + len(row) * (gap_mm + 1.5)


def _split(hotlines: list, rows: int) -> list[list]:
    per_row = -(-len(hotlines) // rows)
    return [hotlines[i:i + per_row] for i in range(0, len(hotlines), per_row)]


def fit_hotlines(hotlines, width_mm: float, largest_pt: float, smallest_pt: float, label_pt: float,
                 gap_mm: float, two_rows_largest_pt: float | None = None, where: str = "电话栏") -> HotlineBand:
    """The biggest legible layout that stays low: one row down to about three quarters of
    `largest_pt`; then two rows with each label beside its number; then two rows with the
    labels below; then one hotline per row (numbers up to `two_rows_largest_pt` on several
    rows); last, one row down to `smallest_pt`."""
    hotlines = list(hotlines)
    sizes = [largest_pt - 2 * step for step in range(int((largest_pt - smallest_pt) / 2) + 1)]
    several = [s for s in sizes if s <= (two_rows_largest_pt or largest_pt)]
    candidates = [(1, s, False) for s in sizes if s >= 0.75 * largest_pt]
    if len(hotlines) > 1:
        candidates += [(2, s, True) for s in several] + [(2, s, False) for s in several]
    if len(hotlines) > 2:
        candidates += [(len(hotlines), s, True) for s in several]
    candidates += [(1, s, False) for s in sizes if s < 0.75 * largest_pt]
    for rows, size, inline in candidates:
        layout = _split(hotlines, rows)
        if all(_row_width_mm(row, size, label_pt, gap_mm, inline) <= width_mm for row in layout):
            return HotlineBand(size, layout, label_pt, inline_labels=inline)
    # Nothing fits: name the widest entry and how much even one per row at the smallest size lacks.
    widths = [_row_width_mm([h], smallest_pt, label_pt, gap_mm, True) for h in hotlines]
    widest = max(range(len(hotlines)), key=lambda i: widths[i])
    raise HotlinesDoNotFit(widest, hotlines[widest], widths[widest] - width_mm, where)
