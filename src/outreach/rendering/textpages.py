"""A pdfium page's text, opened once for all the checks that read it."""

from __future__ import annotations

import contextlib
from typing import Any, Iterator


@contextlib.contextmanager
def text_of(page, textpage: Any = None) -> Iterator[Any]:
    """The page's pdfium text page: `textpage` when given (whoever opened it closes it), else one
    opened for this reading and closed after it. The page inspector opens one per page and
    passes it to each check: opening it is pdfium's text analysis of the whole page."""
    if textpage is not None:
        yield textpage
        return
    opened = page.get_textpage()
    try:
        yield opened
    finally:
        opened.close()
