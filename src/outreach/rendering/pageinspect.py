"""The page inspector: read rendered PDFs the way a print shop looks at them.

Text extraction says nothing about how a page looks: a page number drawn upside down, two
lines printed over each other, text under the QR code, a white strip in the bleed all
extract fine. This module reads glyph positions and transformation matrices with pdfium
(pypdfium2's text API, not hand-parsed content streams), renders print-ready pages to
compare the colour on both sides of the trim line, and reports each problem with its page
and position in millimetres, in Chinese.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Collection, Iterable, Sequence

from outreach.rendering.inspect_furniture import folio_findings, page_folios
from outreach.rendering.textpages import text_of
from outreach.rendering.units import PT_PER_MM

SAFE_MARGIN_MM = 3.0        # on print-ready pages, text keeps this far inside the trim line
OVERLAP_SHARE = 0.2         # two glyphs overlap when they share this much of the smaller box
IMAGE_OVERLAP_SHARE = 0.3   # a glyph is on an image when this much of it lies inside the image
BLEED_SAMPLE_MM = (1.0, 1.5)  # sample this far inside and outside the trim line
CORNER_MM = 12.0            # crop marks sit at the corners: edges are compared away from them
COLOUR_TOLERANCE = 48       # sum of RGB differences still counted as "the same colour"
MAX_PER_KIND = 5            # problems of one kind reported per page (the rest are counted)


@dataclass(frozen=True)
class PageProblem:
    file: str
    page: int            # 1-based
    x_mm: float          # from the left edge of the trim box
    y_mm: float          # from the top edge of the trim box
    code: str
    message: str
    severity: str = "error"   # "error": a defect, the build fails; "warning": polish, reported only

    def format(self) -> str:
        label = "提示" if self.severity == "warning" else "问题"
        return (f"{self.file}:第 {self.page} 页（左 {self.x_mm:.0f} 毫米，上 {self.y_mm:.0f} 毫米）: {label}: "
                f"{self.code}: {self.message}")


@dataclass
class _Glyph:
    char: str
    box: tuple[float, float, float, float]   # left, bottom, right, top in points
    matrix: tuple[float, ...]                # a, b, c, d, e, f


def inspect_pdf(source: bytes | Path, name: str = "", terms: tuple[str, ...] = (),
                skip: Collection[int] = ()) -> list[PageProblem]:
    """Every problem on every page of one PDF. `terms`: the project's own names that must not
    split over two lines (the built-in ones are always checked). `skip`: 0-based pages left out
    (inspected already as pages of another file); the others keep their numbers, and the page
    numbers printed on them are compared among themselves."""
    return inspect_pdf_terms(source, name, (terms,), skip)[0]


def inspect_pdf_terms(source: bytes | Path, name: str, term_sets: Sequence[tuple[str, ...]],
                      skip: Collection[int] = ()) -> list[list[PageProblem]]:
    """What inspect_pdf says of one PDF with each set of terms, the PDF read once: only the
    typesetting checks depend on the terms, the rest (reading every glyph, rendering the bleed)
    is done once for all sets. The build checks each finished page with the terms of
    `outreach check --pages` and with the library's law names together (outputs/html.py)."""
    import pypdfium2 as pdfium

    data = source.read_bytes() if isinstance(source, Path) else source
    name = name or (str(source) if isinstance(source, Path) else "PDF")
    document = pdfium.PdfDocument(data)
    problems: list[list[PageProblem]] = [[] for _ in term_sets]
    folios = []
    try:
        inspected = [index for index in range(len(document)) if index not in skip]
        for index in inspected:
            page = document[index]
            textpage = page.get_textpage()   # one text analysis of the page for every check
            try:
                for found, page_problems in zip(problems, _inspect_page(page, textpage, index + 1, name, term_sets),
                                                strict=True):
                    found.extend(page_problems)
                folios.append(page_folios(page, textpage))
            finally:
                textpage.close()
                page.close()
        # Findings on the inspected pages' numbers, by their place among them: back to their pages.
        furniture = [PageProblem(name, inspected[found[0] - 1] + 1, *found[1:]) for found in folio_findings(folios)]
    finally:
        document.close()
    return [found + furniture for found in problems]


def inspect_files(paths: Iterable[Path], base: Path, terms: tuple[str, ...] = ()) -> list[PageProblem]:
    problems = []
    for path in paths:
        problems.extend(inspect_pdf(path, path.relative_to(base).as_posix(), terms))
    return problems


class _Page:
    """Coordinates of one page: millimetres from the trim box's top-left corner."""

    def __init__(self, page, number: int, file: str, textpage=None) -> None:
        self.page, self.number, self.file, self.textpage = page, number, file, textpage
        self.media = page.get_mediabox()
        self.trim = page.get_trimbox()
        self.print_ready = any(abs(a - b) > 1 for a, b in zip(self.media, self.trim, strict=True))
        self.bleed = page.get_bleedbox()

    def problem(self, x_pt: float, y_pt: float, code: str, message: str, severity: str = "error") -> PageProblem:
        left, _, _, top = self.trim
        return PageProblem(self.file, self.number, (x_pt - left) / PT_PER_MM, (top - y_pt) / PT_PER_MM, code, message,
                           severity)


def _inspect_page(page, textpage, number: int, file: str, term_sets: Sequence[tuple[str, ...]]) -> list[list[PageProblem]]:
    """The page's problems with each set of terms (see inspect_pdf_terms)."""
    from outreach.rendering.inspect_typesetting import typesetting_problems

    where = _Page(page, number, file, textpage)
    glyphs = glyphs_of(page, textpage)
    images = image_boxes(page)
    before: list[PageProblem] = []
    before += _limited(_orientation(where, glyphs))
    before += _limited(_overlaps(where, glyphs))
    before += _limited(_on_images(where, glyphs, images))
    before += _limited(_outside_trim(where, glyphs))
    after: list[PageProblem] = []
    if where.print_ready:
        after += _bleed(where)
    if not glyphs and not images:
        after += _blank(where)
    return [before + typesetting_problems(where, terms, _limited) + after for terms in term_sets]


def _limited(problems: list[PageProblem]) -> list[PageProblem]:
    if len(problems) <= MAX_PER_KIND:
        return problems
    rest = len(problems) - MAX_PER_KIND
    last = problems[MAX_PER_KIND - 1]
    return problems[:MAX_PER_KIND] + [PageProblem(last.file, last.page, last.x_mm, last.y_mm, last.code,
                                                  f"本页另有 {rest} 处同类问题", last.severity)]


def glyphs_of(page, textpage=None) -> list[_Glyph]:
    """The glyphs drawn on the page, in text order. A ligature (fi, fl, ff, ffi) is one glyph
    that pdfium reports as several characters with the same box: it comes back as one _Glyph
    whose `char` holds all of them ("fi"). `textpage`: the page's text, when already open."""
    import pypdfium2.raw as raw

    glyphs: list[_Glyph] = []
    matrix = raw.FS_MATRIX()
    with text_of(page, textpage) as textpage:
        for index in range(textpage.count_chars()):
            if raw.FPDFText_IsGenerated(textpage.raw, index) == 1:
                continue  # spaces and line breaks pdfium adds between words
            char = chr(raw.FPDFText_GetUnicode(textpage.raw, index))
            if not char.strip():
                continue
            raw.FPDFText_GetMatrix(textpage.raw, index, matrix)
            box = textpage.get_charbox(index)
            glyph = _Glyph(char, box, (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f))
            if glyphs and _same_ligature(glyphs[-1], glyph):
                glyphs[-1].char += char
                continue
            glyphs.append(glyph)
    return glyphs


LIGATURE_SLACK_PT = 0.01


def _same_ligature(previous: _Glyph, glyph: _Glyph) -> bool:
    """Whether `glyph` is the next character of the ligature `previous` belongs to: pdfium gives
    every character of one ligature glyph the glyph's own box. Only letters of alphabetic
    scripts form ligatures in our fonts; two Chinese characters with one box are a real overlap."""
    if not (_ligature_letter(glyph.char) and all(_ligature_letter(c) for c in previous.char)):
        return False
    return previous.matrix == glyph.matrix and \
        all(abs(a - b) <= LIGATURE_SLACK_PT for a, b in zip(previous.box, glyph.box, strict=True))


def _ligature_letter(char: str) -> bool:
    return char.isalpha() and ord(char) < 0x2E80   # below the CJK blocks


def image_boxes(page) -> list[tuple[float, float, float, float]]:
    """Page-space bounds of every image, including images inside form XObjects."""
    import pypdfium2.raw as raw

    boxes = []
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=8):
        corners = _corners(obj.get_bounds())
        container = obj.container
        while container is not None:
            m = container.get_matrix()
            corners = [(m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f) for x, y in corners]
            container = container.container
        xs, ys = [x for x, _ in corners], [y for _, y in corners]
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    return boxes


def _corners(box) -> list[tuple[float, float]]:
    left, bottom, right, top = box
    return [(left, bottom), (right, bottom), (left, top), (right, top)]


def _centre(box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _orientation(where: _Page, glyphs: list[_Glyph]) -> list[PageProblem]:
    """Mirrored (negative determinant) or upside-down (baseline pointing left) text, one problem
    per run of glyphs drawn with the same transformation."""
    problems = []
    seen: set[tuple] = set()
    tent = _tent_page(where, glyphs)
    for glyph in glyphs:
        a, b, c, d, e, f = glyph.matrix
        determinant = a * d - b * c
        angle = math.degrees(math.atan2(b, a)) % 360
        if determinant < 0:
            kind = "上下颠倒" if d * a < 0 and abs(angle) < 45 else "镜像"
        elif 135 < angle < 225:
            if tent:
                continue
            kind = "上下颠倒（旋转了 180 度）"
        else:
            continue
        key = (round(e, 1), round(f, 1), kind)
        if key in seen:
            continue
        seen.add(key)
        x, y = _centre(glyph.box)
        problems.append(where.problem(x, y, "text-flipped", f"文字“{glyph.char}”{kind}印刷"))
    return problems


def _tent_page(where: _Page, glyphs: list[_Glyph]) -> bool:
    """A tent card (桌牌, outputs/tents.py): folded across the middle, its upper face turned 180°
    so that each face reads upright from its side of the desk. On such a page every turned glyph
    lies in the trim's upper half and every upright one in its lower half (text outside the trim,
    a print master's slug, aside); a turned glyph anywhere else is a defect."""
    left, bottom, right, top = where.trim
    middle = (bottom + top) / 2
    turned = upright = 0
    for glyph in glyphs:
        a, b, c, d = glyph.matrix[:4]
        if a * d - b * c < 0:
            return False
        x, y = _centre(glyph.box)
        if not (left <= x <= right and bottom <= y <= top):
            continue
        if 135 < math.degrees(math.atan2(b, a)) % 360 < 225:
            if y < middle:
                return False
            turned += 1
        else:
            if y > middle:
                return False
            upright += 1
    return turned > 0 and upright > 0


def _area(box) -> float:
    return max(box[2] - box[0], 0) * max(box[3] - box[1], 0)


def _intersection(a, b) -> float:
    return max(min(a[2], b[2]) - max(a[0], b[0]), 0) * max(min(a[3], b[3]) - max(a[1], b[1]), 0)


def _overlaps(where: _Page, glyphs: list[_Glyph]) -> list[PageProblem]:
    """Glyphs printed over each other (beyond a small tolerance), found through a coarse grid."""
    cell = 12.0
    grid: dict[tuple[int, int], list[int]] = {}
    problems = []
    reported: set[int] = set()
    for index, glyph in enumerate(glyphs):
        if _area(glyph.box) <= 0:
            continue
        left, bottom, right, top = glyph.box
        cells = {(int(x // cell), int(y // cell)) for x in (left, right) for y in (bottom, top)}
        candidates = {other for key in cells for other in grid.get(key, [])}
        for other in sorted(candidates):
            if other in reported:
                continue
            shared = _intersection(glyph.box, glyphs[other].box)
            if shared > OVERLAP_SHARE * min(_area(glyph.box), _area(glyphs[other].box)):
                x, y = _centre(glyph.box)
                problems.append(where.problem(x, y, "text-overlap",
                                              f"文字“{glyphs[other].char}”和“{glyph.char}”重叠在一起"))
                reported.add(index)
                break
        for key in cells:
            grid.setdefault(key, []).append(index)
    return problems


def _on_images(where: _Page, glyphs: list[_Glyph], images: list[tuple]) -> list[PageProblem]:
    problems = []
    for glyph in glyphs:
        area = _area(glyph.box)
        if area <= 0:
            continue
        for image in images:
            if _intersection(glyph.box, image) > IMAGE_OVERLAP_SHARE * area:
                x, y = _centre(glyph.box)
                problems.append(where.problem(x, y, "text-on-image", f"文字“{glyph.char}”压在图片（如二维码）上"))
                break
    return problems


def _outside_trim(where: _Page, glyphs: list[_Glyph]) -> list[PageProblem]:
    left, bottom, right, top = where.trim
    margin = SAFE_MARGIN_MM * PT_PER_MM if where.print_ready else 0.0
    problems = []
    for glyph in glyphs:
        g_left, g_bottom, g_right, g_top = glyph.box
        if _area(glyph.box) <= 0 or (where.print_ready and _intersection(glyph.box, where.bleed) <= 0):
            continue   # a print master's slug line: outside the bleed, cut away with the margin
        x, y = _centre(glyph.box)
        if g_left < left - 0.5 or g_right > right + 0.5 or g_bottom < bottom - 0.5 or g_top > top + 0.5:
            problems.append(where.problem(x, y, "text-off-page", f"文字“{glyph.char}”超出了页面的裁切线"))
        elif margin and (g_left < left + margin or g_right > right - margin
                         or g_bottom < bottom + margin or g_top > top - margin):
            problems.append(where.problem(x, y, "text-near-trim",
                                          f"文字“{glyph.char}”离裁切线不足 {SAFE_MARGIN_MM:g} 毫米，裁切时可能被切掉"))
    return problems


def _render(page, scale: float):
    return page.render(scale=scale, may_draw_forms=False).to_pil().convert("RGB")


def _bleed(where: _Page) -> list[PageProblem]:
    """Each trim edge: the colour just outside (in the bleed) must continue the colour just inside."""
    scale = 4 / PT_PER_MM  # 4 px per millimetre
    image = _render(where.page, scale)
    m_left, m_bottom, m_right, m_top = where.media
    t_left, t_bottom, t_right, t_top = where.trim

    def px(x_pt: float, y_pt: float) -> tuple[int, int]:
        return (min(max(int((x_pt - m_left) * scale), 0), image.width - 1),
                min(max(int((m_top - y_pt) * scale), 0), image.height - 1))

    inside, outside = (v * PT_PER_MM for v in BLEED_SAMPLE_MM)
    corner = CORNER_MM * PT_PER_MM
    step = 0.5 * PT_PER_MM
    edges = {
        "上": [((x, t_top - inside), (x, t_top + outside)) for x in _steps(t_left + corner, t_right - corner, step)],
        "下": [((x, t_bottom + inside), (x, t_bottom - outside)) for x in _steps(t_left + corner, t_right - corner, step)],
        "左": [((t_left + inside, y), (t_left - outside, y)) for y in _steps(t_bottom + corner, t_top - corner, step)],
        "右": [((t_right - inside, y), (t_right + outside, y)) for y in _steps(t_bottom + corner, t_top - corner, step)],
    }
    problems = []
    for edge, pairs in edges.items():
        wrong = [a for a, b in pairs if _colour_distance(image.getpixel(px(*a)), image.getpixel(px(*b))) > COLOUR_TOLERANCE]
        for run in _runs(wrong, step * 1.5, edge in ("左", "右")):
            if len(run) < 4:  # shorter than 2 mm: anti-aliasing at a colour boundary
                continue
            start, end = run[0], run[-1]
            span = (abs(end[1] - start[1]) if edge in ("左", "右") else abs(end[0] - start[0])) / PT_PER_MM
            problems.append(where.problem(*start, "bleed-colour",
                                          f"{edge}边出血区的颜色与裁切线内侧不一致（约 {span:.0f} 毫米长），"
                                          "裁切稍有偏差就会露出白边或色条"))
    return problems


def _steps(start: float, end: float, step: float) -> list[float]:
    count = int((end - start) / step)
    return [start + i * step for i in range(count + 1)]


def _runs(points: list[tuple[float, float]], gap: float, vertical: bool) -> list[list[tuple[float, float]]]:
    runs: list[list] = []
    for point in points:
        coordinate = point[1] if vertical else point[0]
        if runs and abs(coordinate - (runs[-1][-1][1] if vertical else runs[-1][-1][0])) <= gap:
            runs[-1].append(point)
        else:
            runs.append([point])
    return runs


def _colour_distance(a, b) -> int:
    return sum(abs(x - y) for x, y in zip(a, b, strict=True))


def _blank(where: _Page) -> list[PageProblem]:
    image = _render(where.page, 0.25)
    extrema = image.convert("L").getextrema()
    if extrema[0] >= 245:
        width = (where.trim[2] - where.trim[0]) / 2
        height = (where.trim[3] - where.trim[1]) / 2
        return [where.problem(where.trim[0] + width, where.trim[1] + height, "blank-page",
                              "空白页：没有任何文字或图形（有意留白的背面应印“本页有意留白”）")]
    return []
