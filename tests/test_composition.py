"""Composed one-page pieces (issue 27, item 13): every poster and tip sheet fills its page and
keeps the same small white band above its footer, whose top is at the same place on every
poster; measured on the PDF, from the lowest glyph, picture or shape above the footer to the
footer's top edge."""

from __future__ import annotations

import shutil

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytest
from conftest import FIXTURE_PROJECT, build_project, copy_starter

MM = 72 / 25.4
BAND_RANGE_MM = (4.0, 9.0)     # the band the build keeps is 6 mm from the lowest line box; ink sits a little higher
MIN_FILL = 0.96                # content reaches this share of the height above the footer


def page_objects(page, trim) -> list[tuple[int, float, float, float, float]]:
    """(type, left, top, right, bottom) in mm from the trim's top-left, forms included."""
    left, _bottom, _right, top = trim
    found = []
    for obj in page.get_objects(max_depth=8):
        x0, y0, x1, y1 = obj.get_bounds()
        container = obj.container
        while container is not None:
            m = container.get_matrix()
            xs = [m.a * x + m.c * y + m.e for x in (x0, x1) for y in (y0, y1)]
            ys = [m.b * x + m.d * y + m.f for x in (x0, x1) for y in (y0, y1)]
            x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
            container = container.container
        found.append((obj.type, (x0 - left) / MM, (top - y1) / MM, (x1 - left) / MM, (top - y0) / MM))
    return found


def band_and_fill(path) -> tuple[float, float, float]:
    """(footer top, white band above it, fill) of a one-page piece, mm from the trim's top."""
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        page = document[0]
        trim = page.get_trimbox()
        width, height = (trim[2] - trim[0]) / MM, (trim[3] - trim[1]) / MM
        objects = page_objects(page, trim)
        # The footer: a full-width shape that reaches the bottom edge, less than half the page tall.
        footer = min(o[2] for o in objects if o[0] == raw.FPDF_PAGEOBJ_PATH and o[3] - o[1] > 0.95 * width
                     and o[4] >= height - 1 and o[4] - o[2] < height / 2)
        textpage = page.get_textpage()
        bottoms = []
        for index in range(textpage.count_chars()):
            if textpage.get_text_range(index, 1).strip():
                glyph_bottom = (trim[3] - textpage.get_charbox(index)[1]) / MM
                if glyph_bottom < footer - 0.1:
                    bottoms.append(glyph_bottom)
        bottoms += [o[4] for o in objects if o[0] != raw.FPDF_PAGEOBJ_TEXT and o[4] < footer - 0.1
                    and not o[4] - o[2] > height / 2]
        content = max(bottoms)
        return footer, footer - content, content / footer
    finally:
        document.close()


@pytest.mark.slow
def test_every_poster_keeps_the_same_small_band_above_one_footer_line(starter_out):
    measured = {path.name: band_and_fill(path) for path in sorted(starter_out.glob("posters/*.pdf"))}
    assert len(measured) == len(list((starter_out.parent / "content/scenarios").glob("*.yaml")))
    assert len({round(footer, 1) for footer, _, _ in measured.values()}) == 1, measured
    for name, (_footer, band, fill) in measured.items():
        assert BAND_RANGE_MM[0] <= band <= BAND_RANGE_MM[1], (name, round(band, 1))
        assert fill >= MIN_FILL, (name, round(fill, 3))
    bands = [band for _, band, _ in measured.values()]
    assert max(bands) - min(bands) < 2.5, sorted(round(b, 1) for b in bands)


def test_every_tip_fills_its_page(starter_out):
    measured = {path.name: band_and_fill(path) for path in sorted(starter_out.glob("tips/*.pdf"))}
    assert len(measured) == len(list((starter_out.parent / "content/tips").glob("*.yaml")))
    for name, (_footer, band, fill) in measured.items():
        assert BAND_RANGE_MM[0] <= band <= BAND_RANGE_MM[1], (name, round(band, 1))
        assert fill >= MIN_FILL, (name, round(fill, 3))


@pytest.mark.slow
def test_print_masters_are_composed_like_the_screen_files(tmp_path):
    root = tmp_path / "fixture"
    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    result = build_project(root, print_ready=True, only=("posters", "tips"), jobs=2)
    assert result.ok, [f"{f.label}: {f.message}" for f in result.failures]
    pieces = sorted((root / "build/print/posters").glob("*.pdf")) + sorted((root / "build/print/tips").glob("*.pdf"))
    assert len(pieces) >= 4
    for path in pieces:
        _footer, band, fill = band_and_fill(path)
        assert BAND_RANGE_MM[0] <= band <= BAND_RANGE_MM[1] and fill >= MIN_FILL, (path.name, band, fill)


def test_a_template_asks_for_composition_with_its_own_settings():
    from outreach.rendering.compose import Composition, requested

    assert requested("<html><body><main class='x'>正文</main></body></html>") is None
    assert requested('<main class="poster-body" data-compose>') == Composition()
    assert requested('<main data-compose="scale=1.5 gap=16 band=4">') == Composition(4.0, 1.5, 16.0)
    # Words in the content are text, never the marker.
    assert requested("<p>data-compose=&#34;scale=9&#34;</p>") is None
    assert requested("<p>模板里写 data-compose 属性</p>") is None
    assert requested('<main class="tip-body" data-compose="scale=1.5 gap=16">') == Composition(6.0, 1.5, 16.0)


def blocks_page(count: int, laid_out_again: bool = False) -> str:
    """A 100 mm page of `count` 10 mm blocks, each followed by a 3 mm gap that composes.
    `laid_out_again`: the gap is a variable made of the spread, which moving boxes (opengaps)
    refuses, so every spread is laid out."""
    gap = "var(--gap)" if laid_out_again else "calc(3mm + var(--compose-spread, 0mm))"
    blocks = "".join(f'<div style="height: 10mm; background: #ccc; margin-bottom: {gap}"></div>' for _ in range(count))
    variable = ":root { --gap: calc(3mm + var(--compose-spread, 0mm)) }" if laid_out_again else ""
    return (f"<html><head><style>@page {{ size: 100mm 100mm; margin: 0 }} body {{ margin: 0 }}{variable}</style></head>"
            f"<body><main data-compose>{blocks}</main></body></html>")


def test_a_page_a_little_too_long_closes_its_gaps_instead_of_failing():
    import weasyprint

    from outreach.rendering.compose import TIGHTEST_MM, free_mm, tighten

    def lay_out(page):
        return weasyprint.HTML(string=page).render()

    over = blocks_page(8)                      # 8 × 13 mm = 104 mm on a 100 mm page
    assert len(lay_out(over).pages) == 2
    tight = tighten(over, lay_out)
    assert tight is not None and len(tight.pages) == 1
    # Closed only as far as needed: the usual 6 mm of white is still left above the page's end.
    assert 5.4 <= free_mm(tight)[0] <= 6.6, free_mm(tight)
    far_over = blocks_page(9)                  # 117 mm: closing 9 gaps by TIGHTEST_MM is not enough
    assert 9 * (10 + 3 - TIGHTEST_MM) > 100 and tighten(far_over, lay_out) is None
    assert tighten(over.replace(" data-compose", ""), lay_out) is None   # a template that does not ask


@pytest.mark.slow
@pytest.mark.starter   # a cold build: the changed footer changes every tip
def test_the_starter_with_four_hotlines_and_a_long_unit_name_fits_every_tip(tmp_path):
    """A tip a millimetre over (the footer with 4 hotlines is taller) closes its gaps: the build
    used to fail on personal-info-crime."""
    root = copy_starter(tmp_path / "proj")
    config = root / "outreach.toml"
    text = config.read_text(encoding="utf-8").replace(
        'organisation = "示例市公安局示例分局"',
        'organisation = "浙江省杭州市公安局西湖区分局北山街道派出所社区警务室反诈骗宣传工作专班办公室联合工作组"')
    text = text.replace('label = "全国反诈预警劝阻专线"\n', 'label = "全国反诈预警劝阻专线"\n\n'
                        '[[project.hotlines]]\nnumber = "0571-87654321"\nlabel = "北山派出所值班电话"\n\n'
                        '[[project.hotlines]]\nnumber = "400-123-4567"\nlabel = "银行反诈客服热线"\n', 1)
    config.write_text(text, encoding="utf-8")
    result = build_project(root, only=("tips",), jobs=2)
    assert result.ok, [f"{f.label}: {f.message}" for f in result.failures]
    for path in sorted((root / "build/tips").glob("*.pdf")):
        document = pdfium.PdfDocument(path.read_bytes())
        assert len(document) == 1, path.name
        document.close()


def test_a_page_composes_to_the_same_bytes_whatever_was_composed_before_it():
    """A page whose gaps are opened by laying it out again: the gap count remembered from earlier
    pages only saves a layout, the page itself is the same whether it is composed first in a
    process or after pages with more or fewer gaps."""
    import weasyprint

    from outreach.rendering import compose as composing

    calls = []

    def lay_out(page):
        calls.append(page)
        return weasyprint.HTML(string=page).render()

    def composed(count: int) -> tuple[bytes, int]:
        html = blocks_page(count, laid_out_again=True)
        calls.clear()
        document = composing.compose(lay_out(html), html, lay_out)
        return document.write_pdf(), len(calls)

    composing._GAPS_SEEN.clear()
    alone, first_layouts = composed(4)
    assert first_layouts == 3                  # as laid out, measured, composed
    again, layouts = composed(4)
    assert again == alone and layouts == 2     # the remembered count was right: no measuring layout
    composed(6)                                # a page with more gaps raises the remembered count
    after, layouts = composed(4)
    assert after == alone and layouts == 3     # wrong guess: its layout measures instead
    composing._GAPS_SEEN.clear()
    assert composed(4)[0] == alone
