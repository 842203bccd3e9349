"""Checks made on the rendered page: artwork that reaches a cut continues to the bleed, and the
crop marks are there, outside the bleed, at every corner."""

from __future__ import annotations

from pikepdf import Dictionary, Name

from outreach.rendering.preflight.geometry import PageBoxes
from outreach.rendering.preflight.problems import ERROR, Problem
from outreach.rendering.units import PT_PER_MM

DPI = 150
INK = 245            # a channel below this is ink, not paper
MARK = 170           # every channel below this: a mark (registration prints as solid on all plates)
MIN_GAP_MM = 1.0     # bleed missing along less than this is rendering noise, not a white sliver
CORNER_ZONE_MM = 12.0


def cuts_of(page_obj, boxes: PageBoxes) -> list[tuple[float, float, float, float]]:
    """The cut boxes in PDF points (x0, y0, x1, y1): those print_master recorded, else the trim."""
    trim = boxes.finished
    info = page_obj.get(Name.PieceInfo)
    private = None
    if isinstance(info, Dictionary) and isinstance(info.get("/Outreach"), Dictionary):
        private = info["/Outreach"].get(Name.Private)
    cuts = private.get("/Cuts") if isinstance(private, Dictionary) else None
    if not cuts:
        return [trim]
    found = []
    for x, y, w, h in ([float(v) for v in box] for box in cuts):
        x0 = trim[0] + x * PT_PER_MM
        y1 = trim[3] - y * PT_PER_MM
        found.append((x0, y1 - h * PT_PER_MM, x0 + w * PT_PER_MM, y1))
    return found


class Raster:
    """A page rendered once, sampled in PDF points."""

    def __init__(self, page, boxes: PageBoxes) -> None:
        self.scale = DPI / 72
        self.media = boxes.media
        bitmap = page.render(scale=self.scale, may_draw_forms=False)
        self.image = bitmap.to_pil().convert("RGB")
        self.width, self.height = self.image.size
        self.pixels = self.image.load()

    def px(self, x: float, y: float) -> tuple[int, int]:
        return (min(self.width - 1, max(0, int((x - self.media[0]) * self.scale))),
                min(self.height - 1, max(0, int((self.media[3] - y) * self.scale))))

    def strip(self, begin: tuple[float, float], end: tuple[float, float]) -> list[bool]:
        """Whether each pixel on the straight line from `begin` to `end` (one row or one column
        of the rendered page) carries ink, in order."""
        (x0, y0), (x1, y1) = self.px(*begin), self.px(*end)
        if y0 == y1:   # a row
            data = self.image.crop((min(x0, x1), y0, max(x0, x1) + 1, y0 + 1)).tobytes()
        else:          # a column
            data = self.image.crop((x0, min(y0, y1), x0 + 1, max(y0, y1) + 1)).tobytes()
        inked = [min(data[i], data[i + 1], data[i + 2]) < INK for i in range(0, len(data), 3)]
        reverse = (x1 < x0) if y0 == y1 else (y1 < y0)
        return inked[::-1] if reverse else inked

    def inked(self, x: float, y: float) -> bool:
        return min(self.pixels[self.px(x, y)]) < INK   # type: ignore[index]

    def has_mark(self, x0: float, y0: float, x1: float, y1: float) -> bool:
        x0, x1 = max(min(x0, x1), self.media[0]), min(max(x0, x1), self.media[2])
        y0, y1 = max(min(y0, y1), self.media[1]), min(max(y0, y1), self.media[3])
        if x1 - x0 < 1 or y1 - y0 < 1:
            return False   # no room on the sheet for a mark there
        left, top = self.px(min(x0, x1), max(y0, y1))
        right, bottom = self.px(max(x0, x1), min(y0, y1))
        data = self.image.crop((left, top, right + 1, bottom + 1)).tobytes()
        return any(max(data[i:i + 3]) < MARK for i in range(0, len(data), 3))


def _edges(cut, inside: float, outside: float):
    """Each side of a cut: its name, its extent, and where to look just inside and just outside it."""
    x0, y0, x1, y1 = cut
    return (("上", (x0, x1), lambda t: (t, y1 - inside), lambda t: (t, y1 + outside)),
            ("下", (x0, x1), lambda t: (t, y0 + inside), lambda t: (t, y0 - outside)),
            ("左", (y0, y1), lambda t: (x0 + inside, t), lambda t: (x0 - outside, t)),
            ("右", (y0, y1), lambda t: (x1 - inside, t), lambda t: (x1 + outside, t)))


def check_bleed(raster: Raster, cuts, bleed_mm: float, number: int, boxes: PageBoxes, problems: list[Problem]) -> None:
    """Along every edge of every cut: where the artwork touches the cut it must still be there
    just inside the bleed edge, or a slip of the blade shows white paper."""
    inside = 0.4 * PT_PER_MM
    outside = (bleed_mm - 0.4) * PT_PER_MM
    step = 1 / raster.scale
    for cut in cuts:
        for side, (start, end), near, far in _edges(cut, inside, outside):
            gap = _first_gap(raster, start + PT_PER_MM, end - PT_PER_MM, step, near, far)
            if gap is not None:
                x, y = boxes.to_mm(*near(gap))
                problems.append(Problem("no-bleed", ERROR, f"裁切线{side}边的底色没有延伸到出血（裁切线外 {bleed_mm:g} 毫米）："
                                        "裁切稍有偏差就会露出白边。请让背景铺满出血区", number, x, y))
                return


def _first_gap(raster: Raster, start: float, end: float, step: float, near, far) -> float | None:
    """Where along an edge the artwork stops short of the bleed for MIN_GAP_MM or more (the
    edge is read as two one-pixel strips of the rendered page, not pixel by pixel)."""
    if end < start:
        return None
    inner = raster.strip(near(start), near(end))
    outer = raster.strip(far(start), far(end))
    run = max(1, int(MIN_GAP_MM * PT_PER_MM / step))
    missing = bytes(1 if a and not b else 0 for a, b in zip(inner, outer, strict=True))
    found = missing.find(b"\x01" * run)
    return None if found < 0 else start + found * step


def check_marks(raster: Raster, cuts, boxes: PageBoxes, bleed_mm: float, number: int, problems: list[Problem]) -> None:
    """A crop mark near each outer corner of the cuts, outside the bleed."""
    left = min(c[0] for c in cuts)
    bottom = min(c[1] for c in cuts)
    right = max(c[2] for c in cuts)
    top = max(c[3] for c in cuts)
    bleed = bleed_mm * PT_PER_MM
    zone = CORNER_ZONE_MM * PT_PER_MM
    half = 1.0 * PT_PER_MM
    missing = []
    for name, cx, cy, sx, sy in (("左上", left, top, -1, 1), ("右上", right, top, 1, 1),
                                 ("左下", left, bottom, -1, -1), ("右下", right, bottom, 1, -1)):
        # The vertical mark beyond the top/bottom bleed, the horizontal one beyond the side's bleed.
        vertical = raster.has_mark(cx - half, cy + sy * (bleed + 0.3 * PT_PER_MM), cx + half, cy + sy * zone)
        horizontal = raster.has_mark(cx + sx * (bleed + 0.3 * PT_PER_MM), cy - half, cx + sx * zone, cy + half)
        if not (vertical and horizontal):
            missing.append(name)
    if missing:
        x, y = boxes.to_mm(left, top)
        problems.append(Problem("marks-missing", ERROR, f"{'、'.join(missing)}角没有出血线外的裁切标记，印刷厂无法对准裁切",
                                number, x, y))
