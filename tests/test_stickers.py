"""警民联系贴 (issue 31): a sticker per station, imposed on a sheet with the die line as the
`CutContour` spot colour, a print master that passes preflight, and a layout that holds for every
documented setting or fails naming what to change."""

from __future__ import annotations

import io
import math
import re
import shutil
import tempfile
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from conftest import FIXTURE_PROJECT, build_project, pdf_pages
from hypothesis import example, given, settings
from hypothesis import strategies as st
from layoutsettings import COUNTY_FOUR, FORMATS, LABEL_LIMIT, LONGEST_FOUR, LONGEST_STATION, configure, set_station

from outreach.outputs.stickers import StickersRenderer, StickersSection, sheet_layout
from outreach.project.phones import digits
from outreach.rendering.units import PT_PER_MM

STICKER = "stickers/test-east/contact-stickers.pdf"


def _fixture(parent: Path) -> Path:
    root = parent / "fixture"
    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    return root


def _build(root: Path, **options):
    return build_project(root, stations=True, only=("stickers",), **options)


def _context(root: Path):
    """What `outreach check` gives a kind's check()."""
    from outreach.buildspec.options import BuildOptions
    from outreach.outputs.base import RenderContext
    from outreach.project.loader import load_library
    from outreach.rendering.theme import Theme

    library, _ = load_library(root)
    return RenderContext(root=root, library=library, options=BuildOptions(), theme=Theme(root), out_dir=root / "build")


@pytest.fixture(scope="module")
def print_sheet(tmp_path_factory) -> tuple[Path, bytes]:
    root = _fixture(tmp_path_factory.mktemp("stickers"))
    result = _build(root, print_ready=True)
    assert result.ok, [f.message for f in result.failures]
    return root, (root / "build/print" / STICKER).read_bytes()


# --- the die line ---------------------------------------------------------------------------------

def _cut_strokes(data: bytes):
    """Each path stroked in the CutContour separation on page 1: its points (mm from the trim's
    top-left corner, y down) as segments, and the graphics state it was stroked with."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        trim = [float(v) for v in page.obj.TrimBox]
        resources = page.obj.Resources
        spaces = resources.get("/ColorSpace", {})
        cut_names = {name for name in spaces.keys()
                     if isinstance(spaces[name], pikepdf.Array) and spaces[name][0] == "/Separation"
                     and spaces[name][1] == "/CutContour"}
        assert cut_names, f"no /Separation /CutContour among {list(spaces.keys())}"
        [name] = cut_names
        space = spaces[name]
        alternate, tint = str(space[2]), [float(v) for v in space[3].C1]
        states = resources.get("/ExtGState", {})
        strokes, path, stroking, width, overprint = [], [], None, 1.0, False
        stack = []
        for item in pikepdf.parse_content_stream(page):
            op, args = str(item.operator), item.operands
            if op == "q":
                stack.append((stroking, width, overprint))
            elif op == "Q":
                stroking, width, overprint = stack.pop()
            elif op == "CS":
                stroking = args[0]
            elif op == "w":
                width = float(args[0])
            elif op == "gs":
                overprint = overprint or bool(states[args[0]].get("/OP", False))
            elif op in ("m", "l", "c"):
                numbers = [float(v) for v in args]
                points = [((numbers[i] - trim[0]) / PT_PER_MM, (trim[3] - numbers[i + 1]) / PT_PER_MM)
                          for i in range(0, len(numbers), 2)]
                path.append((op, points))
            elif op == "re":
                path.append(("re", [float(v) for v in args]))
            elif op in ("S", "s"):
                if stroking == name:
                    strokes.append({"path": path, "width": width, "overprint": overprint})
                path = []
            elif op in ("f", "F", "f*", "B", "B*", "b", "b*", "n"):
                path = []
        return strokes, alternate, tint


def _bezier(p0, p1, p2, p3, t):
    return tuple((1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t ** 2 * c + t ** 3 * d
                 for a, b, c, d in zip(p0, p1, p2, p3, strict=True))


@pytest.mark.slow
def test_the_die_line_is_a_cutcontour_separation_at_each_stickers_rounded_trim(print_sheet):
    """The sheet's print master strokes one closed rounded rectangle per sticker in the spot colour
    named CutContour (alternate 100 % magenta), 0.25 pt, overprinting, after the CMYK conversion;
    each outline lies on the sticker's trim within 0.1 mm, its corners quarter circles of the radius."""
    _, data = print_sheet
    config = StickersSection()
    _, boxes = sheet_layout(config)
    strokes, alternate, tint = _cut_strokes(data)
    assert alternate == "/DeviceCMYK" and tint == [0, 1, 0, 0]
    assert len(strokes) == len(boxes) == 16
    r = config.radius
    for stroke, box in zip(strokes, boxes, strict=True):
        assert stroke["width"] == pytest.approx(0.25) and stroke["overprint"]
        segments = stroke["path"]
        points = [p for _, pts in segments for p in pts if _ != "re"]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        assert min(xs) == pytest.approx(box.x, abs=0.1) and max(xs) == pytest.approx(box.x + box.w, abs=0.1)
        assert min(ys) == pytest.approx(box.y, abs=0.1) and max(ys) == pytest.approx(box.y + box.h, abs=0.1)
        curves, start = [], None
        for op, pts in segments:
            if op == "m":
                start = pts[0]
            elif op == "l":
                start = pts[0]
            elif op == "c":
                curves.append((start, *pts))
                start = pts[-1]
        assert len(curves) == 4
        centres = [(box.x + r, box.y + r), (box.x + box.w - r, box.y + r), (box.x + r, box.y + box.h - r),
                   (box.x + box.w - r, box.y + box.h - r)]
        for curve in curves:
            for t in (0.0, 0.25, 0.5, 0.75, 1.0):
                x, y = _bezier(*curve, t)
                distance = min(math.hypot(x - cx, y - cy) for cx, cy in centres)
                assert distance == pytest.approx(r, abs=0.1), (box, curve, t)


@pytest.mark.slow
def test_the_sheet_passes_preflight_with_the_cutcontour_spot_and_the_art_bleeds_past_the_cut(print_sheet):
    from outreach.rendering.preflight import ERROR, check_pdf

    _, data = print_sheet
    report = check_pdf(data, "sticker-sheet-print")
    assert not [p for p in report.problems if p.severity == ERROR], report.problems
    assert "专色 CutContour" in report.measures.colour_spaces
    assert report.measures.bleed_mm == pytest.approx(3.0)
    assert report.measures.smallest_text_pt is not None and report.measures.smallest_text_pt >= 10 - 0.05
    # The red band and the dark hotline band run 3 mm past every sticker's cut: sampled 2 mm outside.
    _, boxes = sheet_layout(StickersSection())
    document = pdfium.PdfDocument(data)
    try:
        page = document[0]
        scale = 150 / 72
        image = page.render(scale=scale).to_pil().convert("RGB")
        with pikepdf.open(io.BytesIO(data)) as pdf:
            media = [float(v) for v in pdf.pages[0].obj.MediaBox]
            trim = [float(v) for v in pdf.pages[0].obj.TrimBox]
    finally:
        document.close()

    def colour(x_mm, y_mm):
        x_pt, y_pt = trim[0] + x_mm * PT_PER_MM, trim[3] - y_mm * PT_PER_MM
        return image.getpixel((int((x_pt - media[0]) * scale), int((media[3] - y_pt) * scale)))

    for box in boxes:
        middle = box.x + box.w / 2
        above, below = colour(middle, box.y - 2), colour(middle, box.y + box.h - 2 + 4)
        assert above[0] > 150 and above[1] < 90, ("red band stops at the cut", box, above)
        assert max(below) < 90, ("hotline band stops at the cut", box, below)
        assert max(colour(box.x - 2, box.y + 2)) < 255 and max(colour(box.x + box.w + 2, box.y + box.h - 2)) < 90


@pytest.mark.slow
def test_preflight_still_rejects_rgb_beside_the_cutcontour(print_sheet):
    from outreach.rendering.preflight import ERROR, check_pdf

    _, data = print_sheet
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        page.contents_add(pdf.make_stream(b"q 1 0 0 rg 100 100 50 50 re f Q"), prepend=False)
        buffer = io.BytesIO()
        pdf.save(buffer)
    codes = {p.code for p in check_pdf(buffer.getvalue(), "sticker-sheet-print").problems if p.severity == ERROR}
    assert "rgb" in codes


@pytest.mark.slow
def test_screen_sheet_keeps_the_die_line_as_a_magenta_guide(tmp_path):
    """The screen file (office printers, A4 label sheets with [stickers] sheet = "A4") has the same
    CutContour outline, shown as a thin magenta line to cut along; no bleed."""
    root = _fixture(tmp_path)
    text = (root / "outreach.toml").read_text(encoding="utf-8")
    (root / "outreach.toml").write_text(text + '\n[stickers]\nsheet = "A4"\nradius = 3\n', encoding="utf-8")
    result = _build(root)
    assert result.ok, [f.message for f in result.failures]
    data = (root / "build" / STICKER).read_bytes()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/BleedBox" not in pdf.pages[0].obj or pdf.pages[0].obj.BleedBox == pdf.pages[0].obj.MediaBox
        width, height = (float(v) / PT_PER_MM for v in pdf.pages[0].mediabox[2:])
    assert sorted((round(width), round(height))) == [210, 297]
    strokes, _, _ = _cut_strokes(_with_trim(data))
    _, boxes = sheet_layout(StickersSection(sheet="A4", radius=3))
    assert len(strokes) == len(boxes) == 4


def _with_trim(data: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.obj.TrimBox = page.obj.MediaBox
        buffer = io.BytesIO()
        pdf.save(buffer)
        return buffer.getvalue()


# --- the station's zip -------------------------------------------------------------------------------

@pytest.mark.slow
def test_the_station_zip_holds_the_sticker_sheet_with_its_print_lines(tmp_path):
    import csv
    import zipfile

    root = _fixture(tmp_path)
    result = build_project(root, stations=True, print_ready=True, jobs=2)
    assert result.ok, [f.message for f in result.failures]
    folder = root / "build/print/stations/test-east"
    with zipfile.ZipFile(folder / "test-east.zip") as archive:
        names = archive.namelist()
        assert "test-east/contact-stickers.pdf" in names
        assert archive.read("test-east/contact-stickers.pdf") == (root / "build/print" / STICKER).read_bytes()
    notes = (folder / "打印说明.txt").read_text(encoding="utf-8-sig")
    assert "警民联系贴" in notes and "CutContour" in notes and "背胶" in notes and "半切" in notes
    rows = list(csv.reader((folder / "印刷清单.csv").read_text(encoding="utf-8-sig").splitlines()))
    line = next(row for row in rows if any("警民联系贴" in cell for cell in row))
    assert any("450" in cell and "320" in cell for cell in line), line   # the sheet's finished size


# --- layouts for every documented setting ------------------------------------------------------------

def _check_pages(root: Path, prefix: str) -> None:
    """The sheet through the page inspector as `outreach check --pages` runs it."""
    from outreach.project.config import load_config
    from outreach.rendering.pageparity import page_defects
    from outreach.rendering.typeset import project_terms

    config, _ = load_config(root)
    path = root / "build" / prefix / STICKER
    assert not page_defects(path.read_bytes(), str(path), project_terms(config))


def _hotlines_whole(root: Path, prefix: str = "") -> None:
    """Every hotline's number is on one line of the sticker, with its label beside or below it."""
    from outreach.checks.spacing import apply_spacing
    from outreach.project.config import load_config

    config, _ = load_config(root)
    page = pdf_pages(root / "build" / prefix / STICKER)[0].replace("\r\n", "\n").replace("轉", "转")
    lines = page.split("\n")
    for hotline in config.project.hotlines:
        shown = apply_spacing(hotline.display, config.lint.cjk_latin_space)
        found = [i for i, line in enumerate(lines) if shown in line]
        assert found, f"{hotline.display} broken or missing in {lines[:20]}"


SETTING = re.compile(r"outreach\.toml|\[\[project\.hotlines\]\]|\[stickers\]|stations\.csv|站点表")
CJK = "某省市县区局分所站警务社反诈骗中心值班电话热线咨询专线银行客服公安东湖北山联合宣传大队"
NUMBERS = [number for number, _ in FORMATS.values()] + ["0571-87000000-12345", "4001234567"]


@st.composite
def sticker_settings(draw):
    region = draw(st.sampled_from(["mainland", "mainland", "hk", "mo", "tw"]))
    hotlines = None
    if region == "mainland":
        hotlines = draw(st.lists(st.tuples(st.sampled_from(NUMBERS), st.text(CJK, min_size=1, max_size=LABEL_LIMIT)),
                                 min_size=1, max_size=4, unique_by=lambda h: digits(h[0])))
    return {"region": region, "hotlines": hotlines, "station": draw(st.booleans()),
            "locale": draw(st.sampled_from(["zh-Hans", "zh-Hant"])) if region == "mainland" else None,
            "print_ready": draw(st.booleans())}


COUNTY = {"region": "mainland", "hotlines": COUNTY_FOUR, "station": True, "locale": "zh-Hans", "print_ready": True}
EXTREME = {"region": "mainland", "hotlines": LONGEST_FOUR, "station": True, "locale": "zh-Hans", "print_ready": False}
MACAU = {"region": "mo", "hotlines": None, "station": True, "locale": None, "print_ready": True}
ONE = {"region": "mainland", "hotlines": [FORMATS["extension"]], "station": True, "locale": "zh-Hant", "print_ready": False}


@pytest.mark.slow
@settings(max_examples=4, deadline=None, derandomize=True, database=None)
@given(sticker_settings())
@example(COUNTY)
@example(EXTREME)
@example(MACAU)
@example(ONE)
def test_sticker_layout_holds_or_names_what_to_change(case):
    """1–4 hotlines in every format, a station row at every documented limit, each region and
    script: the sticker builds and passes the page inspector with every hotline whole, or the
    build fails naming the outreach.toml entry or the station row (never a page the inspector
    rejects). The county bureau's four hotlines with the longest station row must fit."""
    with tempfile.TemporaryDirectory() as folder:
        root = _fixture(Path(folder))
        configure(root, hotlines=case["hotlines"], region=None if case["region"] == "mainland" else case["region"])
        if case["station"]:
            set_station(root, **LONGEST_STATION)
        result = _build(root, print_ready=case["print_ready"], locale=case["locale"])
        if case is COUNTY or case == COUNTY or case == MACAU:
            assert result.ok, [f.message for f in result.failures]
        if result.ok:
            [sheet] = (root / "build").glob(f"**/{STICKER}")   # zh-Hant/ for Traditional, print/ for masters
            prefix = str(sheet.relative_to(root / "build"))[:-len(STICKER)]
            assert ("print/" in prefix) == case["print_ready"]
            _check_pages(root, prefix)
            _hotlines_whole(root, prefix)
            return
        for failure in result.failures:
            assert "版面有问题" not in failure.message, failure.message
            assert SETTING.search(failure.message) or failure.file in ("outreach.toml", "content/stations.csv"), \
                (failure.file, failure.message)


@pytest.mark.slow
def test_a_station_row_too_long_for_the_sticker_fails_that_station_with_its_row(tmp_path):
    """A sticker made smaller in [stickers] than the longest rows need: the station's sticker fails
    at its row of the sheet with how much to cut, and nothing shrinks."""
    root = _fixture(tmp_path)
    set_station(root, **LONGEST_STATION)
    text = (root / "outreach.toml").read_text(encoding="utf-8")
    (root / "outreach.toml").write_text(text + "\n[stickers]\nsize = [100, 45]\n", encoding="utf-8")
    result = _build(root)
    assert not result.ok
    [failure] = result.failures
    assert failure.file == "content/stations.csv" and failure.line == 2, (failure.file, failure.line, failure.message)
    assert re.search(r"超出一页约 \d+ 毫米", failure.message) and "精简" in failure.message
    assert not (root / "build" / STICKER).exists()


def test_sticker_settings_are_checked_with_plain_words():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="贴纸尺寸"):
        StickersSection(size=(30, 20))
    with pytest.raises(ValidationError, match="圆角半径"):
        StickersSection(size=(100, 70), radius=20)
    assert len(sheet_layout(StickersSection())[1]) == 16           # SRA3, landscape: 4 × 4
    assert len(sheet_layout(StickersSection(sheet="A4"))[1]) == 4


@pytest.mark.slow
def test_a_sticker_size_the_sheet_cannot_hold_fails_at_its_setting(tmp_path):
    """Before any layout: `outreach check` (the kind's check) and the build name [stickers] size."""
    root = _fixture(tmp_path)
    text = (root / "outreach.toml").read_text(encoding="utf-8")
    (root / "outreach.toml").write_text(text + '\n[stickers]\nsize = [200, 200]\nsheet = "A4"\n', encoding="utf-8")
    [problem] = StickersRenderer().check(_context(root))
    size_line = next(n for n, line in enumerate((root / "outreach.toml").read_text(encoding="utf-8").splitlines(), 1)
                     if line.startswith("size = [200"))
    assert problem.file == "outreach.toml" and problem.line == size_line and "[stickers] size" in problem.message
    result = _build(root)
    assert [f.message for f in result.failures] == [problem.message]


@pytest.mark.slow
def test_the_starter_makes_a_sticker_sheet_for_each_station_in_its_zip(built_starter_print):
    """The starter library's stations each get a sheet that passes preflight, zipped with the station."""
    import csv
    import zipfile

    from outreach.rendering.preflight import ERROR, check_pdf

    rows = list(csv.DictReader((built_starter_print / "content/stations.csv").read_text(encoding="utf-8").splitlines()))
    assert rows
    for row in rows:
        station = row["id"]
        sheet = built_starter_print / f"build/print/stickers/{station}/contact-stickers.pdf"
        report = check_pdf(sheet.read_bytes(), "sticker-sheet-print")
        assert not [p for p in report.problems if p.severity == ERROR], report.problems
        assert "专色 CutContour" in report.measures.colour_spaces
        with zipfile.ZipFile(built_starter_print / f"build/print/stations/{station}/{station}.zip") as archive:
            assert archive.read(f"{station}/contact-stickers.pdf") == sheet.read_bytes()


@pytest.mark.slow
def test_a_build_without_station_outputs_keeps_matching_sheets_and_removes_outdated_ones(tmp_path):
    """Stickers are made per station, like the station packs: a build without --stations neither
    deletes them nor makes the station packs that zip them look outdated (the first version planned
    no stickers then, and the next build deleted every station's files); once the station's row
    changes, its old sheet (with the old number on it) goes with its packs."""
    root = _fixture(tmp_path)
    assert build_project(root, stations=True, jobs=2).ok
    sheet, pack = root / "build" / STICKER, root / "build/stations/test-east/fixture.pdf"
    before = sheet.read_bytes()
    result = build_project(root, jobs=2)
    assert result.ok and not result.removed and not result.notices, (result.removed, result.notices)
    assert sheet.read_bytes() == before and pack.exists()
    set_station(root, officer_phone="0000-7654322")
    result = build_project(root, jobs=2)
    assert not sheet.exists() and not pack.exists()
    assert any("（1 个派出所）" in notice for notice in result.notices), result.notices


@pytest.mark.slow
def test_templates_check_builds_an_overridden_sticker_with_the_station_outputs(tmp_path):
    """`outreach templates check` rebuilds the kinds an override touches: the sticker is a
    per-station kind, so the check turns the station outputs on for it (it stopped at
    '派出所资料没有打开' before)."""
    import subprocess
    import sys

    from outreach.rendering.theme import BUILTIN_DIR

    root = _fixture(tmp_path)
    (root / "templates/stickers").mkdir(parents=True)
    shutil.copy(BUILTIN_DIR / "stickers/sticker.html", root / "templates/stickers/sticker.html")
    run = subprocess.run([sys.executable, "-m", "outreach", "templates", "check"], cwd=root, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "stickers/sticker.html 须保持：页面 100×70 毫米" in run.stdout
    assert (root / "build" / STICKER).exists()


@pytest.mark.slow
def test_hotlines_the_stickers_band_cannot_hold_are_found_by_check_and_fail_the_build_at_their_entry(tmp_path):
    root = _fixture(tmp_path)
    configure(root, hotlines=LONGEST_FOUR)
    [problem] = StickersRenderer().check(_context(root))
    assert problem.file == "outreach.toml" and problem.line and "[[project.hotlines]]" in problem.message
    assert "警民联系贴底部的电话栏还差约" in problem.message
    result = _build(root)
    assert [f.message for f in result.failures] == [problem.message]
