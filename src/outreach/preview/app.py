"""The preview's web app (Starlette): the index page, build outputs, live-reload events, the editor."""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from outreach.preview import guards
from outreach.preview.files import servable, serve_file

if TYPE_CHECKING:
    from outreach.preview.state import Site

EVENT_POLL = 0.25      # seconds between looks at the build state, per open page
EVENT_PING = 15.0      # seconds between keep-alive comments on the event stream


class LocalOnly:
    """Every request must name this machine in its Host header (DNS rebinding)."""

    def __init__(self, app: ASGIApp, hosts) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"host"), "")
            if host not in self.hosts():
                response = PlainTextResponse("预览只接受本机地址访问（127.0.0.1 或 localhost）。",
                                             HTTPStatus.MISDIRECTED_REQUEST, headers=guards.COMMON_HEADERS)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(preview: "Site") -> ASGIApp:
    from outreach.preview.editor.routes import editor_routes

    async def index(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        page = await run_in_threadpool(preview.index_page)
        return Response(page, media_type="text/html; charset=utf-8", headers=guards.COMMON_HEADERS)

    async def status(request: Request) -> Response:
        return JSONResponse(preview.state.snapshot(), headers=guards.COMMON_HEADERS)

    async def events(request: Request) -> Response:
        since = request.query_params.get("since", "")
        return StreamingResponse(_events(preview, int(since) if since.isdigit() else None),
                                 media_type="text/event-stream", headers=guards.COMMON_HEADERS)

    async def output(request: Request) -> Response:
        return serve_file(preview.out_dir.resolve(), request.path_params["path"])

    async def thumbnail(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        found = servable(preview.out_dir.resolve(), request.path_params["path"])
        if found is None or found.suffix.lower() != ".pdf":
            return PlainTextResponse("没有这个文件。", HTTPStatus.NOT_FOUND, headers=guards.COMMON_HEADERS)
        image = await run_in_threadpool(_thumbnail, found, preview.scratch)
        if image is None:
            return PlainTextResponse("无法显示这个 PDF。", HTTPStatus.UNPROCESSABLE_ENTITY, headers=guards.COMMON_HEADERS)
        return Response(image, media_type="image/png", headers=guards.COMMON_HEADERS)

    routes = [
        Route("/", index), Route("/index.html", index),
        Route("/__status", status), Route("/__events", events), Route("/__thumb/{path:path}", thumbnail),
        Route("/edit", lambda request: RedirectResponse("/edit/")),
        Route("/favicon.ico", lambda request: Response(status_code=HTTPStatus.NO_CONTENT)),
        Mount("/edit", routes=editor_routes(preview)),
        Route("/{path:path}", output),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_problem, Exception: _internal})
    return LocalOnly(app, preview.allowed_hosts)


async def _events(preview: "Site", since: int | None):
    """Server-sent events: `building` when a rebuild starts, then `build` (what it did, as
    JSON) and `reload` when it finishes. `since`: the build the page shows; one that finished
    while the page was loading is announced at once instead of being missed."""
    state = preview.state
    seen = state.version if since is None else since
    building = False
    yield ": connected\n\n"
    waited = 0.0
    while not preview.stop.is_set():
        snapshot = state.snapshot()
        if snapshot["building"] and not building:
            yield f"event: building\ndata: {snapshot['version']}\n\n"
        building = snapshot["building"]
        if snapshot["version"] != seen:
            seen = snapshot["version"]
            yield f"event: build\ndata: {json.dumps(snapshot, ensure_ascii=False)}\n\n"
            yield f"event: reload\ndata: {seen}\n\n"
            waited = 0.0
            continue
        await asyncio.sleep(EVENT_POLL)
        waited += EVENT_POLL
        if waited >= EVENT_PING:
            waited = 0.0
            yield ": ping\n\n"


THUMB_WIDTH = 240


def _thumbnail(pdf: Path, scratch: Path) -> bytes | None:
    """The first page of a build PDF as a small PNG, made once per file content."""
    import hashlib

    from outreach.rendering.pdf import pdf_to_png

    data = pdf.read_bytes()
    cached = scratch / "thumbs" / (hashlib.sha256(data).hexdigest() + ".png")
    if cached.is_file():
        return cached.read_bytes()
    try:
        image = pdf_to_png(data, THUMB_WIDTH, colors=64)
    except Exception:
        return None
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(image)
    return image


async def _http_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: "没有这个页面。", 405: "这里只能查看，不能提交。"}
    message = messages.get(exc.status_code, "请求无法处理。")
    if request.url.path.startswith("/edit/api/"):
        return JSONResponse({"error": message}, exc.status_code, headers=guards.EDITOR_HEADERS)
    return PlainTextResponse(message, exc.status_code, headers=guards.COMMON_HEADERS)


async def _internal(request: Request, exc: Exception) -> Response:
    """A bug of ours: the browser gets a plain message without paths; the terminal gets one line."""
    message = "内部错误：请重试；如果一再出现，请把终端里显示的内容告诉维护人员。"
    if request.url.path.startswith("/edit/api/"):
        return JSONResponse({"error": message}, 500, headers=guards.EDITOR_HEADERS)
    return PlainTextResponse(message, 500, headers=guards.COMMON_HEADERS)
