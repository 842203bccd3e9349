"""Posters as printed: one A4 page, embedded subset fonts, extractable text, PNG for WeChat."""

from __future__ import annotations

import re

import pikepdf
import pytest
from conftest import REPO, build_project, edit, pdf_text
from PIL import Image

A4_PT = (595.28, 841.89)
A3_PT = (841.89, 1190.55)


@pytest.fixture(scope="module")
def starter_build(built_starter):
    return built_starter


@pytest.mark.slow
def test_every_starter_scenario_is_one_a4_page_with_a_png(starter_build):
    scenarios = sorted(p.stem for p in (REPO / "content/scenarios").glob("*.yaml"))
    assert len(scenarios) >= 14
    for scenario in scenarios:
        pdf = pikepdf.open(starter_build / "build/posters" / f"{scenario}.pdf")
        assert len(pdf.pages) == 1
        box = [float(v) for v in pdf.pages[0].mediabox]
        assert abs(box[2] - box[0] - A4_PT[0]) < 1 and abs(box[3] - box[1] - A4_PT[1]) < 1
        image = Image.open(starter_build / "build/posters" / f"{scenario}.png")
        assert image.width == 1080 and abs(image.height / image.width - 297 / 210) < 0.01


def test_poster_text_is_extractable_and_complete(starter_build):
    from outreach.project.loader import load_library

    library, _ = load_library(REPO)
    scenario = library.scenarios["card-renting"]
    text = re.sub(r"\s+", "", pdf_text(starter_build / "build/posters/card-renting.pdf"))
    for expected in [scenario.title, scenario.quote, *scenario.signs, *scenario.advice, "识别要点", "防范要点",
                     "110", "96110", "国家反诈中心", library.config.project.organisation,
                     "《刑法》第二百八十七条之二", "《反电信网络诈骗法》第三十一条"]:
        assert re.sub(r"\s+", "", expected) in text, expected
    # The next review date is for staff: in the file's properties, not on the public poster.
    assert "复核" not in text
    with pikepdf.open(starter_build / "build/posters/card-renting.pdf") as pdf:
        assert str(pdf.docinfo["/ReviewBy"]) == scenario.review_by.isoformat()


def test_fonts_are_embedded_and_subset(starter_build):
    pdf = pikepdf.open(starter_build / "build/posters/fake-loan.pdf")
    fonts = []
    for page in pdf.pages:
        for _, font in page.resources.get("/Font", {}).items():
            fonts.append(font)
    assert fonts
    for font in fonts:
        descendants = font.get("/DescendantFonts")
        descriptor = (descendants[0] if descendants else font).get("/FontDescriptor")
        assert descriptor is not None
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        assert re.match(r"^/[A-Z]{6}\+", str(font.get("/BaseFont")))  # subset prefix
    assert (starter_build / "build/posters/fake-loan.pdf").stat().st_size < 600_000


@pytest.mark.slow
def test_print_ready_has_bleed_and_a4_trim_box(mini_project):
    assert build_project(mini_project, print_ready=True).ok
    pdf = pikepdf.open(mini_project / "build/print/posters/fake-loan.pdf")
    page = pdf.pages[0]
    trim = [float(v) for v in page.obj["/TrimBox"]]
    bleed = [float(v) for v in page.obj["/BleedBox"]]
    media = [float(v) for v in page.mediabox]
    assert abs(trim[2] - trim[0] - A4_PT[0]) < 1 and abs(trim[3] - trim[1] - A4_PT[1]) < 1
    bleed_pt = 3 * 72 / 25.4
    assert abs((bleed[2] - bleed[0]) - (A4_PT[0] + 2 * bleed_pt)) < 1
    assert media[2] - media[0] > bleed[2] - bleed[0]   # room for the marks outside the bleed
    # The picture for WeChat is a screen file: a print build makes none, the screen build's stays.
    assert not (mini_project / "build/print/posters/fake-loan.png").exists()
    assert build_project(mini_project).ok
    image = Image.open(mini_project / "build/posters/fake-loan.png")
    assert image.width == 1080 and abs(image.height / image.width - 297 / 210) < 0.01


@pytest.mark.slow
def test_a3_size_from_config(mini_project):
    edit(mini_project / "outreach.toml", 'sizes = ["A4"]', 'sizes = ["A4", "A3"]')
    assert build_project(mini_project).ok
    pdf = pikepdf.open(mini_project / "build/posters/fake-loan-a3.pdf")
    page = pdf.pages[0]
    box = [float(v) for v in page.mediabox]
    assert abs(box[2] - box[0] - A3_PT[0]) < 1.5 and abs(box[3] - box[1] - A3_PT[1]) < 1.5
    assert "虚假网络贷款诈骗" in pdf_text(mini_project / "build/posters/fake-loan-a3.pdf")


@pytest.mark.slow
def test_png_width_from_config(mini_project):
    edit(mini_project / "outreach.toml", "[posters]\n", "[posters]\npng_width = 720\n")
    assert build_project(mini_project).ok
    assert Image.open(mini_project / "build/posters/fake-loan.png").width == 720


@pytest.mark.slow
def test_poster_without_story_or_quote_still_builds(mini_project):
    path = mini_project / "content/scenarios/fake-loan.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\nstory: \|-\n(  .*\n)+", "\n", text)
    text = re.sub(r"\nquote: .*\n", "\n", text)
    path.write_text(text, encoding="utf-8")
    assert build_project(mini_project).ok
    assert "案例警示" not in pdf_text(mini_project / "build/posters/fake-loan.pdf")
