"""What preflight reports: located problems, and the file's measurements."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding. `page` is 1-based (0: the whole file); `x_mm`, `y_mm` from the top-left
    corner of the trimmed page (negative: outside it, in the bleed or the margin)."""

    code: str
    severity: str
    message: str
    page: int = 0
    x_mm: float | None = None
    y_mm: float | None = None

    def located(self, file: str = "") -> str:
        where = [file] if file else []
        if self.page:
            where.append(f"第 {self.page} 页")
        if self.x_mm is not None and self.y_mm is not None:
            where.append(f"距成品左边 {self.x_mm:.1f} 毫米、上边 {self.y_mm:.1f} 毫米")
        kind = "错误" if self.severity == ERROR else "提醒"
        return f"{'，'.join(where)}：{kind}：{self.message}" if where else f"{kind}：{self.message}"

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Measures:
    """What the shop asks about a file besides pass/fail."""

    pages: int = 0
    trim_mm: tuple[float, float] | None = None
    bleed_mm: float | None = None
    smallest_text_pt: float | None = None
    smallest_text_at: tuple[int, float, float] | None = None   # page, x mm, y mm
    thinnest_line_pt: float | None = None
    thinnest_line_at: tuple[int, float, float] | None = None
    lowest_image_ppi: float | None = None
    colour_spaces: list[str] = field(default_factory=list)
    output_condition: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    file: str
    role: str
    problems: list[Problem] = field(default_factory=list)
    measures: Measures = field(default_factory=Measures)

    @property
    def ok(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)

    def as_dict(self) -> dict:
        return {"file": self.file, "role": self.role, "ok": self.ok,
                "problems": [p.as_dict() for p in self.problems], "measures": self.measures.as_dict()}
