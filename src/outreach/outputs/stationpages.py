"""A station's page laid out as the page all stations share plus its own part (rendering/stamping.py).

Per process, each shared page is laid out and written once. For the first station that brings
it the page is laid out whole as well, and the two ways are compared picture against picture: a template
whose marked part does not stand apart (not taken out of the flow, drawn under something, its
ancestors' size depending on their other children) is laid out whole for every station.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from outreach.outputs.base import RenderContext, RenderError
from outreach.outputs.html import layout
from outreach.rendering import stamping

SHARED_KEPT = 16


@dataclass(frozen=True)
class StationPage:
    document: object          # the WeasyPrint document to write: the stamp, or the whole page
    shared_pdf: bytes | None  # the shared page the written stamp goes over; None: the whole page

    def finished(self, written: bytes) -> bytes:
        """The page's PDF from the bytes its document was written as."""
        return written if self.shared_pdf is None else stamping.compose(self.shared_pdf, written)


_shared: OrderedDict[tuple, bytes | None] = OrderedDict()   # shared page's PDF; None: lay out whole
_lock = threading.Lock()   # a Dask worker may render on several threads


def station_page(ctx: RenderContext, html: str, template: str, what: str, source: str) -> StationPage:
    """The station's page, laid out only in its own part where the template marks one."""
    split = stamping.split_page(html)
    if split is None:
        return StationPage(layout(ctx, html, template, what, source), None)
    key = (template, split.key, ctx.options.print_ready, ctx.root)
    with _lock:
        known = key in _shared
        if known:
            _shared.move_to_end(key)
            shared = _shared[key]
    if not known:
        return _first(ctx, html, split, key, template, what, source)
    if shared is None:
        return StationPage(layout(ctx, html, template, what, source), None)
    return StationPage(layout(ctx, split.stamp, template, what, source), shared)


def _first(ctx: RenderContext, html: str, split: stamping.Split, key: tuple, template: str, what: str,
           source: str) -> StationPage:
    """The page stamped, if the shared page and the stamp make the picture of the page laid out
    whole; else the whole page, and so for every station with this shared page. Either way the
    first station's bytes are those of the others: they must not depend on which station a
    worker met first (issue 29, item 2b)."""
    from outreach.rendering.pdf import write_many

    whole = layout(ctx, html, template, what, source)
    kept = stamp_document = None
    try:
        shared_document = layout(ctx, split.shared, template, what, source)
        stamp_document = layout(ctx, split.stamp, template, what, source)
    except RenderError:   # the whole page laid out: whatever either half met, it is not the page's
        shared_document = None
    if shared_document is not None and stamp_document is not None \
            and len(whole.pages) == len(shared_document.pages) == len(stamp_document.pages) == 1:
        # The shared page written alone: its bytes must not depend on this station's.
        [shared_pdf] = write_many([shared_document])
        whole_pdf, stamp_pdf = write_many([whole, stamp_document])
        if stamping.same_picture(stamping.compose(shared_pdf, stamp_pdf), whole_pdf):
            kept = shared_pdf
    with _lock:
        _shared[key] = kept
        while len(_shared) > SHARED_KEPT:
            _shared.popitem(last=False)
    return StationPage(whole, None) if kept is None else StationPage(stamp_document, kept)
