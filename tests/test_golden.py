"""Golden pages: one page of each output kind, rendered small and compared with a stored PNG.

Text tests cannot see a header that moved, a colour band that shrank or a QR code that lost its
quiet zone; a picture can. A mismatch writes the actual page and a difference image next to the
test's output and names them. After an intended change to the look, regenerate the goldens with
`make goldens` (UPDATE_GOLDENS=1 pytest tests/test_golden.py) and look at them before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import REPO
from PIL import Image, ImageChops, ImageStat

GOLDEN_DIR = REPO / "tests" / "golden"
DPI = 30                  # small: a page is about 250 × 350 pixels
MEAN_TOLERANCE = 1.5      # average difference per channel (0–255)
PIXEL_TOLERANCE = 48      # a pixel differs when a channel differs by more than this …
SHARE_TOLERANCE = 0.004   # … and at most this share of the pixels may differ

PAGES = {
    "poster": ("posters/fake-loan.pdf", 0),
    "tip": ("tips/answer-96110.pdf", 0),
    "quiz-cards-front": ("quiz/basics-cards.pdf", 0),
    "quiz-cards-back": ("quiz/basics-cards.pdf", 1),
    "quiz-answer-sheet": ("quiz/basics-answer-sheet.pdf", 0),
    "quiz-key": ("quiz/basics-key.pdf", 0),
    "script-page": ("scripts/xiaopin-fake-police.pdf", 1),
    "script-role-page": ("scripts/xiaopin-fake-police/王大妈.pdf", 0),
    "talk-card": ("scripts/talk-track-refund-card.pdf", 0),
    "talk-card-sheet": ("scripts/talk-track-refund-card-sheet.pdf", 0),
    "pack-cover": ("packs/fixture.pdf", 0),
    "pack-contents": ("packs/fixture.pdf", 1),
    "contact-cards-front": ("stations/test-east/contact-cards.pdf", 0),
    "contact-cards-back": ("stations/test-east/contact-cards.pdf", 1),
    "stickers-sheet": ("stickers/test-east/contact-stickers.pdf", 0),
    "banner": ("banners/fixture-1-700x5000-1to10.pdf", 0),
    "tent": ("tents/fixture.pdf", 0),
    "leaflet-outside": ("leaflets/fixture.pdf", 0),
    "leaflet-inside": ("leaflets/fixture.pdf", 1),
    "rollup": ("rollups/fixture.pdf", 0),
    "board": ("boards/packs/fixture-90x120.pdf", 0),
    # One print master of each kind: CMYK artwork with bleed, marks and slug outside the trim.
    "print-poster": ("print/posters/fake-loan.pdf", 0),
    "print-tip": ("print/tips/answer-96110.pdf", 0),
    "print-quiz-cards-back": ("print/quiz/basics-cards.pdf", 1),
    "print-script-page": ("print/scripts/xiaopin-fake-police.pdf", 1),
    "print-talk-card-sheet": ("print/scripts/talk-track-refund-card-sheet.pdf", 0),
    "print-pack-cover": ("print/packs/fixture.pdf", 0),
    "print-contact-cards-front": ("print/stations/test-east/contact-cards.pdf", 0),
    "print-stickers-sheet": ("print/stickers/test-east/contact-stickers.pdf", 0),
    "print-banner": ("print/banners/fixture-1-700x8000-1to10.pdf", 0),
    "print-tent": ("print/tents/fixture.pdf", 0),
    "print-leaflet-outside": ("print/leaflets/fixture.pdf", 0),
    "print-rollup": ("print/rollups/fixture.pdf", 0),
}


@pytest.fixture(scope="module")
def built(built_fixture_project) -> Path:
    """The fixture project with its station, screen files and print masters beside them (the
    run's shared build, whose pages the inspector passed)."""
    return built_fixture_project / "build"


def render(pdf: Path, index: int) -> Image.Image:
    document = pdfium.PdfDocument(pdf.read_bytes())
    try:
        return document[index].render(scale=DPI / 72, may_draw_forms=False).to_pil().convert("RGB")
    finally:
        document.close()


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_matches_its_golden(built, name, tmp_path):
    relpath, index = PAGES[name]
    actual = render(built / relpath, index)
    golden_path = GOLDEN_DIR / f"{name}.png"
    if os.environ.get("UPDATE_GOLDENS"):
        GOLDEN_DIR.mkdir(exist_ok=True)
        actual.save(golden_path, optimize=True)
        return
    assert golden_path.exists(), f"没有 {golden_path}：运行 make goldens 生成，检查后提交"
    golden = Image.open(golden_path).convert("RGB")
    assert actual.size == golden.size, f"{name}: page size changed {golden.size} → {actual.size}"
    difference = ImageChops.difference(actual, golden)
    mean = sum(ImageStat.Stat(difference).mean) / 3
    red, green, blue = difference.split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)  # the largest channel difference
    differing = sum(largest.histogram()[PIXEL_TOLERANCE + 1:]) / (difference.width * difference.height)
    if mean > MEAN_TOLERANCE or differing > SHARE_TOLERANCE:
        actual.save(tmp_path / f"{name}-actual.png")
        difference.point(lambda v: 255 if v > PIXEL_TOLERANCE else v * 4).save(tmp_path / f"{name}-diff.png")
        pytest.fail(f"{name} 与金样不同（平均差 {mean:.2f}，{differing:.2%} 的像素不同）。"
                    f"实际图：{tmp_path / f'{name}-actual.png'}，差异图：{tmp_path / f'{name}-diff.png'}。"
                    "若是有意的改动，运行 make goldens 重新生成。")
