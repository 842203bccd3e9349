"""What the content streams paint: colour spaces, the thinnest line, images at their placed size.

One walk per page with the current transformation matrix, through forms at any depth, so every
finding has a place on the page."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name

from outreach.rendering.preflight.geometry import PageBoxes
from outreach.rendering.preflight.problems import ERROR, WARNING, Measures, Problem

MIN_LINE_PT = 0.25        # thinner lines break up or vanish on plate and press
MIN_LINE_ERROR_PT = 0.1   # … and these are gone for sure (0 w is the thinnest a device can draw)
MIN_PPI = 250             # below: soft or pixelated at the placed size
GOOD_PPI = 300

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF order: a point is transformed by m, then by n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def colour_space_name(space) -> str:
    """A readable name for a colour space object; "RGB" marks the ones a print master must not use."""
    if isinstance(space, Name):
        return {"/DeviceRGB": "RGB", "/RGB": "RGB", "/DeviceCMYK": "CMYK", "/CMYK": "CMYK", "/DeviceGray": "Gray",
                "/G": "Gray", "/Pattern": "Pattern"}.get(str(space), str(space).lstrip("/"))
    if isinstance(space, Array) and len(space):
        family = str(space[0]).lstrip("/")
        if family == "ICCBased":
            n = int(space[1].get(Name.N, 0))
            return {1: "ICC Gray", 3: "RGB", 4: "ICC CMYK"}.get(n, "ICC")
        if family == "CalRGB":
            return "RGB"
        if family in ("Separation",):
            return f"专色 {str(space[1]).lstrip('/')}"
        if family in ("Indexed", "I"):
            return f"Indexed {colour_space_name(space[1])}"
        if family == "DeviceN":
            return "DeviceN"
        if family == "Pattern" and len(space) > 1:
            return f"Pattern {colour_space_name(space[1])}"
        return family
    return "?"


def is_rgb(space) -> bool:
    name = colour_space_name(space)
    return name.endswith("RGB")


@dataclass
class PageFindings:
    rgb: list[tuple[str, tuple[float, float] | None]] = field(default_factory=list)   # what, where (pt)
    spaces: set[str] = field(default_factory=set)
    lines: list[tuple[float, tuple[float, float]]] = field(default_factory=list)     # width pt, where
    images: list[tuple[float, tuple[float, float], str]] = field(default_factory=list)  # ppi, where, name
    inline_images: int = 0


class PageWalker:
    def __init__(self, boxes: PageBoxes) -> None:
        self.boxes = boxes
        self.found = PageFindings()
        self._forms_seen: set = set()

    def walk(self, page) -> PageFindings:
        self._stream(pikepdf.parse_content_stream(page), page.obj.get(Name.Resources), IDENTITY, 0)
        group = page.obj.get(Name.Group)
        if isinstance(group, Dictionary) and Name.CS in group and is_rgb(group.CS):
            self.found.rgb.append(("页面的透明度组", None))
        return self.found

    def _stream(self, instructions, resources, ctm: Matrix, depth: int) -> None:
        if depth > 12:
            return
        stack: list[tuple[Matrix, float]] = []
        line_width = 1.0
        path_start: tuple[float, float] | None = None
        rects: list[tuple[float, float, float, float]] = []
        fill_rgb = stroke_rgb = False
        pending: str | None = None
        text_origin = (0.0, 0.0)
        line_origin = (0.0, 0.0)
        spaces = resources.get(Name.ColorSpace) if isinstance(resources, Dictionary) else None
        for item in instructions:
            if isinstance(item, pikepdf.ContentStreamInlineImage):
                self.found.inline_images += 1
                continue
            op = str(item.operator)
            args = item.operands
            if op == "q":
                stack.append((ctm, line_width))
            elif op == "Q":
                if stack:
                    ctm, line_width = stack.pop()
            elif op == "cm" and len(args) == 6:
                ctm = multiply(tuple(float(v) for v in args), ctm)   # type: ignore[arg-type]
            elif op == "w" and args:
                line_width = float(args[0])
            elif op in ("rg", "RG"):
                self.found.spaces.add("RGB")
                pending = pending or f"RGB 颜色（{' '.join(f'{float(v):.2f}' for v in args)} {op}）"
            elif op in ("k", "K"):
                self.found.spaces.add("CMYK")
            elif op in ("g", "G"):
                self.found.spaces.add("Gray")
            elif op in ("cs", "CS") and args:
                space = args[0]
                if isinstance(space, Name) and spaces is not None and space in spaces:
                    space = spaces[space]
                name = colour_space_name(space)
                self.found.spaces.add(name)
                rgb = name.endswith("RGB")
                if op == "cs":
                    fill_rgb = rgb
                else:
                    stroke_rgb = rgb
                if rgb:
                    pending = pending or f"RGB 颜色空间（{name}）"
            elif op in ("m", "re") and len(args) >= 2:
                if path_start is None:
                    path_start = apply(ctm, float(args[0]), float(args[1]))
                if op == "re" and len(args) == 4:
                    rects.append(tuple(float(v) for v in args))   # type: ignore[arg-type]
            elif op == "BT":
                text_origin = line_origin = (0.0, 0.0)
            elif op == "Tm" and len(args) == 6:
                text_origin = line_origin = (float(args[4]), float(args[5]))
            elif op in ("Td", "TD") and len(args) == 2:
                line_origin = text_origin = (line_origin[0] + float(args[0]), line_origin[1] + float(args[1]))
            elif op in ("Tj", "TJ", "'", '"'):
                if pending:
                    self.found.rgb.append((pending, apply(ctm, *text_origin)))
                    pending = None
            elif op in ("S", "s", "B", "B*", "b", "b*", "f", "F", "f*"):
                where = path_start or apply(ctm, 0, 0)
                if pending:
                    self.found.rgb.append((pending, where))
                    pending = None
                if op in ("S", "s", "B", "B*", "b", "b*"):
                    self._line(line_width * _scale(ctm), where)
                if op in ("f", "F", "f*", "B", "B*", "b", "b*"):
                    for rect in rects:
                        self._thin_rect(rect, ctm)
                path_start, rects = None, []
            elif op == "n":
                path_start, rects = None, []
            elif op == "sh" and args:
                shading = _lookup(resources, Name.Shading, args[0])
                if shading is not None:
                    self._shading(shading, apply(ctm, 0, 0))
            elif op == "Do" and args:
                xobject = _lookup(resources, Name.XObject, args[0])
                if xobject is not None:
                    self._xobject(xobject, str(args[0]), ctm, depth)
            elif op == "gs" and args:
                state = _lookup(resources, Name.ExtGState, args[0])
                if isinstance(state, Dictionary) and isinstance(state.get(Name.SMask), Dictionary):
                    group = state.SMask.get(Name.G)
                    if group is not None:
                        self._xobject(group, "透明度蒙版", ctm, depth)
            elif op in ("sc", "scn", "SC", "SCN"):
                if (fill_rgb if op in ("sc", "scn") else stroke_rgb) and not pending:
                    pending = "RGB 颜色"
        if pending:
            self.found.rgb.append((pending, None))
        self._patterns(resources, depth)

    def _line(self, width: float, where: tuple[float, float]) -> None:
        if self._outside_bleed(where):
            return   # crop marks and the slug's rules are not artwork
        self.found.lines.append((width, where))

    def _thin_rect(self, rect, ctm: Matrix) -> None:
        x, y, w, h = rect
        sx = math.hypot(ctm[0], ctm[1])
        sy = math.hypot(ctm[2], ctm[3])
        width, height = abs(w) * sx, abs(h) * sy
        thin, long = min(width, height), max(width, height)
        # A filled rectangle is a line (CSS borders and rules are drawn this way) when it is long and thin.
        if 0 < thin < 1.0 and long >= 3 * thin and long >= 2.8:
            where = apply(ctm, x, y)
            if not self._outside_bleed(where):
                self.found.lines.append((thin, where))

    def _shading(self, shading, where) -> None:
        space = shading.get(Name.ColorSpace)
        name = colour_space_name(space)
        self.found.spaces.add(name)
        if name.endswith("RGB"):
            self.found.rgb.append((f"渐变（{name}）", where))

    def _xobject(self, xobject, name: str, ctm: Matrix, depth: int) -> None:
        subtype = xobject.get(Name.Subtype)
        if subtype == Name.Image:
            self._image(xobject, name, ctm)
        elif subtype == Name.Form:
            matrix = tuple(float(v) for v in xobject.get(Name.Matrix, [1, 0, 0, 1, 0, 0]))
            inner = multiply(matrix, ctm)   # type: ignore[arg-type]
            group = xobject.get(Name.Group)
            if isinstance(group, Dictionary) and Name.CS in group and is_rgb(group.CS):
                self.found.rgb.append(("透明度组（RGB）", apply(inner, 0, 0)))
            self._stream(pikepdf.parse_content_stream(xobject), xobject.get(Name.Resources), inner, depth + 1)

    def _image(self, image, name: str, ctm: Matrix) -> None:
        where = apply(ctm, 0, 1)   # the image's top-left corner
        if image.get(Name.ImageMask, False):
            return
        space = image.get(Name.ColorSpace)
        label = colour_space_name(space) if space is not None else "JPX"
        self.found.spaces.add(label)
        if label.endswith("RGB"):
            self.found.rgb.append((f"图片（{label}）", where))
        bits = int(image.get(Name.BitsPerComponent, 8))
        if bits == 1 or image.get(Name.Interpolate, True) is False:
            return   # line art and pixel-exact pictures (QR codes drawn pixelated) are sharp at any size
        width_in = math.hypot(ctm[0], ctm[1]) / 72
        height_in = math.hypot(ctm[2], ctm[3]) / 72
        if width_in < 0.04 or height_in < 0.04 or self._outside_bleed(apply(ctm, 0.5, 0.5)):
            return
        ppi = min(int(image.Width) / width_in, int(image.Height) / height_in)
        self.found.images.append((ppi, where, name))

    def _patterns(self, resources, depth: int) -> None:
        """Tiling patterns and shading patterns: their colours (place: the pattern, not the page)."""
        if not isinstance(resources, Dictionary):
            return
        patterns = resources.get(Name.Pattern)
        if not isinstance(patterns, Dictionary):
            return
        for key in patterns.keys():
            pattern = patterns[key]
            if pattern.is_indirect:
                if pattern.objgen in self._forms_seen:
                    continue
                self._forms_seen.add(pattern.objgen)
            if int(pattern.get(Name.PatternType, 0)) == 2 and Name.Shading in pattern:
                self._shading(pattern.Shading, None)
            elif int(pattern.get(Name.PatternType, 0)) == 1:
                walker = PageWalker(self.boxes)
                walker._forms_seen = self._forms_seen
                walker._stream(pikepdf.parse_content_stream(pattern), pattern.get(Name.Resources), IDENTITY, depth + 1)
                self.found.spaces |= walker.found.spaces
                self.found.rgb += [(what, None) for what, _ in walker.found.rgb]

    def _outside_bleed(self, where: tuple[float, float]) -> bool:
        box = self.boxes.bleed or self.boxes.trim
        if box is None:
            return False
        x, y = where
        # On the bleed edge counts as outside: crop marks start there.
        return x <= box[0] + 0.1 or x >= box[2] - 0.1 or y <= box[1] + 0.1 or y >= box[3] - 0.1


def _scale(m: Matrix) -> float:
    return math.sqrt(abs(m[0] * m[3] - m[1] * m[2]))


def _lookup(resources, kind, name):
    if not isinstance(resources, Dictionary):
        return None
    group = resources.get(kind)
    if isinstance(group, Dictionary) and name in group:
        return group[name]
    return None


def check_content(pdf: pikepdf.Pdf, pages: list[PageBoxes], problems: list[Problem], measures: Measures) -> None:
    spaces: set[str] = set()
    thinnest: tuple[float, int, tuple[float, float]] | None = None
    lowest: tuple[float, int, tuple[float, float], str] | None = None
    for number, (page, boxes) in enumerate(zip(pdf.pages, pages, strict=True), start=1):
        found = PageWalker(boxes).walk(page)
        spaces |= found.spaces
        for what, where in found.rgb[:1]:
            x, y = boxes.to_mm(*where) if where else (None, None)
            more = f"（本页共 {len(found.rgb)} 处）" if len(found.rgb) > 1 else ""
            problems.append(Problem("rgb", ERROR, f"用了{what}{more}：印刷版只能用 CMYK 或灰度，RGB 颜色上机后会偏色。"
                                    "请用 outreach build --print-ready 重新生成", number, x, y))
        if found.inline_images:
            problems.append(Problem("inline-image", WARNING, f"有 {found.inline_images} 张内嵌小图，未能检查颜色和分辨率", number))
        for width, where in found.lines:
            if thinnest is None or width < thinnest[0]:
                thinnest = (width, number, where)
        for ppi, where, name in found.images:
            if lowest is None or ppi < lowest[0]:
                lowest = (ppi, number, where, name)
            if ppi < GOOD_PPI:
                x, y = boxes.to_mm(*where)
                severity = ERROR if ppi < MIN_PPI else WARNING
                problems.append(Problem("image-ppi", severity, f"图片在印刷尺寸下只有 {ppi:.0f} ppi（至少 {MIN_PPI}，最好 {GOOD_PPI}），"
                                        "印出来会模糊或有锯齿。请换成更大的图片", number, x, y))
    measures.colour_spaces = sorted(spaces)
    if thinnest is not None:
        width, number, where = thinnest
        x, y = pages[number - 1].to_mm(*where)
        measures.thinnest_line_pt = round(width, 3)
        measures.thinnest_line_at = (number, x, y)
        if width < MIN_LINE_PT:
            severity = ERROR if width < MIN_LINE_ERROR_PT else WARNING
            problems.append(Problem("thin-line", severity, f"线条只有 {width:.2f} 磅粗（至少 {MIN_LINE_PT} 磅），印刷时会断线或印不出来",
                                    number, x, y))
    if lowest is not None:
        measures.lowest_image_ppi = round(lowest[0])
