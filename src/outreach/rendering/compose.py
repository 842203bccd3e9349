"""Vertical composition of one-page pieces (posters, tip sheets): the page's free height is
measured and given back to the page, so content does not stack at the top over a white band
of whatever height is left above the footer.

A template asks for it with a `data-compose` attribute on any element, whose value may set
`band=` (mm of white to keep above the footer, default 6), `scale=` (how far the type may grow
on a sparse page, default 1: not at all) and `gap=` (mm any one gap may grow, default 10). Its
CSS then uses two custom properties the build sets:

- `--compose-spread`: added to the gaps between blocks (`calc(4mm + var(--compose-spread, 0mm))`);
- `--compose-scale`: multiplies type sizes (`calc(14.5pt * var(--compose-scale, 1))`).

The page is laid out as it comes, measured, then again: with larger type when more than a quarter
of it is empty (up to `scale`), then with the gaps opened so the band above the footer is `band`
mm. A gap grows by the same amount everywhere; how many gaps there are is measured (a layout with
a known spread), not declared. Nothing that fits is ever pushed off the page: a layout that would
not fit is not kept. A page that runs a little over (`tighten`) has its gaps closed instead, each
by at most TIGHTEST_MM, before the build calls it too long.

Opening the gaps rarely takes a layout: where the spread only moves blocks down (opengaps), the
laid-out boxes are moved, with the same probe, spread and fit as the layouts below would use, to
the same picture. The layouts remain for every page that cannot be moved so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from outreach.rendering.opengaps import paints, spread_css
from outreach.rendering.units import PX_PER_MM

if TYPE_CHECKING:
    from weasyprint import Document

# The attribute inside a start tag: the words "data-compose" in a page's text are not it.
MARKER = re.compile(r"""<[A-Za-z][^<>]*?\sdata-compose(?:=(?:"([^"]*)"|'([^']*)'))?(?=[\s/>])""")
BAND_MM = 6.0              # white kept above the footer
TOLERANCE_MM = 0.6         # close enough to the band
SPARSE_SHARE = 0.25        # a page with more of its height empty than this gets larger type
PROBE_SHARE = 1 / 30      # the first opening of every gap, as a share of the room to give
COMPOSE_VARIABLES = ("--compose-scale", "--compose-spread")   # the only CSS variables the build sets
# A page a little too long closes its gaps by up to this much each: every gap a composed
# template opens with --compose-spread is at least this wide (tip.css, poster.css).
TIGHTEST_MM = 1.5
# Positions are whole device pixels, so a measured gap count is off by up to about 0.1.
GAP_NOISE = 0.2

# Growing gaps measured per composition in this process: a first guess for the next page only
# (it saves the measuring layout when right; the result never depends on it).
_GAPS_SEEN: dict[Composition, float] = {}


@dataclass(frozen=True)
class Composition:
    band_mm: float = BAND_MM
    max_scale: float = 1.0
    max_gap_mm: float = 10.0


def requested(html: str) -> Composition | None:
    """The composition the page's template asks for, or None."""
    match = MARKER.search(html)
    if match is None:
        return None
    options = dict(re.findall(r"(band|scale|gap)\s*=\s*([0-9.]+)", match.group(1) or match.group(2) or ""))
    try:
        return Composition(float(options.get("band", BAND_MM)), max(float(options.get("scale", 1.0)), 1.0),
                           float(options.get("gap", 10.0)))
    except ValueError:
        return None


def with_settings(html: str, scale: float, spread_mm: float) -> str:
    """The page with the two custom properties set (a style sheet at the end of <head>, which
    wins over the template's own :root rules)."""
    scale_name, spread_name = COMPOSE_VARIABLES
    rule = f"<style>:root {{ {scale_name}: {scale:.4f}; {spread_name}: {spread_css(spread_mm)}; }}</style>"
    at = html.lower().rfind("</head>")
    return html[:at] + rule + html[at:] if at >= 0 else html


def compose(document: Document, html: str, lay_out: Callable[[str], Document]) -> Document:
    """`document` (the one-page layout of `html`) composed as its template asks; `lay_out` lays
    out a changed page the way `document` was."""
    spec = requested(html)
    if spec is None or len(document.pages) != 1:
        return document
    free, flow = free_mm(document)
    if free <= spec.band_mm + TOLERANCE_MM:
        return document
    best, best_free, scale = document, free, 1.0
    if spec.max_scale > 1 and free > SPARSE_SHARE * flow:
        best, best_free, scale = _grow_type(html, lay_out, spec, document, free)
    room = best_free - spec.band_mm
    if room <= TOLERANCE_MM:
        return best
    def fits(page: Document) -> bool:
        return len(page.pages) == 1 and free_mm(page)[0] >= min(spec.band_mm, best_free) - TOLERANCE_MM

    moved = _open_by_moving(best, spec, best_free)
    if moved is not None:
        return moved

    # Most pages of a template have as many growing gaps as the last ones did: open them for
    # that many, and the layout both measures the count and, when it was right, is the result.
    # The count is whole (or half) gaps, so the spread, and the bytes, are the same either way.
    gaps = None
    guess = _GAPS_SEEN.get(spec)
    if guess:
        spread = min(room / guess, spec.max_gap_mm)
        trial = lay_out(with_settings(html, scale, spread))
        if len(trial.pages) == 1:
            gaps = _whole((best_free - free_mm(trial)[0]) / spread)
            if gaps == guess and fits(trial):
                return trial
    probed = None
    if gaps is None:
        # How many gaps grow: open each by a little (no page has PROBE_SHARE⁻¹ gaps) and measure.
        probe = min(room * PROBE_SHARE, 1.0)
        probed = lay_out(with_settings(html, scale, probe))
        if len(probed.pages) != 1:
            return best
        slope = (best_free - free_mm(probed)[0]) / probe
        if slope < 0.5:
            return best          # the template has no gap that grows
        gaps = _whole(slope) or slope
    if gaps == _whole(gaps):
        _GAPS_SEEN[spec] = max(_GAPS_SEEN.get(spec, 0.0), gaps)   # the larger count never overfills
    spread = min(room / gaps, spec.max_gap_mm)
    for share in (1.0, 0.8):  # a block kept whole (break-inside: avoid) can make the last step uneven
        final = lay_out(with_settings(html, scale, spread * share))
        if fits(final):
            return final
    return probed or lay_out(with_settings(html, scale, min(room * PROBE_SHARE, 1.0)))


def _open_by_moving(best: Document, spec: Composition, best_free: float) -> Document | None:
    """`best` with its gaps opened the way the layouts below would open them (same probe, same
    spread, same fit), by moving its boxes (opengaps): None where that would not give the page
    a layout gives."""
    from outreach.rendering.opengaps import plan

    gap_plan = plan(best)
    if gap_plan is None:
        return None
    room = best_free - spec.band_mm
    probe = min(room * PROBE_SHARE, 1.0)
    probed_free = gap_plan.free_mm(probe)
    if probed_free is None:
        return None
    slope = (best_free - probed_free) / probe
    if slope < 0.5:
        return best          # the template has no gap that grows
    gaps = _whole(slope) or slope
    spread = min(room / gaps, spec.max_gap_mm)
    for share in (1.0, 0.8):  # as below: the same spreads tried in the same order
        free = gap_plan.free_mm(spread * share)
        if free is None:
            return None
        if free >= min(spec.band_mm, best_free) - TOLERANCE_MM:
            return gap_plan.open(spread * share)
    return gap_plan.open(probe)


def _whole(slope: float) -> float | None:
    """A measured gap count to the nearest half gap (a template may open a gap by half the
    spread), or None when the measurement is not that close to one (a layout that reflowed)."""
    count = round(slope * 2) / 2
    return count if count >= 0.5 and abs(slope - count) <= GAP_NOISE else None


def tighten(html: str, lay_out: Callable[[str], Document]) -> Document | None:
    """A composed page that runs a little over one page (a unit's many hotlines make the footer
    taller), fitted by closing every gap between its blocks by the same amount, at most
    TIGHTEST_MM; as much of the band above the footer kept as that leaves. None when the page
    asks for no composition or closing the gaps is not enough (the build then reports the
    overflow as before)."""
    spec = requested(html)
    if spec is None:
        return None
    tight = lay_out(with_settings(html, 1.0, -TIGHTEST_MM))
    if len(tight.pages) != 1:
        return None
    free = free_mm(tight)[0]
    room = free - spec.band_mm
    if room <= TOLERANCE_MM:
        return tight
    # Measure how many gaps there are (as compose does), then close them only as far as needed.
    probe = min(room / 2, 0.5)
    probed = lay_out(with_settings(html, 1.0, probe - TIGHTEST_MM))
    gaps = (free - free_mm(probed)[0]) / probe if len(probed.pages) == 1 else 0.0
    if gaps < 0.5:
        return tight
    relaxed = lay_out(with_settings(html, 1.0, min(room / gaps, TIGHTEST_MM) - TIGHTEST_MM))
    return relaxed if len(relaxed.pages) == 1 else tight


def _grow_type(html: str, lay_out: Callable[[str], Document], spec: Composition, document: Document,
               free: float) -> tuple[Document, float, float]:
    """A sparse page with its type as large as fits (at most spec.max_scale, keeping the band):
    (layout, its free height, the scale); the page as it was if no larger type fits. Halves
    the step from the largest scale down, three tries at most."""
    best = (document, free, 1.0)
    low, high = 1.0, spec.max_scale
    scale = high
    for _ in range(3):
        candidate = lay_out(with_settings(html, scale, 0.0))
        if len(candidate.pages) == 1 and (candidate_free := free_mm(candidate)[0]) >= spec.band_mm:
            best, low = (candidate, candidate_free, scale), scale
            if scale == high:
                break
        else:
            high = scale
        scale = (low + high) / 2
    return best


def free_mm(document: Document) -> tuple[float, float]:
    """(free height above the page's bottom margin, height of the page's flow area), in mm, of
    the first page: from the lowest thing painted (a line of text, an image, a box's background
    or border) to where the flow area ends (a running footer sits in the margin below)."""
    page = document.pages[0]
    box = page._page_box
    top = box.content_box_y()
    return (top + box.height - visual_bottom_px(page, top)) / PX_PER_MM, box.height / PX_PER_MM


def visual_bottom_px(page, floor: float) -> float:
    """Where the lowest painted thing of the page's flow ends (margin boxes aside)."""
    from weasyprint.formatting_structure import boxes

    bottom = floor
    stack = [child for child in page._page_box.children if not isinstance(child, boxes.MarginBox)]
    while stack:
        box = stack.pop()
        if isinstance(box, boxes.LineBox):
            bottom = max(bottom, box.position_y + box.height)
            continue
        if isinstance(box, boxes.ReplacedBox) or paints(box):
            bottom = max(bottom, box.position_y + box.margin_top + box.border_height())
        stack.extend(getattr(box, "children", []))
    return bottom
