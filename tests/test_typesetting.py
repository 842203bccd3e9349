"""Chinese typesetting (issue 27 items 8–10): protected terms never split, no widows, squeezed
punctuation, balanced headings — checked on real PDFs through pdfium's character positions."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import FIXTURE_PROJECT, build_project, edit, pdf_pages, write

from outreach.rendering.inspect_typesetting import page_lines
from outreach.rendering.pageinspect import inspect_pdf
from outreach.rendering.typeset import WJ, ZWSP, rules
from outreach.rendering.typeset_pass import typeset_html

# The breaks the trials found on main (“可能构成帮 / 信罪”, “两高一 / 部”, “神 / 药”, “安全账 / 户”, “带单 / 群”).
ISSUE_TERMS = ("帮信罪", "两高一部", "“神药”", "“安全账户”", "“带单群”", "掩饰、隐瞒犯罪所得罪", "反电信网络诈骗法",
               "国家反诈中心", "公安部", "96110")


def lines_of(pdf: bytes) -> list[list]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [page_lines(document[index]) for index in range(len(document))]
    finally:
        document.close()


def problems(pdf: bytes, *codes: str, terms: tuple[str, ...] = ()) -> list:
    return [p for p in inspect_pdf(pdf, "x.pdf", terms) if not codes or p.code in codes]


def html_pdf(body: str, css: str = "") -> bytes:
    """A page laid out the way the build lays pages out (the typesetting pass, then WeasyPrint
    with balanced headings and hung opening marks)."""
    from outreach.rendering import pdf
    from outreach.rendering.pdf import SafeFetcher

    html = ('<html lang="zh-Hans"><head><style>@page { size: A4; margin: 20mm; } body { font-family: '
            '"Noto Sans CJK SC"; font-size: 12pt; } .halt { font-feature-settings: "halt"; }'
            f'{css}</style></head><body>{body}</body></html>')
    document = pdf.render_document(typeset_html(html, rules()), FIXTURE_PROJECT.as_uri() + "/", SafeFetcher([], "t", []))
    return pdf.write_pdf(document)


# --- the pass on HTML -------------------------------------------------------------------------

def test_protected_terms_and_short_quotations_are_joined_and_long_ones_are_not():
    out = typeset_html("<p>可能构成帮信罪，“安全账户”和“点赞关注就能赚到佣金”都是骗局。</p>", rules())
    assert f"帮{WJ}信{WJ}罪" in out
    assert f"“{WJ}安{WJ}全{WJ}账{WJ}户{WJ}”" in out
    assert f"点{WJ}赞" not in out   # a quotation of 10 characters may break inside
    # Only invisible characters and the squeeze's span were added.
    assert re.sub(r'<span class="halt">(.)</span>', r"\1", out.replace(WJ, "").replace(ZWSP, "")) == "<p>可能构成帮信罪，“安全账户”和“点赞关注就能赚到佣金”都是骗局。</p>"


def test_a_long_crime_name_may_break_only_after_its_own_enumeration_comma():
    out = typeset_html("<p>可能构成掩饰、隐瞒犯罪所得、犯罪所得收益罪，请注意。</p>", rules())
    assert f"得{WJ}、犯" in out and f"犯{WJ}罪{WJ}所" in out   # no break before the comma, one after it
    assert f"掩{WJ}饰{WJ}、{WJ}隐" in out


def test_grouped_phone_numbers_keep_their_spaces_unbreakable():
    out = typeset_html("<p>值班电话0571-8765 4321，手机139 0000 0001。</p>", rules())
    assert f"8765 {WJ}4321" in out and f"139 {WJ}0000 {WJ}0001" in out


def test_each_paragraph_end_is_bound_and_short_labels_are_left_alone():
    out = typeset_html("<p>遇到冒充公检法的电话，先挂断再核实，千万不要出声！</p><p>值班电话</p>", rules())
    assert f"要{WJ}出{WJ}声{WJ}！" in out and "<p>值班电话</p>" in out
    # across inline formatting: the joiners sit between the characters, tags untouched
    out = typeset_html("<li>接到可疑电话时请一定记得拨打<b>96110</b>。</li>", rules())
    assert f"打<b>{WJ}96110</b>{WJ}。" in out, out


def test_adjacent_punctuation_gets_one_half_width_mark():
    out = typeset_html("<p>交“保证金”“解冻费”（真的）（假的）。他说：“走。”</p>", rules())
    out = out.replace(WJ, "").replace(ZWSP, "")
    assert '金<span class="halt">”</span>“解' in out        # closing before opening: the closing mark
    assert '的<span class="halt">）</span>（' in out
    assert '说<span class="halt">：</span>“' in out         # a stop before an opening mark
    assert '走<span class="halt">。</span>”' in out          # a stop before a closing mark
    assert '费<span class="halt">”</span>（' in out
    assert out.count("halt") == 6


def test_styles_scripts_titles_and_attributes_are_untouched():
    page = ('<html><head><title>帮信罪</title><style>p::after { content: "帮信罪" }</style></head>'
            '<body><p title="帮信罪">帮信罪</p><script>var a = "帮信罪";</script><svg><text>帮信罪</text></svg></body></html>')
    out = typeset_html(page, rules())
    assert out.count("帮信罪") == 5 and out.count(f"帮{WJ}信{WJ}罪") == 1


def test_tag_like_text_inside_styles_and_scripts_does_not_stop_the_pass():
    """A "<style>" in a CSS comment (a volunteer's note) used to open a second style element
    that never closed: the pass then skipped every paragraph after it, silently."""
    page = ('<html><head><style>/* rules for <style> blocks and <p> */ p { color: red }</style>'
            '<script>var s = "</p><title>";</script></head><body><p>可能构成帮信罪，请注意。</p></body></html>')
    out = typeset_html(page, rules())
    assert f"帮{WJ}信{WJ}罪" in out
    assert "/* rules for <style> blocks and <p> */" in out and 'var s = "</p><title>";' in out


def test_browser_pages_get_nobr_spans_instead_of_joiners():
    from outreach.rendering.typeset_pass import typeset_page

    page = ('<html><head><meta name="viewport" content="width=device-width"></head>'
            '<body><p>下载“国家反诈中心”App，拨打96110</p></body></html>')
    out = typeset_page(page, rules())
    assert '<span class="nobr">“国家反诈中心”</span>' in out and WJ not in out and "halt" not in out


def test_project_terms_and_traditional_chinese():
    from outreach.rendering.localize import HantSpec

    assert f"平{WJ}安{WJ}守{WJ}护" in typeset_html("<p>欢迎参加平安守护行动。</p>", rules(("平安守护行动",)))
    hant = rules((), "zh-Hant", HantSpec(opencc="s2t"))
    assert f"幫{WJ}信{WJ}罪" in typeset_html("<p>可能構成幫信罪。</p>", hant)


# --- real pages -------------------------------------------------------------------------------

def test_a_term_at_a_line_end_moves_whole_to_the_next_line():
    filler = "这是一段用来把名称推到行尾的说明文字"
    body = "".join(f"<p>{filler[:n]}可能构成帮信罪，也可能依照“两高一部”的意见处理。</p>" for n in range(len(filler)))
    pdf = html_pdf(f'<div style="width: 24em">{body}</div>')
    assert problems(pdf, "term-split") == []
    text = ["".join(c.char for c in line.chars) for page in lines_of(pdf) for line in page]
    assert any(line.startswith("帮信罪") for line in text), text   # the case that used to split


def test_the_inspector_finds_a_split_term_with_its_place():
    import weasyprint

    pdf = weasyprint.HTML(string='<html><body style="font-family: Noto Sans CJK SC; font-size: 20pt">'
                                 '<p style="width: 12em; margin: 30mm 0 0 10mm">帮人跑分提供技术支持可能构成帮<br>信罪</p>'
                                 '</body></html>').write_pdf()
    [split] = problems(pdf, "term-split")
    assert split.severity == "error" and "“帮信罪”被拆在两行" in split.message and "“帮”" in split.message
    assert split.page == 1 and 25 < split.x_mm < 40 and 60 < split.y_mm < 90   # at “信罪”
    assert "问题: term-split" in split.format()


def test_back_to_back_quotes_take_a_half_em_less():
    pdf = html_pdf("<p>交“保证金”“解冻费”就是诈骗（真的）（假的）。</p>")
    [line] = lines_of(pdf)[0]
    origin = {c.char + str(i): c for i, c in enumerate(line.chars)}
    chars = [c.char for c in line.chars]
    close = chars.index("”")
    advance = (line.chars[close + 1].x - line.chars[close].x) / line.chars[close].size
    assert advance == pytest.approx(0.5, abs=0.02)
    paren = chars.index("）")
    assert (line.chars[paren + 1].x - line.chars[paren].x) / line.chars[paren].size == pytest.approx(0.5, abs=0.02)
    assert problems(pdf, "punct-unsqueezed") == [] and origin


def test_unsqueezed_punctuation_is_reported_as_polish():
    import weasyprint

    pdf = weasyprint.HTML(string='<html><body style="font-family: Noto Sans CJK SC">'
                                 '<p>交“保证金”“解冻费”就是诈骗。</p></body></html>').write_pdf()
    [found] = problems(pdf, "punct-unsqueezed")
    assert found.severity == "warning" and "”“" in found.message and "提示" in found.format()


def test_a_mark_the_font_cannot_squeeze_is_not_reported():
    """Noto Sans CJK TC centres its ？ and has no `halt` form for it: “？”” keeps two ems in
    zh-Hant output and that is not a defect of the page; a centred 。 (which has one) is."""
    import weasyprint

    pdf = weasyprint.HTML(string='<html lang="zh-Hant"><body style="font-family: Noto Sans CJK TC">'
                                 '<p>他問：「真的嗎？」</p><p>他說：“好的。”</p><p>他問：“是嗎？”</p></body></html>').write_pdf()
    found = [p.message for p in problems(pdf, "punct-unsqueezed")]
    assert len(found) == 4 and not any("？" in m for m in found), found   # ：「 ：“ 。” ：“, never ？」 ？”


def test_a_line_that_starts_with_an_opening_mark_moves_left_by_its_blank_half():
    [first, *marked] = lines_of(html_pdf('<p style="width: 10em">这是一段测试用的文字“安全账户”是骗局，'
                                         '“验证码”不能说。</p>'))[0]
    assert [line.text[0] for line in marked] == ["“", "“"]
    for line in marked:
        assert line.left == pytest.approx(first.left - line.size / 2, abs=0.2)


def test_widowed_title_is_a_defect_and_a_body_widow_is_polish():
    import weasyprint

    pdf = weasyprint.HTML(string='<html><body style="font-family: Noto Sans CJK SC; font-size: 11pt">'
                                 '<h1 style="font-size: 28pt; width: 13em">社区老年人防范电信诈骗资料包</h1>'
                                 '<p style="width: 20em">明知他人利用信息网络实施犯罪为其提供技术'
                                 '支持情节严重的构成犯罪都可能触犯法律走漏风声！</p>'
                                 '<p>这是一段正文，用来让正文字号成为页面上最常见的字号，标题就比它大得多。</p>'
                                 '</body></html>').write_pdf()
    found = {p.code: p for p in problems(pdf, "title-widow", "widow")}
    assert found["title-widow"].severity == "error" and "“包”" in found["title-widow"].message
    assert found["widow"].severity == "warning" and "“风声！”" in found["widow"].message


def test_a_heading_is_balanced_instead_of_leaving_one_character():
    pdf = html_pdf('<h1 style="font-size: 28pt; width: 13em">社区老年人防范电信诈骗资料包</h1>')
    [first, second] = [line.text for line in lines_of(pdf)[0]]
    assert (first, second) == ("社区老年人防范", "电信诈骗资料包")
    # A break after a comma is preferred when it is near the middle.
    pdf = html_pdf('<h1 style="font-size: 26pt; width: 19em">帮人“跑分”、提供技术支持，可能构成帮信罪</h1>')
    assert [line.text for line in lines_of(pdf)[0]] == ["帮人“跑分”、提供技术支持，", "可能构成帮信罪"]
    assert pdf_text_without_marks(pdf) == "帮人“跑分”、提供技术支持，\r\n可能构成帮信罪"


def test_a_page_laid_out_again_with_other_gaps_is_laid_out_once(tmp_path):
    """render.compose lays a page out again with its gaps opened (--compose-spread): the
    heading's balance found for the page is used at once, where the heading comes out the same."""
    import weasyprint

    from outreach.rendering import typeset_layout

    calls: list[str] = []

    def relayout(page: str):
        calls.append(page)
        source = weasyprint.HTML(string=page, base_url=tmp_path.as_uri() + "/")
        return source.render(), source.etree_element

    def page(spread: str, width: str = "123mm") -> str:
        return (f'<html><head><style>:root {{ --compose-spread: {spread}; }}</style></head>'
                f'<body style="font-family: Noto Sans CJK SC"><div style="width: {width}">'
                '<h1 style="font-size: 28pt">社区老年人反诈宣传资料包专用</h1>'
                '<p style="margin-top: var(--compose-spread)">正文</p></div></body></html>')

    def heading(document) -> list[str]:
        return [line.text for line in lines_of(document.write_pdf())[0] if line.size > 20]

    first = heading(typeset_layout.lay_out(page("1mm"), relayout))
    assert len(calls) == 2 and first == ["社区老年人反诈", "宣传资料包专用"]
    again = heading(typeset_layout.lay_out(page("9mm"), relayout))
    assert len(calls) == 3 and again == first and "<br>" in calls[-1]
    # A template that takes the spread from the heading's width: tried, then laid out as usual.
    across = "calc(133mm - var(--compose-spread))"
    assert heading(typeset_layout.lay_out(page("9mm", across), relayout)) == first and len(calls) == 5
    assert heading(typeset_layout.lay_out(page("12mm", across), relayout)) == first and len(calls) == 8


def pdf_text_without_marks(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return document[0].get_textpage().get_text_range()
    finally:
        document.close()


# --- the starter library ----------------------------------------------------------------------

@pytest.mark.slow
def test_no_tip_or_script_paragraph_ends_with_one_or_two_characters(starter_out):
    found = [p.format() for folder in ("tips", "scripts") for path in sorted((starter_out / folder).rglob("*.pdf"))
             for p in problems(path.read_bytes(), "widow", "title-widow")]
    assert found == []


@pytest.mark.slow
def test_no_protected_term_is_split_in_any_output(starter_out):
    pdfs = sorted(starter_out.rglob("*.pdf"))
    assert len(pdfs) > 50
    found = [p.format() for path in pdfs for p in problems(path.read_bytes(), "term-split")]
    assert found == []
    # and the terms of the issue are there, each on one line somewhere
    lines = {line.text for path in pdfs for page in lines_of(path.read_bytes()) for line in page}
    for term in ("帮信罪", "两高一部", "“安全账户”", "“神药”", "国家反诈中心"):
        assert any(term in line for line in lines), term


@pytest.mark.slow
def test_starter_tips_posters_and_packs_squeeze_adjacent_punctuation(starter_out):
    # Script pages aside: their running header is a CSS string and a role name has a fixed
    # minimum width (templates of the script handouts).
    pdfs = [p for folder in ("tips", "posters", "quiz") for p in sorted((starter_out / folder).rglob("*.pdf"))]
    found = [p.format() for path in pdfs for p in problems(path.read_bytes(), "punct-unsqueezed", "line-start-mark")]
    assert found == []


@pytest.mark.slow
def test_the_tip_title_is_balanced_and_copies_as_plain_text(starter_out):
    pdf = (starter_out / "tips/help-crime-liability.pdf").read_bytes()
    title = [line.text for line in lines_of(pdf)[0] if line.size > 20]
    assert title == ["帮人“跑分”、提供技术支持，", "可能构成帮信罪"]
    text = "".join(pdf_pages(starter_out / "tips/help-crime-liability.pdf"))
    assert "“两高一部”" in text and WJ not in text and ZWSP not in text and "\xa0" not in text
    if shutil.which("pdftotext"):
        copied = subprocess.run(["pdftotext", str(starter_out / "tips/help-crime-liability.pdf"), "-"],
                                capture_output=True, text=True, check=True).stdout
        assert "两高一部" in copied and WJ not in copied and ZWSP not in copied


def test_h5_page_keeps_terms_with_spans(starter_out):
    page = next(starter_out.glob("quiz/*/index.html")).read_text(encoding="utf-8")
    assert '<span class="nobr">' in page and WJ not in page


# --- the project's own terms ------------------------------------------------------------------

FILLER = "社区民警提醒大家注意防范各类新型电信网络诈骗手法"


def _tip_with_term(root, term: str) -> None:
    body = "".join(f"{FILLER[:n]}，欢迎参加{term}。" for n in range(3, len(FILLER), 2))
    write(root, "content/tips/answer-96110.yaml",
          "title: 接到96110来电一定要接听\nbody: |-\n" + "".join(f"  {line}\n" for line in body.splitlines()) +
          "laws: []\naudiences: [public]\nreview_by: 2099-12-31\n")


def _fixture(tmp_path):
    root = tmp_path / "fixture"
    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    return root


@pytest.mark.slow
def test_a_term_from_the_setting_is_kept_together(tmp_path):
    term = "平安守护联防行动"
    root = _fixture(tmp_path)
    _tip_with_term(root, term)
    assert build_project(root, only=("tips",)).ok
    pdf = (root / "build/tips/answer-96110.pdf").read_bytes()
    assert problems(pdf, "term-split", terms=(term,)), "without the setting the term splits somewhere"

    with (root / "outreach.toml").open("a", encoding="utf-8") as config:
        config.write(f'\n[typography]\nkeep_together = ["{term}"]\n')
    assert build_project(root, only=("tips",)).ok   # the setting is in the fingerprint: the tip is rebuilt
    pdf = (root / "build/tips/answer-96110.pdf").read_bytes()
    assert problems(pdf, "term-split", terms=(term,)) == []
    assert any(term in line.text for page in lines_of(pdf) for line in page)


def test_the_setting_is_validated_with_its_place(tmp_path):
    from conftest import check

    root = _fixture(tmp_path)
    with (root / "outreach.toml").open("a", encoding="utf-8") as config:
        config.write('\n[typography]\nkeep_together = ["平安", "一个超过十六个字的很长很长很长的活动名称"]\n')
    [problem] = [d for d in check(root) if d.file == "outreach.toml"]
    assert problem.line > 1 and "2–16 个字" in problem.message and "一个超过十六个字" in problem.message


def _builtin(name: str) -> str:
    import outreach

    return (Path(outreach.__file__).parent / "default_theme" / name).read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_template_that_splits_a_term_fails_the_build_with_its_place(tmp_path):
    root = _fixture(tmp_path)
    write(root, "templates/tip.html", re.sub(r"<h1>.*?</h1>", "<h1>接到可疑来电可能构成帮<br>信罪</h1>",
                                             _builtin("tip.html"), count=1))
    result = build_project(root, only=("tips",))
    assert not result.ok
    [failure] = result.failures
    assert "“帮信罪”被拆在两行" in failure.message and "第 1 页" in failure.message and "毫米" in failure.message
    assert failure.file == "templates/tip.html"


@pytest.mark.slow
@pytest.mark.bad_pages
def test_check_pages_reports_polish_without_failing_unless_strict(tmp_path):
    root = _fixture(tmp_path)
    edit(root / "content/tips/answer-96110.yaml", "请一定接听，", "请一定接听，不交“保证金”“解冻费”，")
    assert build_project(root, only=("tips",)).ok
    run = [sys.executable, "-m", "outreach", "check", "--pages"]
    clean = subprocess.run(run, cwd=root, capture_output=True, text=True)
    assert clean.returncode == 0 and "没有发现版面问题" in clean.stdout, clean.stdout
    # A template that turns the squeeze off: polish, reported with its place, not a failure.
    write(root, "templates/tip.html", _builtin("tip.html").replace(
        "{% block style %}", "{% block style %}.halt { font-feature-settings: normal; } ", 1))
    assert build_project(root, only=("tips",)).ok
    polish = subprocess.run(run, cwd=root, capture_output=True, text=True)
    assert polish.returncode == 0, polish.stdout
    assert "tips/answer-96110.pdf:第 1 页" in polish.stdout and "提示: punct-unsqueezed" in polish.stdout
    assert "处排版提示" in polish.stdout
    strict = subprocess.run([*run, "--strict"], cwd=root, capture_output=True, text=True)
    assert strict.returncode == 1
