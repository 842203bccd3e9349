"""print_master makes a PDF/X-4 print master a shop accepts (issue 26 items 1, 3, 4, 6): real PDFs laid
out by WeasyPrint, inspected with pikepdf and rendered with pdfium."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from conftest import REPO
from prepress_pdfs import card_boxes, card_sheet, mm_box, poster, rgb_uses

from outreach.outputs.html import PRINT_READY_CSS
from outreach.project.config import load_config
from outreach.rendering.prepress import (
    DEFAULT_PROFILE,
    Box,
    PrepressError,
    PrintSpec,
    Slug,
    load_profile,
    print_master,
    theme_cmyk_table,
)
from outreach.rendering.prepress.colour import ColourMap, default_cmyk_table
from outreach.rendering.units import PT_PER_MM

SLUG = Slug("print/posters/a3/test.pdf", dt.date(2026, 12, 1), dt.date(2027, 9, 30))


@pytest.fixture(scope="module")
def a3_poster() -> bytes:
    return poster(297, 420)


@pytest.fixture(scope="module")
def a3_master(a3_poster) -> bytes:
    return print_master(a3_poster, PrintSpec(trim_mm=(297, 420), slug=SLUG, title="测试海报"))


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def test_weasyprint_no_longer_draws_marks_under_the_artwork():
    # Its marks sat inside the bleed, under the background (0 mark pixels in any corner).
    assert "marks" not in PRINT_READY_CSS and "bleed: 3mm" in PRINT_READY_CSS


def test_no_rgb_is_left_anywhere(a3_poster, a3_master):
    assert rgb_uses(a3_poster), "the test poster must start out in RGB"
    assert rgb_uses(a3_master) == []


def test_images_become_cmyk_and_keep_their_soft_masks(a3_master):
    with open_pdf(a3_master) as pdf:
        images = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"
                  and o.get("/ColorSpace") != "/DeviceGray"]
        assert len(images) == 2
        assert all(image.ColorSpace == "/DeviceCMYK" for image in images)
        masked = [image for image in images if "/SMask" in image]
        assert len(masked) == 1 and masked[0].SMask.ColorSpace == "/DeviceGray"
        picture = pikepdf.PdfImage(max(images, key=lambda i: int(i.Width))).as_pil_image()
        assert picture.mode == "CMYK" and picture.size == (600, 400)


def test_body_text_is_black_ink_only_and_theme_colours_come_from_the_table(a3_master):
    with open_pdf(a3_master) as pdf:
        fills = []
        for op in pikepdf.parse_content_stream(pdf.pages[0]):
            if str(op.operator) == "k":
                fills.append(tuple(float(v) for v in op.operands))
        assert (0, 0, 0, 1) in fills            # #1a1a1a and #333: 100 % K, never four-colour black
        assert (0, 1, 0.8, 0.05) in fills       # the red: C0 M100 Y80 K5
        assert (0.6, 0.4, 0, 0.9) in fills      # the navy footer
        assert (0, 0, 0, 0.2) in fills          # the footer's grey text on black ink only
        assert not any(c > 0 and m > 0 and y > 0 and k > 0.9 for c, m, y, k in fills)


def test_pdfx4_identification_and_output_intent(a3_master):
    with open_pdf(a3_master) as pdf:
        assert pdf.pdf_version == "1.6"
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFX" and intent.OutputConditionIdentifier
        assert intent.DestOutputProfile.read_bytes() == DEFAULT_PROFILE.read_bytes()
        assert int(intent.DestOutputProfile.N) == 4
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
        assert "<pdf:Trapped>False</pdf:Trapped>" in xmp and "测试海报" in xmp
        assert re.search(r"<xmp:CreateDate>2026-12-01T00:00:00\+08:00</xmp:CreateDate>", xmp)
        assert pdf.docinfo.Trapped == "/False" and str(pdf.docinfo.Title) == "测试海报"
        assert str(pdf.docinfo.CreationDate).startswith("D:20261201")
        assert "/Annots" not in pdf.pages[0].obj     # links have no place on paper


def test_a3_boxes_are_exact(a3_master):
    with open_pdf(a3_master) as pdf:
        page = pdf.pages[0]
        trim, bleed, media = mm_box(page, "/TrimBox"), mm_box(page, "/BleedBox"), mm_box(page, "/MediaBox")
        assert (round(trim[2] - trim[0], 2), round(trim[3] - trim[1], 2)) == (297.0, 420.0)
        assert bleed == (trim[0] - 3, trim[1] - 3, trim[2] + 3, trim[3] + 3)
        # 3 mm bleed + 5 mm marks + 2 mm clear on every side, and a 5 mm slug band at the bottom.
        assert media == (trim[0] - 10, trim[1] - 15, trim[2] + 10, trim[3] + 10)


def test_every_page_of_a_file_gets_the_same_boxes():
    master = print_master(poster(210, 297, pages=3), PrintSpec(trim_mm=(210, 297)))
    with open_pdf(master) as pdf:
        assert len(pdf.pages) == 3
        boxes = {tuple(mm_box(page, key) for key in ("/MediaBox", "/TrimBox", "/BleedBox")) for page in pdf.pages}
        assert len(boxes) == 1


def test_a_page_of_another_size_is_refused(a3_poster):
    with pytest.raises(PrepressError, match="第 1 页的成品尺寸是 297.0×420.0 毫米.*210×297"):
        print_master(a3_poster, PrintSpec(trim_mm=(210, 297)))


def render(data: bytes, dpi: int = 300):
    page = pdfium.PdfDocument(data)[0]
    return page.render(scale=dpi / 72).to_pil().convert("RGB"), [float(v) for v in page.get_mediabox()]


def test_marks_are_visible_over_full_bleed_colour_in_every_corner(a3_master):
    image, (mx0, my0, mx1, my1) = render(a3_master)
    scale = 300 / 72
    with open_pdf(a3_master) as pdf:
        trim = [float(v) for v in pdf.pages[0].obj.TrimBox]

    def px(x, y):
        return int((x - mx0) * scale), int((my1 - y) * scale)

    def registration_pixels(x0, y0, x1, y1) -> int:
        """Pixels of the marks' colour: all inks at once render as a neutral grey to black (the
        red and the navy of the artwork are far from neutral)."""
        left, top = px(min(x0, x1), max(y0, y1))
        right, bottom = px(max(x0, x1), min(y0, y1))
        return sum(1 for p in image.crop((left, top, right, bottom)).get_flattened_data()
                   if max(p) < 200 and max(p) - min(p) <= 8)

    bleed, far, near = 3 * PT_PER_MM, 8 * PT_PER_MM, 1 * PT_PER_MM
    for cx, sx in ((trim[0], -1), (trim[2], 1)):
        for cy, sy in ((trim[1], -1), (trim[3], 1)):
            # The vertical mark beyond the bleed above/below the corner, the horizontal one beside it.
            assert registration_pixels(cx - near, cy + sy * (bleed + 0.5), cx + near, cy + sy * far) > 20
            assert registration_pixels(cx + sx * (bleed + 0.5), cy - near, cx + sx * far, cy + near) > 20
            # Inside the trim the corner is the artwork's colour (red at the top, navy at the foot): no mark reaches in.
            assert registration_pixels(cx - sx * 8 * PT_PER_MM, cy - sy * 8 * PT_PER_MM, cx, cy) == 0
            # … and the artwork's colour runs right out to the bleed edge under where a mark begins.
            inside = image.getpixel(px(cx + sx * (bleed - 1), cy - sy * 10 * PT_PER_MM))
            assert max(inside) - min(inside) > 30, inside


def test_marks_are_thin_registration_lines_drawn_last(a3_master):
    with open_pdf(a3_master) as pdf:
        page = pdf.pages[0]
        ops = [(str(op.operator), list(op.operands)) for op in pikepdf.parse_content_stream(page)]
        space = page.Resources.ColorSpace["/OutreachAll"]
        assert space[0] == "/Separation" and space[1] == "/All" and space[2] == "/DeviceCMYK"
        last_artwork = max(i for i, (op, _) in enumerate(ops) if op in ("f", "f*", "TJ", "Do") and i < len(ops) - 3)
        marks = next(i for i, (op, args) in enumerate(ops) if op == "CS" and args == [pikepdf.Name("/OutreachAll")])
        assert marks > last_artwork - 1
        widths = [float(args[0]) for op, args in ops[marks:] if op == "w"]
        assert widths == [0.25]
        strokes = [args for op, args in ops[marks:] if op == "m"]
        assert len(strokes) == 8


def test_card_sheet_marks_every_cut_outside_the_cards():
    boxes = [Box(*b) for b in card_boxes()]
    master = print_master(card_sheet(bleed_on_cards=True), PrintSpec(trim_mm=(210, 297), cuts=[boxes]))
    xs = sorted({round(v, 2) for b in boxes for v in (b.x, b.x + b.w)})
    with open_pdf(master) as pdf:
        page = pdf.pages[0]
        trim = [float(v) for v in page.obj.TrimBox]
        cuts = [[float(v) for v in box] for box in page.obj.PieceInfo["/Outreach"].Private.Cuts]
        assert cuts == [[round(b.x, 3), round(b.y, 3), b.w, b.h] for b in boxes]
        ops = list(pikepdf.parse_content_stream(page))
        verticals = [(float(op.operands[0]), float(op.operands[1])) for op in ops if str(op.operator) == "m"]
    marked = sorted({round((x - trim[0]) / PT_PER_MM, 2) for x, _ in verticals})
    for x in xs:
        assert any(abs(x - m) < 0.01 for m in marked), (x, marked)
    top_of_cards = min(b.y for b in boxes)
    for x, y in verticals:
        y_mm = (trim[3] - y) / PT_PER_MM
        inside_x = [b for b in boxes if b.x - 3 < (x - trim[0]) / PT_PER_MM < b.x + b.w + 3]
        # No mark starts over a card or its bleed.
        assert not any(b.y - 3 < y_mm < b.y + b.h + 3 for b in inside_x) or y_mm <= top_of_cards - 3


def test_the_slug_is_outside_the_trim(a3_master):
    document = pdfium.PdfDocument(a3_master)
    page = document[0]
    textpage = page.get_textpage()
    with open_pdf(a3_master) as pdf:
        trim = [float(v) for v in pdf.pages[0].obj.TrimBox]
        media = [float(v) for v in pdf.pages[0].obj.MediaBox]
    below = textpage.get_text_bounded(left=media[0], bottom=media[1], right=media[2], top=trim[1] - 3 * PT_PER_MM)
    inside = textpage.get_text_bounded(left=trim[0], bottom=trim[1], right=trim[2], top=trim[3])
    assert "print/posters/a3/test.pdf" in below and "2027-09-30" in below and "复核" in below
    assert "复核" not in inside and "2027" not in inside


def test_same_input_same_bytes(a3_poster, a3_master):
    assert print_master(a3_poster, PrintSpec(trim_mm=(297, 420), slug=SLUG, title="测试海报")) == a3_master


def test_colour_rules():
    colours = ColourMap(load_profile(None), default_cmyk_table())
    assert colours.rgb(0x1a / 255, 0x1a / 255, 0x1a / 255) == (0, 0, 0, 1)
    assert colours.rgb(0.2, 0.2, 0.2) == (0, 0, 0, 1)                  # #333: near-black → solid K
    c, m, y, k = colours.rgb(0x77 / 255, 0x77 / 255, 0x77 / 255)       # a mid grey: a black tint only
    assert (c, m, y) == (0, 0, 0) and 0.5 < k < 0.8
    assert colours.rgb(1, 1, 1) == (0, 0, 0, 0)
    c, m, y, k = colours.rgb(0.1, 0.5, 0.9)                            # anything else: through the profile
    assert c > 0.6 and y < 0.1


def test_project_table_overrides_by_name_and_follows_changed_colours():
    theme = {"primary": "#c8102e", "accent": "#00aa00", "ink": "#1a1a1a"}
    table = theme_cmyk_table(theme, {"ink": (10, 10, 10, 100), "#123456": (100, 50, 0, 20)})
    assert table["#c8102e"] == (0, 100, 80, 5)
    assert "#00aa00" not in table                  # a changed colour without an override: the profile converts it
    assert table["#1a1a1a"] == (10, 10, 10, 100)
    assert table["#123456"] == (100, 50, 0, 20)


def test_output_profile_is_checked_and_embedded(tmp_path: Path, a3_poster):
    ghostscript = DEFAULT_PROFILE.parent
    root = tmp_path / "p"
    shutil.copytree(REPO / "tests" / "fixtures" / "mini", root)
    config_path = root / "outreach.toml"
    base = config_path.read_text(encoding="utf-8")
    shutil.copy(ghostscript / "default_rgb.icc", root / "screen.icc")
    config_path.write_text(base + '\n[print]\noutput_profile = "screen.icc"\n', encoding="utf-8")
    config, problems = load_config(root)
    assert config is None
    assert any("output_profile" in p.message and "CMYK" in p.message for p in problems), [p.message for p in problems]
    config_path.write_text(base + '\n[print]\noutput_profile = "missing.icc"\n', encoding="utf-8")
    assert any("找不到这个文件" in p.message for p in load_config(root)[1])
    shutil.copy(ghostscript / "ps_cmyk.icc", root / "shop.icc")
    config_path.write_text(base + '\n[print]\noutput_profile = "shop.icc"\n[print.cmyk]\nprimary = [0, 90, 70, 0]\n',
                           encoding="utf-8")
    config, problems = load_config(root)
    assert config is not None, [p.message for p in problems]
    spec = PrintSpec.for_project(config, root, trim_mm=(297, 420))
    assert spec.cmyk["#c8102e"] == (0, 90, 70, 0)
    master = print_master(a3_poster, spec)
    with open_pdf(master) as pdf:
        assert pdf.Root.OutputIntents[0].DestOutputProfile.read_bytes() == (root / "shop.icc").read_bytes()
        fills = {tuple(float(v) for v in op.operands) for op in pikepdf.parse_content_stream(pdf.pages[0])
                 if str(op.operator) == "k"}
        assert (0, 0.9, 0.7, 0) in fills
