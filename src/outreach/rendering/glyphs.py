"""Find characters no installed font can draw (they would print as empty boxes, "tofu")."""

from __future__ import annotations

from html.parser import HTMLParser

# The font coverage rule lives with the checks, so that `check` refuses in content exactly what
# the build refuses on the page.
from outreach.checks.glyphs import missing_glyphs, primary_family

__all__ = ["missing_glyphs", "primary_family", "visible_text"]


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "svg"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script", "svg") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    return "".join(parser.parts)
