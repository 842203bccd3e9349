"""What a print master is made to: trimmed size, bleed, cut boxes, slug, output profile."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from outreach.rendering.prepress.colour import CMYK, theme_cmyk_table
from outreach.rendering.units import PT_PER_MM

BLEED_MM = 3.0
MARK_LENGTH_MM = 5.0
MARK_WIDTH_PT = 0.25
# Between the end of a mark and the edge of the sheet: some RIPs clip hairlines lying on the MediaBox.
MARK_CLEARANCE_MM = 2.0
SLUG_BAND_MM = 5.0
SLUG_SIZE_PT = 6.0
# Fold marks are dashed (dash, gap in mm) so the folder never takes one for a cut mark.
FOLD_DASH_MM = (1.5, 1.0)


@dataclass(frozen=True)
class Slug:
    """The line printed outside the trim: which file, made when, content due for review when."""

    file: str
    date: dt.date | None = None
    review_by: dt.date | None = None

    def text(self) -> str:
        parts = [self.file]
        if self.date:
            parts.append(f"生成 {self.date:%Y-%m-%d}")
        if self.review_by:
            parts.append(f"下次复核 {self.review_by:%Y-%m-%d}")
        return "　".join(parts)


@dataclass(frozen=True)
class PrintSpec:
    """Everything `print_master` needs besides the PDF (see the package docstring).

    `cuts`: per page, the boxes the guillotine cuts out of it, in mm from the trimmed page's
    top-left corner (objects with x, y, w, h: outreach.rendering.sheets.Box); a shorter list repeats
    its last entry; none: the page is the piece (a poster). `output_profile`: a CMYK output ICC
    profile (a relative path is taken from `root`; None: the default that `make build`
    installs). `cmyk`: exact values ("#rrggbb" → C, M, Y, K in percent); empty: the starter
    theme's table. `role`: the output's role, for the minimum text size the preflight applies."""

    trim_mm: tuple[float, float]
    bleed_mm: float = BLEED_MM
    cuts: Sequence[Sequence[Any]] = ()
    slug: Slug | None = None
    output_profile: Path | str | None = None
    root: Path | None = None
    cmyk: Mapping[str, CMYK] = field(default_factory=dict)
    role: str = ""
    title: str = ""
    date: dt.date | None = None   # the file's dates (Info, XMP); None: the slug's, else today
    font_family: str = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", sans-serif'
    # Per page, where the piece is folded (Fold: "x" for a vertical fold at `at_mm` from the trim's
    # left, "y" for a horizontal one from its top); a shorter list repeats its last entry.
    # Left out of repr (the master's document id is seeded from it): masters without folds keep their bytes.
    folds: Sequence[Sequence["Fold"]] = field(default=(), repr=False)

    @classmethod
    def for_project(cls, config, root: Path, **fields) -> "PrintSpec":
        """A spec with the project's print settings filled in: [print] output_profile, the CMYK table
        of its theme colours and [print.cmyk], its font for the slug; no slug when [print] slug = false."""
        settings = config.print
        colours = {name.removesuffix("_color"): value for name, value in config.theme if name.endswith("_color")}
        fields.setdefault("output_profile", root / settings.output_profile if settings.output_profile else None)
        fields.setdefault("root", root)
        fields.setdefault("cmyk", theme_cmyk_table(colours, dict(settings.cmyk)))
        fields.setdefault("font_family", config.theme.font_family)
        if not settings.slug and fields.get("slug") is not None:
            fields.setdefault("date", fields["slug"].date)
            fields["slug"] = None
        return cls(**fields)

    def profile_path(self) -> Path | None:
        if self.output_profile is None or self.output_profile == "":
            return None
        path = Path(self.output_profile)
        return self.root / path if self.root is not None and not path.is_absolute() else path

    def cuts_for(self, page_index: int) -> tuple[Box, ...]:
        if self.cuts:
            boxes = self.cuts[min(page_index, len(self.cuts) - 1)]
            if boxes:
                return tuple(Box(float(b.x), float(b.y), float(b.w), float(b.h)) for b in boxes)
        return (Box(0.0, 0.0, *self.trim_mm),)

    def folds_for(self, page_index: int) -> tuple["Fold", ...]:
        if not self.folds:
            return ()
        return tuple(self.folds[min(page_index, len(self.folds) - 1)])

    def margins_mm(self, pages: int = 1) -> tuple[float, float, float, float]:
        """Room around the trim on (left, top, right, bottom) for bleed, marks and slug: the same
        on every page, so that every page of a file has one MediaBox."""
        room = self.bleed_mm + MARK_LENGTH_MM + MARK_CLEARANCE_MM
        width, height = self.trim_mm
        boxes = [box for index in range(max(1, pages)) for box in self.cuts_for(index)]
        # Marks start at the bleed of the outermost cut; cuts that lie inside the trim need less room.
        left = max(room - min(b.x for b in boxes), self.bleed_mm)
        top = max(room - min(b.y for b in boxes), self.bleed_mm)
        right = max(room - (width - max(b.right for b in boxes)), self.bleed_mm)
        bottom = max(room - (height - max(b.bottom for b in boxes)), self.bleed_mm)
        if self.slug is not None:
            bottom += SLUG_BAND_MM
        return left, top, right, bottom


@dataclass(frozen=True)
class Box:
    """A cut box in millimetres from the trimmed page's top-left corner."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass(frozen=True)
class Fold:
    """A fold line across the whole trimmed page: axis "x" (a vertical line at `at_mm` from the
    trim's left edge) or "y" (a horizontal line at `at_mm` from its top edge)."""

    axis: str
    at_mm: float

    def __post_init__(self) -> None:
        if self.axis not in ("x", "y"):
            raise ValueError(f"Fold.axis must be 'x' or 'y', not {self.axis!r}")


def mm(value: float) -> float:
    """Millimetres → PDF points."""
    return value * PT_PER_MM


def pt_to_mm(value: float) -> float:
    return value / PT_PER_MM
