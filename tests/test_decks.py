"""宣讲课件 (issue 30, decks): one 16:9 PowerPoint deck per pack, read back with python-pptx
(slide titles in the lecture's order, speaker notes on every slide, the East Asian typeface on
every run, no slide-sized pictures, theme colours), and opened for real: headless LibreOffice
converts it to PDF, and the page inspector and a glyph-by-glyph check against each text box's
bounds read every slide. Content too long for a slide continues on a “（续）” slide; a field that
cannot be placed fails the target with the item and the field named."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURE_PROJECT, build_project, write

from outreach.project.kinds import PACKS, QUIZZES, SCENARIOS

EMU_PER_PT = 12700
PACK = "fixture"
FONT = "Microsoft YaHei"
BULLET = "●"   # a list's bullet: drawn by the slide program, not in the text


def copy_fixture(root: Path) -> Path:
    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    return root


def build_decks(root: Path, **options) -> Path:
    result = build_project(root, only=("decks",), **options)
    assert result.ok, [f.message for f in result.failures]
    prefix = "zh-Hant/" if options.get("locale") == "zh-Hant" else ""
    return root / "build" / f"{prefix}decks/{PACK}.pptx"


@pytest.fixture(scope="module")
def deck(tmp_path_factory) -> Path:
    root = copy_fixture(tmp_path_factory.mktemp("decks") / "project")
    # The pack's 劝阻话术 is about this scenario: its talk track goes into the speaker notes.
    pack = root / "content/packs/fixture.yaml"
    pack.write_text(pack.read_text(encoding="utf-8").replace(
        "  - poster: impersonating-police\n", "  - poster: impersonating-police\n  - poster: fake-customer-service\n"),
        encoding="utf-8")
    return build_decks(root)


def slides_of(path: Path):
    from pptx import Presentation

    return Presentation(str(path))


def titles(path: Path) -> list[str]:
    return [slide.shapes.title.text_frame.text for slide in slides_of(path).slides]


def to_pdf(pptx: Path, out: Path) -> Path:
    """The deck converted by headless LibreOffice, with a profile of its own (parallel runs)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is not installed: `make test` installs libreoffice-impress")
    out.mkdir(parents=True, exist_ok=True)
    profile = out / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), str(pptx)], check=True, capture_output=True, timeout=240,
                   env={**os.environ, "HOME": str(out)})
    return out / (pptx.stem + ".pdf")


def test_slides_follow_the_lecture_with_notes_on_every_slide(deck):
    from outreach.project.loader import load_library

    library, _ = load_library(deck.parents[2])
    pack = library.item(PACKS.folder, PACK).model
    scenarios = [library.item(SCENARIOS.folder, e.ref).model for e in pack.items if e.key == "poster"]
    quiz = library.item(QUIZZES.folder, "basics").model
    expected = [pack.title, "今天讲什么"]
    for scenario in scenarios:
        expected += [f"识别要点：{scenario.title}", f"防范要点：{scenario.title}", f"案例：{scenario.title}",
                     f"法律依据：{scenario.title}"]
    kinds = {"single": "单选题", "multiple": "多选题", "truefalse": "判断题"}
    for number, question in enumerate(quiz.questions, 1):
        expected += [f"互动问答 第{number}题（{kinds[question.kind]}）", f"第{number}题 答案"]
    expected.append("遇到可疑情况，请拨打")
    assert titles(deck) == expected

    presentation = slides_of(deck)
    assert (presentation.slide_width, presentation.slide_height) == (12192000, 6858000)   # 16:9
    slides = list(presentation.slides)
    for slide, title in zip(slides, expected, strict=True):
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip(), title

    def body(slide) -> str:
        return "\n".join(s.text_frame.text for s in slide.shapes
                         if s.has_text_frame and not s.is_placeholder and s.text_frame.text)

    # The title slide: audience, unit, date; the lists in large type; the answer after its question.
    assert "老年人" in body(slides[0]) and library.config.project.organisation in body(slides[0])
    signs = slides[2]
    assert [line for line in body(signs).replace("\v", "").split("\n")] == scenarios[0].signs
    first_question = expected.index("互动问答 第1题（单选题）")
    assert quiz.questions[0].question in body(slides[first_question]).replace("\v", "")
    assert "答案" not in body(slides[first_question])
    answer = body(slides[first_question + 1]).replace("\v", "")
    assert "答案：B" in answer and quiz.questions[0].explanation in answer
    assert quiz.questions[0].explanation in slides[first_question + 1].notes_slide.notes_text_frame.text
    # The talk track of the pack's 劝阻话术 is in the notes of its scenario's 防范要点 slide, and only there.
    from outreach.project.kinds import SCRIPTS

    talk = library.item(SCRIPTS.folder, "talk-track-refund").model
    refund = library.item(SCENARIOS.folder, talk.scenario).model
    first_line = talk.scenes[0].lines[0]
    notes = {title: slide.notes_slide.notes_text_frame.text for slide, title in zip(slides, expected, strict=True)}
    assert f"{first_line.role}：{first_line.text}" in notes[f"防范要点：{refund.title}"]
    assert sum(talk.title in text for text in notes.values()) == 1
    # The closing slide: every hotline, the app line.
    closing = body(slides[-1])
    for hotline in library.config.project.hotlines:
        assert hotline.display in closing
    assert library.config.project.app in closing


def test_every_run_names_the_east_asian_typeface_and_theme_colours(deck):
    from pptx.oxml.ns import qn

    presentation = slides_of(deck)
    runs = 0
    for slide in presentation.slides:
        for frame_owner in [*slide.shapes, slide.notes_slide.notes_placeholder]:
            if not frame_owner.has_text_frame:
                continue
            for run in frame_owner.text_frame._txBody.iter(qn("a:r")):
                runs += 1
                rpr = run.find(qn("a:rPr"))
                assert rpr is not None and rpr.find(qn("a:ea")) is not None, run.findtext(qn("a:t"))
                assert rpr.find(qn("a:ea")).get("typeface") == FONT
                assert rpr.find(qn("a:latin")).get("typeface") == FONT
                assert rpr.get("lang") == "zh-CN"
    assert runs > 50
    # Editable: text in text boxes, no picture bigger than a third of the slide (the QR code is small).
    area = presentation.slide_width * presentation.slide_height
    for slide in presentation.slides:
        for shape in slide.shapes:
            if shape.shape_type == 13:   # MSO_SHAPE_TYPE.PICTURE
                assert shape.width * shape.height < area / 3
    # The title bar is [theme] primary_color.
    bar = next(s for s in presentation.slides[0].shapes if not s.has_text_frame or not s.text_frame.text)
    assert str(bar.fill.fore_color.rgb) == "C8102E"


def test_a_deck_is_the_same_bytes_when_built_again(deck, tmp_path):
    root = tmp_path / "again"
    shutil.copytree(deck.parents[2], root, ignore=shutil.ignore_patterns("build", ".outreach"))
    again = build_decks(root)
    assert again.read_bytes() == deck.read_bytes()


def test_the_deck_font_and_traditional_chinese(tmp_path):
    root = copy_fixture(tmp_path / "project")
    config = root / "outreach.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[decks]\nfont_hant = "DFKai-SB"\nquiz_questions = 2\n',
                      encoding="utf-8")
    path = build_decks(root, locale="zh-Hant")
    from pptx.oxml.ns import qn

    presentation = slides_of(path)
    found = titles(path)
    assert "今天講什麼" in found and not any("识别" in t for t in found)
    assert sum(t.startswith("互動問答") for t in found) == 2      # [decks] quiz_questions
    rpr = next(presentation.slides[2].shapes.title.text_frame._txBody.iter(qn("a:rPr")))
    assert rpr.find(qn("a:ea")).get("typeface") == "DFKai-SB" and rpr.get("lang") == "zh-TW"


LONG_SIGNS = [f"第{i}条：骗子先在短视频平台发布“低息贷款”广告，再把你拉进聊天软件，以“验证还款能力”为名要你先交钱，"
              "这时一定要停下来，向身边的家人或民警核实。" for i in range(1, 11)]


LONG_LAWS = [("criminal-law", "287之一"), ("criminal-law", "287之二"), ("criminal-law", "266"),
             ("anti-telecom-fraud", "25"), ("anti-telecom-fraud", "31")]


def lengthen(root: Path) -> Path:
    """The fixture with a scenario whose signs and cited laws take more than a slide each."""
    import yaml

    path = root / "content/scenarios/fake-loan.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["signs"] = LONG_SIGNS
    data["laws"] = [{"law": law, "article": article} for law, article in LONG_LAWS]
    data["story"] = "张某在网上看到**低息贷款**广告，按对方要求交了“解冻费”。\n\n随后对方又以*流水不足*为由要他继续转账。"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


def test_a_list_too_long_for_a_slide_continues_on_the_next(tmp_path):
    deck = build_decks(lengthen(copy_fixture(tmp_path / "project")))
    found = titles(deck)
    start = found.index("识别要点：虚假网络贷款诈骗")
    assert found[start + 1] == "识别要点：虚假网络贷款诈骗（续）"
    shown = []
    for slide in list(slides_of(deck).slides)[start:start + 6]:
        if slide.shapes.title.text_frame.text.startswith("识别要点"):
            shown += [p.text.replace("\v", "") for s in slide.shapes if s.has_text_frame and not s.is_placeholder
                      for p in s.text_frame.paragraphs if p.text]
    assert shown == LONG_SIGNS   # every item, in order, none cut
    # The law quotations continue too; a quotation's source stays under it, never opening a slide.
    laws = [slide for slide in slides_of(deck).slides
            if slide.shapes.title.text_frame.text.startswith("法律依据：虚假网络贷款诈骗")]
    assert len(laws) > 1
    cited = []
    for slide in laws:
        [box] = [s for s in slide.shapes if s.has_text_frame and not s.is_placeholder and s.text_frame.text]
        paragraphs = [p.text for p in box.text_frame.paragraphs]
        assert paragraphs[0].startswith("“") or not paragraphs[0].startswith("《"), paragraphs[0]
        cited += [p for p in paragraphs if p.startswith("《")]
    assert len(cited) == len(LONG_LAWS)
    # The case is shown as text, its Markdown marks taken off.
    [case] = [slide for slide in slides_of(deck).slides if slide.shapes.title.text_frame.text == "案例：虚假网络贷款诈骗"]
    story = [s.text_frame.text for s in case.shapes if s.has_text_frame and not s.is_placeholder and s.text_frame.text]
    assert story == ["张某在网上看到低息贷款广告，按对方要求交了“解冻费”。\n随后对方又以流水不足为由要他继续转账。"]


def test_a_quotations_source_never_opens_a_slide(tmp_path):
    """A quotation that fills its slide exactly takes its last sentence along with its source."""
    from outreach.outputs import decks
    from outreach.rendering import deckfit

    width = decks.SLIDE_W - 2 * decks.MARGIN - 2 * decks.INSET_X
    room = decks.BODY_BOTTOM - decks.BODY_TOP - 2 * decks.INSET_Y - decks.SLACK
    lines = int(room // (decks.QUOTE_SIZE * decks.LINE))
    text = ""
    number = 0
    while len(deckfit.wrap(f"“{text}”", width, decks.QUOTE_SIZE) or []) < lines:
        number += 1
        text += f"第{number}句是用来测试课件分页的条文内容。"
    if len(deckfit.wrap(f"“{text}”", width, decks.QUOTE_SIZE) or []) > lines:
        text = text[:-len(f"第{number}句是用来测试课件分页的条文内容。")] + "补足一行。"
    root = copy_fixture(tmp_path / "project")
    write(root, "content/laws/test-law.yaml", f"""\
        title: 测试用法律
        short: 测试法
        articles:
          - key: "1"
            number: 第一条
            text: {text}
        """)
    path = root / "content/scenarios/fake-loan.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'laws:\n  - law: criminal-law\n    article: "266"\n', 'laws:\n  - law: test-law\n    article: "1"\n', 1),
        encoding="utf-8")
    deck = build_decks(root)
    laws = [slide for slide in slides_of(deck).slides
            if slide.shapes.title.text_frame.text.startswith("法律依据：虚假网络贷款诈骗")]
    firsts = [[p.text for s in slide.shapes if s.has_text_frame and not s.is_placeholder and s.text_frame.text
               for p in s.text_frame.paragraphs][0] for slide in laws]
    assert len(firsts) == 2 and not any(first.startswith("《") for first in firsts), firsts


def test_a_field_that_cannot_fit_fails_naming_item_and_field(tmp_path):
    root = copy_fixture(tmp_path / "project")
    path = root / "content/quizzes/basics.yaml"
    text = path.read_text(encoding="utf-8")
    long_question = "有人自称" + "某某平台客服说您的账户存在异常需要配合操作" * 13 + "怎么办？"
    assert len(long_question) <= 300
    path.write_text(text.replace("自称“公安局”来电，说您涉嫌洗钱，要把钱转到“安全账户”，怎么办？", long_question, 1),
                    encoding="utf-8")
    result = build_project(root, only=("decks",))
    [failure] = result.failures
    assert failure.file == "content/quizzes/basics.yaml" and failure.line == 7
    assert "第 1 题的题干" in failure.message and "questions.0.question" in failure.message
    assert "放不下" in failure.message
    # `outreach check` measures the decks too, with the same message.
    from outreach.engine.precheck import check_project

    for _ in range(2):   # the second time from the check's memo (the editor checks on every edit)
        found = [d for d in check_project(root).sorted() if d.code == "deck-too-long"]
        assert [(d.file, d.line, d.message) for d in found] == [(failure.file, failure.line, failure.message)]
    path.write_text(text, encoding="utf-8")   # fixed: measured again, nothing found
    assert not [d for d in check_project(root).sorted() if d.code == "deck-too-long"]

    # A run of letters wider than the slide cannot be broken at all.
    root = copy_fixture(tmp_path / "second")
    path = root / "content/scenarios/fake-loan.yaml"
    text = path.read_text(encoding="utf-8")
    write(root, "content/scenarios/fake-loan.yaml",
          text.replace("signs:\n", "signs:\n  - 打开链接http://abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop.example\n", 1))
    result = build_project(root, only=("decks",))
    [failure] = result.failures
    assert failure.file == "content/scenarios/fake-loan.yaml" and "识别要点" in failure.message
    assert "signs.0" in failure.message


def glyph_boxes(pdf: Path) -> list[list[tuple[str, tuple[float, float, float, float]]]]:
    """Per page: (character, box in points from the top-left corner) of every glyph drawn."""
    import pypdfium2 as pdfium

    from outreach.rendering.pageinspect import glyphs_of

    document = pdfium.PdfDocument(str(pdf))
    pages = []
    for page in document:
        height = page.get_height()
        pages.append([(g.char, (g.box[0], height - g.box[3], g.box[2], height - g.box[1])) for g in glyphs_of(page)])
    document.close()
    return pages


def assert_opens_clean(pptx: Path, out: Path) -> None:
    """LibreOffice draws every slide with nothing off the slide, overlapping or outside its box."""
    from outreach.rendering.pageinspect import inspect_pdf

    pdf = to_pdf(pptx, out)
    problems = [p for p in inspect_pdf(pdf.read_bytes(), pdf.name) if p.severity == "error"]
    assert not problems, "\n".join(p.format() for p in problems[:20])
    presentation = slides_of(pptx)
    pages = glyph_boxes(pdf)
    assert len(pages) == len(presentation.slides)
    tolerance = 1.5   # points: a glyph's box may touch its box's edge
    for number, (slide, glyphs) in enumerate(zip(presentation.slides, pages, strict=True), 1):
        boxes = [(shape.text_frame.text, (shape.left / EMU_PER_PT, shape.top / EMU_PER_PT,
                                          (shape.left + shape.width) / EMU_PER_PT,
                                          (shape.top + shape.height) / EMU_PER_PT))
                 for shape in slide.shapes if shape.has_text_frame and shape.text_frame.text.strip()]
        assert glyphs
        for char, (left, top, right, bottom) in glyphs:
            holders = [box for text, box in boxes if char in text or char == BULLET]
            assert holders, (number, char)
            assert any(left >= x0 - tolerance and top >= y0 - tolerance and right <= x1 + tolerance
                       and bottom <= y1 + tolerance for x0, y0, x1, y1 in holders), \
                f"slide {number}: “{char}” at {left:.0f},{top:.0f}–{right:.0f},{bottom:.0f} is outside its text box"


@pytest.mark.slow
def test_libreoffice_draws_every_slide_inside_its_box(deck, tmp_path):
    assert_opens_clean(deck, tmp_path / "pdf")


SHORT_FOUR = [("110", "报警电话"), ("96110", "反诈专线"), ("12381", "预警短信"), ("12110", "短信报警")]


@pytest.mark.slow
@pytest.mark.parametrize(("which", "rows"), [("short", 1), ("county", 2), ("longest", 2)])
def test_four_hotlines_share_the_closing_slide(tmp_path, which, rows):
    """Four hotlines on the closing slide, each number on one line of its own box, and LibreOffice
    draws them inside: four short numbers and labels in one row; a county's (two short numbers, a landline,
    a bank's line) and four of the longest (an extension, a 20-character label, the longest
    unit name) in two rows of two."""
    from layoutsettings import COUNTY_FOUR, LONGEST_FOUR, LONGEST_UNIT, configure

    from outreach.project.config import Hotline

    hotlines = {"short": SHORT_FOUR, "county": COUNTY_FOUR, "longest": LONGEST_FOUR}[which]
    root = copy_fixture(tmp_path / which)
    configure(root, hotlines=hotlines, organisation=LONGEST_UNIT)
    deck = build_decks(root)
    closing = slides_of(deck).slides[-1]
    texts = {shape.text_frame.text: shape.top for shape in closing.shapes if shape.has_text_frame}
    displays = [Hotline(number=number, label=label).display for number, label in hotlines]
    assert all(display in texts for display in displays)      # a box of its own, on one line
    tops = sorted(texts[display] / EMU_PER_PT for display in displays)
    assert 1 + sum(below - above > 40 for above, below in itertools.pairwise(tops)) == rows   # a smaller number sits lower
    assert_opens_clean(deck, tmp_path / "pdf")


@pytest.mark.slow
def test_every_set_of_four_hotline_formats_fits_the_closing_slide(tmp_path):
    """Every four of the documented hotline formats, with the longest unit name: the deck builds
    (its closing slide was measured for all 1–4 of every format, with the longest labels too)."""

    from layoutsettings import FORMATS, LONGEST_UNIT, configure

    base = copy_fixture(tmp_path / "base")
    failed = []
    for index, hotlines in enumerate(itertools.combinations(FORMATS.values(), 4)):
        root = tmp_path / f"set{index}"
        shutil.copytree(base, root)
        configure(root, hotlines=list(hotlines), organisation=LONGEST_UNIT)
        result = build_project(root, only=("decks",))
        failed += [(hotlines, failure.message) for failure in result.failures]
        shutil.rmtree(root)
    assert not failed, failed[:3]


@pytest.mark.slow
def test_continued_and_traditional_decks_open_clean(tmp_path):
    root = lengthen(copy_fixture(tmp_path / "project"))
    assert_opens_clean(build_decks(root), tmp_path / "pdf")
    assert_opens_clean(build_decks(root, locale="zh-Hant"), tmp_path / "pdf-hant")


def test_lines_are_broken_by_chinese_rules():
    from outreach.rendering import deckfit
    from outreach.rendering.typeset import rules

    keep = rules(("国家反诈中心",)).pattern
    text = "骗子冒充客服来电，说您的“百万保障”要扣费，让您下载“国家反诈中心”以外的会议软件共享屏幕，再把钱转走。" * 2
    for width in range(200, 800, 37):
        lines = deckfit.wrap(text, width, 24, keep)
        assert lines is not None and "".join(lines) == text
        for before, after in zip(lines, lines[1:], strict=False):
            assert after[0] not in deckfit.NO_START and before[-1] not in deckfit.NO_END, (width, before, after)
            assert not (before.endswith("“国家反诈") or before.endswith("“百万")), (width, before)
        assert len(lines) == 1 or len(lines[-1]) >= deckfit.WIDOW or width < 260, (width, lines)
        assert all(deckfit.text_width_pt(line, 24) <= width for line in lines)
    assert deckfit.wrap("http://" + "a" * 80, 300, 24) is None


def test_the_deck_is_the_packs_output(fixture_project):
    """The editor and the preview list a target under its first source: the deck under its pack."""
    from outreach.buildspec.options import BuildOptions
    from outreach.outputs.decks import DecksRenderer
    from outreach.project.loader import load_library

    library, _ = load_library(fixture_project)
    [target] = DecksRenderer().plan(library, BuildOptions())
    assert target.sources[0] == f"content/packs/{PACK}.yaml" and target.outputs == (f"decks/{PACK}.pptx",)
    assert "content/laws/criminal-law.yaml" in target.sources   # the quoted laws are declared
