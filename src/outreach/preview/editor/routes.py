"""The editor's routes under /edit/: its page, static files, scratch previews and the JSON API.

Like Lektor's admin API: each endpoint names its parameters in a pydantic model, so a
malformed request gets a plain 400 before any handler runs. Reads are refused when the
browser says another site (or a sandboxed build page) asked; changes need this origin and
the session token. Handlers do blocking work (checks, previews, files) in worker threads.
"""

from __future__ import annotations

import html
import json
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from outreach.core.errors import OutreachError
from outreach.preview import guards
from outreach.preview.editor import params
from outreach.preview.editor.api import MAX_JSON_BYTES, MAX_UPLOAD_BYTES, Reply
from outreach.preview.editor.store import EditorError

if TYPE_CHECKING:
    from outreach.preview.state import Site

MAX_DRAINED_BYTES = 64 * 1024 * 1024
MAX_JSON_DEPTH = 40
STATIC = Path(__file__).resolve().parent.parent / "static"
STATIC_FILES = {"editor.js": "text/javascript; charset=utf-8", "editor.css": "text/css; charset=utf-8"}


def editor_routes(preview: "Site") -> list[BaseRoute]:
    api = preview.editor

    async def page(request: Request) -> Response:
        refused = guards.foreign_read(request.headers)
        if refused:
            return HTMLResponse(_REFUSED_PAGE.replace("{message}", html.escape(refused)), HTTPStatus.FORBIDDEN,
                                headers=guards.EDITOR_HEADERS | {"Content-Security-Policy": guards.EDITOR_POLICY})
        text = (STATIC / "editor.html").read_text(encoding="utf-8")
        text = text.replace("{token}", api.token).replace("{title}", html.escape(preview.project_title()))
        return HTMLResponse(text, headers=guards.EDITOR_HEADERS | {"Content-Security-Policy": guards.EDITOR_POLICY})

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC_FILES:
            return _json({"error": "没有这个文件。"}, HTTPStatus.NOT_FOUND)
        return Response((STATIC / name).read_bytes(), media_type=STATIC_FILES[name], headers=guards.EDITOR_HEADERS)

    async def scratch(request: Request) -> Response:
        from outreach.preview.files import serve_file

        return serve_file(api.scratch.resolve(), request.path_params["path"])

    def read(action: Callable[..., Reply], model: type[BaseModel] | None = None):
        async def endpoint(request: Request) -> Response:
            refused = guards.foreign_read(request.headers)
            if refused:
                return _json({"error": refused}, HTTPStatus.FORBIDDEN)
            args: tuple[BaseModel, ...] = ()
            if model is not None:
                try:
                    args = (model.model_validate(dict(request.query_params)),)
                except ValidationError as problem:
                    return _json({"error": params.explain(problem)}, HTTPStatus.BAD_REQUEST)
            return await _run(action, *args)
        return endpoint

    def change(action: Callable[..., Reply], model: type[BaseModel]):
        async def endpoint(request: Request) -> Response:
            refused = guards.foreign_change(request.headers, api.token_ok)
            if refused:
                return _json({"error": refused}, HTTPStatus.FORBIDDEN)
            body = await _body(request, MAX_JSON_BYTES)
            if isinstance(body, Response):
                return body
            if not request.headers.get("content-type", "").startswith("application/json"):
                return _json({"error": "请求格式不对（应为 JSON）。"}, HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
            payload = _json_payload(body)
            if isinstance(payload, Response):
                return payload
            try:
                parsed = model.model_validate(payload)
            except ValidationError as problem:
                return _json({"error": params.explain(problem)}, HTTPStatus.BAD_REQUEST)
            return await _run(action, parsed)
        return endpoint

    def upload(action: Callable[..., Reply], model: type[BaseModel] | None = None):
        async def endpoint(request: Request) -> Response:
            refused = guards.foreign_change(request.headers, api.token_ok)
            if refused:
                return _json({"error": refused}, HTTPStatus.FORBIDDEN)
            query = None
            if model is not None:
                try:
                    query = model.model_validate(dict(request.query_params))
                except ValidationError as problem:
                    return _json({"error": params.explain(problem)}, HTTPStatus.BAD_REQUEST)
            body = await _body(request, MAX_UPLOAD_BYTES)
            if isinstance(body, Response):
                return body
            return await _run(action, body, *([query] if query is not None else []))
        return endpoint

    return [
        Route("/", page), Route("/index.html", page),
        Route("/static/{name}", static),
        Route("/scratch/{path:path}", scratch),
        Route("/api/items", read(api.items)),
        Route("/api/item", read(api.item, params.ItemQuery)),
        Route("/api/history", read(api.history, params.ItemQuery)),
        Route("/api/version", read(api.version, params.VersionQuery)),
        Route("/api/settings", read(api.settings), methods=["GET"]),
        Route("/api/stations", read(api.stations), methods=["GET"]),
        Route("/api/suggest-id", read(api.suggest_id, params.SuggestQuery)),
        Route("/api/check", change(api.check, params.CheckBody), methods=["POST"]),
        Route("/api/save", change(api.save, params.SaveBody), methods=["POST"]),
        Route("/api/restore", change(api.restore, params.RestoreBody), methods=["POST"]),
        Route("/api/new", change(api.create, params.NewBody), methods=["POST"]),
        Route("/api/delete", change(api.delete, params.ItemBody), methods=["POST"]),
        Route("/api/settings", change(api.save_settings, params.SettingsBody), methods=["POST"]),
        Route("/api/stations", change(api.save_stations, params.StationsBody), methods=["POST"]),
        Route("/api/logo", upload(api.upload_logo), methods=["POST"]),
        Route("/api/import-quiz", upload(api.import_bank, params.BankQuery), methods=["POST"]),
    ]


async def _run(action: Callable[..., Reply], *args: Any) -> Response:
    """Run a handler in a worker thread; a refusal the user can act on is a message."""
    try:
        answer = await run_in_threadpool(action, *args)
    except EditorError as problem:
        return _json({"error": str(problem)}, HTTPStatus.BAD_REQUEST)
    except OutreachError as problem:   # e.g. `outreach new` refusing to overwrite
        return _json({"error": str(problem)}, HTTPStatus.CONFLICT)
    return Response(answer.body, answer.status, media_type=answer.media_type, headers=guards.EDITOR_HEADERS)


async def _body(request: Request, limit: int) -> bytes | Response:
    """The request body, at most `limit` bytes. A refused upload that is not absurdly large is
    read to the end, so the browser gets the message instead of a broken connection."""
    try:
        length = int(request.headers.get("content-length", ""))
    except ValueError:
        return _json({"error": "请求缺少长度（Content-Length）。"}, HTTPStatus.LENGTH_REQUIRED)
    if length < 0 or length > limit:
        if 0 < length <= MAX_DRAINED_BYTES:
            async for _ in request.stream():
                pass
        return _json({"error": f"上传的内容太大（{length // 1024} KB），最多 {limit // 1024 // 1024} MB。"},
                     HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            return _json({"error": "上传的内容比它声明的长度更长。"}, HTTPStatus.BAD_REQUEST)
    return bytes(data)


def _json_payload(body: bytes) -> Any:
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _json({"error": "请求内容不是有效的 JSON。"}, HTTPStatus.BAD_REQUEST)
    except RecursionError:
        return _json({"error": "请求内容嵌套太深。"}, HTTPStatus.BAD_REQUEST)
    if not isinstance(payload, dict):
        return _json({"error": "请求内容不是有效的 JSON 对象。"}, HTTPStatus.BAD_REQUEST)
    if _depth(payload) > MAX_JSON_DEPTH:
        return _json({"error": "请求内容嵌套太深。"}, HTTPStatus.BAD_REQUEST)
    return payload


def _depth(value: Any) -> int:
    deepest, pending = 0, [(value, 1)]
    while pending:
        current, depth = pending.pop()
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            return depth
        if isinstance(current, dict):
            pending += [(v, depth + 1) for v in current.values()]
        elif isinstance(current, list):
            pending += [(v, depth + 1) for v in current]
    return deepest


def _json(data: dict, status: int) -> Response:
    return JSONResponse(data, status, headers=guards.EDITOR_HEADERS)


_REFUSED_PAGE = """<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"><title>编辑器</title></head>
<body><h1>编辑器没有打开</h1><p>{message}</p></body></html>"""
