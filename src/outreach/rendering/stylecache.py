"""A page's stylesheet parsed once per process, not once per page.

WeasyPrint parses and validates every <style> element of every document it lays out: for a
station's cover, back cover or contact card that is about a quarter of the layout's time, and
every station's pages carry the same few kilobytes of CSS. Here the <style> elements of the
page's <head> are taken out of the parsed page and handed to WeasyPrint as stylesheets parsed
once (WeasyPrint's `stylesheets=` argument), keyed by their text.

WeasyPrint gives such stylesheets the user origin, not the author's. The cascade cannot tell
the difference when every author style moves: user rules beat the user agent's as author rules
do, and a style="" attribute beats them as it beat the <style> rules. It can where something
stays behind, so a page is left exactly as it is when it has a <link> stylesheet, a <style>
outside the <head> (taking it out would change its siblings' selectors), an !important in a
style="" attribute (author !important beats user !important), or a stylesheet that does more
than declare rules for this page: url() and @import (fetches, each recorded for its page),
@font-face, @counter-style, @color-profile, @layer and @namespace (state WeasyPrint keeps per
document). A stylesheet WeasyPrint warns about is not kept either: the warnings belong to
each page that has it, and WeasyPrint gives them when it parses the page itself.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict

_UNSHAREABLE = re.compile(r"url\s*\(|@(import|font-face|counter-style|color-profile|layer|namespace)\b", re.I)
_MEDIA = ("", "all", "print")
CACHE_SIZE = 32

_parsed: OrderedDict[tuple, list] = OrderedDict()
_refused: OrderedDict[tuple, None] = OrderedDict()
_lock = threading.Lock()


def lift_styles(source, base_url: str | None, font_config) -> list | None:
    """The stylesheets of `source` (a weasyprint.HTML not yet rendered), parsed once, with its
    <style> elements taken out of it; None, the page untouched, when it must keep them."""
    from weasyprint.css import get_child_text

    root = source.etree_element
    head = next((child for child in root if child.tag == "head"), None)
    if head is None:
        return None
    styles = [child for child in head if child.tag == "style"]
    if not styles or not _only_head_styles(root, styles):
        return None
    if any(style.get("type", "text/css").split(";", 1)[0].strip().lower() != "text/css"
           or style.get("media", "").strip().lower() not in _MEDIA for style in styles):
        return None
    texts = tuple(get_child_text(style) for style in styles)
    if any(_UNSHAREABLE.search(text) for text in texts):
        return None
    key = (texts, base_url, id(font_config))
    sheets = _cached(key)
    if sheets is None:
        sheets = _parse(texts, base_url, font_config)
        with _lock:
            if sheets is None:
                _remember(_refused, key, None)
                return None
            _remember(_parsed, key, sheets)
    for style in styles:
        head.remove(style)
    return sheets


def _only_head_styles(root, styles: list) -> bool:
    lifted = {id(style) for style in styles}
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue   # a comment
        if tag == "style" and id(element) not in lifted:
            return False
        if tag == "link" and "stylesheet" in (element.get("rel") or "").lower():
            return False
        if "important" in (element.get("style") or "").lower():
            return False
    return True


def _cached(key: tuple) -> list | None:
    with _lock:
        if key in _refused:
            return None
        sheets = _parsed.get(key)
        if sheets is not None:
            _parsed.move_to_end(key)
        return sheets


def _remember(store: OrderedDict, key: tuple, value) -> None:
    store[key] = value
    while len(store) > CACHE_SIZE:
        store.popitem(last=False)


def _parse(texts: tuple[str, ...], base_url: str | None, font_config) -> list | None:
    """The stylesheets, or None if WeasyPrint had anything to say about them. What it says is
    kept from the page's own messages here: it says it again when it parses the page."""
    import weasyprint

    logger = logging.getLogger("weasyprint")
    thread = threading.get_ident()
    heard: list[logging.LogRecord] = []

    def hold(record: logging.LogRecord) -> bool:
        if record.thread == thread and record.levelno >= logging.WARNING:
            heard.append(record)
            return False
        return True

    logger.addFilter(hold)
    try:
        sheets = [weasyprint.CSS(string=text, base_url=base_url, font_config=font_config) for text in texts]
    finally:
        logger.removeFilter(hold)
    return None if heard else sheets
