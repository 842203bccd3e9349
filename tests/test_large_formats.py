"""Large formats (issue 31, helper A): the roll-up banner (易拉宝) and display boards (展板).

Read as the shop and the stand see them: boxes with pikepdf (true size, 5 mm bleed), the clear foot
with pdfium's page objects (no glyph, line or shape in the bottom 150 mm) and pdfium (the foot renders as
bare paper), the print masters through the same preflight as `outreach preflight`, the pack's zip
with its 打印说明 and 印刷清单 lines, and layouts for every documented hotline set."""

from __future__ import annotations

import csv
import io
import math
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from conftest import FIXTURE_PROJECT, build_project, edit, pdf_pages
from hypothesis import example, given, settings
from hypothesis import strategies as st
from layoutsettings import FORMATS, LABEL_LIMIT, LONGEST_FOUR, LONGEST_UNIT, ORGANISATION_LIMIT, configure

from outreach.rendering.largeformat import BOARD_MIN_PT, ROLLUP_FOOT_MM, ROLLUP_MIN_PT, minimum_pt
from outreach.rendering.preflight import check_pdf

pytestmark = pytest.mark.slow   # every test builds true-size pages (metres of PDF)

PT_PER_MM = 72 / 25.4
KINDS = ("rollups", "boards")


def _fixture(parent: Path) -> Path:
    root = parent / "fixture"
    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    return root


def set_large(root: Path, text: str) -> None:
    """Append a [large] section to outreach.toml."""
    path = root / "outreach.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n[large]\n" + text + "\n", encoding="utf-8")


def trim_mm(path: Path) -> tuple[float, float]:
    with pikepdf.open(path) as pdf:
        box = [float(v) for v in pdf.pages[0].obj.TrimBox]
        return round((box[2] - box[0]) / PT_PER_MM, 1), round((box[3] - box[1]) / PT_PER_MM, 1)


def bleed_mm(path: Path) -> float:
    with pikepdf.open(path) as pdf:
        trim = [float(v) for v in pdf.pages[0].obj.TrimBox]
        bleed = [float(v) for v in pdf.pages[0].obj.BleedBox]
        return round(min(trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3]) / PT_PER_MM, 2)


def foot_objects(path: Path, foot_mm: float = ROLLUP_FOOT_MM) -> list[str]:
    """What is drawn in the bottom `foot_mm` of the trim, read from the page's objects with pdfium
    (forms opened): text, paths, images, but for the page's background (a fill that covers the
    whole trimmed width and runs past the foot)."""
    import pypdfium2.raw as raw

    with pikepdf.open(path) as pdf:
        trim = [float(v) for v in pdf.pages[0].obj.TrimBox]
    top = trim[1] + foot_mm * PT_PER_MM
    names = {raw.FPDF_PAGEOBJ_TEXT: "文字", raw.FPDF_PAGEOBJ_PATH: "线或色块", raw.FPDF_PAGEOBJ_IMAGE: "图片",
             raw.FPDF_PAGEOBJ_SHADING: "渐变"}
    found = []

    def walk(page, form=None, matrices=()):
        for obj in page.get_objects(max_depth=0, form=form):
            if obj.type == raw.FPDF_PAGEOBJ_FORM:   # its objects' bounds are in the form's space
                yield from walk(page, obj, (obj.get_matrix(), *matrices))
                continue
            left, bottom, right, up = obj.get_bounds()
            corners = [(left, bottom), (right, up), (left, up), (right, bottom)]
            for matrix in matrices:
                corners = [matrix.on_point(x, y) for x, y in corners]
            xs, ys = [x for x, _ in corners], [y for _, y in corners]
            yield obj.type, (min(xs), min(ys), max(xs), max(ys))

    document = pdfium.PdfDocument(path.read_bytes())
    try:
        for kind, (left, bottom, right, up) in walk(document[0]):
            if kind not in names:
                continue
            inside = bottom < top - 0.5 and up > trim[1] + 0.5 and right > trim[0] + 0.5 and left < trim[2] - 0.5
            background = kind == raw.FPDF_PAGEOBJ_PATH and left <= trim[0] + 1 and right >= trim[2] - 1 and up > top + 1
            if inside and not background:
                found.append(f"{names[kind]}（左 {(left - trim[0]) / PT_PER_MM:.0f} 毫米，底边以上 {(bottom - trim[1]) / PT_PER_MM:.0f} 毫米）")
    finally:
        document.close()
    return found


def foot_pixels(path: Path, foot_mm: float = ROLLUP_FOOT_MM) -> set[tuple[int, int, int]]:
    """The colours of the bottom `foot_mm` of the trim, rendered at 20 dpi (less a pixel and a
    half at its top edge: the band above it ends exactly there, anti-aliased)."""
    with pikepdf.open(path) as pdf:
        trim = [float(v) for v in pdf.pages[0].obj.TrimBox]
        media = [float(v) for v in pdf.pages[0].obj.MediaBox]
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        scale = 20 / 72
        image = document[0].render(scale=scale).to_pil().convert("RGB")
    finally:
        document.close()
    left = (trim[0] - media[0]) * scale + 1
    right = (trim[2] - media[0]) * scale - 1
    bottom = (media[3] - trim[1]) * scale - 1
    top = bottom - foot_mm * PT_PER_MM * scale + 1.5
    foot = image.crop((math.ceil(left), math.ceil(top), int(right), int(bottom)))
    return {colour for _, colour in foot.getcolors(foot.width * foot.height)}


@pytest.fixture(scope="module")
def large_build(tmp_path_factory) -> Path:
    """The fixture project's roll-up and boards, screen files and print masters, with scenario
    boards in both board sizes (landscape)."""
    root = _fixture(tmp_path_factory.mktemp("large"))
    set_large(root, 'board_sizes = ["90x120", "60x90"]\nboard_orientation = "landscape"\nscenario_boards = true')
    for print_ready in (False, True):
        result = build_project(root, only=KINDS, print_ready=print_ready, jobs=2)
        assert result.ok, [f"{f.label}: {f.message}" for f in result.failures]
    return root


def test_rollup_is_true_size_with_a_clear_foot(large_build):
    for name in ("rollups/fixture.pdf", "print/rollups/fixture.pdf"):
        path = large_build / "build" / name
        assert trim_mm(path) == (800.0, 2000.0), name
        assert foot_objects(path) == [], name
        assert foot_pixels(path) == {(255, 255, 255)}, name   # bare paper: the stand's foot hides it
    # The foot is measured, not assumed: the band above it is inked right up to it.
    assert foot_pixels(large_build / "build/rollups/fixture.pdf", ROLLUP_FOOT_MM + 20) != {(255, 255, 255)}
    assert bleed_mm(large_build / "build/print/rollups/fixture.pdf") == 5.0


def test_boards_in_each_size_and_orientation(large_build):
    build = large_build / "build"
    assert trim_mm(build / "boards/packs/fixture-120x90.pdf") == (1200.0, 900.0)
    assert trim_mm(build / "boards/packs/fixture-90x60.pdf") == (900.0, 600.0)
    for scenario in ("fake-loan", "impersonating-police", "fake-customer-service"):
        assert trim_mm(build / f"print/boards/scenarios/{scenario}-120x90.pdf") == (1200.0, 900.0)
        assert (build / f"boards/scenarios/{scenario}-90x60.pdf").is_file()
    text = "".join(pdf_pages(build / "boards/packs/fixture-120x90.pdf"))
    assert "虚假网络贷款诈骗" in text and "冒充公检法诈骗" in text


def test_print_masters_pass_preflight_with_the_large_format_bleed_and_sizes(large_build):
    masters = sorted((large_build / "build/print").rglob("*.pdf"))
    assert len(masters) == 1 + 2 * 4
    for path in masters:
        role = "rollup-pdf-print" if "/rollups/" in str(path) else "board-pdf-print"
        report = check_pdf(path.read_bytes(), role)
        assert report.ok, (path.name, [p.located() for p in report.problems])
        assert report.measures.bleed_mm == 5.0
        floor = ROLLUP_MIN_PT if role.startswith("rollup") else BOARD_MIN_PT
        assert report.measures.smallest_text_pt >= floor - 0.05, (path.name, report.measures.smallest_text_pt)


def test_type_is_sized_from_viewing_distance():
    assert minimum_pt(2.5) == ROLLUP_MIN_PT == 28   # 10 mm characters read from 2.5 m
    assert minimum_pt(1.5) == BOARD_MIN_PT == 17
    assert minimum_pt(8.0) == 91                   # a roll-up's title over a crowd


def test_the_preflight_holds_a_rollup_to_its_own_minimum(large_build):
    """A roll-up printed with poster-sized type would fail: its role's floor is 28 pt, not 9."""
    from outreach.rendering.textsizes import minimum_text_pt

    assert minimum_text_pt("rollup-pdf-print") == 28 and minimum_text_pt("board-pdf-print") == 17
    report = check_pdf((large_build / "build/print/rollups/fixture.pdf").read_bytes(), "poster-pdf-print")
    assert report.ok   # and the same file is fine for any smaller floor


def test_pack_zip_lists_the_rollup_and_boards_with_size_and_material(built_fixture_project):
    build = built_fixture_project / "build"
    with zipfile.ZipFile(build / "print/packs/fixture.zip") as archive:
        names = archive.namelist()
        assert "fixture/rollups/fixture.pdf" in names and "fixture/boards/packs/fixture-90x120.pdf" in names
        notes = archive.read("fixture/打印说明.txt").decode("utf-8-sig")
        sheet = archive.read("fixture/印刷清单.csv").decode("utf-8-sig")
    # (打印说明 follows the project's spacing rule: no space between Chinese and digits.)
    assert re.search(r"易拉宝.*80×200 ?厘米", notes) and "写真布" in notes and "易拉宝架" in notes
    assert re.search(r"成品尺寸：800×2000 ?毫米；出血：每边5 ?毫米", notes)
    assert re.search(r"展板.*90×120 ?厘米", notes) and "背胶" in notes and "KT 板" in notes.replace("KT板", "KT 板")
    rows = {row[1]: row for row in csv.reader(io.StringIO(sheet)) if len(row) > 5}
    rollup = rows["rollups/fixture.pdf"]
    assert any("800×2000" in cell for cell in rollup) and "5 毫米" in rollup and any("写真布" in c for c in rollup)
    assert any("900×1200" in cell for cell in rows["boards/packs/fixture-90x120.pdf"])
    # The screen build's zip holds them too, for a print shop that makes its own masters.
    with zipfile.ZipFile(build / "packs/fixture.zip") as archive:
        assert "fixture/rollups/fixture.pdf" in archive.namelist()


def test_a_pack_can_have_its_own_rollup_size(tmp_path):
    root = _fixture(tmp_path)
    set_large(root, 'rollup_sizes_by_pack = {fixture = "60x160"}')
    assert build_project(root, only=("rollups",), print_ready=True).ok
    path = root / "build/print/rollups/fixture.pdf"
    assert trim_mm(path) == (600.0, 1600.0)
    assert foot_objects(path) == [] and foot_pixels(path) == {(255, 255, 255)}


def test_content_too_long_fails_the_target_with_the_item_and_how_much_to_cut(tmp_path):
    root = _fixture(tmp_path)
    set_large(root, 'rollup_size = "60x160"')
    # A title past three lines at the smallest size seen over a crowd (91 pt + 5 on 500 mm).
    edit(root / "content/packs/fixture.yaml", "title: 测试用资料包", "title: " + "反诈" * 30)
    # Ten scenarios with long first signs: more than the 60×160 body holds at 36 pt.
    source = (root / "content/scenarios/fake-loan.yaml").read_text(encoding="utf-8")
    items = []
    for n in range(10):
        (root / f"content/scenarios/long-{n}.yaml").write_text(source.replace("signs:\n  - ", "signs:\n  - " + "对方要求先交保证金" * 18, 1),
                                                                encoding="utf-8")
        items.append(f"  - poster: long-{n}\n")
    edit(root / "content/packs/fixture.yaml", "items:\n", "items:\n" + "".join(items))
    result = build_project(root, only=("rollups",))
    [failure] = result.failures
    assert failure.file == "content/packs/fixture.yaml"
    assert "标题" in failure.message and re.search(r"删去约 \d+ 个字", failure.message), failure.message

    edit(root / "content/packs/fixture.yaml", "title: " + "反诈" * 30, "title: 测试用资料包")
    result = build_project(root, only=("rollups",))
    [failure] = result.failures
    assert failure.file == "content/packs/fixture.yaml"
    assert re.search(r"超出一页约 \d+ 毫米", failure.message) and "不会自动缩小" in failure.message, failure.message
    assert "60×160" in failure.message   # and the way out: a larger roll-up


CJK = "某省市县区局分所站警务社反诈骗中心值班电话热线咨询专线银行客服公安东湖北山联合宣传大队"
NUMBERS = [number for number, _ in FORMATS.values()] + ["0571-87000000-12345"]


@st.composite
def large_settings(draw):
    return {
        "hotlines": draw(st.lists(st.tuples(st.sampled_from(NUMBERS), st.text(CJK, min_size=1, max_size=LABEL_LIMIT)),
                                  min_size=1, max_size=4, unique_by=lambda h: re.sub(r"\D", "", h[0]))),
        "organisation": draw(st.text(CJK, min_size=1, max_size=ORGANISATION_LIMIT)),
        "region": draw(st.sampled_from([None, None, "hk", "mo", "tw"])),
        "locale": draw(st.sampled_from(["zh-Hans", "zh-Hant"])),
        "size": draw(st.sampled_from(["80x200", "60x160", "85x200"])),
        "print_ready": draw(st.booleans()),
    }


EXTREME = {"hotlines": LONGEST_FOUR, "organisation": LONGEST_UNIT, "region": None, "locale": "zh-Hans",
           "size": "60x160", "print_ready": True}


@settings(max_examples=3, deadline=None, derandomize=True, database=None)
@given(large_settings())
@example(EXTREME)
@example(EXTREME | {"region": "tw", "locale": "zh-Hant", "size": "80x200", "print_ready": False})
def test_every_hotline_set_and_unit_name_fits_or_names_what_to_change(case):
    with tempfile.TemporaryDirectory() as folder:
        root = _fixture(Path(folder))
        configure(root, hotlines=None if case["region"] else case["hotlines"], organisation=case["organisation"],
                  region=case["region"])
        set_large(root, f'rollup_size = "{case["size"]}"\nboard_sizes = ["90x120", "60x90"]')
        locale = None if case["region"] else case["locale"]
        result = build_project(root, only=KINDS, print_ready=case["print_ready"], locale=locale, jobs=2)
        for failure in result.failures:   # only the fitting steps may refuse, naming the setting
            assert "版面有问题" not in failure.message, failure.message
            assert failure.file == "outreach.toml" and "[[project.hotlines]]" in failure.message, failure.message
        prefix = ("zh-Hant/" if locale == "zh-Hant" or case["region"] in ("hk", "mo", "tw") else "") \
            + ("print/" if case["print_ready"] else "")
        rollup = root / "build" / prefix / "rollups/fixture.pdf"
        if result.ok:
            assert foot_objects(rollup) == [] and foot_pixels(rollup) == {(255, 255, 255)}
            for path in (root / "build").rglob("*.pdf"):   # every page passes the inspector
                from outreach.rendering.pageinspect import inspect_pdf

                assert [p for p in inspect_pdf(path) if p.severity == "error"] == [], path


def test_the_pack_follows_a_change_of_large_settings(tmp_path):
    """A pack names its roll-up by size in its notes: [large] is read while the pack renders (not
    declared by packs, which depend on the roll-up's target instead), and a change rebuilds both."""
    root = _fixture(tmp_path)
    first = build_project(root, only=("packs",), print_ready=True, jobs=2)
    assert first.ok, [f"{f.label}: {f.message}" for f in first.failures]
    set_large(root, 'rollup_size = "60x160"')
    again = build_project(root, only=("packs",), print_ready=True, jobs=2)
    assert again.ok, [f"{f.label}: {f.message}" for f in again.failures]
    assert {"print/rollups/fixture", "print/packs/fixture"} <= set(again.built), again.built
    assert "print/posters/fake-loan" not in again.built
    with zipfile.ZipFile(root / "build/print/packs/fixture.zip") as archive:
        notes = archive.read("fixture/打印说明.txt").decode("utf-8-sig")
    assert re.search(r"易拉宝.*60×160 ?厘米", notes) and re.search(r"成品尺寸：600×1600 ?毫米", notes)


def test_the_starter_has_a_rollup_and_a_board_for_every_pack(built_starter_print):
    build = built_starter_print / "build/print"
    packs = sorted(path.stem for path in (built_starter_print / "content/packs").glob("*.yaml"))
    assert packs
    for pack in packs:
        assert trim_mm(build / f"rollups/{pack}.pdf") == (800.0, 2000.0)
        assert trim_mm(build / f"boards/packs/{pack}-90x120.pdf") == (900.0, 1200.0)
        with zipfile.ZipFile(build / f"packs/{pack}.zip") as archive:
            names = archive.namelist()
        assert f"{pack}/rollups/{pack}.pdf" in names and f"{pack}/boards/packs/{pack}-90x120.pdf" in names


def test_check_names_a_pack_that_does_not_exist_and_a_title_too_long(tmp_path):
    """`outreach check` (no layout) finds what the roll-up would fail on: a [large] entry naming
    no pack, and a title the top zone cannot hold."""
    import subprocess
    import sys

    root = _fixture(tmp_path)
    set_large(root, 'rollup_sizes_by_pack = {nosuchpack = "60x160"}')
    edit(root / "content/packs/fixture.yaml", "title: 测试用资料包", "title: " + "反诈" * 30)
    run = subprocess.run([sys.executable, "-m", "outreach", "-C", str(root), "check"], capture_output=True, text=True)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "rollup_sizes_by_pack" in output and "nosuchpack" in output
    assert re.search(r"content/packs/fixture\.yaml.*标题.*删去约 \d+ 个字", output), output


def test_rollup_and_boards_are_vector_only(large_build):
    """Printed at metres, a bitmap shows its pixels: text, shapes and the QR code are vector paths."""
    import pypdfium2.raw as raw

    for path in sorted((large_build / "build").rglob("*.pdf")):
        document = pdfium.PdfDocument(path.read_bytes())
        try:
            images = list(document[0].get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=8))
        finally:
            document.close()
        assert images == [], path
