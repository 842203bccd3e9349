"""Small real PDFs for the prepress and preflight tests, laid out by WeasyPrint as the templates are."""

from __future__ import annotations

import base64
import io

import pikepdf
import weasyprint
from PIL import Image

from outreach.rendering.units import PT_PER_MM

FONT = '"Noto Sans CJK SC", sans-serif'


def png(width: int, height: int, colour=(30, 120, 200), alpha: int | None = None) -> str:
    """A data: URL of an RGB (or RGBA) PNG with some detail, so it is stored as an image."""
    mode = "RGBA" if alpha is not None else "RGB"
    image = Image.new(mode, (width, height), (*colour, alpha) if alpha is not None else colour)
    for x in range(0, width, 7):
        image.putpixel((x, x * height // width), (250, 250, 0, 255) if alpha is not None else (250, 250, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def render(body: str, width_mm: float, height_mm: float, *, bleed: bool = True, background: str = "#c8102e",
           css: str = "") -> bytes:
    page = f"""<html><head><style>
@page {{ size: {width_mm}mm {height_mm}mm; margin: 0; {'bleed: 3mm;' if bleed else ''} background: {background} }}
body {{ margin: 0; font-family: {FONT}; font-size: 12pt; color: #1a1a1a }}
{css}
</style></head><body>{body}</body></html>"""
    return weasyprint.HTML(string=page).write_pdf()


def poster(width_mm: float = 297, height_mm: float = 420, *, small_text: bool = False, thin_line: bool = False,
           low_res: bool = False, pages: int = 1) -> bytes:
    """A full-bleed red poster: white bold title, #1a1a1a body text on a white panel, a navy
    footer with grey text, a gradient, a translucent box, an RGB photo and an RGBA picture."""
    image = png(120, 80) if low_res else png(600, 400)
    page = f"""
<h1 style="color:#fff;font-size:40pt;font-weight:bold;margin:20mm 20mm 0">反诈宣传 Title</h1>
<div style="background:#fff;margin:10mm 20mm;padding:5mm">
  <p class="body" style="color:#1a1a1a;font-size:14pt">正文文字 body text #1a1a1a 陌生来电不轻信</p>
  <p style="color:#333333;font-size:12pt">次要文字 #333</p>
  {'<p style="font-size:5pt;color:#1a1a1a">五磅小字 five point</p>' if small_text else ''}
  {'<div style="border-top:0.1pt solid #111827;width:100mm"></div>' if thin_line else ''}
  <img src="{image}" style="width:40mm;height:26.67mm">
  <img src="{png(300, 200, (30, 200, 90), alpha=128)}" style="width:20mm;height:13.33mm">
</div>
<div style="background:linear-gradient(#c8102e,#ffd400);height:20mm;margin:0 20mm"></div>
<div style="background:#0b6b3a;opacity:0.8;height:10mm;margin:5mm 20mm"></div>
<div style="position:absolute;left:-3mm;right:-3mm;bottom:-3mm;height:40mm;background:#111827;color:#d1d5db;
            font-size:12pt;padding:5mm 23mm">页脚 footer 110 96110</div>"""
    body = "".join(f'<section style="page-break-after:{"always" if n < pages - 1 else "auto"};position:relative;'
                   f'height:{height_mm}mm">{page}</section>' for n in range(pages))
    return render(body, width_mm, height_mm)


def card_sheet(*, bleed_on_cards: bool) -> bytes:
    """An A4 sheet of 2×2 navy cards, 85×55 mm, 6 mm gutters, centred; with `bleed_on_cards` each
    card's background runs 3 mm past its cut, else it stops at the cut (the finding of issue 26)."""
    cards = []
    for box in card_boxes():
        grow = 3 if bleed_on_cards else 0
        cards.append(f'<div style="position:absolute;left:{box[0] - grow}mm;top:{box[1] - grow}mm;'
                     f'width:{box[2] + 2 * grow}mm;height:{box[3] + 2 * grow}mm;background:#111827;color:#fff">'
                     f'<p style="margin:{5 + grow}mm;font-size:12pt;font-weight:bold">警民联系卡</p></div>')
    return render("".join(cards), 210, 297, background="#ffffff")


def card_boxes() -> list[tuple[float, float, float, float]]:
    width, height, gutter = 85.0, 55.0, 6.0
    left = (210 - 2 * width - gutter) / 2
    top = (297 - 2 * height - gutter) / 2
    return [(left + c * (width + gutter), top + r * (height + gutter), width, height) for r in range(2) for c in range(2)]


# --- inspection helpers --------------------------------------------------------------------------

RGB_OPERATORS = {"rg", "RG"}


def rgb_uses(data: bytes) -> list[str]:
    """Every RGB colour space or RGB colour operator anywhere in the file (all objects, all streams)."""
    found: list[str] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            _scan(obj, found, 0)
            if isinstance(obj, pikepdf.Stream) and _is_content(obj, pdf):
                for op in pikepdf.parse_content_stream(obj):
                    if not isinstance(op, pikepdf.ContentStreamInlineImage) and str(op.operator) in RGB_OPERATORS:
                        found.append(f"{op.operator} in stream {obj.objgen}")
        for page in pdf.pages:
            for op in pikepdf.parse_content_stream(page):
                if not isinstance(op, pikepdf.ContentStreamInlineImage) and str(op.operator) in RGB_OPERATORS:
                    found.append(f"{op.operator} on a page")
    return found


def _is_content(stream, pdf) -> bool:
    subtype = stream.get("/Subtype")
    return subtype == "/Form" or "/PatternType" in stream or "/Contents" in stream


def _scan(obj, found: list[str], depth: int) -> None:
    if depth > 6:
        return
    if isinstance(obj, pikepdf.Name):
        if obj in (pikepdf.Name.DeviceRGB, pikepdf.Name.CalRGB):
            found.append(str(obj))
        return
    if isinstance(obj, pikepdf.Array):
        if len(obj) == 2 and obj[0] == pikepdf.Name.ICCBased and int(obj[1].get("/N", 0)) == 3:
            found.append("ICCBased RGB")
        for item in obj:
            if not getattr(item, "is_indirect", False):
                _scan(item, found, depth + 1)
        return
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        for key in obj.keys():
            value = obj[key]
            if not getattr(value, "is_indirect", False):
                _scan(value, found, depth + 1)


def mm_box(page, key: str) -> tuple[float, ...]:
    return tuple(round(float(v) / PT_PER_MM, 2) for v in page.obj[key])
