"""The page inspector reads a ligature (fi, fl, ff, ffi) as one glyph, not as letters printed over each other."""

from __future__ import annotations

import pypdfium2 as pdfium
from conftest import build_posters, edit, pdf_text
from test_pages import html_pdf

from outreach.rendering.pageinspect import glyphs_of, inspect_pdf

WORDS = "不要连接陌生wifi热点，official file tiff flag affix"


def test_ligatures_are_not_overlapping_text():
    pdf = html_pdf(f"<p>{WORDS}</p>")
    assert [p.format() for p in inspect_pdf(pdf, "test.pdf")] == []


def test_a_ligature_is_one_glyph_with_all_its_letters():
    document = pdfium.PdfDocument(html_pdf(f"<p>{WORDS}</p>"))
    try:
        chars = [g.char for g in glyphs_of(document[0])]
    finally:
        document.close()
    assert "".join(chars).replace("，", "") == WORDS.replace(" ", "").replace("，", "")
    assert {"fi", "ffi", "ff"} <= set(chars)   # Noto Sans forms these ligatures


def test_ligatures_printed_over_other_text_are_still_found():
    pdf = html_pdf('<p style="position:absolute; top:40mm; left:30mm">official file</p>'
                   '<p style="position:absolute; top:41mm; left:31mm">tiffany flag</p>')
    messages = [p.message for p in inspect_pdf(pdf, "test.pdf") if p.code == "text-overlap"]
    assert any("“ffi”" in m for m in messages), messages


def test_poster_with_ligatures_builds_and_passes_the_inspector(mini_project):
    scenario = mini_project / "content/scenarios/fake-loan.yaml"
    edit(scenario, "贷款请到正规银行或持牌金融机构办理", "不要连接陌生wifi热点")
    edit(scenario, "要你下载陌生App贷款，填写身份证、银行卡等信息", "要你打开official file或tiff图片")
    result = build_posters(mini_project)
    assert result.ok, [f.message for f in result.failures]
    text = pdf_text(mini_project / "build/posters/fake-loan.pdf")
    assert "不要连接陌生wifi热点" in text and "official file" in text
