"""Large formats (易拉宝, 展板): sizes, the bleed the shops ask for, zones, and type sized from
the distance the piece is read at, not from A4.

Type size rule: a character must be at least 1/250 of the viewing distance tall (the usual
signage rule of thumb: about 4 mm of letter height per metre; a CJK character fills most of its
em square, so its em is taken as its height). `minimum_pt(distance_m)` gives that em in points.
The distances: a roll-up's top zone is seen over a crowd (8 m), its body and a board's title
from the stall's front (2.5 m), a board's body from an arm's length and a step (1.5 m).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from outreach.rendering.hotlinefit import text_lines, text_width_em

PT_TO_MM = 25.4 / 72
LETTER_HEIGHT_PER_DISTANCE = 1 / 250

ROLLUP_TOP_DISTANCE_M = 8.0     # the title and its line, seen over the heads of a crowd
ROLLUP_BODY_DISTANCE_M = 2.5    # everything else on a roll-up: read standing at the stall
BOARD_BODY_DISTANCE_M = 1.5     # a display board in a community centre, read walking past it

# Bleed: large-format shops ask for more than a sheet-fed printer's 3 mm, because rolls of
# banner material and boards are cut on a plotter or by hand. Chinese shops' 易拉宝/展板
# templates commonly add 5 mm a side; US large-format shops ask for 1/8" up to 1" and say to
# ask the rep (https://www.largeformatgraphics.biz/page/show/206615-artwork-guidelines-and-requirements,
# which also asks retractor banners for 1/2"-1" of clear space at the top, under the snap rail,
# and 6"-8" at the bottom, under the stand's foot). Default 5 mm, a setting ([large] bleed_mm).
LARGE_BLEED_MM = 5.0
ROLLUP_TOP_RAIL_MM = 30.0       # nothing but background under the top rail
ROLLUP_FOOT_MM = 150.0          # the bottom 15 cm goes into the stand's foot: background only

ROLLUP_SIZES = {"80x200": (800.0, 2000.0), "60x160": (600.0, 1600.0), "85x200": (850.0, 2000.0)}
BOARD_SIZES = {"90x120": (900.0, 1200.0), "60x90": (600.0, 900.0)}


def minimum_pt(distance_m: float) -> float:
    """The smallest font size (points, whole) legible at `distance_m` by the rule above."""
    return float(round(distance_m * 1000 * LETTER_HEIGHT_PER_DISTANCE / PT_TO_MM))


ROLLUP_MIN_PT = minimum_pt(ROLLUP_BODY_DISTANCE_M)     # 28 pt
ROLLUP_TOP_MIN_PT = minimum_pt(ROLLUP_TOP_DISTANCE_M)  # 91 pt
BOARD_MIN_PT = minimum_pt(BOARD_BODY_DISTANCE_M)       # 17 pt
BOARD_TITLE_MIN_PT = minimum_pt(ROLLUP_BODY_DISTANCE_M)


def board_size(name: str, orientation: str) -> tuple[float, float]:
    width, height = BOARD_SIZES[name]
    return (height, width) if orientation == "landscape" else (width, height)


def size_label(size_mm: tuple[float, float]) -> str:
    """"80×200 厘米"."""
    return f"{size_mm[0] / 10:g}×{size_mm[1] / 10:g} 厘米"


def size_slug(size_mm: tuple[float, float]) -> str:
    """"80x200": the size in a file name (width × height in centimetres)."""
    return f"{size_mm[0] / 10:g}x{size_mm[1] / 10:g}"


class TitleTooLong(Exception):
    """A title that does not fit its zone at the smallest size the viewing distance allows."""

    def __init__(self, text: str, lines: int, max_lines: int, per_line: int, cut: int) -> None:
        super().__init__(text)
        self.text, self.lines, self.max_lines, self.per_line, self.cut = text, lines, max_lines, per_line, cut


@dataclass(frozen=True)
class FittedTitle:
    size_pt: float
    lines: int

    def height_mm(self, line_height: float) -> float:
        return self.lines * self.size_pt * line_height * PT_TO_MM


def fit_title(text: str, width_mm: float, ladder: tuple[tuple[float, int], ...]) -> FittedTitle:
    """The first (size, most lines) of `ladder` (largest first) the text fits; TitleTooLong
    with how many characters to cut at the last (smallest) step."""
    for size, max_lines in ladder:
        lines = text_lines(text, size, width_mm)
        if lines <= max_lines:
            return FittedTitle(size, lines)
    size, max_lines = ladder[-1]
    per_line = max(int(width_mm / (size * PT_TO_MM)), 1)
    cut = max(1, math.ceil(text_width_em(text) - per_line * max_lines))
    raise TitleTooLong(text, text_lines(text, size, width_mm), max_lines, per_line, cut)


@dataclass(frozen=True)
class RollupZones:
    """A roll-up's zones, top to bottom, in mm: the top zone (title and line), the body, the call
    band (hotlines and QR), the clear foot."""

    width: float
    height: float
    top: float
    band: float
    foot: float = ROLLUP_FOOT_MM
    side: float = 50.0      # text keeps this far from the side edges

    @property
    def body(self) -> float:
        return self.height - self.top - self.band - self.foot

    @property
    def text_width(self) -> float:
        return self.width - 2 * self.side


def rollup_zones(size_mm: tuple[float, float]) -> RollupZones:
    width, height = size_mm
    return RollupZones(width, height, top=round(height * 0.23), band=round(height * 0.17))
