"""Files made by templates (build/ and the editor's scratch previews), served sandboxed."""

from __future__ import annotations

import mimetypes
from http import HTTPStatus
from pathlib import Path

from starlette.responses import FileResponse, PlainTextResponse, Response

from outreach.core.safepath import is_hidden
from outreach.preview import guards


def serve_file(base: Path, relpath: str) -> Response:
    """A file of build/ (or the scratch folder), sandboxed when it could run script."""
    target = servable(base, relpath)
    if target is None:
        return PlainTextResponse("没有这个文件。", HTTPStatus.NOT_FOUND, headers=guards.COMMON_HEADERS)
    kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/json", "image/svg+xml", "application/xml"):
        kind += "; charset=utf-8"
    return FileResponse(target, media_type=kind, headers=guards.output_headers(kind))


def servable(base: Path, relpath: str) -> Path | None:
    """The file under `base` a request names, or None: never hidden files (staging, locks,
    journals), never outside `base`, never a malformed path (NUL and other control characters)."""
    if not relpath or any(ord(c) < 32 or ord(c) == 127 for c in relpath) or "\\" in relpath:
        return None
    if is_hidden(relpath):
        return None
    try:
        target = (base / relpath).resolve()
    except (OSError, ValueError, RuntimeError):
        return None
    if base not in target.parents or not target.is_file():
        return None
    return target
