"""What a print master is made to: trimmed size, bleed, cut boxes, slug, output profile."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from outreach.core.errors import OutreachError
from outreach.render.units import PT_PER_MM

BLEED_MM = 3.0
MARK_LENGTH_MM = 5.0
MARK_WIDTH_PT = 0.25
# Between the end of a mark and the edge of the sheet: some RIPs clip hairlines lying on the MediaBox.
MARK_CLEARANCE_MM = 2.0
SLUG_BAND_MM = 5.0
SLUG_SIZE_PT = 6.0

CMYK = tuple[float, float, float, float]   # percentages 0–100, as shops and the config write them


class PrepressError(OutreachError):
    """A PDF that cannot be made into a print master (wrong page size, unusable profile)."""


@dataclass(frozen=True)
class Box:
    """A rectangle in millimetres, from the top-left corner of the trimmed page."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass(frozen=True)
class PrintSpec:
    """Everything `print_master` needs besides the PDF.

    `cuts_mm`: the boxes a guillotine cuts out of every page, from the trim's top-left corner
    (empty: the trim itself, as for a poster; a card sheet lists one box per card).
    `page_cuts_mm`: per page instead (page i uses entry i modulo its length), for sheets whose
    backs are imposed differently. `slug`: the parts of the slug line (file name, date, review
    date), printed outside the trim; empty: no slug. `output_profile`: a CMYK output ICC profile
    (None: the default one `make build` installs). `cmyk`: exact CMYK values for colours
    ("#rrggbb" → percentages); other colours go through the profile. `min_text_pt`: the kind's
    minimum text size (for the preflight the build runs on the result)."""

    trim_mm: tuple[float, float]
    bleed_mm: float = BLEED_MM
    cuts_mm: tuple[Box, ...] = ()
    page_cuts_mm: tuple[tuple[Box, ...], ...] = ()
    slug: tuple[str, ...] = ()
    output_profile: Path | None = None
    cmyk: dict[str, CMYK] = field(default_factory=dict)
    min_text_pt: float = 9.0
    title: str = ""
    date: dt.date | None = None
    font_family: str = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", sans-serif'

    def cuts_for(self, page_index: int) -> tuple[Box, ...]:
        if self.page_cuts_mm:
            boxes = self.page_cuts_mm[page_index % len(self.page_cuts_mm)]
            if boxes:
                return boxes
        return self.cuts_mm or (Box(0, 0, *self.trim_mm),)

    def margins_mm(self) -> tuple[float, float, float, float]:
        """Room around the trim on (left, top, right, bottom) for bleed, marks and slug: the same
        on every page, so that every page of a file has one MediaBox."""
        room = self.bleed_mm + MARK_LENGTH_MM + MARK_CLEARANCE_MM
        left = top = right = bottom = room
        width, height = self.trim_mm
        boxes = [box for index in range(max(1, len(self.page_cuts_mm))) for box in self.cuts_for(index)]
        # Marks start at the bleed of the outermost cut; cuts that lie inside the trim need less room.
        left = max(0.0, room - min(b.x for b in boxes), self.bleed_mm)
        top = max(0.0, room - min(b.y for b in boxes), self.bleed_mm)
        right = max(0.0, room - (width - max(b.right for b in boxes)), self.bleed_mm)
        bottom = max(0.0, room - (height - max(b.bottom for b in boxes)), self.bleed_mm)
        if self.slug:
            bottom += SLUG_BAND_MM
        return left, top, right, bottom


def mm(value: float) -> float:
    """Millimetres → PDF points."""
    return value * PT_PER_MM


def pt_to_mm(value: float) -> float:
    return value / PT_PER_MM
