"""三折页 (issue 31): the A4 roll-fold leaflet of a pack, measured in the PDFs the build writes:
panel widths and safe zones, fold marks outside the trim (mirrored on the inside page), the
panel order when folded, two pages, the print master's preflight, the pack's zip and paperwork,
1–4 hotlines in every format, and content too long for a panel."""

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
from conftest import FIXTURE_PROJECT, assert_pages_clean, build_project, edit
from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st
from layoutsettings import FORMATS, LABEL_LIMIT, LONGEST_FOUR, LONGEST_UNIT, configure

from outreach.rendering.folding import FOLD_SAFE_MM, roll_fold
from outreach.rendering.units import PT_PER_MM

FOLD = roll_fold()
OUTSIDE_FOLDS_MM = (97.0, 197.0)     # flap 97 | back 100 | cover 100
INSIDE_FOLDS_MM = (100.0, 200.0)     # panel 1 100 | panel 2 100 | panel 3 (the fold-in panel) 97


def _fixture(parent: Path) -> Path:
    root = parent / "fixture"
    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    return root


@pytest.fixture(scope="module")
def leaflet_builds(tmp_path_factory) -> Path:
    """The fixture project's leaflet, screen file and print master (one build each)."""
    root = _fixture(tmp_path_factory.mktemp("leaflets"))
    for print_ready in (False, True):
        result = build_project(root, only=("leaflets",), print_ready=print_ready)
        assert result.ok, [f"{f.label}: {f.message}" for f in result.failures]
    return root


def chars(pdf: bytes, page_index: int) -> list[tuple[str, float, float]]:
    """(character, left, top) of every character printed on the piece (not the slug outside the
    trim), in mm from the trimmed page's top-left."""
    import pypdfium2 as pdfium

    with pikepdf.open(io.BytesIO(pdf)) as document:
        page = document.pages[page_index]
        trim = [float(v) for v in page.obj.get("/TrimBox", page.mediabox)]
    document = pdfium.PdfDocument(pdf)
    try:
        textpage = document[page_index].get_textpage()
        found = []
        for index in range(textpage.count_chars()):
            char = textpage.get_text_range(index, 1)
            if not char.strip():
                continue
            left, _bottom, _right, top = textpage.get_charbox(index)
            if trim[0] <= left <= trim[2] and trim[1] <= top <= trim[3]:
                found.append((char, (left - trim[0]) / PT_PER_MM, (trim[3] - top) / PT_PER_MM))
        return found
    finally:
        document.close()


def panel_text(pdf: bytes, page_index: int, panel) -> str:
    return "".join(c for c, x, _ in chars(pdf, page_index) if panel.x_mm <= x < panel.right_mm)


def dashed_segments(pdf: bytes, page_index: int) -> list[tuple[float, float, float, float]]:
    """Dashed lines drawn on the page (x0, y0, x1, y1 in mm from the trim's top-left): fold marks."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        page = document.pages[page_index]
        trim = [float(v) for v in page.obj.TrimBox]
        dashed, start, found = False, None, []
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op == "d":
                dashed = len(operands[0]) > 0
            elif op == "m":
                start = (float(operands[0]), float(operands[1]))
            elif op == "l" and dashed and start is not None:
                end = (float(operands[0]), float(operands[1]))
                found.append(tuple(round(v, 2) for v in ((start[0] - trim[0]) / PT_PER_MM, (trim[3] - start[1]) / PT_PER_MM,
                                                         (end[0] - trim[0]) / PT_PER_MM, (trim[3] - end[1]) / PT_PER_MM)))
        return found


def test_roll_fold_panels_are_100_100_97_and_mirror_on_the_inside():
    assert [p.width_mm for p in FOLD.outside] == pytest.approx([97, 100, 100])
    assert [p.name for p in FOLD.outside] == ["flap", "back", "cover"]
    assert [p.width_mm for p in FOLD.inside] == pytest.approx([100, 100, 97])
    assert [p.name for p in FOLD.inside] == ["inside-1", "inside-2", "inside-3"]
    assert FOLD.outside_folds == pytest.approx(OUTSIDE_FOLDS_MM)
    assert FOLD.inside_folds == pytest.approx(INSIDE_FOLDS_MM)
    assert sorted(297 - x for x in FOLD.outside_folds) == pytest.approx(list(FOLD.inside_folds))


@pytest.mark.slow
def test_two_pages_of_a4_landscape_with_text_only_inside_each_panels_safe_zone(leaflet_builds):
    """Panel widths as the PDF prints them: every character lies in one panel, 5 mm clear of its
    folds and of the trim; each panel's text column starts at its left safe line."""
    for path in ("build/leaflets/fixture.pdf", "build/print/leaflets/fixture.pdf"):
        pdf = (leaflet_builds / path).read_bytes()
        with pikepdf.open(io.BytesIO(pdf)) as document:
            assert len(document.pages) == 2
            for page in document.pages:
                box = [float(v) for v in page.obj.get("/TrimBox", page.mediabox)]
                assert ((box[2] - box[0]) / PT_PER_MM, (box[3] - box[1]) / PT_PER_MM) == pytest.approx((297, 210), abs=0.05)
        for index, panels in enumerate(FOLD.pages()):
            found = chars(pdf, index)
            assert found
            for char, x, y in found:
                assert any(p.x_mm + FOLD_SAFE_MM - 0.3 <= x <= p.right_mm - FOLD_SAFE_MM for p in panels), (path, index, char, x)
                assert 5 - 0.3 <= y <= 205, (path, index, char, y)
            for panel in panels:
                lefts = [x for _, x, _ in found if panel.x_mm <= x < panel.right_mm]
                # The cover's text keeps 2 mm more: its colour stops 2 mm short of the fold.
                assert panel.x_mm + FOLD_SAFE_MM - 0.3 <= min(lefts) <= panel.x_mm + FOLD_SAFE_MM + 2.5, (path, panel)


@pytest.mark.slow
def test_panel_order_when_folded(leaflet_builds):
    """Outside, left to right: the flap (a tip, or the slogans when the pack's tip is used
    inside), the back (hotlines), the front cover (the pack's title); inside: the pack's
    scenarios in order, then its tip."""
    pdf = (leaflet_builds / "build/leaflets/fixture.pdf").read_bytes()
    flap, back, cover = (panel_text(pdf, 0, p) for p in FOLD.outside)
    assert "测试用资料包" in cover and "适用人群：老年人" in cover and "示例市公安局示例分局" in cover
    assert "96110" in back and "110" in back and "96110" not in cover + flap
    assert "三不一多" in flap
    first, second, third = (panel_text(pdf, 1, p) for p in FOLD.inside)
    assert "虚假网络贷款诈骗" in first and "识别要点" in first and "防范要点" in first
    assert "冒充公检法诈骗" in second
    assert "接到96110来电一定要接听" in third


@pytest.mark.slow
def test_fold_marks_outside_the_trim_at_the_folds_mirrored_on_the_back(leaflet_builds):
    pdf = (leaflet_builds / "build/print/leaflets/fixture.pdf").read_bytes()
    for index, folds in enumerate((OUTSIDE_FOLDS_MM, INSIDE_FOLDS_MM)):
        segments = dashed_segments(pdf, index)
        xs = sorted({s[0] for s in segments})
        assert xs == pytest.approx(list(folds), abs=0.01), (index, segments)
        for x0, y0, x1, y1 in segments:
            assert x0 == pytest.approx(x1)   # vertical
            top, bottom = min(y0, y1), max(y0, y1)
            # Beyond the 3 mm bleed, above the top edge or below the bottom one: never on the piece.
            assert bottom <= -3 + 0.01 or top >= 210 + 3 - 0.01, (index, x0, y0, y1)
        above = [s for s in segments if s[1] < 0]
        below = [s for s in segments if s[1] > 210]
        assert len(above) == len(below) == 2
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for page, folds in zip(document.pages, (OUTSIDE_FOLDS_MM, INSIDE_FOLDS_MM), strict=True):
            recorded = page.obj.PieceInfo.Outreach.Private.Folds
            assert [float(f[1]) for f in recorded] == pytest.approx(list(folds))


@pytest.mark.slow
def test_print_master_passes_preflight_with_the_elderly_minimum(leaflet_builds):
    from outreach.rendering.preflight import ERROR, check_pdf

    report = check_pdf((leaflet_builds / "build/print/leaflets/fixture.pdf").read_bytes(), "leaflet-pdf-print")
    assert not [p for p in report.problems if p.severity == ERROR], report.problems
    assert report.measures.trim_mm == (297.0, 210.0) and report.measures.bleed_mm == 3.0
    # The fixture's pack is for elderly readers: no text under 12 pt (9 pt would pass the role's floor).
    assert report.measures.smallest_text_pt >= 12 - 0.05


@pytest.mark.slow
def test_a_scenario_too_long_for_its_panel_fails_the_leaflet_naming_it(tmp_path):
    root = _fixture(tmp_path)
    scenario = root / "content/scenarios/impersonating-police.yaml"
    text = scenario.read_text(encoding="utf-8")
    signs_line = text.split("\n").index("signs:") + 1
    long_sign = "对方自称公安机关工作人员，说您的银行账户涉嫌洗钱，要求您配合调查并把存款转到所谓的安全账户，还不许告诉家人和银行工作人员。"
    edit(scenario, "signs:\n", "signs:\n" + "".join(f"  - {long_sign}\n" for _ in range(7)))
    result = build_project(root, only=("leaflets",))
    [failure] = result.failures
    assert failure.file == "content/scenarios/impersonating-police.yaml" and failure.line == signs_line
    assert failure.label == "三折页 fixture"
    assert re.match(r"内页中栏超出栏高约 \d+ 毫米，不会自动缩小字号", failure.message), failure.message
    assert "冒充公检法诈骗" in failure.message and "版面有问题" not in failure.message
    assert not (root / "build/leaflets/fixture.pdf").exists()


@pytest.mark.slow
def test_a_template_with_text_under_the_audiences_minimum_fails(tmp_path):
    """An override that sets 10 pt body text passes the public's 9 pt floor but not an elderly
    pack's 12 pt: the screen build fails at the template, not only the print shop's preflight."""
    from conftest import write

    from outreach.rendering.theme import BUILTIN_DIR

    root = _fixture(tmp_path)
    css = (BUILTIN_DIR / "leaflets/leaflet.css").read_text(encoding="utf-8")
    write(root, "templates/leaflets/leaflet.css", css + "\n.summary { font-size: 10pt; }\n")
    [failure] = build_project(root, only=("leaflets",)).failures
    assert failure.file == "templates/leaflets/leaflet.css"
    assert "只有 10.0 磅" in failure.message and "至少要 12 磅" in failure.message


@pytest.mark.slow
def test_pack_zip_holds_the_leaflet_with_its_print_lines(built_fixture_project):
    root = built_fixture_project
    for folder in ("build", "build/print"):
        with zipfile.ZipFile(root / folder / "packs/fixture.zip") as archive:
            assert archive.read("fixture/leaflets/fixture.pdf") == (root / folder / "leaflets/fixture.pdf").read_bytes()
            notes = archive.read("fixture/打印说明.txt").decode("utf-8-sig")
        block = notes[notes.index("leaflets/fixture.pdf"):]
        assert "三折页" in block[:200] and "短边翻转" in block[:400]
    rows = list(csv.reader(io.StringIO((root / "build/print/packs/fixture/印刷清单.csv").read_text(encoding="utf-8-sig"))))
    [row] = [r for r in rows if r and r[1:2] == ["leaflets/fixture.pdf"]]
    joined = "|".join(row)
    assert "297×210" in joined and "3 毫米" in joined and "157 克铜版纸" in joined
    assert "卷折（包心折）两折三页，按折线标记折叠" in joined and "双面（短边翻转）" in joined and "4/4" in joined


# --- 1–4 hotlines in every documented format, long unit names, regions and scripts ------------

NUMBERS = [number for number, _ in FORMATS.values()] + ["0571-87000000-12345"]
LABEL_CHARS = "某省市县区局分所站警务社反诈骗中心值班电话热线咨询专线银行客服公安"


@st.composite
def leaflet_settings(draw):
    region = draw(st.sampled_from(["mainland", "mainland", "hk", "mo", "tw"]))
    hotlines = None
    if region == "mainland":
        hotlines = draw(st.lists(st.tuples(st.sampled_from(NUMBERS), st.text(LABEL_CHARS, min_size=1, max_size=LABEL_LIMIT)),
                                 min_size=1, max_size=4, unique_by=lambda h: re.sub(r"\D", "", h[0])))
    return {"region": region, "hotlines": hotlines, "organisation": draw(st.sampled_from(["示例分局", LONGEST_UNIT])),
            "locale": draw(st.sampled_from(["zh-Hans", "zh-Hant"])) if region == "mainland" else None,
            "print_ready": draw(st.booleans())}


EXTREME = {"region": "mainland", "hotlines": LONGEST_FOUR, "organisation": LONGEST_UNIT, "locale": "zh-Hans",
           "print_ready": True}
ONE = {"region": "mainland", "hotlines": [FORMATS["short"]], "organisation": "示例分局", "locale": "zh-Hant",
       "print_ready": False}


@pytest.mark.slow
# Each example is a cold build (~5 s): no shrinking, the failing case is printed as drawn.
@settings(max_examples=4, deadline=None, derandomize=True, database=None, phases=(Phase.explicit, Phase.generate))
@given(leaflet_settings())
@example(EXTREME)
@example(ONE)
@example({"region": "hk", "hotlines": None, "organisation": LONGEST_UNIT, "locale": None, "print_ready": True})
def test_hotlines_and_unit_names_fit_the_back_or_the_build_names_the_setting(case):
    with tempfile.TemporaryDirectory() as folder:
        root = _fixture(Path(folder))
        configure(root, hotlines=case["hotlines"], organisation=case["organisation"],
                  region=None if case["region"] == "mainland" else case["region"])
        # Three scenarios in every edition (the regional ones leave out the 96110 tip).
        edit(root / "content/packs/fixture.yaml", "  - poster: impersonating-police\n",
             "  - poster: impersonating-police\n  - poster: fake-customer-service\n")
        result = build_project(root, only=("leaflets",), print_ready=case["print_ready"], locale=case["locale"])
        if not result.ok:
            [failure] = result.failures
            assert failure.file == "outreach.toml" and "[[project.hotlines]]" in failure.message, failure.message
            return
        assert_pages_clean(root / "build")
        [pdf] = (root / "build").rglob("leaflets/fixture.pdf")
        back = panel_text(pdf.read_bytes(), 0, FOLD.outside[1])
        from outreach.project.config import load_config

        config, _ = load_config(root)
        for hotline in config.project.hotlines:
            assert re.sub(r"\s", "", hotline.display) in re.sub(r"\s", "", back.replace("轉", "转")), (hotline.display, back)


def test_every_starter_pack_has_a_leaflet_in_its_print_zip(built_starter_print):
    """The starter library: a leaflet per pack, each print master through the preflight (the
    elderly pack's text at 12 pt and more), zipped with its pack."""
    from outreach.rendering.preflight import ERROR, check_pdf

    build = built_starter_print / "build/print"
    for pack in ("campus", "elderly", "market"):
        data = (build / f"leaflets/{pack}.pdf").read_bytes()
        report = check_pdf(data, "leaflet-pdf-print")
        assert not [p for p in report.problems if p.severity == ERROR], (pack, report.problems)
        assert report.measures.smallest_text_pt >= (12 if pack == "elderly" else 9) - 0.05, pack
        with zipfile.ZipFile(build / f"packs/{pack}.zip") as archive:
            assert archive.read(f"{pack}/leaflets/{pack}.pdf") == data
