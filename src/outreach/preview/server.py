"""`outreach serve`: build, serve build/ on 127.0.0.1, rebuild on change, live-reload.

The index page lists every output (poster thumbnails, texts with SMS counts, quiz pages,
packs) and, when the last build failed, the diagnostics (file:line and message) instead
of the outputs that could not be made. The server itself never stops on bad input.
"""

from __future__ import annotations

import contextlib
import html
import json
import mimetypes
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from outreach.renderers.base import output_prefix
from outreach.engine.roles import item_of
from pathlib import Path

from outreach.core.errors import OutreachError
from outreach.renderers.options import BuildOptions
from outreach.core.safepath import is_hidden

WATCHED = ("content", "templates", "outreach.toml")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
IDLE_TIMEOUT = 30  # seconds a connection may stay silent before it is closed


@dataclass
class State:
    """The last build's outcome, shared between the watcher thread and request handlers."""

    version: int = 0
    building: bool = False
    problems: list[str] = field(default_factory=list)   # located messages, already formatted
    summary: str = ""
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, problems: list[str], summary: str) -> None:
        with self.changed:
            self.problems, self.summary = problems, summary
            self.building = False
            self.version += 1
            self.changed.notify_all()


class _WaitNote:
    """A build reporter that only passes on "waiting for another build" to the preview page."""

    def __init__(self, state: State) -> None:
        self.state = state

    def start(self, total: int) -> None:
        pass

    def done(self, label: str, seconds: float, ok: bool) -> None:
        pass

    def note(self, message: str) -> None:
        with self.state.changed:
            self.state.summary = message

    def finish(self) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    """Clients that go away (closed tabs, reloads, idle timeouts) are normal, not errors to print."""

    daemon_threads = True
    request_queue_size = 128  # a page with many thumbnails opens many connections at once

    def handle_error(self, request, client_address) -> None:
        import sys

        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError, socket.timeout)):
            return
        print(f"预览服务器处理请求时出错：{type(error).__name__}: {error}", file=sys.stderr)


class PreviewServer:
    def __init__(self, root: Path, port: int, options: BuildOptions | None = None,
                 say: Callable[[str], None] = lambda line: None) -> None:
        from outreach.project.outputdir import output_dir

        self.root = root
        self.say = say                  # one line per rebuild in the terminal (the CLI prints it)
        self.out_dir = output_dir(root)
        self.options = options or BuildOptions()
        self.state = State()
        self.stop = threading.Event()
        self.serving = False
        self._library = None            # loaded for the index page once per build, not per request
        self._library_lock = threading.Lock()
        self.httpd = _QuietServer(("127.0.0.1", port), self._handler())
        import tempfile

        from outreach.preview.editor.api import EditorApi

        # Previews of unsaved edits: outside the project, so never in build/ or under git.
        self.scratch = Path(tempfile.mkdtemp(prefix="outreach-edit-"))
        self.editor = EditorApi(root, self.scratch, self.options)

    def allowed_hosts(self) -> set[str]:
        """Host headers of this machine only: a page on another site cannot reach the preview
        through DNS rebinding (its requests carry that site's name)."""
        port = self.port
        hosts = {f"{host}:{port}" for host in LOCAL_HOSTS}
        if port == 80:
            hosts |= set(LOCAL_HOSTS)
        return hosts

    def library(self):
        with self._library_lock:
            if self._library is None:
                from outreach.project.loader import load_library

                self._library = load_library(self.root, stations=False)[0]
            return self._library

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def rebuild(self) -> None:
        """Build once and publish the outcome; any failure becomes a message, never a crash."""
        from outreach.engine.build import build

        from outreach.engine.build import with_configured_jobs

        with self.state.changed:
            self.state.building = True
        # A build that renders in this process must not lay out pages at the same time as the
        # editor's preview (another thread): WeasyPrint and fontconfig are not made for that.
        in_process = self.options.executor != "dask" and with_configured_jobs(self.root, self.options).workers() <= 1
        try:
            with self.editor.previewer.lock if in_process else contextlib.nullcontext():
                result = build(self.root, self.options, _WaitNote(self.state))
        except OutreachError as exc:
            self.state.publish([str(exc)], "构建失败")
            self._tell("构建失败", [str(exc)])
            return
        except Exception as exc:  # noqa: BLE001 - the preview must survive anything
            self.state.publish([f"内部错误：{type(exc).__name__}: {exc}"], "构建失败")
            self._tell("构建失败", [f"内部错误：{type(exc).__name__}: {exc}"])
            return
        with self._library_lock:
            self._library = None  # content may have changed: the index reloads it once
        problems = [d.format() for d in result.diagnostics]
        for failure in result.failures:
            where = f"{failure.file}:{failure.line}: " if failure.file and failure.line else \
                (f"{failure.file}: " if failure.file else "")
            problems.append(f"{where}{failure.label}：{failure.message}")
        problems += [f"警告：{label}：{message}" for label, message in result.warnings]
        if result.diagnostics.has_errors():
            summary = "内容有错误，没有重新生成；下面显示的是上次成功生成的文件。"
        elif result.failures:
            summary = f"有 {len(result.failures)} 个目标生成失败，其余已更新。"
        elif result.noop:
            summary = "没有变化。"
        else:
            summary = f"已更新 {len(result.built)} 个目标（{result.seconds:.1f} 秒）。"
        self.state.publish(problems, summary)
        self._tell(summary, problems)

    def _tell(self, summary: str, problems: list[str]) -> None:
        """The terminal hears what the page shows: when, what happened, and each problem."""
        self.say(f"[{time.strftime('%H:%M:%S')}] {summary}")
        for problem in problems[:20]:
            self.say(f"  {problem}")
        if len(problems) > 20:
            self.say(f"  ……还有 {len(problems) - 20} 个问题，见预览页面。")

    def watch(self) -> None:
        from watchfiles import watch

        paths = [str(self.root / name) for name in WATCHED if (self.root / name).exists()]
        for _changes in watch(*paths, stop_event=self.stop, debounce=300, step=100, rust_timeout=1000):
            self.rebuild()

    def serve_forever(self) -> None:
        self.rebuild()
        watcher = threading.Thread(target=self.watch, daemon=True)
        watcher.start()
        self.serving = True
        try:
            self.httpd.serve_forever(poll_interval=0.2)
        finally:
            self.stop.set()
            with self.state.changed:
                self.state.changed.notify_all()

    def shutdown(self) -> None:
        self.stop.set()
        if self.serving:  # HTTPServer.shutdown waits for serve_forever, which may never have run
            self.httpd.shutdown()
        self.httpd.server_close()
        import shutil

        shutil.rmtree(self.scratch, ignore_errors=True)

    # --- HTTP ------------------------------------------------------------------------------

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            timeout = IDLE_TIMEOUT

            def _foreign_host(self) -> bool:
                if self.headers.get("Host", "") in server.allowed_hosts():
                    return False
                self._send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain; charset=utf-8",
                           "预览只接受本机地址访问（127.0.0.1 或 localhost）。".encode("utf-8"))
                return True

            def do_POST(self):  # noqa: N802 - http.server naming
                from outreach.preview.editor import routes

                if self._foreign_host():
                    return
                parts = urllib.parse.urlsplit(self.path)
                if not parts.path.startswith("/edit/api/"):
                    self._send(HTTPStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", "只能查看。".encode("utf-8"))
                    return
                query = dict(urllib.parse.parse_qsl(parts.query))
                answer = routes.post(server.editor, parts.path, query, self.headers, self.rfile.read,
                                     server.allowed_hosts())
                self._send(answer.status, answer.kind, answer.body)

            def do_GET(self):  # noqa: N802 - http.server naming
                if self._foreign_host():
                    return
                parts = urllib.parse.urlsplit(self.path)
                path = parts.path
                if path == "/edit" or path.startswith("/edit/"):
                    from outreach.preview.editor import routes

                    title = server.library().config.project.name if server.library() else "反诈宣传素材"
                    answer = routes.get(server.editor, path, dict(urllib.parse.parse_qsl(parts.query)), title,
                                        _servable)
                    self._send(answer.status, answer.kind, answer.body,
                               policy=routes.PAGE_POLICY if answer.kind.startswith("text/html") else None)
                elif path in ("/", "/index.html"):
                    self._send(HTTPStatus.OK, "text/html; charset=utf-8", server.index_page().encode("utf-8"))
                elif path == "/__events":
                    since = dict(urllib.parse.parse_qsl(parts.query)).get("since", "")
                    self._events(int(since) if since.isdigit() else None)
                elif path == "/__status":
                    body = json.dumps({"version": server.state.version, "problems": server.state.problems},
                                      ensure_ascii=False)
                    self._send(HTTPStatus.OK, "application/json; charset=utf-8", body.encode("utf-8"))
                else:
                    self._file(urllib.parse.unquote(path.lstrip("/")))

            def _file(self, relpath: str):
                base = server.out_dir.resolve()
                target = _servable(base, relpath)
                if target is None:
                    self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", "没有这个文件。".encode("utf-8"))
                    return
                kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                if kind.startswith("text/") or kind in ("application/json",):
                    kind += "; charset=utf-8"
                self._send(HTTPStatus.OK, kind, target.read_bytes())

            def _events(self, since: int | None):
                """Server-sent events: one `reload` message after every finished build. `since`: the
                build the page shows; a build that finished while the page was loading (before
                this connection) reloads it at once instead of being missed."""
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                seen = server.state.version if since is None else since
                try:
                    self.wfile.write(b": connected\n\n")
                    self.wfile.flush()
                    while not server.stop.is_set():
                        with server.state.changed:
                            if server.state.version == seen:
                                server.state.changed.wait(timeout=15)
                            current = server.state.version
                        if current != seen:
                            seen = current
                            self.wfile.write(f"event: reload\ndata: {current}\n\n".encode())
                        else:
                            self.wfile.write(b": ping\n\n")
                        self.wfile.flush()
                except (ConnectionError, TimeoutError):
                    return

            def _send(self, status, kind: str, body: bytes, policy: str | None = None):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    if policy:
                        self.send_header("Content-Security-Policy", policy)
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("Cache-Control", "no-store")
                    self.send_header("X-Content-Type-Options", "nosniff")
                    self.end_headers()
                    self.wfile.write(body)
                except (ConnectionError, TimeoutError):
                    pass  # the browser went away

            def log_message(self, *args):
                pass

        return Handler

    # --- the index page ---------------------------------------------------------------

    def outputs_by_role(self, prefix: str) -> dict[str, list[str]]:
        """The last committed build's outputs in one locale's folder, grouped by role."""
        from outreach.engine.manifest import Manifest

        # Read as is (no commit recovery): the preview's own rebuild may hold the build lock.
        return Manifest.load(self.out_dir).by_role(prefix)

    def index_page(self) -> str:
        from outreach.render.sms import count

        state = self.state
        version = state.version   # read first: a build finishing while this page is made reloads it
        library = self.library()
        esc = html.escape
        parts = [f"<h1>{esc(library.config.project.name if library else '反诈宣传素材')} · 预览</h1>",
                 '<p class="edit-link"><a href="/edit/">在浏览器里修改内容（编辑器）</a></p>',
                 f'<p class="summary" id="summary">{esc(state.summary)}</p>']
        if state.problems:
            parts.append('<section class="problems" id="problems"><h2>问题</h2><ul>')
            parts += [f"<li><code>{esc(problem)}</code></li>" for problem in state.problems]
            parts.append("</ul></section>")
        if library is not None:
            # A Traditional Chinese project builds into build/zh-Hant/.
            prefix = output_prefix(self.options.locale or library.config.project.locale)
            parts.append("<h2>海报</h2><div class='grid'>")
            titles = {scenario_id: scenario.title for scenario_id, scenario in library.scenarios.items()}
            # A scenario with an error is not in the library now, but its last good poster is
            # still in build/: show it, marked, as the summary promises.
            outputs = self.outputs_by_role(prefix)
            pngs = {Path(path).stem: path for path in outputs.get("poster-png", [])}
            built = set(pngs)
            for scenario_id in sorted(titles.keys() | built):
                png = pngs.get(scenario_id, "")
                pdf = png[:-4] + ".pdf" if png else ""
                title = esc(titles.get(scenario_id, scenario_id))
                if scenario_id not in titles:
                    title += "<small>（内容有错误：显示的是上次成功生成的海报）</small>"
                if scenario_id in built:
                    parts.append(f'<a class="poster" href="/{pdf}"><img src="/{png}?v={state.version}" alt="" loading="lazy">'
                                 f'<span class="title">{title}</span></a>')
                else:
                    parts.append(f'<div class="poster missing"><span class="title">{title}</span>（未生成）</div>')
            parts.append("</div><h2>短信和群消息</h2><table><tr><th>诈骗类型</th><th>短信</th><th>长度</th><th>文件</th></tr>")
            sms_files = {item_of(path): path for path in outputs.get("sms", [])}
            for scenario_id, scenario in library.scenarios.items():
                if scenario_id not in sms_files:
                    continue
                sms_path = self.out_dir / sms_files[scenario_id]
                message = sms_path.read_text(encoding="utf-8").strip()
                counted = count(message)
                parts.append(f"<tr><td>{esc(scenario.title)}</td><td>{esc(message)}</td><td>{esc(counted.label)}</td>"
                             f'<td><a href="/{prefix}texts/{scenario_id}.txt">文字</a> · <a href="/{prefix}texts/{scenario_id}.wecom.md">Markdown</a></td></tr>')
            parts.append("</table><h2>有奖问答</h2><ul>")
            for set_id, quiz in library.quizzes.items():
                parts.append(f'<li>{esc(quiz.title)}：<a href="/{prefix}quiz/{set_id}/index.html">H5 答题页</a> · '
                             f'<a href="/{prefix}quiz/{set_id}-cards.pdf">卡片</a> · <a href="/{prefix}quiz/{set_id}-key.pdf">答案</a></li>')
            parts.append("</ul><h2>资料包</h2><ul>")
            for pack_id, pack in library.packs.items():
                parts.append(f'<li>{esc(pack.title)}：<a href="/{prefix}packs/{pack_id}.pdf">PDF</a> · '
                             f'<a href="/{prefix}packs/{pack_id}.zip">打印包</a></li>')
            parts.append("</ul>")
        colour = library.config.theme.primary_color if library else "#c8102e"
        return (PAGE.replace("{body}", "\n".join(parts)).replace("{version}", str(version))
                .replace("{primary}", esc(colour)))


def _servable(base: Path, relpath: str) -> Path | None:
    """The file under build/ a request names, or None: never hidden files (staging, locks,
    journals), never outside build/, never a malformed path (NUL and other control characters)."""
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


PAGE = """<!DOCTYPE html>
<html lang="zh-Hans"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>outreach 预览</title>
<style>
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0 auto; max-width: 1100px; padding: 16px; color: #1a1a1a; }
h1 { color: {primary}; } .summary { font-weight: 700; }
.poster small { display: block; color: #b00020; }
.problems { background: #fdeaea; border-left: 6px solid #b00020; padding: 8px 16px; }
.problems code { white-space: pre-wrap; font-size: 14px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 12px; }
.poster { display: block; border: 1px solid #ddd; text-decoration: none; color: inherit; }
.poster img { width: 100%; display: block; } .poster .title { display: block; padding: 4px 6px; font-size: 14px; }
.missing { padding: 40px 8px; color: #666; }
table { border-collapse: collapse; width: 100%; font-size: 14px; } td, th { border: 1px solid #ddd; padding: 4px 6px; text-align: left; }
</style></head><body data-version="{version}">
{body}
<script>
// Live reload: the server sends `reload` after every build.
new EventSource("/__events?since={version}").addEventListener("reload", function () { location.reload(); });
</script>
</body></html>
"""

