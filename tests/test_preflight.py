"""`outreach preflight` fails, located, what a print shop would send back, and passes a good print
master (issue 26: "preflight", items 2, 3, 6, 8)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from conftest import REPO
from prepress_pdfs import card_boxes, card_sheet, poster

from outreach.rendering.preflight import check_master, check_pdf
from outreach.rendering.prepress import Box, PrintSpec, print_master
from outreach.rendering.textsizes import minimum_text_pt, text_size


@pytest.fixture(scope="module")
def good_master() -> bytes:
    return print_master(poster(210, 297), PrintSpec(trim_mm=(210, 297), title="好的海报"))


def errors(report) -> list:
    return [p for p in report.problems if p.severity == "error"]


def codes(report) -> set[str]:
    return {p.code for p in errors(report)}


def test_a_good_print_master_passes(good_master):
    report = check_pdf(good_master, "poster-pdf-print", "good.pdf")
    assert report.ok, [p.located() for p in report.problems]
    m = report.measures
    assert m.trim_mm == (210.0, 297.0) and m.bleed_mm == 3.0 and m.pages == 1
    assert m.smallest_text_pt == 12.0 and m.lowest_image_ppi and m.lowest_image_ppi > 300
    assert "RGB" not in m.colour_spaces and "CMYK" in m.colour_spaces
    assert check_master(good_master, "poster-pdf-print") == report.problems


def test_five_point_text_fails_with_its_place():
    master = print_master(poster(210, 297, small_text=True), PrintSpec(trim_mm=(210, 297)))
    report = check_pdf(master, "poster-pdf-print")
    small = [p for p in errors(report) if p.code == "small-text"]
    assert len(small) == 1
    problem = small[0]
    assert problem.page == 1 and "5.0 磅" in problem.message and "至少要 9 磅" in problem.message
    # The panel starts 20 mm from the left; the small line is the third in it.
    assert 20 <= problem.x_mm <= 30 and 40 <= problem.y_mm <= 90, problem
    assert "第 1 页，距成品左边" in problem.located()


def test_an_rgb_colour_left_in_fails_with_its_place(good_master):
    with pikepdf.open(io.BytesIO(good_master)) as pdf:
        page = pdf.pages[0]
        trim = [float(v) for v in page.obj.TrimBox]
        # A custom template's stray RGB box, 50 mm from the left and 100 mm from the top.
        x, y = trim[0] + 50 * 72 / 25.4, trim[3] - 100 * 72 / 25.4
        page.contents_add(pdf.make_stream(b"q 0.2 0.4 0.6 rg %.2f %.2f 30 -30 re f Q" % (x, y)), prepend=False)
        out = io.BytesIO()
        pdf.save(out)
    report = check_pdf(out.getvalue(), "poster-pdf-print")
    rgb = [p for p in errors(report) if p.code == "rgb"]
    assert len(rgb) == 1
    assert rgb[0].page == 1 and (rgb[0].x_mm, rgb[0].y_mm) == (50.0, 100.0)
    assert "RGB" in rgb[0].message


def test_an_rgb_pdf_fails_on_identification_intent_and_colour():
    plain = poster(210, 297)   # what --print-ready wrote before issue 26: RGB, no PDF/X
    report = check_pdf(plain, "poster-pdf")
    assert {"pdfx-missing", "trapped", "pdf-version", "output-intent", "rgb", "marks-missing"} <= codes(report)


def test_a_card_without_bleed_fails_at_its_cut():
    boxes = [Box(*b) for b in card_boxes()]
    good = print_master(card_sheet(bleed_on_cards=True), PrintSpec(trim_mm=(210, 297), cuts=[boxes]))
    assert check_pdf(good, "contact-cards-print").ok, [p.located() for p in check_pdf(good, "contact-cards-print").problems]
    bad = print_master(card_sheet(bleed_on_cards=False), PrintSpec(trim_mm=(210, 297), cuts=[boxes]))
    report = check_pdf(bad, "contact-cards-print")
    no_bleed = [p for p in errors(report) if p.code == "no-bleed"]
    assert len(no_bleed) == 1, report.problems
    first = boxes[0]
    problem = no_bleed[0]
    # Located on the first card's top edge.
    assert problem.page == 1 and abs(problem.y_mm - first.y) < 1 and first.x <= problem.x_mm <= first.x + first.w
    assert "出血" in problem.message


def test_missing_and_differing_boxes_fail():
    plain = poster(210, 297)
    with pikepdf.open(io.BytesIO(plain)) as pdf:
        for key in ("/TrimBox", "/BleedBox"):
            del pdf.pages[0].obj[key]
        out = io.BytesIO()
        pdf.save(out)
    report = check_pdf(out.getvalue(), "poster-pdf")
    assert "boxes-missing" in codes(report)
    assert next(p for p in report.problems if p.code == "boxes-missing").page == 1

    two = print_master(poster(210, 297, pages=2), PrintSpec(trim_mm=(210, 297)))
    with pikepdf.open(io.BytesIO(two)) as pdf:
        pdf.pages[1].obj.MediaBox = pikepdf.Array([0, 0, 603.78, 850.39])   # a blank back of another size
        out = io.BytesIO()
        pdf.save(out)
    report = check_pdf(out.getvalue(), "pack-pdf-print")
    differ = [p for p in errors(report) if p.code == "boxes-differ"]
    assert len(differ) == 1 and differ[0].page == 2


def test_thin_lines_and_low_resolution_images_are_found():
    master = print_master(poster(210, 297, thin_line=True, low_res=True), PrintSpec(trim_mm=(210, 297)))
    report = check_pdf(master, "poster-pdf-print")
    line = next(p for p in report.problems if p.code == "thin-line")
    assert "0.10 磅" in line.message and line.page == 1 and line.x_mm is not None
    ppi = [p for p in errors(report) if p.code == "image-ppi"]
    assert ppi and "76 ppi" in ppi[0].message


def test_text_sizes_are_one_table_by_role():
    assert minimum_text_pt("poster-pdf-print") == minimum_text_pt("poster-pdf") == 9
    assert minimum_text_pt("quiz-answer-sheet-print") == 12
    assert minimum_text_pt("talk-card-sheet") == 7
    assert minimum_text_pt("contact-cards-print") == 9
    assert text_size("something-new").minimum_pt == 9


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "outreach", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "120", "LANG": "C.UTF-8"}, timeout=120)


@pytest.mark.slow
@pytest.mark.bad_pages
def test_the_command_exits_1_on_a_failure_and_speaks_json(tmp_path: Path, good_master):
    (tmp_path / "good.pdf").write_bytes(good_master)
    (tmp_path / "small.pdf").write_bytes(print_master(poster(210, 297, small_text=True), PrintSpec(trim_mm=(210, 297))))
    ok = run("preflight", "good.pdf", cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "✓ good.pdf：通过" in ok.stdout and "成品 210×297 毫米" in ok.stdout
    bad = run("preflight", "good.pdf", "small.pdf", cwd=tmp_path)
    assert bad.returncode == 1
    assert "✗ small.pdf" in bad.stdout and "第 1 页，距成品左边" in bad.stdout and "5.0 磅" in bad.stdout
    assert "检查了 2 个文件：1 个通过，1 个不通过。" in bad.stdout
    as_json = run("preflight", "--format", "json", "small.pdf", cwd=tmp_path)
    data = json.loads(as_json.stdout)
    assert as_json.returncode == 1 and data["ok"] is False
    problem = next(p for p in data["files"][0]["problems"] if p["code"] == "small-text")
    assert problem["page"] == 1 and problem["severity"] == "error" and problem["x_mm"] is not None
    staff = run("preflight", "--role", "talk-card", "small.pdf", cwd=tmp_path)
    assert "至少要 7 磅" in staff.stdout


def test_the_command_without_files_needs_print_masters(tmp_path: Path):
    import shutil

    root = tmp_path / "p"
    shutil.copytree(REPO / "tests" / "fixtures" / "mini", root)
    result = run("preflight", cwd=root)
    assert result.returncode == 1 and "outreach build --print-ready" in result.stderr
