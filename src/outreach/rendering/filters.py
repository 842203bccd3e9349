"""Jinja filters for templates: Markdown, QR codes, Chinese typography, dates."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from functools import lru_cache

from markupsafe import Markup

from outreach.checks.spacing import apply_spacing
from outreach.core.errors import OutreachError

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"


_TAG = re.compile(r"(<[^>]*>)")


def apply_spacing_html(html: str, rule: str) -> str:
    """`apply_spacing` on the text between tags, leaving tags, styles and scripts alone: fixed
    wording in templates ("共 {{ n }} 题") follows the same rule as the content."""
    if rule == "ignore":
        return html
    parts = _TAG.split(html)
    skipping = None
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            name = part[1:].split(None, 1)[0].lower().rstrip(">/") if len(part) > 2 else ""
            if skipping and name == "/" + skipping:
                skipping = None
            elif name in ("style", "script"):
                skipping = name
            continue
        if not skipping:
            parts[index] = apply_spacing(part, rule)
    return "".join(parts)


class FilterError(OutreachError):
    """A filter got input it cannot handle; the message is for the user."""


@lru_cache(maxsize=1)
def _markdown_parser():
    from markdown_it import MarkdownIt

    # commonmark without raw HTML: content can never inject markup into a template.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")


def markdown(text: str | None) -> Markup:
    """Markdown to HTML; raw HTML in the content is shown as text, never passed through."""
    if text is None:
        return Markup("")
    if not isinstance(text, str):
        raise FilterError(f"markdown 过滤器需要文字，收到的是 {type(text).__name__}")
    return Markup(_markdown_parser().render(cjk(text)))


def markdown_inline(text: str | None) -> Markup:
    """Markdown for one line (bold, italics) without a wrapping paragraph."""
    if text is None:
        return Markup("")
    return Markup(_markdown_parser().renderInline(cjk(str(text))))


def qr(data: str | None, dark: str = "#000000", light: str | None = "#ffffff", border: int = 2) -> Markup:
    """An inline SVG QR code (generated locally by segno; no network)."""
    if not data:
        return Markup("")
    import segno

    try:
        code = segno.make(str(data), error="m", micro=False)
    except (ValueError, segno.DataOverflowError) as exc:
        raise FilterError(f"无法生成二维码：{exc}") from None
    svg = code.svg_inline(dark=dark, light=light, border=border, omitsize=True)
    return Markup(svg.replace("<svg ", '<svg class="qr" role="img" aria-label="二维码" ', 1))


@lru_cache(maxsize=256)
def qr_image(data: str | None, scale: int = 8, border: int = 2) -> str:
    """A QR code as a PNG data URI, for <img src>: a card sheet repeats one code ten times,
    and WeasyPrint decodes an image URI once per document (an inline SVG is laid out and
    painted each time). Pair it with CSS `image-rendering: pixelated` for crisp modules."""
    if not data:
        return ""
    return "data:image/png;base64," + base64.b64encode(_grey_png(_qr_code(str(data)), scale, border)).decode("ascii")


def _grey_png(code, scale: int, border: int) -> bytes:
    """The code as an 8-bit grey PNG. segno's own PNG is 1-bit, which WeasyPrint turns into RGB
    and encodes again as each page is loaded: an 8-bit grey image it keeps as it is (and embeds
    as DeviceGray, which print masters keep on black ink)."""
    from PIL import Image

    side = code.symbol_size(scale=1, border=border)[0]
    pixels = bytes(0 if dark else 255 for row in code.matrix_iter(scale=1, border=border) for dark in row)
    image = Image.frombytes("L", (side, side), pixels).resize((side * scale, side * scale), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@lru_cache(maxsize=64)
def _qr_code(data: str):
    """The code itself, made once for every size it is drawn at (a station's card, cover and
    back cover show one code at two scales)."""
    import segno

    try:
        return segno.make(data, error="m", micro=False)
    except (ValueError, segno.DataOverflowError) as exc:
        raise FilterError(f"无法生成二维码：{exc}") from None


_QUOTE = re.compile(r'"')
_PUNCT = {",": "，", "?": "？", "!": "！", ":": "：", ";": "；", "(": "（", ")": "）"}
_ASCII_NEAR_CJK = re.compile(f"(?<=[{CJK}])[,?!:;()]|[,?!:;(](?=[{CJK}])")


def cjk(text: str | None) -> str:
    """Chinese typography: straight quotes become “”, ASCII punctuation next to Chinese becomes full-width."""
    if text is None:
        return ""
    value = str(text)
    if not re.search(f"[{CJK}]", value):
        return text if isinstance(text, Markup) else value
    value = _ASCII_NEAR_CJK.sub(lambda m: _PUNCT[m.group()], value)
    opened = [False]

    def quote(_match: re.Match) -> str:
        opened[0] = not opened[0]
        return "“" if opened[0] else "”"

    if value.count('"') % 2 == 0:
        value = _QUOTE.sub(quote, value)
    return Markup(value) if isinstance(text, Markup) else value


def date_zh(value: dt.date | str | None) -> str:
    """2027-06-30 → 2027年6月30日."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return f"{value.year}年{value.month}月{value.day}日"


_END_PUNCTUATION = "。！？；…!?."


def sentence(text: str | None) -> str:
    """A list item as a sentence: trimmed, ending in Chinese punctuation."""
    value = cjk(str(text or "")).strip()
    closing = value.rstrip("”’）)」』")
    if value and (not closing or closing[-1] not in _END_PUNCTUATION):
        value += "。"
    return value


def plain(text: str | None) -> str:
    """Markdown to plain text (for SMS, text posts): markup removed, paragraphs kept."""
    if not text:
        return ""
    tokens = _markdown_parser().parse(cjk(str(text)))
    lines: list[str] = []
    prefix = ""
    ordered: list[int] = []
    for token in tokens:
        if token.type == "ordered_list_open":
            ordered.append(0)
        elif token.type == "ordered_list_close":
            ordered.pop()
        elif token.type == "list_item_open":
            if ordered:
                ordered[-1] += 1
                prefix = f"{ordered[-1]}. "
            else:
                prefix = "· "
        elif token.type == "inline":
            lines.append(prefix + _inline_text(token))
            prefix = ""
    return "\n".join(line for line in lines if line.strip())


def _inline_text(token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("")
    return "".join(parts)


def phone(value: str | None) -> str:
    """A phone number grouped for reading: 0571-8765 4321, 139 0000 0001."""
    from outreach.project.phones import grouped

    return grouped(str(value)) if value else ""


FILTERS = {
    "phone": phone,
    "markdown": markdown,
    "markdown_inline": markdown_inline,
    "qr": qr,
    "qr_image": qr_image,
    "cjk": cjk,
    "date_zh": date_zh,
    "sentence": sentence,
    "plain": plain,
}
