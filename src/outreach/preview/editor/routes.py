"""Which editor request goes where: the page, its static files, the scratch previews, the API."""

from __future__ import annotations

import html
import json
import mimetypes
from http import HTTPStatus
from pathlib import Path
from typing import Callable

from outreach.core.errors import OutreachError
from outreach.preview.editor.api import MAX_JSON_BYTES, MAX_UPLOAD_BYTES, EditorApi, Reply, refusal, reply
from outreach.preview.editor.store import EditorError

MAX_DRAINED_BYTES = 64 * 1024 * 1024
STATIC = Path(__file__).resolve().parent.parent / "static"
STATIC_FILES = {"editor.js": "text/javascript; charset=utf-8", "editor.css": "text/css; charset=utf-8"}
# The page runs only its own script and shows only its own pictures: no inline script, nothing
# from elsewhere, even if a content field held markup.
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


def get(api: EditorApi, path: str, query: dict[str, str], title: str, servable: Callable) -> Reply:
    if path in ("/edit", "/edit/", "/edit/index.html"):
        page = (STATIC / "editor.html").read_text(encoding="utf-8")
        page = page.replace("{token}", api.token).replace("{title}", html.escape(title))
        return Reply(HTTPStatus.OK, page.encode("utf-8"), "text/html; charset=utf-8")
    name = path.removeprefix("/edit/static/")
    if name in STATIC_FILES:
        return Reply(HTTPStatus.OK, (STATIC / name).read_bytes(), STATIC_FILES[name])
    if path.startswith("/edit/scratch/"):
        found = servable(api.scratch.resolve(), path.removeprefix("/edit/scratch/"))
        if found is None:
            return refusal("预览已过期，请稍候。", HTTPStatus.NOT_FOUND)
        kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        return Reply(HTTPStatus.OK, found.read_bytes(), kind)
    kind, item_id = query.get("kind", ""), query.get("id", "")
    actions = {
        "/edit/api/items": lambda: api.items(),
        "/edit/api/item": lambda: api.item(kind, item_id),
        "/edit/api/history": lambda: api.history(kind, item_id),
        "/edit/api/version": lambda: api.version(kind, item_id, query.get("version", "")),
        "/edit/api/settings": lambda: api.settings(),
        "/edit/api/stations": lambda: api.stations(),
    }
    action = actions.get(path)
    if action is None:
        return refusal("没有这个页面。", HTTPStatus.NOT_FOUND)
    return _answer(action)


def post(api: EditorApi, path: str, query: dict[str, str], headers, body: Callable[[int], bytes],
         allowed_hosts: set[str]) -> Reply:
    refused = api.refuse_change(headers, allowed_hosts)
    if refused:
        return refusal(refused, HTTPStatus.FORBIDDEN)
    try:
        length = int(headers.get("Content-Length", ""))
    except ValueError:
        return refusal("请求缺少长度（Content-Length）。", HTTPStatus.LENGTH_REQUIRED)
    uploads = {"/edit/api/logo": lambda data: api.upload_logo(data),
               "/edit/api/import-quiz": lambda data: api.import_bank(data, query)}
    limit = MAX_UPLOAD_BYTES if path in uploads else MAX_JSON_BYTES
    if length < 0 or length > limit:
        _discard(body, length)
        return refusal(f"上传的内容太大（{length // 1024} KB），最多 {limit // 1024 // 1024} MB。",
                       HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    data = body(length)
    if path in uploads:
        return _answer(lambda: uploads[path](data))
    if not headers.get("Content-Type", "").startswith("application/json"):
        return refusal("请求格式不对（应为 JSON）。", HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
    try:
        payload = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return refusal("请求内容不是有效的 JSON。")
    if not isinstance(payload, dict):
        return refusal("请求内容不是有效的 JSON 对象。")
    actions = {
        "/edit/api/check": api.check, "/edit/api/save": api.save, "/edit/api/restore": api.restore,
        "/edit/api/new": api.create, "/edit/api/delete": api.delete, "/edit/api/settings": api.save_settings,
        "/edit/api/stations": api.save_stations,
    }
    action = actions.get(path)
    if action is None:
        return refusal("没有这个操作。", HTTPStatus.NOT_FOUND)
    return _answer(lambda: action(payload))


def _discard(body: Callable[[int], bytes], length: int) -> None:
    """Read a refused upload that is not absurdly large, so the browser gets the message
    instead of a broken connection; a larger one is cut off."""
    if 0 < length <= MAX_DRAINED_BYTES:
        while length > 0:
            chunk = body(min(length, 1 << 20))
            if not chunk:
                return
            length -= len(chunk)


def _answer(action: Callable[[], Reply]) -> Reply:
    """A refusal the user can act on is a message, never a traceback."""
    try:
        return action()
    except EditorError as problem:
        return refusal(str(problem))
    except OutreachError as problem:   # e.g. `outreach new` refusing to overwrite
        return refusal(str(problem), HTTPStatus.CONFLICT)
    except Exception as problem:  # noqa: BLE001 - the editor must survive anything
        return reply({"error": f"内部错误：{type(problem).__name__}: {problem}"}, HTTPStatus.INTERNAL_SERVER_ERROR)
