"""Print masters beside screen files, cards with their own bleed, one page size per file, and the
paperwork that goes with the files to the print shop (issue 26: everything but the prepress core).

Every PDF is read as a shop would: boxes with pikepdf, pixels rendered by pdfium, marks from the
page's content stream, zip members hashed against build/manifest.json."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from conftest import assert_pages_clean, build_posters, build_project, edit

PT_PER_MM = 72 / 25.4


def manifest(root: Path) -> dict:
    return json.loads((root / "build/manifest.json").read_text(encoding="utf-8"))


def boxes_mm(page) -> tuple:
    return tuple(tuple(round(float(v) / PT_PER_MM, 2) for v in page.obj[key]) for key in ("/MediaBox", "/TrimBox", "/BleedBox"))


@pytest.fixture(scope="module")
def printed(built_fixture_project) -> Path:
    """The fixture project built twice into one build/: screen files, then print masters (with its
    station); the run's shared build."""
    return built_fixture_project


# --- item 1: print masters live beside screen files ---------------------------------------------

@pytest.mark.slow
def test_print_and_screen_builds_live_side_by_side(mini_project):
    assert build_posters(mini_project).ok
    result = build_posters(mini_project, print_ready=True)
    assert result.ok and result.removed == []
    assert sorted(result.built) == ["print/posters/card-renting", "print/posters/fake-loan"]
    roles = {entry["path"]: entry["role"] for entry in manifest(mini_project)["outputs"]}
    assert roles["posters/fake-loan.pdf"] == "poster-pdf" and roles["posters/fake-loan.png"] == "poster-png"
    assert roles["print/posters/fake-loan.pdf"] == "poster-pdf-print"
    assert "print/posters/fake-loan.png" not in roles   # the picture is for phones, not for the shop
    with pikepdf.open(mini_project / "build/posters/fake-loan.pdf") as screen:
        assert "/OutputIntents" not in screen.Root   # the screen file stays RGB, untouched
    # Neither build deletes the other's files, and each finds its own up to date.
    again = build_posters(mini_project)
    assert again.removed == [] and again.built == [] and (mini_project / "build/print/posters/fake-loan.pdf").is_file()
    again = build_posters(mini_project, print_ready=True)
    assert again.removed == [] and again.built == [] and (mini_project / "build/posters/fake-loan.png").is_file()


@pytest.mark.slow
def test_a_removed_item_loses_its_print_master_only_in_a_print_build(mini_project):
    assert build_posters(mini_project).ok and build_posters(mini_project, print_ready=True).ok
    (mini_project / "content/scenarios/card-renting.yaml").unlink()
    assert build_posters(mini_project).removed == ["posters/card-renting.pdf", "posters/card-renting.png"]
    assert (mini_project / "build/print/posters/card-renting.pdf").is_file()
    assert build_posters(mini_project, print_ready=True).removed == ["print/posters/card-renting.pdf"]


@pytest.mark.slow
def test_traditional_print_masters_go_under_zh_hant_print(mini_project):
    assert build_posters(mini_project, print_ready=True).ok
    result = build_posters(mini_project, print_ready=True, locale="zh-Hant")
    assert result.ok and result.removed == []
    paths = {entry["path"] for entry in manifest(mini_project)["outputs"]}
    assert {"print/posters/fake-loan.pdf", "zh-Hant/print/posters/fake-loan.pdf"} <= paths


def test_a_print_build_of_a_kind_without_print_masters_says_so(mini_project):
    result = build_project(mini_project, only=("texts",), print_ready=True)
    assert not result.ok and "没有印刷版" in result.failures[0].message


@pytest.mark.slow
def test_post_still_sees_stale_texts_after_a_print_build(mini_project):
    from outreach.publish.freshness import stale_texts

    assert build_project(mini_project, only=("texts",)).ok
    edit(mini_project / "content/scenarios/fake-loan.yaml", "title: ", "title: 新")
    assert build_project(mini_project, print_ready=True).ok   # makes print masters, not texts
    assert stale_texts(mini_project, mini_project / "build", {"texts/fake-loan.sms.txt"}) == ["texts/fake-loan.sms.txt"]


@pytest.mark.slow
def test_manifest_roles_never_offer_print_files_as_screen_files(printed):
    from outreach.engine.manifest import Manifest

    grouped = Manifest.load(printed / "build").by_role("")
    assert grouped and not any(role.endswith("-print") or any(p.startswith("print/") for p in paths)
                               for role, paths in grouped.items())
    assert Manifest.load(printed / "build").with_role("poster-pdf-print", "print/")


def test_preview_index_shows_print_masters_with_their_items(printed):
    from outreach.engine.manifest import Manifest
    from outreach.outputs.registry import all_renderers
    from outreach.preview.index import _groups

    groups = _groups(Manifest.load(printed / "build"), "posters", "")
    roles = [role for _, role in groups["fake-loan"]]
    assert roles[:2] == ["poster-pdf", "poster-png"] and "poster-pdf-print" in roles
    view = all_renderers()["posters"].view("poster-pdf-print")
    assert view is not None and view.show == "pdf" and "印刷版" in view.label


# --- item 2: cards with their own bleed ---------------------------------------------------------

def recorded_cuts(page) -> list[tuple[float, float, float, float]]:
    cuts = page.obj.PieceInfo.Outreach.Private.Cuts
    return [tuple(float(v) for v in box) for box in cuts]


def render_page(path: Path, index: int, dpi: int = 300):
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        return document[index].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()


def sample(image, page, x_mm: float, y_mm: float, dpi: int = 300):
    """The pixel at (x, y) mm from the trim's top-left corner."""
    media, trim = [float(v) for v in page.obj.MediaBox], [float(v) for v in page.obj.TrimBox]
    x_pt, y_pt = trim[0] + x_mm * PT_PER_MM, trim[3] - y_mm * PT_PER_MM
    return image.getpixel((int((x_pt - media[0]) * dpi / 72), int((media[3] - y_pt) * dpi / 72)))


def close(a, b, tolerance: int = 30) -> bool:
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) <= tolerance


@pytest.mark.parametrize("path, page_index, edges", [
    ("print/quiz/basics-cards.pdf", 1, "trbl"),                    # cream quiz backs
    ("print/stations/test-east/contact-cards.pdf", 1, "trbl"),     # navy contact card backs
    ("print/stations/test-east/contact-cards.pdf", 0, "t"),        # the red band on the fronts
])
def test_each_cards_background_continues_past_its_trim(printed, path, page_index, edges):
    file = printed / "build" / path
    image = render_page(file, page_index)
    with pikepdf.open(file) as pdf:
        page = pdf.pages[page_index]
        cuts = recorded_cuts(page)
        assert len(cuts) > 1
        for x, y, w, h in cuts:
            probes = {"t": [(x + w * f, y + 1.0, x + w * f, y - 2.0) for f in (0.1, 0.5, 0.9)],
                      "b": [(x + w * f, y + h - 1.0, x + w * f, y + h + 2.0) for f in (0.1, 0.5, 0.9)],
                      "l": [(x + 1.0, y + h * f, x - 2.0, y + h * f) for f in (0.1, 0.5, 0.9)],
                      "r": [(x + w - 1.0, y + h * f, x + w + 2.0, y + h * f) for f in (0.1, 0.5, 0.9)]}
            for edge in edges:
                for inside_x, inside_y, out_x, out_y in probes[edge]:
                    inside, outside = sample(image, page, inside_x, inside_y), sample(image, page, out_x, out_y)
                    assert inside != (255, 255, 255) and close(inside, outside), (path, (x, y), edge, inside, outside)


def test_card_sheets_have_six_millimetre_gutters_and_backs_behind_fronts(printed):
    with pikepdf.open(printed / "build/print/stations/test-east/contact-cards.pdf") as pdf:
        fronts, backs = recorded_cuts(pdf.pages[0]), recorded_cuts(pdf.pages[1])
    assert len(fronts) == 8 and all((w, h) == (90, 54) for _, _, w, h in fronts)
    columns = sorted({x for x, _, _, _ in fronts})
    rows = sorted({y for _, y, _, _ in fronts})
    assert columns[1] - columns[0] - 90 == pytest.approx(6) and rows[1] - rows[0] - 54 == pytest.approx(6)
    # A long-edge flip puts a back's box where its front's box is, mirrored left to right.
    assert sorted((round(210 - x - w, 3), y) for x, y, w, _ in backs) == sorted((round(x, 3), y) for x, y, _, _ in fronts)


def mark_lines(page) -> list[tuple[float, float, float, float]]:
    """Lines stroked in the registration colour (/Separation /All), in mm from the trim's top-left."""
    spaces = {name for name, space in page.obj.Resources.get("/ColorSpace", {}).items()
              if isinstance(space, pikepdf.Array) and space[0] == "/Separation" and space[1] == "/All"}
    trim = [float(v) for v in page.obj.TrimBox]
    lines, registration, start = [], False, None
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "CS":
            registration = str(operands[0]) in spaces
        elif op == "m" and registration:
            start = [float(v) for v in operands]
        elif op == "l" and registration and start:
            end = [float(v) for v in operands]
            lines.append(((start[0] - trim[0]) / PT_PER_MM, (trim[3] - start[1]) / PT_PER_MM,
                          (end[0] - trim[0]) / PT_PER_MM, (trim[3] - end[1]) / PT_PER_MM))
    return lines


@pytest.mark.parametrize("path", ["print/quiz/basics-cards.pdf", "print/stations/test-east/contact-cards.pdf",
                                  "print/scripts/talk-track-refund-card-sheet.pdf"])
def test_marks_line_up_with_each_cut(printed, path):
    with pikepdf.open(printed / "build" / path) as pdf:
        for page in pdf.pages:
            cuts = recorded_cuts(page)
            lines = mark_lines(page)
            vertical = {round(x0, 1) for x0, _, x1, _ in lines if abs(x0 - x1) < 0.01}
            horizontal = {round(y0, 1) for _, y0, _, y1 in lines if abs(y0 - y1) < 0.01}
            edges_x = {v for x, _, w, _ in cuts for v in (x, x + w)}
            edges_y = {v for _, y, _, h in cuts for v in (y, y + h)}
            assert all(any(abs(x - v) <= 0.1 for v in vertical) for x in edges_x), (path, edges_x, vertical)
            assert all(any(abs(y - v) <= 0.1 for v in horizontal) for y in edges_y), (path, edges_y, horizontal)
            assert all(any(abs(v - x) <= 0.1 for x in edges_x) for v in vertical)   # no mark off a cut
            # Every mark stays off the cards (and their bleed).
            for x0, y0, x1, y1 in lines:
                for x, y, w, h in cuts:
                    inside_x = x - 3 < (x0 + x1) / 2 < x + w + 3
                    assert not (inside_x and y - 3 < min(y0, y1) and max(y0, y1) < y + h + 3), (path, (x0, y0))


# --- item 3: one page size per file ----------------------------------------------------------------

@pytest.mark.parametrize("path", ["print/packs/fixture.pdf", "print/stations/test-east/fixture.pdf",
                                  "print/quiz/basics-cards.pdf", "print/stations/test-east/contact-cards.pdf",
                                  "packs/fixture.pdf", "stations/test-east/fixture.pdf"])
def test_every_page_of_a_file_has_the_same_boxes(printed, path):
    with pikepdf.open(printed / "build" / path) as pdf:
        pages = list(pdf.pages)
        trims = {tuple(float(v) for v in page.obj.get("/TrimBox", page.mediabox)) for page in pages}
        assert len(trims) == 1, path
        if path.startswith("print/"):
            assert len({boxes_mm(page) for page in pages}) == 1, path
            _, trim, bleed = boxes_mm(pages[0])
            assert (trim[2] - trim[0], trim[3] - trim[1]) == (210, 297)
            assert bleed[0] == pytest.approx(trim[0] - 3) and bleed[3] == pytest.approx(trim[3] + 3)
        else:
            assert len({tuple(float(v) for v in page.mediabox) for page in pages}) == 1


def test_blank_pages_of_a_print_pack_are_marked_pages_of_the_same_size(printed):
    with pikepdf.open(printed / "build/print/packs/fixture.pdf") as pdf:
        text = pdfium.PdfDocument((printed / "build/print/packs/fixture.pdf").read_bytes())
        blanks = [i for i in range(len(pdf.pages)) if "本页有意留白" in text[i].get_textpage().get_text_range()]
        text.close()
        assert blanks
        for index in blanks:
            assert mark_lines(pdf.pages[index]) and boxes_mm(pdf.pages[index]) == boxes_mm(pdf.pages[0])


@pytest.mark.slow
@pytest.mark.parametrize("print_ready", [False, True])
def test_a3_posters_are_trimmed_to_a3_and_written_like_a4(mini_project, print_ready):
    edit(mini_project / "outreach.toml", 'sizes = ["A4"]', 'sizes = ["A4", "A3"]')
    assert build_posters(mini_project, print_ready=print_ready).ok
    folder = mini_project / "build" / ("print/posters" if print_ready else "posters")
    with pikepdf.open(folder / "fake-loan-a3.pdf") as a3, pikepdf.open(folder / "fake-loan.pdf") as a4:
        trim = [float(v) / PT_PER_MM for v in a3.pages[0].obj.get("/TrimBox", a3.pages[0].mediabox)]
        assert trim[2] - trim[0] == pytest.approx(297, abs=0.05) and trim[3] - trim[1] == pytest.approx(420, abs=0.05)
        assert a3.pdf_version == a4.pdf_version
        if print_ready:
            bleed = [float(v) / PT_PER_MM for v in a3.pages[0].obj.BleedBox]
            assert trim[0] - bleed[0] == pytest.approx(3, abs=0.05)


# --- item 5: paperwork ----------------------------------------------------------------------------

@pytest.mark.parametrize("zip_path", ["packs/fixture.zip", "print/packs/fixture.zip",
                                      "stations/test-east/test-east.zip", "print/stations/test-east/test-east.zip"])
def test_zip_members_are_the_files_in_build(printed, zip_path):
    outputs = {entry["path"]: entry for entry in manifest(printed)["outputs"]}
    by_hash = {}
    for path, entry in outputs.items():
        by_hash.setdefault(entry["sha256"], set()).add(path.rsplit("/", 1)[-1])
    with zipfile.ZipFile(printed / "build" / zip_path) as archive:
        names = archive.namelist()
        for name in names:
            digest = hashlib.sha256(archive.read(name)).hexdigest()
            assert name.rsplit("/", 1)[-1] in by_hash.get(digest, set()), (zip_path, name)
    assert any(name.endswith("打印说明.txt") for name in names)
    if zip_path.startswith("print/"):
        assert {n.rsplit("/", 1)[-1] for n in names} >= {"印刷清单.xlsx", "印刷清单.csv"}
        assert not any(name.endswith((".png", ".txt.txt", ".md", ".html")) for name in names)


def notes_text(path: Path) -> str:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "Notepad needs the byte-order mark"
    assert b"\n" not in data.replace(b"\r\n", b""), "every line ends in CRLF"
    return data.decode("utf-8-sig").replace("\r\n", "\n")


def test_print_notes_describe_the_print_masters(printed):
    text = notes_text(printed / "build/print/packs/fixture/打印说明.txt")
    assert "PDF/X-4" in text and "3毫米出血" in text.replace(" ", "") and "长边翻转" in text
    assert "成品尺寸：A4（210×297毫米）" in text.replace(" ", "")
    assert "每张纸裁出4张90×60毫米" in text.replace(" ", "")        # read from the card sheet itself
    assert "A6（105×148毫米）" in text.replace(" ", "") and "不需裁切" not in text
    assert "铜版卡" in text and "157克铜版纸" in text.replace(" ", "")
    plain = notes_text(printed / "build/packs/fixture/打印说明.txt")
    assert "PDF/X-4" not in plain and "纸张：A4" in plain.replace(" ", "")


def test_station_notes_state_the_contact_cards_flip_edge(printed):
    for folder in ("stations/test-east", "print/stations/test-east"):
        text = notes_text(printed / "build" / folder / "打印说明.txt")
        block = text[text.index("contact-cards.pdf"):]
        assert "双面" in block and "长边翻转" in block and "90×54" in block.replace(" ", "")
    print_block = notes_text(printed / "build/print/stations/test-east/打印说明.txt")
    assert "每张纸裁出8张90×54毫米" in print_block.replace(" ", "")


def test_order_sheet_has_one_row_per_file(printed):
    from openpyxl import load_workbook

    with zipfile.ZipFile(printed / "build/print/packs/fixture.zip") as archive:
        pdfs = sorted(n.split("/", 1)[1] for n in archive.namelist() if n.endswith(".pdf"))
    book = load_workbook(printed / "build/print/packs/fixture/印刷清单.xlsx")
    rows = [row for row in book.active.iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(rows) if row and row[0] == "序号")
    columns = rows[header]
    for name in ("文件", "成品尺寸", "页数", "颜色", "单双面", "纸张", "后道工序", "建议数量（份）", "用纸合计（张）"):
        assert name in columns
    files = [row for row in rows[header + 1:] if row and isinstance(row[0], int)]
    assert sorted(row[columns.index("文件")] for row in files) == pdfs
    total = rows[-1]
    assert total[0] == "合计" and total[-1] == sum(row[-1] for row in files) > 0
    cards = next(row for row in files if row[columns.index("文件")] == "quiz/basics-cards.pdf")
    assert cards[columns.index("颜色")] == "4/4" and "铜版卡" in cards[columns.index("纸张")]
    table = list(csv.reader(io.StringIO((printed / "build/print/packs/fixture/印刷清单.csv").read_bytes()
                                        .decode("utf-8-sig"))))
    assert [row[1] for row in table if row and row[0].isdigit()] == [row[1] for row in files]


@pytest.mark.slow
def test_order_quantities_follow_the_print_settings(fixture_project):
    text = (fixture_project / "outreach.toml").read_text(encoding="utf-8")
    (fixture_project / "outreach.toml").write_text(
        text + "\n[print]\nevents = 3\nparticipants = 40\nspare = 0\n\n[print.audience_participants]\nelderly = 30\n",
        encoding="utf-8")
    assert build_project(fixture_project, only=("packs",), print_ready=True, jobs=2).ok
    table = list(csv.reader(io.StringIO((fixture_project / "build/print/packs/fixture/印刷清单.csv").read_bytes()
                                        .decode("utf-8-sig"))))
    header = next(row for row in table if row and row[0] == "序号")
    quantity = {row[1]: int(row[header.index("建议数量（份）")]) for row in table if row and row[0].isdigit()}
    assert quantity["fixture.pdf"] == 3 and quantity["quiz/basics-answer-sheet.pdf"] == 90   # the pack is for elderly
    assert quantity["posters/fake-loan.pdf"] == 6


@pytest.mark.slow
def test_print_notes_and_zip_are_deterministic(fixture_project):
    names = ("print/packs/fixture.zip", "print/packs/fixture/印刷清单.xlsx", "print/packs/fixture/打印说明.txt")
    assert build_project(fixture_project, only=("packs",), print_ready=True, jobs=2).ok
    first = {name: (fixture_project / "build" / name).read_bytes() for name in names}
    assert build_project(fixture_project, only=("packs",), print_ready=True, jobs=2, clean=True).ok
    for name in names:
        assert (fixture_project / "build" / name).read_bytes() == first[name], name


# --- item 6: text sizes and the review date -------------------------------------------------------

def test_the_review_date_leaves_the_public_artwork(printed):
    from conftest import pdf_text

    for path in ("posters/fake-loan.pdf", "tips/answer-96110.pdf", "print/posters/fake-loan.pdf"):
        with pikepdf.open(printed / "build" / path) as pdf:
            assert str(pdf.docinfo["/ReviewBy"]) == "2099-12-31"
            trim = [float(v) for v in pdf.pages[0].obj.get("/TrimBox", pdf.pages[0].mediabox)]
        document = pdfium.PdfDocument((printed / "build" / path).read_bytes())
        inside = document[0].get_textpage().get_text_bounded(*trim)
        document.close()
        assert "复核" not in inside, path
    assert "下次复核 2099-12-31" in pdf_text(printed / "build/print/posters/fake-loan.pdf")   # on the slug


def smallest_text(path: Path, role: str) -> tuple[float, float]:
    from outreach.rendering.preflight import check_pdf
    from outreach.rendering.textsizes import minimum_text_pt

    measures = check_pdf(path.read_bytes(), role).measures
    return measures.smallest_text_pt or math.inf, minimum_text_pt(role)


@pytest.mark.slow
def test_every_starter_output_meets_its_minimum_text_size(built_starter):
    root = built_starter   # every kind with its station packs
    built = manifest(root)["outputs"]
    checked = 0
    for entry in built:
        if not entry["path"].endswith(".pdf"):
            continue
        smallest, minimum = smallest_text(root / "build" / entry["path"], entry["role"])
        assert smallest >= minimum - 0.05, (entry["path"], smallest, minimum)
        checked += 1
    assert checked > 30
    assert_pages_clean(root / "build")   # as when this test built it in its own tmp_path


def test_an_unknown_audience_in_the_print_settings_is_named(mini_project):
    from conftest import check

    with open(mini_project / "outreach.toml", "a", encoding="utf-8") as handle:
        handle.write("\n[print.audience_participants]\nstudnet = 120\n")
    [problem] = [d for d in check(mini_project) if d.file == "outreach.toml"]
    assert problem.code == "config" and "studnet" in problem.message and "student" in problem.message and problem.line > 1


@pytest.mark.slow
def test_a3_posters_go_with_the_pack_when_they_are_built(fixture_project):
    edit(fixture_project / "outreach.toml", 'sizes = ["A4"]', 'sizes = ["A4", "A3"]')
    assert build_project(fixture_project, only=("packs",), print_ready=True, jobs=2).ok
    with zipfile.ZipFile(fixture_project / "build/print/packs/fixture.zip") as archive:
        assert "fixture/posters/fake-loan-a3.pdf" in archive.namelist()
    text = notes_text(fixture_project / "build/print/packs/fixture/打印说明.txt").replace(" ", "")
    block = text[text.index("posters/fake-loan-a3.pdf"):].split("\n\n")[0]
    assert "A3（297×420毫米）" in block and "不在整本PDF里" in block


@pytest.mark.slow
def test_print_masters_are_the_same_bytes_wherever_the_project_sits(mini_project, tmp_path):
    """A colleague's copy (or CI) in another folder makes byte-identical masters: nothing in a
    master depends on the project's absolute path."""
    elsewhere = tmp_path / "another" / "place"
    shutil.copytree(mini_project, elsewhere)
    for root in (mini_project, elsewhere):
        assert build_posters(root, print_ready=True).ok
    for master in sorted((mini_project / "build/print/posters").glob("*.pdf")):
        assert master.read_bytes() == (elsewhere / "build/print/posters" / master.name).read_bytes(), master.name
