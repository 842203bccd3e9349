"""Print-grade pages: the page inspector itself, the whole starter library in every variant, and
each layout defect a new-user trial found (page by page, not only by extracted text)."""

from __future__ import annotations

import base64
import io
import subprocess
import sys
import zipfile
from itertools import pairwise

import pikepdf
import pypdfium2 as pdfium
import pytest
from conftest import assert_pages_clean, build_project, edit, pdf_pages, pdf_text, write

from outreach.rendering.pageinspect import inspect_pdf


def html_pdf(body: str, page_css: str = "size: A4; margin: 20mm;") -> bytes:
    import weasyprint

    html = (f'<html lang="zh-Hans"><head><style>@page {{ {page_css} }} body {{ font-family: "Noto Sans CJK SC"; '
            f'font-size: 16pt; }}</style></head><body>{body}</body></html>')
    return weasyprint.HTML(string=html).write_pdf()


def codes(pdf: bytes) -> list[str]:
    return [p.code for p in inspect_pdf(pdf, "test.pdf")]


# --- the inspector ------------------------------------------------------------------------------

def test_a_clean_page_has_no_problems():
    assert codes(html_pdf("<h1>反诈宣传</h1><p>未知链接不点击，陌生来电不轻信。</p>")) == []


@pytest.mark.parametrize("transform, word", [("scaleY(-1)", "上下颠倒"), ("scaleX(-1)", "镜像"), ("rotate(180deg)", "上下颠倒")])
def test_flipped_text_is_found_with_its_position(transform, word):
    pdf = html_pdf(f'<p style="display: inline-block; margin-top: 50mm; transform: {transform}">页码三</p>')
    [problem] = [p for p in inspect_pdf(pdf, "x.pdf") if p.code == "text-flipped"]
    assert word in problem.message and problem.page == 1
    assert 15 < problem.x_mm < 60 and 60 < problem.y_mm < 85


def test_overlapping_text_is_found():
    pdf = html_pdf('<p style="position:absolute; top:40mm; left:30mm">内容复核</p>'
                   '<p style="position:absolute; top:41mm; left:31mm">示例分局</p>')
    assert "text-overlap" in codes(pdf)


def test_text_on_an_image_is_found():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "black").save(buffer, format="PNG")
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    pdf = html_pdf(f'<img src="{uri}" style="position:absolute; top:30mm; left:30mm; width:30mm">'
                   '<p style="position:absolute; top:40mm; left:32mm">扫码</p>')
    assert "text-on-image" in codes(pdf)


def test_pages_left_out_are_not_inspected_and_the_others_keep_their_numbers():
    """A station's copy of a pack is inspected on its own pages only (the body was, in the pack):
    a defect on page 3 of 3 is reported as page 3, one on a page left out not at all."""
    from outreach.rendering.pageparity import page_defects

    clash = ('<p style="position:absolute; top:40mm; left:30mm">内容复核</p>'
             '<p style="position:absolute; top:41mm; left:31mm">示例分局</p>')
    pdf = html_pdf(f'<p>第一页</p><div style="break-before: page">{clash}</div>'
                   f'<div style="break-before: page">{clash}</div>')
    assert {p.page for p in page_defects(pdf, "x.pdf") if p.code == "text-overlap"} == {2, 3}
    assert {p.page for p in page_defects(pdf, "x.pdf", skip={1}) if p.code == "text-overlap"} == {3}
    assert page_defects(pdf, "x.pdf", skip={0, 1, 2}) == []


def test_text_off_the_page_is_found():
    assert "text-off-page" in codes(html_pdf('<p style="position:absolute; top:30mm; left:200mm">超出页面的文字</p>'))


def test_print_ready_pages_check_bleed_and_safe_margin():
    bleed = "size: A4; margin: 0; bleed: 3mm; marks: crop;"
    band_stops_at_trim = html_pdf('<div style="position:absolute; bottom:0; left:0; right:0; height:40mm; '
                                  'background:#111827"></div><p style="margin:20mm">正文</p>', bleed)
    assert "bleed-colour" in codes(band_stops_at_trim)
    band_into_bleed = html_pdf('<div style="position:absolute; bottom:-3mm; left:-3mm; right:-3mm; height:43mm; '
                               'background:#111827"></div><p style="margin:20mm">正文</p>', bleed)
    assert "bleed-colour" not in codes(band_into_bleed)
    near_trim = html_pdf('<p style="position:absolute; top:1mm; left:20mm; margin:0">离边太近</p>', bleed)
    assert "text-near-trim" in codes(near_trim)


def test_blank_pages_are_found():
    pdf = html_pdf('<p>第一页</p><div style="break-after: page"></div><div style="break-before: page"></div>')
    assert codes(pdf).count("blank-page") >= 1


# --- the whole starter library, and every variant of a small project ------------------------------

@pytest.mark.slow
def test_every_page_of_the_starter_library_passes(built_starter_print):
    """The library the tool ships, built the heaviest way (print-ready, a pack per station: the
    run's shared build, which asserts the build succeeded)."""
    assert_pages_clean(built_starter_print / "build")


@pytest.mark.slow
def test_every_page_of_every_output_kind_passes(built_fixture):
    assert_pages_clean(built_fixture / "build")


@pytest.mark.slow
def test_every_page_in_traditional_chinese_passes(fixture_project):
    result = build_project(fixture_project, jobs=2, stations=True, locale="zh-Hant")
    assert result.ok, [f"{f.label}: {f.message}" for f in result.failures]
    assert_pages_clean(fixture_project / "build")


@pytest.mark.slow
@pytest.mark.bad_pages
def test_check_pages_command_lists_what_a_template_broke(fixture_project):
    assert build_project(fixture_project, only=("quiz",)).ok
    run = [sys.executable, "-m", "outreach", "check", "--pages"]
    clean = subprocess.run(run, cwd=fixture_project, capture_output=True, text=True)
    assert clean.returncode == 0 and "没有发现版面问题" in clean.stdout
    # A volunteer's answer key whose heading is pulled over the first row: the build puts every
    # PDF through the same inspector before writing it (issue 27), so it fails the key, located.
    write(fixture_project, "templates/quiz/key.html",
          '{% extends "!theme/quiz/key.html" %}{% block style %}{{ super() }} .doc h1 { margin-bottom: -9mm; }{% endblock %}')
    [failure] = build_project(fixture_project, only=("quiz",)).failures
    assert "quiz/basics-key.pdf 第 1 页" in failure.message and "outreach check --pages" in failure.message
    # What `check --pages` is still for: a PDF changed after the build (here two lines set over
    # each other), or built by an older version.
    import weasyprint

    lines = "".join(f'<p style="position: absolute; top: {top}mm; font-size: 20pt">{text}</p>'
                    for top, text in ((20, "答案与解析"), (22, "第一题答案")))
    weasyprint.HTML(string=lines).write_pdf(fixture_project / "build/quiz/basics-key.pdf")
    broken = subprocess.run(run, cwd=fixture_project, capture_output=True, text=True)
    assert broken.returncode == 1
    assert "quiz/basics-key.pdf:第 1 页" in broken.stdout and "text-overlap" in broken.stdout


# --- the defects of the trial, each a test ---------------------------------------------------------

@pytest.fixture(scope="module")
def built_fixture(built_fixture_project):
    """The fixture project built once with every kind and its station (and its print masters
    beside them: the run's shared build): the tests below only read it
    (test_every_page_of_every_output_kind_passes puts all its pages through the inspector)."""
    return built_fixture_project


def glyphs(pdf_path, page_index: int):
    from outreach.rendering.pageinspect import glyphs_of

    document = pdfium.PdfDocument(pdf_path.read_bytes())
    try:
        return glyphs_of(document[page_index])
    finally:
        document.close()


@pytest.mark.slow
def test_pack_page_numbers_are_upright_and_clear_of_the_page(built_fixture):
    for path in (built_fixture / "build/packs/fixture.pdf", built_fixture / "build/stations/test-east/fixture.pdf"):
        problems = inspect_pdf(path, path.name)
        assert not [p for p in problems if p.code in ("text-flipped", "text-overlap")], problems
        with pikepdf.open(path) as pdf:
            total = len(pdf.pages)
        numbers_seen = 0
        for index in range(1, total):
            digits = [g for g in glyphs(path, index) if g.char.isdigit() and g.matrix[3] < 0]
            assert not digits, f"page {index + 1}: a flipped number"
            numbers_seen += any(g.char == str((index + 1) % 10) for g in glyphs(path, index))
        assert numbers_seen >= total - 2


def test_page_numbers_avoid_the_posters_own_text(built_fixture):
    """The pack prints every number in the outer bottom corner: the poster leaves it free (its
    footer's last line holds the organisation on the inner side)."""
    from outreach.rendering.pagespace import occupied

    poster = (built_fixture / "build/posters/fake-loan.pdf").read_bytes()
    assert occupied(poster, odd_first=True) == []


@pytest.mark.slow
def test_print_ready_bleed_continues_every_edge(fixture_project):
    assert build_project(fixture_project, print_ready=True, only=("posters", "tips", "packs"), jobs=2).ok
    for path in sorted((fixture_project / "build").rglob("*.pdf")):
        assert not [p for p in inspect_pdf(path, path.name) if p.code.startswith("bleed")], path


def add_hotlines(root, *entries: tuple[str, str]) -> None:
    config = root / "outreach.toml"
    text = config.read_text(encoding="utf-8")
    extra = "".join(f'\n[[project.hotlines]]\nnumber = "{number}"\nlabel = "{label}"\n' for number, label in entries)
    anchor = 'label = "全国反诈预警劝阻专线"\n'
    config.write_text(text.replace(anchor, anchor + extra, 1), encoding="utf-8")


@pytest.mark.slow
def test_a_third_hotline_fits_every_band_and_nothing_disappears(fixture_project):
    add_hotlines(fixture_project, ("0571-87654321", "北山派出所值班电话"))
    result = build_project(fixture_project, stations=True, jobs=2)
    assert result.ok, [f"{f.label}: {f.message}" for f in result.failures]
    build = fixture_project / "build"
    for path in (build / "posters/fake-loan.pdf", build / "stations/test-east/contact-cards.pdf"):
        text = pdf_text(path)
        assert "0571-8765 4321" in text and "北山派出所值班电话" in text and "110" in text and "96110" in text
        assert "App" in text  # the app line is still there
    back = pdf_pages(build / "stations/test-east/fixture.pdf")[-1]
    assert "0571-8765 4321" in back and "北山派出所值班电话" in back


@pytest.mark.slow
def test_four_hotlines_fit_the_poster_and_a_band_too_narrow_names_the_config_entry(fixture_project):
    add_hotlines(fixture_project, ("0571-87654321", "北山派出所值班电话"), ("400-123-4567", "银行反诈客服热线"))
    assert build_project(fixture_project, only=("posters",)).ok   # README: 1–4 hotlines (issue 27)
    # A project's own footer with room for one short number: the entry that does not fit is named.
    write(fixture_project, "templates/poster.html", (REPO_THEME / "poster.html").read_text(encoding="utf-8")
          .replace("fit_hotlines(142 if qr_url else 182,", "fit_hotlines(40,"))
    result = build_project(fixture_project, only=("posters",))
    assert result.failures
    for failure in result.failures:
        assert failure.file == "outreach.toml" and failure.line > 0
        assert "hotlines" in failure.message and "毫米" in failure.message


def test_hotline_numbers_in_the_usual_formats(fixture_project):
    from outreach.project.config import load_config

    add_hotlines(fixture_project, ("057187654321", "值班电话"), ("400 123 4567", "客服"))
    config, problems = load_config(fixture_project)
    assert not problems
    assert [h.display for h in config.project.hotlines] == ["110", "96110", "0571-8765 4321", "400-123-4567"]
    add_hotlines(fixture_project, ("12", "太短"))
    config, problems = load_config(fixture_project)
    assert config is None and any("不是有效的电话号码" in p.message for p in problems)


def test_a_tip_sheet_that_runs_long_is_an_error(fixture_project):
    path = fixture_project / "content/tips/answer-96110.yaml"
    edit(path, "body: |-\n", "body: |-\n" + "  接到96110来电，说明你或者家人可能正在遭遇电信网络诈骗，请一定接听并耐心听取劝阻。\n\n" * 12)
    result = build_project(fixture_project, only=("tips",))
    [failure] = result.failures
    assert failure.file == "content/tips/answer-96110.yaml"
    assert "超出一页约" in failure.message and "毫米" in failure.message and "小贴士" not in failure.message


def test_pack_cover_and_contents_do_not_repeat_the_kind_label(built_fixture):
    front = "".join(pdf_pages(built_fixture / "build/packs/fixture.pdf")[:2])
    assert "劝阻话术：劝阻话术" not in front
    assert "劝阻话术：冒充客服" in front or "劝阻话术：" in front


def page_regions(path, index: int) -> tuple[str, str]:
    """(the running header on the right, the page's body text), read by position on the page."""
    from outreach.rendering.pageinspect import glyphs_of

    document = pdfium.PdfDocument(path.read_bytes())
    try:
        page = document[index]
        width, height = page.get_size()
        found = glyphs_of(page)
    finally:
        document.close()
    mm = 72 / 25.4
    header = "".join(g.char for g in found if g.box[1] > height - 22 * mm and g.box[0] > width / 2)
    body = "".join(g.char for g in found if 20 * mm < g.box[1] < height - 22 * mm)
    return header, body


def test_running_header_names_the_scene_the_page_is_in(built_fixture):
    from outreach.project.loader import load_library

    library, _ = load_library(built_fixture, stations=False)
    titles = [scene.title for scene in library.scripts["xiaopin-fake-police"].scenes]
    path = built_fixture / "build/scripts/xiaopin-fake-police.pdf"
    with pikepdf.open(path) as pdf:
        count = len(pdf.pages)
    current = None
    checked = 0
    for index in range(1, count):
        header, body = page_regions(path, index)
        opening = next((t for t in titles if body.lstrip("一二三四五六七八九十、").startswith(t)), None)
        expected = opening or current
        if expected:
            assert expected in header, f"page {index + 1}: header {header!r}, expected {expected!r}"
            checked += 1
        for title in titles:
            if title in body:
                current = title  # the last scene begun on this page continues on the next
    assert checked >= 2


def test_contact_card_back_uses_the_whole_card(built_fixture):
    from outreach.outputs.stations import CARD_COLUMNS, CARD_H, CARD_ROWS, CARD_W
    from outreach.rendering.pageinspect import glyphs_of
    from outreach.rendering.sheets import sheet_boxes

    box = sheet_boxes(210, 297, CARD_W, CARD_H, CARD_COLUMNS, CARD_ROWS, 3)[0]  # [stations] card_gutter = 3
    mm = 72 / 25.4
    document = pdfium.PdfDocument((built_fixture / "build/stations/test-east/contact-cards.pdf").read_bytes())
    try:
        back = document[1]
        height = back.get_height()
        left, right = (210 - box.x - box.w) * mm, (210 - box.x) * mm  # backs are mirrored
        top, bottom = height - box.y * mm, height - (box.y + box.h) * mm
        on_card = [g for g in glyphs_of(back) if left <= g.box[0] and g.box[2] <= right and bottom <= g.box[1] <= top]
    finally:
        document.close()
    assert on_card
    empty_above = (top - max(g.box[3] for g in on_card)) / mm
    empty_below = (min(g.box[1] for g in on_card) - bottom) / mm
    # Spread over the card: neither margin is more than a quarter of it (the trial had 28 mm free below).
    assert empty_above < CARD_H / 4 and empty_below < CARD_H / 4, (empty_above, empty_below)


def test_ellipsis_is_printed_as_one_run(built_fixture):
    from outreach.rendering.pageinspect import glyphs_of

    for path in [built_fixture / "build/scripts/xiaopin-fake-police.pdf",
                 *sorted((built_fixture / "build/scripts/xiaopin-fake-police").glob("*.pdf"))]:
        document = pdfium.PdfDocument(path.read_bytes())
        try:
            for index in range(len(document)):
                found = glyphs_of(document[index])
                for a, b in pairwise(found):
                    if a.char == b.char == "…" and abs(a.box[1] - b.box[1]) < 1:
                        width = a.box[2] - a.box[0]
                        assert b.box[0] - a.box[2] < 0.35 * width, f"{path.name} page {index + 1}: “… …”"
        finally:
            document.close()


def test_print_sheet_lists_every_printable_file_and_the_card_is_in_the_pack(built_fixture):
    with zipfile.ZipFile(built_fixture / "build/packs/fixture.zip") as archive:
        sheet = archive.read("fixture/打印说明.txt").decode("utf-8-sig").replace("\r\n", "\n")
    printable, _, not_printed = sheet.partition("其他文件")
    for path in ("scripts/talk-track-refund-card-sheet.pdf", "scripts/talk-track-refund-card.pdf",
                 "scripts/xiaopin-fake-police/王大妈.pdf"):
        assert path in printable, path
        block = printable[printable.index(path):].split("\n\n")[0]
        assert "纸张：" in block and ("双面" in block or "单面" in block) and "建议份数：" in block
    assert "card" not in not_printed and "王大妈" not in not_printed
    assert "裁切线" in printable and "对折" in printable
    outline = []
    with pikepdf.open(built_fixture / "build/packs/fixture.pdf") as pdf, pdf.open_outline() as tree:
        for entry in tree.root:
            outline += [entry.title] + [child.title for child in entry.children]
    assert any("口袋卡" in title for title in outline)


@pytest.mark.slow
def test_overflow_from_the_template_is_measured_and_blamed_on_it(fixture_project):
    write(fixture_project, "templates/css/poster.css",
          (REPO_THEME / "css/poster.css").read_text(encoding="utf-8") + "\n.poster-header { padding-top: 120mm; }\n")
    result = build_project(fixture_project, only=("posters",))
    failure = next(f for f in result.failures if f.target == "posters/fake-loan")
    assert failure.file == "templates/css/poster.css"
    assert "毫米" in failure.message and "模板" in failure.message and "排版结果为" not in failure.message
    assert not failure.message.startswith("海报")  # the label says which poster; the message does not repeat it


@pytest.mark.slow
def test_content_overflow_is_measured_and_blamed_on_the_content(fixture_project):
    path = fixture_project / "content/scenarios/fake-loan.yaml"
    edit(path, "signs:\n", "signs:\n" + ("  - " + "很长的识别要点，用来把海报撑到第二页。" * 4 + "\n") * 6)
    [failure] = build_project(fixture_project, only=("posters",)).failures
    assert failure.file == "content/scenarios/fake-loan.yaml" and "内容超出一页约" in failure.message


@pytest.mark.parametrize("rule, expected", [("none", ["共4题", "第1题"]),
                                            ("require", ["共 4 题", "第 1 题"])])
def test_fixed_wording_follows_the_spacing_rule(fixture_project, rule, expected):
    edit(fixture_project / "outreach.toml", 'cjk_latin_space = "none"', f'cjk_latin_space = "{rule}"')
    assert build_project(fixture_project, only=("quiz",)).ok
    text = pdf_text(fixture_project / "build/quiz/basics-key.pdf") + pdf_text(fixture_project / "build/quiz/basics-cards.pdf")
    for phrase in expected:
        assert phrase in text, phrase
    page = (fixture_project / "build/quiz/basics/index.html").read_text(encoding="utf-8")
    assert '"space": "' + ("" if rule == "none" else " ") + '"' in page


def test_the_review_date_is_not_on_public_artwork(built_fixture):
    # It is for staff: the file's properties and the print master's slug (tests/test_print_masters.py).
    text = pdf_text(built_fixture / "build/posters/fake-loan.pdf") + pdf_text(built_fixture / "build/tips/answer-96110.pdf")
    assert "复核" not in text


from outreach.rendering.theme import BUILTIN_DIR as REPO_THEME  # noqa: E402


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_one_to_four_hotlines_get_a_layout_within_the_width(count):
    from outreach.project.config import Hotline
    from outreach.rendering.hotlinefit import _row_width_mm, fit_hotlines

    pool = [Hotline(number="110", label="报警电话"), Hotline(number="96110", label="全国反诈预警劝阻专线"),
            Hotline(number="0571-87654321", label="北山派出所值班电话"), Hotline(number="12381", label="预警短信")]
    hotlines = pool[:count]
    band = fit_hotlines(hotlines, 142, 42, 24, 12, 8, 30, "海报底栏")
    assert [h for row in band.rows for h in row] == hotlines  # every hotline, in order
    assert all(_row_width_mm(row, band.size_pt, 12, 8, band.inline_labels) <= 142 for row in band.rows)
    assert band.size_pt >= 24
