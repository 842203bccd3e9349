"""Page furniture as a reader sees it: page numbers.

A page number is a short run of small type that says only a number ("27", "1 / 2",
"第 1 页，共 4 页") near the top or bottom edge of the trimmed page. A document must not
print two on one page (a script stitched into a pack carried its own and the pack's), and
its numbers must stand in one place: the same spot on every page, or mirrored to the
outer corner on facing pages. The page inspector (outreach.rendering.pageinspect) reports what
this module finds; it reads glyphs with pdfium and knows nothing else of the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from outreach.rendering.textpages import text_of
from outreach.rendering.units import PT_PER_MM

BAND_MM = 12.0              # furniture lives this close to the top or bottom trim edge
MAX_SIZE_PT = 11.0          # larger type is content (a hotline number), not a page number
TOLERANCE_MM = 1.5          # two page numbers this close stand in the same place
RUN_GAP_EM = 1.1            # glyphs closer than this on one line are one run of text ("第 1 页，共 4 页")
ALONE_EM = 2.0              # a page number stands alone: nothing else on its line this close
FOLIO_TEXT = re.compile(r"^(?:\d{1,4}|\d{1,4}/\d{1,4}|第\d{1,4}页(?:[，,]?共\d{1,4}页)?)$")


@dataclass(frozen=True)
class Folio:
    """A page number found on a page: its text and where (mm from the trim's top-left corner)."""

    text: str
    left: float
    right: float
    top: float
    bottom: float
    page_width: float
    page_height: float

    @property
    def at_bottom(self) -> bool:
        return self.bottom > self.page_height / 2

    @property
    def edge_distance(self) -> float:
        """From the nearer (top or bottom) trim edge to the middle of the number."""
        middle = (self.top + self.bottom) / 2
        return self.page_height - middle if self.at_bottom else middle

    @property
    def centre_x(self) -> float:
        return (self.left + self.right) / 2

    def outer_distance(self, odd: bool) -> float:
        """From the outer side edge (right on odd pages, left on even ones) to the number."""
        return self.page_width - self.right if odd else self.left

    def where(self, odd: bool, mirrored: bool = False) -> str:
        """Where the number stands, in words (`mirrored`: described from the outer edge)."""
        vertical = "下" if self.at_bottom else "上"
        if abs(self.centre_x - self.page_width / 2) < TOLERANCE_MM:
            return f"{vertical}方居中（距{vertical}边 {self.edge_distance:.0f} 毫米）"
        if mirrored:
            return (f"外侧{vertical}角（距外侧边 {self.outer_distance(odd):.0f} 毫米、"
                    f"距{vertical}边 {self.edge_distance:.0f} 毫米）")
        side = "右" if self.centre_x > self.page_width / 2 else "左"
        distance = self.page_width - self.right if side == "右" else self.left
        return f"{side}{vertical}角（距{side}边 {distance:.0f} 毫米、距{vertical}边 {self.edge_distance:.0f} 毫米）"


# (page, x_mm, y_mm, code, message): the page inspector turns each into a PageProblem.
Finding = tuple[int, float, float, str, str]


def page_folios(page, textpage=None) -> list[Folio]:
    """The page numbers printed on one pdfium page. `textpage`: the page's text, when already open."""
    import pypdfium2.raw as raw

    left, bottom, right, top = page.get_trimbox()
    width, height = (right - left) / PT_PER_MM, (top - bottom) / PT_PER_MM
    matrix = raw.FS_MATRIX()
    glyphs = []
    with text_of(page, textpage) as textpage:
        for index in range(textpage.count_chars()):
            char = chr(raw.FPDFText_GetUnicode(textpage.raw, index))
            if raw.FPDFText_IsGenerated(textpage.raw, index) == 1 or not char.strip():
                continue
            g_left, g_bottom, g_right, g_top = textpage.get_charbox(index)
            if g_right <= g_left or g_right < left or g_left > right or g_top < bottom or g_bottom > top:
                continue   # outside the trim: a print master's slug, cut away
            # pdfium gives the size the font was set at; the glyph's matrix scales it to the page.
            raw.FPDFText_GetMatrix(textpage.raw, index, matrix)
            size = raw.FPDFText_GetFontSize(textpage.raw, index) * abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
            glyphs.append((char, (g_left - left) / PT_PER_MM, (g_right - left) / PT_PER_MM,
                           (top - g_top) / PT_PER_MM, (top - g_bottom) / PT_PER_MM, size))
    found = []
    runs = _runs(glyphs)
    for run in runs:
        text = "".join(g[0] for g in run)
        run_top, run_bottom = min(g[3] for g in run), max(g[4] for g in run)
        middle = (run_top + run_bottom) / 2
        if not (middle < BAND_MM or middle > height - BAND_MM):
            continue
        if max(g[5] for g in run) > MAX_SIZE_PT or not FOLIO_TEXT.match(text):
            continue
        # Last, as it compares the run with every other: a number beside words is a step or
        # question number, part of the content.
        if not _alone(run, runs):
            continue
        found.append(Folio(text, min(g[1] for g in run), max(g[2] for g in run), run_top, run_bottom, width, height))
    return found


def _runs(glyphs: list[tuple]) -> list[list[tuple]]:
    """Glyphs grouped into runs: one line (their bottoms level: a comma sits lower than its
    characters' middles), no wider gap than RUN_GAP_EM between neighbours."""
    lines: list[list[tuple]] = []
    for glyph in sorted(glyphs, key=lambda g: g[4]):
        em = max(glyph[5], 1.0) / PT_PER_MM
        if lines and abs(lines[-1][-1][4] - glyph[4]) < 0.3 * em:
            lines[-1].append(glyph)
        else:
            lines.append([glyph])
    runs: list[list[tuple]] = []
    for line in lines:
        line.sort(key=lambda g: g[1])
        runs.append([line[0]])
        for glyph in line[1:]:
            em = max(glyph[5], 1.0) / PT_PER_MM
            if glyph[1] - runs[-1][-1][2] < RUN_GAP_EM * em:
                runs[-1].append(glyph)
            else:
                runs.append([glyph])
    return runs


def _alone(run: list[tuple], runs: list[list[tuple]]) -> bool:
    em = max(g[5] for g in run) / PT_PER_MM
    baseline = max(g[4] for g in run)
    left, right = run[0][1], run[-1][2]
    for other in runs:
        if other is run:
            continue
        for glyph in other:
            if abs(glyph[4] - baseline) < 0.5 * em and \
                    (left - ALONE_EM * em < glyph[2] <= left or right <= glyph[1] < right + ALONE_EM * em):
                return False
    return True


def furniture_findings(document) -> list[Finding]:
    """Every page-number problem of one pdfium document: two numbers on one page, a number out
    of the place the document's other numbers share, an inner page left without one."""
    return folio_findings([page_folios(document[index]) for index in range(len(document))])


def folio_findings(per_page: list[list[Folio]]) -> list[Finding]:
    """furniture_findings of the page numbers found on each page, in page order."""
    findings: list[Finding] = []
    for index, folios in enumerate(per_page):
        if len(folios) > 1:
            shown = "”“".join(f.text for f in folios)
            first = folios[0]
            findings.append((index + 1, first.left, first.top, "page-number-duplicate",
                             f"本页印了 {len(folios)} 个页码（“{shown}”），读者只该看到一个"))
    single = {index: folios[0] for index, folios in enumerate(per_page) if len(folios) == 1}
    findings += _position_findings(single)
    numbered = sorted(index for index, folios in enumerate(per_page) if folios)
    if len(numbered) >= 3:
        for index in range(numbered[0] + 1, numbered[-1]):
            if not per_page[index]:
                findings.append((index + 1, 0.0, 0.0, "page-number-missing",
                                 "本页没有页码，而它前后的页都有（空白页也应编页码）"))
    return findings


def _position_findings(single: dict[int, Folio]) -> list[Finding]:
    """Pages whose number stands elsewhere than where most of the document's numbers do: the
    same spot on every page, or the outer corner mirrored on facing pages, whichever more
    pages follow."""
    if len(single) < 2:
        return []

    def fixed(index: int, folio: Folio) -> tuple[bool, float, float]:
        return folio.at_bottom, folio.edge_distance, folio.centre_x

    def mirrored(index: int, folio: Folio) -> tuple[bool, float, float]:
        return folio.at_bottom, folio.edge_distance, folio.outer_distance(index % 2 == 0)

    best: tuple[int, list[int], tuple] = (-1, [], ())
    for scheme in (fixed, mirrored):
        signatures = {index: scheme(index, folio) for index, folio in single.items()}
        for reference in signatures.values():
            agreeing = [i for i, s in signatures.items() if _same_place(s, reference)]
            if len(agreeing) > best[0]:
                best = (len(agreeing), agreeing, (scheme, reference))
    followed = set(best[1])
    model = single[best[1][0]]
    model_where = model.where(best[1][0] % 2 == 0, mirrored=best[2][0] is mirrored)
    findings: list[Finding] = []
    for index, folio in sorted(single.items()):
        if index in followed:
            continue
        findings.append((index + 1, folio.left, folio.top, "page-number-position",
                         f"页码“{folio.text}”在{folio.where(index % 2 == 0)}，本文件其他 {len(followed)} 页的页码在"
                         f"{model_where}：同一份资料的页码应在同一位置（双面时在外侧角）"))
    return findings


def _same_place(a: tuple[bool, float, float], b: tuple[bool, float, float]) -> bool:
    return a[0] == b[0] and abs(a[1] - b[1]) <= TOLERANCE_MM and abs(a[2] - b[2]) <= TOLERANCE_MM
