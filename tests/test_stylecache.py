"""A page's <style> parsed once per process (rendering/stylecache.py): the same PDF bytes as
WeasyPrint's own parsing, and pages whose cascade or messages would change are left alone."""

from __future__ import annotations

import weasyprint

from outreach.rendering import stylecache
from outreach.rendering.pdf import SafeFetcher, font_config, render_document, write_pdf
from outreach.rendering.stylecache import lift_styles

STYLE = """@page { size: 90mm 54mm; margin: 4mm; }
:root { --accent: #c8102e; }
p { color: var(--accent); font-size: 11pt; }
.big { font-size: 20pt !important; }
p + p { margin-top: 3mm; }"""


def page(style: str = STYLE, body: str = '<p class="big">反诈</p><p style="color: #123456">96110</p>', head: str = "") -> str:
    return f"<html><head><style>{style}</style>{head}</head><body>{body}</body></html>"


def lifted(html: str):
    source = weasyprint.HTML(string=html)
    return source, lift_styles(source, None, font_config())


def test_the_same_style_is_parsed_once_and_taken_out_of_the_page():
    first, sheets = lifted(page())
    again, sheets_again = lifted(page(body="<p>另一页</p>"))
    assert sheets and sheets_again is sheets
    assert not [e for e in first.etree_element.iter() if e.tag == "style"]


def test_the_pdf_is_byte_for_byte_what_weasyprint_makes_of_the_page(tmp_path):
    for html in (page(), page(body='<p>一</p><p class="big" style="color: red">二</p><p>三</p>')):
        own = weasyprint.HTML(string=html).render(font_config=font_config()).write_pdf()
        source, sheets = lifted(html)
        assert sheets is not None
        shared = source.render(stylesheets=sheets, font_config=font_config()).write_pdf()
        assert shared == own


def test_pages_whose_cascade_or_fetches_would_change_keep_their_style():
    kept = [
        page(head='<link rel="stylesheet" href="extra.css">'),                    # an author sheet stays behind
        page(body='<style>p { color: blue }</style><p>一</p>'),                   # a style among the body's children
        page(body='<p style="color: red !important">一</p>'),                     # author !important beats user !important
        page(style=STYLE + "\nbody { background: url(paper.png); }"),            # a fetch, recorded per page
        page(style="@font-face { font-family: X; src: local(Noto Sans CJK SC); }"),
        page(style="@counter-style thumbs { system: cyclic; symbols: '👍'; }"),
        page(style="@layer base { p { color: red } }"),
        f'<html><head><style media="screen">{STYLE}</style></head><body><p>一</p></body></html>',
    ]
    for html in kept:
        source, sheets = lifted(html)
        assert sheets is None, html
        assert [e for e in source.etree_element.iter() if e.tag == "style"], html


def test_a_style_weasyprint_warns_about_is_parsed_with_each_page_and_warns_for_each(tmp_path):
    style = STYLE + "\np { colour: red; }"   # a misspelt property: WeasyPrint ignores it, with a warning
    before = len(stylecache._parsed)
    warned = []
    for number in (1, 2):
        warnings: list[str] = []
        fetcher = SafeFetcher([tmp_path], f"page-{number}.html", warnings)
        document = render_document(page(style=style), str(tmp_path) + "/", fetcher)
        assert write_pdf(document).startswith(b"%PDF")
        warned.append(warnings)
    assert all(any("colour" in w for w in warnings) for warnings in warned), warned
    assert len(stylecache._parsed) == before
