"""Page boxes and where a point lies on the finished piece."""

from __future__ import annotations

from dataclasses import dataclass

from pikepdf import Name

from outreach.rendering.units import PT_PER_MM


@dataclass(frozen=True)
class PageBoxes:
    media: tuple[float, float, float, float]
    trim: tuple[float, float, float, float] | None
    bleed: tuple[float, float, float, float] | None

    @classmethod
    def of(cls, page) -> "PageBoxes":
        def box(key):
            value = page.obj.get(key)
            if value is None:
                return None
            x0, y0, x1, y1 = (float(v) for v in value)
            return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        media = box(Name.MediaBox) or (0.0, 0.0, 595.0, 842.0)
        return cls(media, box(Name.TrimBox), box(Name.BleedBox))

    @property
    def finished(self) -> tuple[float, float, float, float]:
        """The trimmed page (the MediaBox when there is no TrimBox)."""
        return self.trim or self.media

    def to_mm(self, x: float, y: float) -> tuple[float, float]:
        """A point in PDF user space → mm from the finished page's top-left corner."""
        x0, _, _, y1 = self.finished
        return round((x - x0) / PT_PER_MM, 1), round((y1 - y) / PT_PER_MM, 1)

    def rounded(self) -> tuple:
        def mm(box):
            return None if box is None else tuple(round(v / PT_PER_MM, 2) for v in box)
        return mm(self.media), mm(self.trim), mm(self.bleed)


def size_mm(box: tuple[float, float, float, float]) -> tuple[float, float]:
    return round((box[2] - box[0]) / PT_PER_MM, 2), round((box[3] - box[1]) / PT_PER_MM, 2)
