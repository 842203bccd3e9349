"""What each output is for: a role (poster-png, sms, group-markdown, quiz-h5, …) and a media type.

Renderers declare their roles as (path pattern, role) pairs; the planner gives every output
its role, the manifest records it, and consumers (the preview, `post`) select outputs by
role through the manifest instead of guessing from paths — which is what lets a
Traditional Chinese build (under zh-Hant/) be previewed and posted like any other.
"""

from __future__ import annotations

import mimetypes

from outreach.outputs.base import role_of

_MEDIA_TYPES = {".md": "text/markdown; charset=utf-8", ".txt": "text/plain; charset=utf-8",
                ".json": "application/json", ".html": "text/html; charset=utf-8"}


__all__ = ["item_of", "media_type", "role_of"]


def item_of(path: str) -> str:
    """The content item an output is named after: texts/fake-loan.sms.txt → fake-loan."""
    return path.rsplit("/", 1)[-1].split(".", 1)[0]


def media_type(path: str) -> str:
    for suffix, kind in _MEDIA_TYPES.items():
        if path.endswith(suffix):
            return kind
    return mimetypes.guess_type(path)[0] or "application/octet-stream"
