"""`outreach serve`: build, serve build/ on 127.0.0.1, rebuild on change, tell every open page.

The web side is a Starlette app run by uvicorn (see app.py and http.py); this module owns
the build loop: the first build, the file watcher, and the outcome of the last build that
the index page, the editor and the terminal report. The server never stops on bad input.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

from outreach.buildspec.options import BuildOptions
from outreach.core.errors import OutreachError
from outreach.preview import guards
from outreach.preview.state import State

WATCHED = ("content", "templates", "outreach.toml")
SCRATCH_PREFIX = "outreach-edit-"


class _WaitNote:
    """A build reporter that only passes on "waiting for another build" to the pages."""

    def __init__(self, state: State) -> None:
        self.state = state

    def start(self, total: int) -> None:
        pass

    def done(self, label: str, seconds: float, ok: bool) -> None:
        pass

    def note(self, message: str) -> None:
        self.state.note(message)

    def reading(self) -> None:
        """The build starts reading content: a change saved before now is in it (the editor
        matches a save to the first build that started after it; waiting for the build lock
        or imports under load used to put a build that read the change before the save)."""
        self.state.reading()

    def finish(self) -> None:
        pass


class PreviewServer:
    def __init__(self, root: Path, port: int, options: BuildOptions | None = None,
                 say: Callable[[str], None] = lambda line: None) -> None:
        from outreach.preview.editor.api import EditorApi
        from outreach.preview.http import listen
        from outreach.project.outputdir import output_dir

        self.root = root
        self.say = say                  # one line per rebuild in the terminal (the CLI prints it)
        self.out_dir = output_dir(root)
        self.options = options or BuildOptions()
        self.state = State()
        self.stop = threading.Event()
        self._library: Any = None       # loaded for the index page once per build, not per request
        self._library_lock = threading.Lock()
        self.socket = listen(port)
        self.scratch = make_scratch()   # previews of unsaved edits: outside the project, never in build/
        self.editor = EditorApi(root, self.scratch, self.options)
        self._server: Any = None   # the uvicorn server, once serving
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.socket.getsockname()[1]

    def allowed_hosts(self) -> set[str]:
        return guards.allowed_hosts(self.port)

    def library(self):
        with self._library_lock:
            if self._library is None:
                from outreach.project.loader import load_library

                self._library = load_library(self.root, stations=False)[0]
            return self._library

    def project_title(self) -> str:
        library = self.library()
        return library.config.project.name if library else "反诈宣传素材"

    def index_page(self) -> str:
        from outreach.preview.index import index_page

        return index_page(self)

    # --- building ---------------------------------------------------------------------------

    def rebuild(self) -> None:
        """Build once and publish the outcome; any failure becomes a message, never a crash."""
        from outreach.engine.build import build

        self.state.start()
        try:
            result = build(self.root, self.options, _WaitNote(self.state))
        except OutreachError as exc:
            self._finish([str(exc)], "生成失败。", ok=False)
            return
        except Exception as exc:
            self._finish([f"内部错误：{type(exc).__name__}: {exc}"], "生成失败。", ok=False)
            return
        with self._library_lock:
            self._library = None  # content may have changed: the index reloads it once
        from outreach.preview.report import describe

        report = describe(result, self.out_dir)
        self._finish(report.problems, report.summary, report.ok, report.built, report.skipped, report.terminal)

    def _finish(self, problems: list[str], summary: str, ok: bool, built: list[dict] | None = None,
                skipped: list[dict] | None = None, terminal: list[str] | None = None) -> None:
        self.state.publish(problems, summary, ok, built, skipped)
        # The terminal hears what the page shows: when, what happened, and each problem.
        self.say(f"[{time.strftime('%H:%M:%S')}] {summary}")
        problems = problems if terminal is None else terminal
        for problem in problems[:20]:
            self.say(f"  {problem}")
        if len(problems) > 20:
            self.say(f"  ……还有 {len(problems) - 20} 个问题，见预览页面。")

    def watch(self) -> None:
        from watchfiles import watch

        paths = [str(self.root / name) for name in WATCHED if (self.root / name).exists()]
        for _changes in watch(*paths, stop_event=self.stop, debounce=300, step=100, rust_timeout=1000):
            self.rebuild()

    def _build_loop(self) -> None:
        self.rebuild()
        if not self.stop.is_set():
            self.watch()

    # --- serving ----------------------------------------------------------------------------

    def serve_forever(self) -> None:
        """Serve until Ctrl-C or SIGTERM; the first build runs beside the server, so the pages
        answer at once and show "正在生成" until it is done."""
        from outreach.preview.app import create_app
        from outreach.preview.http import make_server

        self._server = make_server(create_app(self), self.stop.set)
        builder = threading.Thread(target=self._build_loop, daemon=True, name="outreach-build")
        builder.start()
        previous = _exit_on_sigterm()
        try:
            self._server.run(sockets=[self.socket])
        finally:
            self.stop.set()
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    def serve_in_thread(self) -> threading.Thread:
        """Serve HTTP from a background thread without building or watching (tests, embedding)."""
        from outreach.preview.app import create_app
        from outreach.preview.http import make_server

        self._server = make_server(create_app(self), self.stop.set)
        thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self.socket]}, daemon=True)
        thread.start()
        self._thread = thread
        deadline = time.time() + 10
        while not self._server.started and time.time() < deadline:
            time.sleep(0.01)
        return thread

    def shutdown(self) -> None:
        self.stop.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        with contextlib.suppress(OSError):
            self.socket.close()
        self.editor.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


def _exit_on_sigterm():
    """SIGTERM ends the server like Ctrl-C: uvicorn stops, then `finally` blocks remove the
    scratch folder of unsaved edits. (uvicorn re-raises the signal after it stops; with the
    default handler the process would die before cleaning up.)"""
    if threading.current_thread() is not threading.main_thread():
        return None

    def stop(signum, frame):
        raise SystemExit(0)

    return signal.signal(signal.SIGTERM, stop)


def make_scratch() -> Path:
    """A scratch folder for this server, marked with its process id; folders left by servers
    that were killed outright (kill -9, power loss) are removed here."""
    base = Path(tempfile.gettempdir())
    for old in base.glob(SCRATCH_PREFIX + "*"):
        owner = old / ".owner"
        try:
            pid = int(owner.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            continue   # not ours, or still being set up: leave it alone
        if not _alive(pid) and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
    (folder / ".owner").write_text(str(os.getpid()), encoding="ascii")
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


__all__ = ["PreviewServer", "State"]
