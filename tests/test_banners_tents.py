"""横幅 (banners) and 桌牌 (tent cards), and the `slogans:` content field they print (issue 31).

Real builds of the fixture project (with slogans added to its pack) and of the starter; the PDFs
are measured with pikepdf and pdfium: page sizes against the PDF limit, the scale in file
names and print notes, the slogan's height on the banner, the tent's turned face and its fold."""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import pikepdf
import pytest
from conftest import FIXTURE_PROJECT, build_project, check, edit, located, pdf_text
from hypothesis import example, given, settings
from hypothesis import strategies as st
from layoutsettings import FORMATS, LONGEST_FOUR, LONGEST_UNIT, configure

from outreach.rendering.units import PT_PER_MM

PACK = "content/packs/fixture.yaml"
MAX_PAGE_PT = 14400   # 200 in: the longest side a PDF page may have


def with_slogans(root: Path, *slogans: str) -> Path:
    """The fixture pack with these slogans in place of its own."""
    text = (root / PACK).read_text(encoding="utf-8")
    text = text[:text.index("slogans:\n")] + "slogans:\n" + "".join(f"  - {s}\n" for s in slogans)
    (root / PACK).write_text(text, encoding="utf-8")
    return root


def fixture_copy(parent: Path) -> Path:
    root = parent / "fixture"
    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    return root


def boxes_mm(path: Path) -> dict[str, tuple[float, float]]:
    with pikepdf.open(path) as pdf:
        page = pdf.pages[0]
        found = {}
        for name in ("/MediaBox", "/TrimBox", "/BleedBox"):
            if name in page.obj:
                box = [float(v) for v in page.obj[name]]
                found[name] = ((box[2] - box[0]) / PT_PER_MM, (box[3] - box[1]) / PT_PER_MM)
        return found


# --- slogans: the content field ------------------------------------------------------------

def test_slogans_are_a_field_of_packs_and_scenarios_with_a_form_and_schema():
    from outreach.preview.editor.forms import form_for
    from outreach.project.schema import build_schemas

    schemas = build_schemas()
    for kind, name in (("packs", "pack"), ("scenarios", "scenario")):
        fields = {f["key"]: f for f in form_for(kind)["fields"]}
        assert "宣传标语" in fields["slogans"]["label"], fields["slogans"]
        slogans = schemas[name]["properties"]["slogans"]
        assert slogans["items"]["maxLength"] == 20


def test_a_slogan_too_long_or_on_two_lines_is_located(project):
    edit(project / "content/packs/elderly.yaml", "  - 不听、不信、不转账\n", "  - " + "不听不信不转账" * 3 + "\n")
    problems = [d for d in check(project, lint=False) if d.file == "content/packs/elderly.yaml"]
    assert problems and problems[0].line > 1 and "20" in problems[0].message, problems


def test_slogans_go_through_the_text_lints(project):
    edit(project / "content/packs/elderly.yaml", "  - 不听、不信、不转账\n", "  - 请拨打12345咨询\n  - 有事联系13912345678\n")
    found = located(check(project), "content/packs/elderly.yaml")
    line = next(n for n, text in enumerate((project / "content/packs/elderly.yaml").read_text().splitlines(), 1)
                if "12345咨询" in text)
    assert (line, 8, "unknown-hotline") in found, found
    assert (line + 1, 9, "pii-mobile") in found, found
    edit(project / "content/scenarios/brushing-rebate.yaml", "  - 刷单就是诈骗\n", "  - 刷单就是诈骗,别信\n")
    assert [c for _, _, c in located(check(project), "content/scenarios/brushing-rebate.yaml")] == ["typography-punct"]


def test_a_region_edition_rewrites_a_packs_slogans(project):
    from outreach.project.loader import load_library

    configure(project, region="hk")
    with (project / "content/packs/elderly.yaml").open("a", encoding="utf-8") as file:
        file.write("regions:\n  hk:\n    slogans:\n      - 陌生来电要警惕\n")
    library, diagnostics = load_library(project)
    assert not [d for d in diagnostics.sorted() if d.file == "content/packs/elderly.yaml"]
    assert library.item("packs", "elderly").model.slogans == ["陌生来电要警惕"]
    # A slogan that still sends Hong Kong readers to the Mainland's line is refused, located.
    edit(project / "content/packs/elderly.yaml", "      - 陌生来电要警惕\n", "      - 接到96110来电要接听\n")
    assert [c for _, _, c in located(check(project), "content/packs/elderly.yaml")] == ["region-mainland-contact"]


# --- banners ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_banners_are_drawn_to_scale_with_the_slogan_filling_the_height(tmp_path):
    from outreach.rendering.preflight import check_pdf

    root = with_slogans(fixture_copy(tmp_path), "不听、不信、不转账", "陌生来电要警惕，钱财转账需谨慎")
    result = build_project(root, only=("banners",))
    assert result.ok, result.failures
    names = sorted(p.name for p in (root / "build/banners").iterdir())
    assert names == ["fixture-1-700x5000-1to10.pdf", "fixture-1-700x8000-1to10.pdf",
                     "fixture-2-700x5000-1to10.pdf", "fixture-2-700x8000-1to10.pdf"]
    for name in names:
        length = int(re.search(r"x(\d+)-1to10", name).group(1))
        path = root / "build/banners" / name
        width, height = boxes_mm(path)["/MediaBox"]
        assert max(width, height) * PT_PER_MM <= MAX_PAGE_PT
        assert (width, height) == pytest.approx((length / 10, 70), abs=0.5)
        size_mm = check_pdf(path.read_bytes()).measures.smallest_text_pt / PT_PER_MM   # every glyph is the slogan's
        assert 0.40 * 70 - 0.1 <= size_mm <= 0.72 * 70 + 0.1, (name, size_mm)       # font size: 40–72 % of the height
        if name.startswith("fixture-1"):
            assert pdf_text(path).strip() == "不听、不信、不转账" and size_mm == pytest.approx(0.72 * 70, abs=0.5)
        else:   # 15 characters: smaller on the 5 m banner, as large as the height allows on the 8 m one
            assert size_mm < 0.72 * 70 - 5 if length == 5000 else size_mm == pytest.approx(0.72 * 70, abs=0.5)
    # The ink of the short slogan: white on red, 60–72 % of the banner's height (measured 68 %).
    ink = _white_rows(root / "build/banners/fixture-1-700x5000-1to10.pdf")
    assert 0.60 <= ink <= 0.72, ink


def _white_rows(path: Path) -> float:
    """The share of the page's height that has white (slogan) pixels on the red banner."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path.read_bytes())
    try:
        image = document[0].render(scale=4).to_pil().convert("RGB")
    finally:
        document.close()
    width, height = image.size
    pixels = image.load()
    rows = [y for y in range(height) if any(min(pixels[x, y]) > 200 for x in range(0, width, 2))]
    return (max(rows) - min(rows) + 1) / height


@pytest.mark.slow
def test_a_slogan_too_long_for_a_banner_fails_that_target_with_what_to_cut(tmp_path):
    root = with_slogans(fixture_copy(tmp_path), "不出租、不出借、不出售银行卡和电话卡")   # 18 characters
    messages = [p.message for p in check_kind(root, "banners")]
    assert messages and "删去约 2 个字" in messages[0] and "0.7×5 米" in messages[0], messages
    result = build_project(root, only=("banners",))
    assert not result.ok
    [failure] = result.failures
    assert failure.file == PACK and failure.line == (root / PACK).read_text().splitlines().index(
        "  - 不出租、不出借、不出售银行卡和电话卡") + 1
    assert failure.column == 5 and failure.where == f"{PACK}:{failure.line}:5: "   # the slogan itself, after "  - "
    assert "删去约 2 个字" in failure.message
    assert not (root / "build/banners/fixture-1-700x8000-1to10.pdf").exists()   # the target failed as a whole


def check_kind(root: Path, name: str):
    from outreach.buildspec.options import BuildOptions
    from outreach.outputs.base import RenderContext
    from outreach.outputs.registry import all_renderers
    from outreach.project.loader import load_library
    from outreach.rendering.theme import Theme

    library, _ = load_library(root)
    ctx = RenderContext(root, library, BuildOptions(), Theme(root), root / "build")
    return all_renderers()[name].check(ctx)


def test_a_scale_too_small_for_the_pdf_page_limit_names_the_setting(tmp_path):
    root = with_slogans(fixture_copy(tmp_path), "不听、不信、不转账")
    with (root / "outreach.toml").open("a", encoding="utf-8") as file:
        file.write('\n[banners]\nsizes = ["700x8000"]\nscale = 1\n')
    [problem] = check_kind(root, "banners")
    assert "5.08 米" in problem.message and "[banners] scale 改为 2" in problem.message
    assert problem.file == "outreach.toml" and problem.line == len((root / "outreach.toml").read_text().splitlines())


@pytest.mark.slow
def test_a_zh_hant_banner_prints_the_slogan_in_traditional_characters(tmp_path):
    root = with_slogans(fixture_copy(tmp_path), "陌生来电要警惕")
    with (root / "outreach.toml").open("a", encoding="utf-8") as file:
        file.write('\n[banners]\nsizes = ["700x5000"]\n')
    assert build_project(root, only=("banners",), locale="zh-Hant").ok
    assert pdf_text(root / "build/zh-Hant/banners/fixture-1-700x5000-1to10.pdf").strip() == "陌生來電要警惕"


# --- the starter, print-ready: masters, preflight, the pack's paperwork -------------------------

@pytest.mark.slow
def test_starter_print_masters_pass_preflight_and_the_packs_notes_give_the_full_size(built_starter_print):
    from outreach.rendering.preflight import ERROR, check_pdf

    build = built_starter_print / "build/print"
    banner = build / "banners/elderly-1-700x8000-1to10.pdf"
    tent = build / "tents/elderly.pdf"
    for path, role in ((banner, "banner-pdf-print"), (build / "banners/elderly-1-700x5000-1to10.pdf", "banner-pdf-print"),
                       (tent, "tent-pdf-print")):
        assert not [p for p in check_pdf(path.read_bytes(), role).problems if p.severity == ERROR], path
    assert boxes_mm(banner)["/TrimBox"] == pytest.approx((800, 70), abs=0.05)
    assert boxes_mm(banner)["/MediaBox"][0] * PT_PER_MM <= MAX_PAGE_PT
    assert boxes_mm(tent)["/TrimBox"] == pytest.approx((210, 297), abs=0.05)

    with zipfile.ZipFile(build / "packs/elderly.zip") as archive:
        names = archive.namelist()
        notes = archive.read(next(n for n in names if n.endswith("打印说明.txt"))).decode("utf-8")
        sheet = archive.read(next(n for n in names if n.endswith("印刷清单.csv"))).decode("utf-8-sig")
    assert any(n.endswith("banners/elderly-1-700x8000-1to10.pdf") for n in names)
    assert any(n.endswith("tents/elderly.pdf") for n in names)
    # The finished size at full scale (8000×700 mm), the scale, the bleed at full size (30 mm).
    # (The notes follow the project's spacing rule: no space between Chinese and digits.)
    line = next(line for line in notes.splitlines() if "banners/elderly-1-700x8000-1to10.pdf" in line)
    size = notes.splitlines()[notes.splitlines().index(line) + 1].replace(" ", "")
    assert "8000×700毫米（文件按1:10缩小，请放大10倍输出）" in size and "出血：每边30毫米" in size, size
    rows = [row for row in csv.reader(io.StringIO(sheet)) if any("700x8000-1to10" in cell for cell in row)]
    assert rows and any("8000×700" in cell for cell in rows[0]) and any(re.search(r"\b30\b", cell) for cell in rows[0]), rows
    assert "横幅布" in notes and "250克白卡纸" in notes.replace(" ", "")


# --- tents --------------------------------------------------------------------------------------

def _faces(path: Path):
    """(upright glyphs, turned glyphs) of the tent's page: (char, centre in mm from the trim's top, a, d)."""
    import pypdfium2 as pdfium

    from outreach.rendering.pageinspect import glyphs_of

    with pikepdf.open(path) as pdf:
        trim = [float(v) for v in pdf.pages[0].obj.get("/TrimBox", pdf.pages[0].obj.MediaBox)]
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        glyphs = glyphs_of(document[0])
    finally:
        document.close()
    upright, turned = [], []
    for glyph in glyphs:
        a, _, _, d = glyph.matrix[:4]
        centre_mm = (trim[3] - (glyph.box[1] + glyph.box[3]) / 2) / PT_PER_MM
        (upright if a > 0 and d > 0 else turned).append((glyph.char, centre_mm, a, d))
    return upright, turned


@pytest.mark.slow
def test_the_tents_second_face_is_turned_and_the_fold_is_in_the_middle(tmp_path):
    root = fixture_copy(tmp_path)
    assert build_project(root, only=("tents",)).ok
    assert build_project(root, only=("tents",), print_ready=True).ok
    for path in (root / "build/tents/fixture.pdf", root / "build/print/tents/fixture.pdf"):
        upright, turned = _faces(path)
        title = "测试用资料包"
        assert title in "".join(c for c, *_ in upright) and title in "".join(c for c, *_ in turned)
        assert all(a < 0 and d < 0 for *_, a, d in turned)           # 180°: both axes reversed
        assert max(y for _, y, *_ in turned) < 148.5 - 8 < 148.5 + 8 < min(y for _, y, *_ in upright if y < 297)
    # The fold: recorded on the print master at half the A4 height, drawn as dashed marks outside the trim.
    with pikepdf.open(root / "build/print/tents/fixture.pdf") as pdf:
        page = pdf.pages[0]
        private = page.obj.PieceInfo["/Outreach"].Private
        folds = [[str(v) if isinstance(v, pikepdf.Name) else float(v) for v in fold] for fold in private.Folds]
        streams = page.obj.Contents
        content = b"\n".join(c.read_bytes() for c in (streams if isinstance(streams, pikepdf.Array) else [streams]))
        trim = [float(v) for v in page.obj.TrimBox]
    assert folds and folds[0][-1] == pytest.approx(148.5)
    fold_y = trim[3] - 148.5 * PT_PER_MM
    marks = [m for m in re.findall(rb"([-\d.]+) ([-\d.]+) m ([-\d.]+) ([-\d.]+) l S", content)
             if abs(float(m[1]) - fold_y) < 0.05 and abs(float(m[3]) - fold_y) < 0.05]
    assert len(marks) == 2 and all(float(m[2]) <= trim[0] or float(m[0]) >= trim[2] for m in marks), marks
    # The office print has a dashed guide line across the page at the fold instead.
    assert _grey_row_mm(root / "build/tents/fixture.pdf") == pytest.approx(148.5, abs=0.5)


def _grey_row_mm(path: Path) -> float:
    """Where (mm from the top) a row of the page is mostly the rule colour: the fold guide."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path.read_bytes())
    try:
        image = document[0].render(scale=300 / 72).to_pil().convert("RGB")
    finally:
        document.close()
    width, height = image.size
    pixels = image.load()

    def grey(x: int, y: int) -> bool:
        r, g, b = pixels[x, y]
        return abs(r - g) < 25 and abs(g - b) < 25 and 120 < r < 210
    rows = [y for y in range(height) if sum(grey(x, y) for x in range(0, width, 4)) > width / 4 / 3]
    return sum(rows) / len(rows) / height * 297


def test_a_page_with_turned_text_that_is_no_tent_is_still_refused():
    from weasyprint import HTML

    from outreach.rendering.pageinspect import inspect_pdf

    def page(top: str, bottom: str) -> bytes:
        return HTML(string=f"""<style>@page {{ size: A4; margin: 0 }} div {{ position: absolute; left: 20mm; font-size: 30pt }}</style>
            <div style="top: 40mm; {top}">上面的字</div><div style="top: 200mm; {bottom}">下面的字</div>""").write_pdf()

    turned = "transform: rotate(180deg)"
    assert not [p for p in inspect_pdf(page(turned, ""), "tent.pdf") if p.code == "text-flipped"]   # a tent
    assert [p for p in inspect_pdf(page("", turned), "x.pdf") if p.code == "text-flipped"]           # upside-down body
    assert [p for p in inspect_pdf(page(turned, turned), "x.pdf") if p.code == "text-flipped"]       # no upright face


def test_a_tent_title_too_long_names_what_to_cut(tmp_path):
    root = fixture_copy(tmp_path)
    edit(root / PACK, "title: 测试用资料包", "title: " + "某某街道社区反电信网络诈骗宣传" * 3)
    [problem] = check_kind(root, "tents")
    assert problem.file == PACK and problem.line == 2 and "请删去约 5 个字" in problem.message, problem.message
    assert problem.column == len("title: ") + 1   # the title's first character


HOTLINE_SETS = st.lists(st.sampled_from(list(FORMATS.values())), min_size=1, max_size=4, unique_by=lambda h: h[0])


@pytest.mark.slow
@settings(max_examples=3, deadline=None, derandomize=True, database=None)
@given(HOTLINE_SETS, st.sampled_from(["zh-Hans", "zh-Hant"]), st.sampled_from([None, "hk", "mo", "tw"]))
@example(LONGEST_FOUR, "zh-Hans", None)
@example([FORMATS["short"]], "zh-Hant", None)
def test_tents_hold_one_to_four_hotlines_of_every_format(hotlines, locale, region):
    """1–4 hotlines of every documented format, the longest unit name, each region and locale:
    the tent passes the inspector and preflight or fails naming the hotline entry to shorten."""
    from outreach.rendering.pageinspect import inspect_pdf
    from outreach.rendering.preflight import ERROR, check_pdf

    with tempfile.TemporaryDirectory() as folder:
        root = fixture_copy(Path(folder))
        configure(root, hotlines=None if region else hotlines, organisation=LONGEST_UNIT, region=region)
        result = build_project(root, only=("tents",), print_ready=True, locale=None if region else locale)
        if not result.ok:
            [failure] = result.failures
            assert failure.file == "outreach.toml" and "[[project.hotlines]]" in failure.message, failure.message
            return
        [path] = (root / "build").glob("**/print/tents/fixture.pdf")   # a region's script decides the folder
        data = path.read_bytes()
        assert not [p for p in inspect_pdf(data, "tent.pdf") if p.severity == "error"]
        assert not [p for p in check_pdf(data, "tent-pdf-print").problems if p.severity == ERROR]
        text = re.sub(r"\D", "", pdf_text(path))
        for number, _ in (hotlines if not region else []):
            assert text.count(re.sub(r"\D", "", number)) >= 2   # on both faces


def test_the_slogans_reach_the_starter_packs():
    from outreach.project.loader import load_library

    root = Path(__file__).resolve().parents[1]
    library, _ = load_library(root)
    for pack in ("elderly", "campus", "market"):
        slogans = library.item("packs", pack).model.slogans
        assert len(slogans) == 3 and all(len(s) <= 16 for s in slogans), (pack, slogans)   # a 5 m banner holds 16


def test_a_banner_template_that_changes_the_page_size_fails_naming_the_size(tmp_path):
    root = with_slogans(fixture_copy(tmp_path), "不听、不信、不转账")
    with (root / "outreach.toml").open("a", encoding="utf-8") as file:
        file.write('\n[banners]\nsizes = ["700x5000"]\n')
    theme = Path(__file__).resolve().parents[1] / "src/outreach/default_theme/banners/banner.html"
    override = root / "templates/banners/banner.html"
    override.parent.mkdir(parents=True)
    override.write_text(theme.read_text(encoding="utf-8").replace(
        "@page { size: {{ banner.page_w_mm }}mm {{ banner.page_h_mm }}mm;", "@page { size: A4;"), encoding="utf-8")
    result = build_project(root, only=("banners",))
    [failure] = result.failures
    assert "应为 500×70 毫米" in failure.message and "templates/banners/banner.html" in failure.file + failure.message
