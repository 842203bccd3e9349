"""公众号文章 and 长图 (issue 30, articles): fragments the 公众号 editor keeps as they are (inline
styles only, its tags, no outside resources, links only to the project's sites), the check
that fails a volunteer's override adding what the editor drops, zh-Hant, the 1080-px long
image with body text of at least 32 px, and the preview's copy button in real Chromium: copy,
read the clipboard back, paste into a contenteditable element, styles kept."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import FIXTURE_PROJECT, build_project, write

NEWSLETTER = """\
date: 2026-11-20
title: 反诈警务手机报（第46期）
cases:
  - title: 冒充客服“退款”，李女士被骗2.3万元
    text: 辖区李女士接到自称电商客服的电话，被诱导共享屏幕并借款转账，共被骗2.3万元。
  - title: 民警上门劝阻，王大爷保住养老钱
    text: 某小区王大爷接到冒充“公安局”的电话，社区民警随即上门劝阻，资金未受损失。
focus: [fake-customer-service, impersonating-police]
tips: [answer-96110]
"""
ALLOWED_HOSTS = {"www.mps.gov.cn"}     # the fixture's [theme] qr_url
SCENARIOS = ("fake-customer-service", "fake-loan", "impersonating-police")


def fixture_with_newsletter(root: Path) -> Path:
    import shutil

    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    write(root, "content/newsletters/2026-11-20.yaml", NEWSLETTER)
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = fixture_with_newsletter(tmp_path_factory.mktemp("articles") / "project")
    result = build_project(root, only=("articles",))
    assert result.ok, [f.message for f in result.failures]
    return root


class Elements(HTMLParser):
    """Every element and attribute of a fragment, read by the standard library's parser."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: set[str] = set()
        self.roots: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes |= {name for name, _ in attrs}
        if self.depth == 0:
            self.roots.append(tag)
        if tag not in ("br", "img", "hr"):
            self.depth += 1

    def handle_endtag(self, tag):
        self.depth -= 1


def parsed(html: str) -> Elements:
    elements = Elements()
    elements.feed(html)
    return elements


def test_every_article_pastes_as_it_is(built):
    build = built / "build"
    pages = sorted((build / "articles").glob("*.html"))
    assert sorted(p.stem for p in pages) == sorted([*SCENARIOS, "newsletter-2026-11-20"])
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<style" not in html and "class=" not in html and "<script" not in html, page.name
        elements = parsed(html)
        assert elements.roots == ["section"], page.name
        assert elements.attributes <= {"style"}, (page.name, elements.attributes)
        assert set(elements.tags) <= {"section", "p", "span", "strong", "em", "br", "h2", "ol", "ul", "li", "blockquote"}
        # Every block carries its own look: the editor keeps nothing else.
        blocks = re.findall(r"<(?:section|p|h2|ol|ul|li|blockquote)\b[^>]*>", html)
        assert blocks and all(' style="' in tag for tag in blocks), page.name
        urls = re.findall(r"https?://[^\s<>\"'，。）]+", html)
        assert {re.sub(r"^https?://([^/]+).*$", r"\1", u) for u in urls} <= ALLOWED_HOSTS, urls
        assert "96110" in html and "国家反诈中心" in html and "遇到可疑情况" in html
    scenario = (build / "articles/fake-loan.html").read_text(encoding="utf-8")
    for part in ("识别要点", "防范要点", "案例警示", "法律依据", "<ol", "<blockquote"):
        assert part in scenario, part
    meta = (build / "articles/fake-loan.txt").read_text(encoding="utf-8")
    assert meta.startswith("标题：虚假网络贷款诈骗\n摘要：")
    letter = (build / "articles/newsletter-2026-11-20.html").read_text(encoding="utf-8")
    assert "李女士被骗2.3万元" in letter and "防范要点" in letter
    import json

    roles = {e["path"]: e["role"] for e in json.loads((build / "manifest.json").read_text(encoding="utf-8"))["outputs"]}
    assert roles["articles/fake-loan.html"] == "article" and roles["articles/fake-loan.png"] == "article-long-image"


def test_the_long_image_is_1080_px_wide_and_readable_on_a_phone(built):
    from PIL import Image

    from outreach.buildspec.options import BuildOptions
    from outreach.outputs.articles import long_image_pdf
    from outreach.outputs.base import RenderContext
    from outreach.project.loader import load_library
    from outreach.project.outputdir import output_dir
    from outreach.rendering.pageinspect import inspect_pdf
    from outreach.rendering.theme import Theme

    for scenario in SCENARIOS:
        with Image.open(built / f"build/articles/{scenario}.png") as image:
            assert image.width == 1080 and image.height > 1500, image.size
    library, _ = load_library(built)
    ctx = RenderContext(root=built, library=library, options=BuildOptions(), theme=Theme(built), out_dir=output_dir(built))
    pdf = long_image_pdf(ctx, "fake-loan", [])
    assert not [p for p in inspect_pdf(pdf, "long") if p.severity == "error"]
    sizes = glyph_sizes_px(pdf, 1080)
    assert len(sizes) > 300
    assert min(sizes) >= 32, sorted(sizes)[:5]


def glyph_sizes_px(pdf: bytes, width_px: int) -> list[float]:
    """Each visible glyph's font size as it is drawn on a picture `width_px` wide."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        px_per_pt = width_px / page.get_width()
        textpage = page.get_textpage()
        matrix = raw.FS_MATRIX()
        sizes = []
        for index in range(textpage.count_chars()):
            char = chr(raw.FPDFText_GetUnicode(textpage.raw, index))
            if raw.FPDFText_IsGenerated(textpage.raw, index) == 1 or not char.strip():
                continue
            raw.FPDFText_GetMatrix(textpage.raw, index, matrix)
            scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
            sizes.append(raw.FPDFText_GetFontSize(textpage.raw, index) * scale * px_per_pt)
        textpage.close()
        return sizes
    finally:
        document.close()


OVERRIDES = {
    "class": ('<p style="margin: 0 0 16px; {{ body }}">', '<p class="lead" style="margin: 0 0 16px; {{ body }}">',
              "class="),
    "style": ('<section style="margin: 0; padding: 0 4px; {{ body }}">',
              '<style>p { color: red; }</style>\n<section style="margin: 0; padding: 0 4px; {{ body }}">', "<style>"),
    "link": ('<h2 style="{{ heading }}">识别要点</h2>',
             '<p style="">详见 https://example.com/a</p>\n<h2 style="{{ heading }}">识别要点</h2>', "example.com"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(OVERRIDES))
def test_an_override_the_editor_would_strip_fails_located(case, tmp_path):
    from outreach.rendering.theme import Theme

    root = fixture_with_newsletter(tmp_path / "project")
    builtin = (Theme(root).builtin_dir / "articles/scenario.html").read_text(encoding="utf-8")
    old, new, named = OVERRIDES[case]
    assert old in builtin
    text = builtin.replace(old, new, 1)
    write(root, "templates/articles/scenario.html", text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if named in row)
    result = build_project(root, only=("articles",))
    assert not result.ok
    failed = {f.target for f in result.failures}
    assert failed == {f"articles/{s}" for s in SCENARIOS}, failed   # the newsletter's template is not overridden
    failure = result.failures[0]
    assert failure.file == "templates/articles/scenario.html" and failure.line == line, (failure.file, failure.line)
    assert "公众号编辑器不接受" in failure.message and named.rstrip("=") in failure.message, failure.message


def test_a_template_phone_number_is_checked_like_content(tmp_path):
    root = fixture_with_newsletter(tmp_path / "project")
    write(root, "templates/articles/hotlines.html",
          '<p style="font-size: 17px;">咨询请拨打12399</p>\n')
    result = build_project(root, only=("articles",))
    assert not result.ok
    failure = result.failures[0]
    assert failure.file == "templates/articles/hotlines.html" and failure.line == 1
    assert "12399" in failure.message


def test_zh_hant_articles_are_converted(built):
    result = build_project(built, only=("articles",), locale="zh-Hant")
    assert result.ok, [f.message for f in result.failures]
    html = (built / "build/zh-Hant/articles/fake-loan.html").read_text(encoding="utf-8")
    assert "識別要點" in html and "防範要點" in html and "识别要点" not in html
    assert "class=" not in html and "\u2060" not in html   # no joiners of the print layout pass
    meta = (built / "build/zh-Hant/articles/fake-loan.txt").read_text(encoding="utf-8")
    assert "詐騙" in meta
    assert (built / "build/zh-Hant/articles/fake-loan.png").is_file()


# --- the preview's copy button, in real Chromium ----------------------------------------------

STYLES = """(root) => {
  const look = (element) => { const s = getComputedStyle(element); return [s.color, s.fontSize, s.backgroundColor]; };
  return {
    heading: look(root.querySelector("h2")),
    item: look(root.querySelector("li")),
    hotlines: look([...root.querySelectorAll("section")].filter((s) => s.textContent.includes("96110")).pop()),
    number: look([...root.querySelectorAll("strong")].find((s) => s.textContent.trim() === "96110")),
    classes: root.querySelectorAll("[class]").length,
    styles: root.querySelectorAll("style, script, link").length,
    text: root.textContent,
  };
}"""


def test_copy_to_wechat_puts_the_styled_article_on_the_clipboard(built, browser):
    from outreach.preview.server import PreviewServer

    server = PreviewServer(built, 0)
    server.state.publish([], "已更新。", True)
    thread = server.serve_in_thread()
    try:
        url = f"http://127.0.0.1:{server.port}/"
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
        page = context.new_page()
        page.goto(url)
        item = page.locator('[data-kind="articles"] [data-item="fake-loan"]')
        item.locator("button.copy-article").click()
        page.wait_for_function("() => document.querySelector('[data-item=\"fake-loan\"] .copy-status').textContent")
        assert "已复制" in item.locator(".copy-status").text_content()
        copied = page.evaluate("""async () => {
          const [entry] = await navigator.clipboard.read();
          return { types: entry.types, html: await (await entry.getType("text/html")).text(),
                   text: await (await entry.getType("text/plain")).text() };
        }""")
        assert "text/html" in copied["types"] and "text/plain" in copied["types"]
        article = (built / "build/articles/fake-loan.html").read_text(encoding="utf-8")
        assert article.strip() in copied["html"]
        assert "识别要点" in copied["text"] and "<" not in copied["text"]

        # A real paste (Ctrl+V) into a rich-text box, as the 公众号 editor gets it.
        page.set_content('<div id="editor" contenteditable="true" style="width: 578px"></div>')
        page.focus("#editor")
        page.keyboard.press("Control+V")
        pasted = page.evaluate(STYLES, page.locator("#editor").element_handle())
        assert pasted["classes"] == 0 and pasted["styles"] == 0
        assert "识别要点" in pasted["text"] and "96110" in pasted["text"]
        assert pasted["heading"][:2] == ["rgb(200, 16, 46)", "20px"]      # [theme] primary_color
        assert pasted["item"][1] == "17px"
        assert pasted["hotlines"][2] == "rgb(17, 24, 39)"                 # dark_color box
        assert pasted["number"][:2] == ["rgb(255, 212, 0)", "28px"]       # accent_color numbers
        context.close()
    finally:
        server.shutdown()
        thread.join(timeout=10)
