"""Panel geometry of folded leaflets: where each panel of a roll-folded (卷折/包心折) sheet lies on
the outside and the inside page, and where the folds are.

A roll fold turns one sheet into three panels that fold in on each other: the panel that folds in
first (the inside flap) must be a little narrower than the other two, or it buckles against the
fold of the panel wrapped round it. Shops and design guides give an A4 sheet (297 mm) as
100 + 100 + 97 mm, the fold-in panel 2–3 mm narrower: e.g. the Danish state's design guide for
its A4 three-panel folder (foa.dk designguide, "M65 3-fløjet": flap 97 mm, the others 100 mm),
Canon's PRISMAprepare manual ("Tri-fold in": the folded-in panel slightly smaller so the panels
nest), and print-shop forum practice (100 / 100 / 97 mm, folds marked with dashed lines, not cut
marks). Folding machines hold about ±1 mm: artwork keeps its colour blocks off the folds.

Seen from the outside (page 1), left to right: inside flap (the fold-in panel), back cover, front
cover. The inside (page 2) is the same sheet turned over on its long edge, so every position is
mirrored: panel 1 (behind the front cover), panel 2 (behind the back cover), panel 3 (behind the
flap, the fold-in panel, on the right).
"""

from __future__ import annotations

from dataclasses import dataclass

A4_LANDSCAPE_MM = (297.0, 210.0)
FOLD_IN_MM = 3.0           # how much narrower the fold-in panel is (2–3 mm is what shops ask)
FOLD_SAFE_MM = 5.0         # text keeps this far from a fold (the crease and the folder's drift)
TRIM_SAFE_MM = 5.0         # and this far from the trimmed edge


@dataclass(frozen=True)
class Panel:
    name: str        # "flap", "back", "cover" (outside); "inside-1", "inside-2", "inside-3"
    x_mm: float      # from the trimmed page's left edge
    width_mm: float

    @property
    def right_mm(self) -> float:
        return self.x_mm + self.width_mm


@dataclass(frozen=True)
class RollFold:
    """A sheet for a two-fold, three-panel roll fold: each side's panels (left to right) and folds."""

    width_mm: float
    height_mm: float
    outside: tuple[Panel, ...]
    inside: tuple[Panel, ...]

    @property
    def outside_folds(self) -> tuple[float, ...]:
        return tuple(panel.right_mm for panel in self.outside[:-1])

    @property
    def inside_folds(self) -> tuple[float, ...]:
        return tuple(panel.right_mm for panel in self.inside[:-1])

    def pages(self) -> tuple[tuple[Panel, ...], tuple[Panel, ...]]:
        """Page 1 (outside) and page 2 (inside) of the duplex PDF."""
        return self.outside, self.inside


def roll_fold(width_mm: float = A4_LANDSCAPE_MM[0], height_mm: float = A4_LANDSCAPE_MM[1],
              fold_in_mm: float = FOLD_IN_MM) -> RollFold:
    """The panels of a sheet `width_mm` wide: the two outer panels equal, the fold-in panel
    `fold_in_mm` narrower (A4: 100, 100 and 97 mm)."""
    full = (width_mm + fold_in_mm) / 3
    tucked = width_mm - 2 * full
    outside = (Panel("flap", 0.0, tucked), Panel("back", tucked, full), Panel("cover", tucked + full, full))
    # The back of each outside panel, mirrored for a long-edge turn of the sheet.
    behind = {"cover": "inside-1", "back": "inside-2", "flap": "inside-3"}
    inside = tuple(sorted((Panel(behind[p.name], width_mm - p.right_mm, p.width_mm) for p in outside),
                          key=lambda panel: panel.x_mm))
    return RollFold(width_mm, height_mm, outside, inside)
