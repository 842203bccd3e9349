"""Page furniture of packs (issue 27, item 12): one page number per page, in one place (the
outer bottom corner) on every page of a pack and a station's pack, blank pages included; the
items leave that corner free; the table of contents has dot leaders and hanging entries; every
pack ends with a back cover that uses the whole page. And the page inspector's checks for it."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest
from conftest import FIXTURE_PROJECT, build_project, copy_built, edit, pdf_pages, write

from outreach.rendering.inspect_furniture import furniture_findings, page_folios
from outreach.rendering.pageinspect import inspect_pdf
from outreach.rendering.pagespace import FOLIO_INSET_MM, FOLIO_RAISE_MM, occupied

LONG_TIP_TITLE = "公检法机关不会通过电话、网络要你转账，也没有所谓的“安全账户”，接到这种电话请立即挂断并拨打110核实"


@pytest.fixture(scope="module")
def starter(built_starter, tmp_path_factory):
    """The starter library with its station packs, one tip title long enough to wrap in the
    table of contents (a copy of the run's shared build: only that tip and its packs rebuild)."""
    root = copy_built(built_starter, tmp_path_factory.mktemp("furniture") / "proj")
    edit(root / "content/tips/no-safe-account.yaml", "title: 公检法机关不会通过电话、网络要你转账，没有“安全账户”",
         f"title: {LONG_TIP_TITLE}")
    result = build_project(root, stations=True, jobs=2)
    assert result.ok, [f"{f.label}: {f.message}" for f in result.failures]
    return root / "build"


def folios(path) -> list[list]:
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        return [page_folios(document[index]) for index in range(len(document))]
    finally:
        document.close()


def findings(path) -> list:
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        return furniture_findings(document)
    finally:
        document.close()


def pack_files(build) -> list:
    return sorted(build.glob("packs/*.pdf")) + sorted(p for p in build.glob("stations/*/*.pdf")
                                                      if p.name != "contact-cards.pdf")


@pytest.mark.slow
def test_every_inner_page_has_one_number_in_the_outer_bottom_corner(starter):
    files = pack_files(starter)
    stations = len(list(starter.glob("stations/*/contact-cards.pdf")))
    assert stations and len(files) == 3 * (1 + stations)
    for path in files:
        pages = folios(path)
        assert pages[0] == [] and pages[-1] == [], f"{path.name}: the covers carry no number"
        for index, found in enumerate(pages[1:-1], start=2):
            assert [f.text for f in found] == [str(index)], f"{path.name} page {index}: {[f.text for f in found]}"
            [folio] = found
            odd = index % 2 == 1
            assert folio.at_bottom
            # The label's outer edge is FOLIO_INSET_MM from the outer trim edge; the digits sit inside it.
            assert FOLIO_INSET_MM < folio.outer_distance(odd) < FOLIO_INSET_MM + 6, (path.name, index, folio)
            assert FOLIO_RAISE_MM < folio.page_height - folio.bottom < FOLIO_RAISE_MM + 4, (path.name, index, folio)
        assert findings(path) == [], path.name


def test_a_script_in_a_pack_carries_the_pack_number_only(starter):
    texts = [re.sub(r"\s+", "", t) for t in pdf_pages(starter / "packs/elderly.pdf")]
    script_pages = [i for i, t in enumerate(texts) if "三句半《反诈知识记心间》" in t and "角色" in t]
    assert script_pages, "the script's cover page"
    start = script_pages[0]
    for index in range(start, start + 4):
        assert "第" not in texts[index] or not re.search(r"第\d+页", texts[index]), (index + 1, texts[index][-40:])
    # On its own the script keeps its "第 1 页，共 4 页".
    own = [re.sub(r"\s+", "", t) for t in pdf_pages(starter / "scripts/sanjuban-community.pdf")]
    assert all(f"第{n}页，共{len(own)}页" in text for n, text in enumerate(own, start=1))


def test_blank_pages_are_numbered_like_every_other_page(starter):
    for path in pack_files(starter)[:4]:
        texts = pdf_pages(path)
        pages = folios(path)
        blanks = [i for i, text in enumerate(texts) if "本页有意留白" in text]
        assert blanks, path.name
        for index in blanks:
            assert [f.text for f in pages[index]] == [str(index + 1)], (path.name, index + 1)


def test_every_pack_ends_with_a_back_cover_that_uses_the_whole_page(starter):
    for path in pack_files(starter):
        document = pdfium.PdfDocument(path.read_bytes())
        try:
            page = document[len(document) - 1]
            text = re.sub(r"\s+", "", page.get_textpage().get_text_range())
            assert "96110" in text and "示例市公安局示例分局" in text, path.name
            if path.parent.name == "packs":
                assert "三不一多" in text and "未知链接不点击" in text
            else:
                assert "有困难，找民警" in text and "（虚构）" in text
            height = page.get_size()[1]
            textpage = page.get_textpage()
            tops = [(height - textpage.get_charbox(i)[3]) / (72 / 25.4) for i in range(textpage.count_chars())
                    if textpage.get_text_range(i, 1).strip()]
        finally:
            document.close()
        # Text in the top band, in the middle of the page and at its foot: not only its top half.
        assert min(tops) < 60 and any(110 < t < 190 for t in tops) and max(tops) > 250, (path.name, min(tops), max(tops))
        assert len(pdf_pages(path)) % 2 == 0


def glyph_rows(path, page_index: int) -> list[tuple[float, float, str]]:
    """(top mm, left mm, text) of each line of text on a page."""
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        page = document[page_index]
        height = page.get_size()[1]
        textpage = page.get_textpage()
        rows: dict[int, list] = {}
        for i in range(textpage.count_chars()):
            char = textpage.get_text_range(i, 1)
            if not char.strip():
                continue
            left, bottom, _right, _top = textpage.get_charbox(i, loose=True)
            rows.setdefault(round((height - bottom) / (72 / 25.4)), []).append((left / (72 / 25.4), char))
        return [(top, min(c[0] for c in chars), "".join(c[1] for c in sorted(chars))) for top, chars in sorted(rows.items())]
    finally:
        document.close()


def test_the_contents_have_dot_leaders_and_hanging_entries(starter):
    path = starter / "packs/elderly.pdf"
    rows = glyph_rows(path, 1)
    entries = [row for row in rows if re.search(r"\.{5,}\d+$", row[2])]
    assert len(entries) >= 12, rows      # every entry and part ends in a dot leader and its page number
    first = next(i for i, row in enumerate(rows) if "公检法机关不会通过电话" in row[2])
    wrapped = rows[first + 1]
    assert "核实" in wrapped[2] and re.search(r"\.{5,}13$", wrapped[2]), wrapped
    # The wrapped line starts under the title's first character, not under the kind label (an
    # opening quote there may hang half an em into the margin: 13 pt, 2.3 mm).
    title_left = min(left for left, char in chars_of(path, 1, rows[first][0]) if char == "公")
    kind_left = min(row[1] for row in rows if "法律小贴士" in row[2])
    hang = 2.4 if wrapped[2][0] in "“‘《（「" else 0.5
    assert title_left - hang < wrapped[1] < title_left + 0.5, (wrapped, title_left)
    assert wrapped[1] > kind_left + 15, (wrapped, kind_left)


def chars_of(path, page_index: int, row_top: float) -> list[tuple[float, str]]:
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        page = document[page_index]
        height = page.get_size()[1]
        textpage = page.get_textpage()
        found = []
        for i in range(textpage.count_chars()):
            left, bottom, _right, _top = textpage.get_charbox(i, loose=True)
            if round((height - bottom) / (72 / 25.4)) == row_top:
                found.append((left / (72 / 25.4), textpage.get_text_range(i, 1)))
        return found
    finally:
        document.close()


def test_every_item_leaves_the_folio_corner_free(starter):
    for path in sorted(starter.glob("posters/*.pdf")) + sorted(starter.glob("tips/*.pdf")):
        assert occupied(path.read_bytes(), odd_first=True) == [], path.name
    for path in sorted(starter.glob("quiz/*.pdf")) + sorted(starter.glob("scripts/*.pdf")):
        assert occupied(path.read_bytes(), odd_first=True) == [], path.name
        assert occupied(path.read_bytes(), odd_first=False) == [], path.name


# --- the inspector ------------------------------------------------------------------------------

def numbered_pdf(numbers: list[list[tuple[str, str]]]) -> bytes:
    """A PDF whose pages carry the given (text, CSS position) page numbers."""
    import weasyprint

    pages = "".join(
        '<div class="page">' + "".join(f'<span style="position:absolute; {where}">{text}</span>' for text, where in page)
        + "<p>正文</p></div>" for page in numbers)
    html = ('<html><head><style>@page { size: A4; margin: 0 } body { margin: 0; font-family: "Noto Sans CJK SC"; '
            "font-size: 9pt } .page { position: relative; height: 297mm; break-after: page } p { padding: 100mm 30mm }"
            f"</style></head><body>{pages}</body></html>")
    return weasyprint.HTML(string=html).write_pdf()


OUTER_RIGHT, OUTER_LEFT, CENTRE = "right: 14mm; bottom: 4mm", "left: 14mm; bottom: 4mm", "left: 103mm; bottom: 4mm"


@pytest.mark.bad_pages
def test_the_inspector_reports_two_numbers_on_one_page():
    pdf = numbered_pdf([[], [("2", OUTER_LEFT)], [("3", OUTER_RIGHT), ("第 1 页，共 2 页", CENTRE)], [("4", OUTER_LEFT)]])
    problems = [p for p in inspect_pdf(pdf, "pack.pdf") if p.code.startswith("page-number")]
    assert [(p.page, p.code) for p in problems] == [(3, "page-number-duplicate")]
    assert "2 个页码" in problems[0].message and "第1页，共2页" in problems[0].message


@pytest.mark.bad_pages
def test_the_inspector_reports_a_number_out_of_place():
    pdf = numbered_pdf([[], [("2", OUTER_LEFT)], [("3", OUTER_RIGHT)], [("4", OUTER_LEFT)], [("5", "right: 9mm; top: 5mm")],
                        [("6", OUTER_LEFT)], [("7", CENTRE)], [("8", OUTER_LEFT)]])
    problems = [p for p in inspect_pdf(pdf, "pack.pdf") if p.code.startswith("page-number")]
    assert [(p.page, p.code) for p in problems] == [(5, "page-number-position"), (7, "page-number-position")]
    assert "右上角" in problems[0].message and "外侧下角" in problems[0].message


@pytest.mark.bad_pages
def test_the_inspector_reports_an_inner_page_without_a_number():
    pdf = numbered_pdf([[], [("2", CENTRE)], [], [("4", CENTRE)], [("5", CENTRE)]])
    assert [(p.page, p.code) for p in inspect_pdf(pdf, "x.pdf") if p.code.startswith("page-number")] == \
        [(3, "page-number-missing")]


def test_numbers_beside_words_are_not_page_numbers():
    # A step number before its title, a card's "1 / 2" away from the edges, a date: content, not folios.
    pdf = numbered_pdf([[("4 应对抵触", "left: 20mm; top: 5mm"), ("1 / 2", "right: 20mm; bottom: 40mm"),
                         ("2026年11月20日", "left: 20mm; bottom: 4mm")]])
    assert [p for p in inspect_pdf(pdf, "x.pdf") if p.code.startswith("page-number")] == []


# --- the build fails instead of printing two numbers ---------------------------------------------

@pytest.mark.slow
def test_a_script_template_that_numbers_its_own_pages_fails_the_pack_with_the_page(tmp_path):
    """A volunteer's older script.css prints its own numbers whatever the pack: in a pack that
    makes two numbers on a page, and the pack is not written."""
    from outreach.rendering.theme import Theme

    root = tmp_path / "fixture"
    import shutil

    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    css = (Theme(root).builtin_dir / "css/script.css").read_text(encoding="utf-8")
    css = css.replace("{% if not in_pack %}", "").replace("{% endif %}\n}", "\n}", 1)
    write(root, "templates/css/script.css", css)
    result = build_project(root, only=("packs",))
    [failure] = [f for f in result.failures if f.label.startswith("资料包")]
    assert "页码" in failure.message and "2 个页码" in failure.message and "第1页" in failure.message
    assert not (root / "build/packs/fixture.pdf").exists()


@pytest.mark.slow
def test_a_template_with_text_in_the_folio_corner_fails_the_pack_naming_the_place(tmp_path):
    import shutil

    root = tmp_path / "fixture"
    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    write(root, "outreach.toml", (root / "outreach.toml").read_text(encoding="utf-8"))
    from outreach.rendering.theme import Theme

    css = (Theme(root).builtin_dir / "css/tip.css").read_text(encoding="utf-8")
    write(root, "templates/css/tip.css", css + "\n.tip-footer::after { content: '内容复核'; position: absolute; "
                                                "right: 16mm; bottom: 4mm; font-size: 9pt; }\n")
    result = build_project(root, only=("packs",))
    [failure] = [f for f in result.failures if f.label.startswith("资料包")]
    assert "印页码的位置" in failure.message and "右下角" in failure.message, failure.message
    assert "留空" in failure.message


@pytest.mark.slow
def test_print_ready_packs_keep_one_number_per_page_in_the_same_place(tmp_path):
    import shutil

    root = tmp_path / "fixture"
    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    result = build_project(root, print_ready=True, stations=True, only=("packs", "stations"), jobs=2)
    assert result.ok, [f"{f.label}: {f.message}" for f in result.failures]
    paths = [root / "build/print/packs/fixture.pdf", *sorted((root / "build/print/stations").glob("*/fixture.pdf"))]
    for path in paths:
        assert findings(path) == [], path
        pages = folios(path)
        assert [len(found) for found in pages] == [0] + [1] * (len(pages) - 2) + [0], path
