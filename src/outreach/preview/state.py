"""The last build's outcome, which every open page and the terminal are told, and what the
web side needs of the server (a Protocol, so the pages do not import the server)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

MAX_LINKS = 40   # outputs named in one build's report; the rest are counted


@dataclass
class State:
    """The last build's outcome, shared between the watcher thread and request handlers."""

    version: int = 0
    building: bool = False
    ok: bool = True
    problems: list[str] = field(default_factory=list)   # located messages, already formatted
    summary: str = ""
    built: list[dict] = field(default_factory=list)     # [{label, path}] of outputs this build wrote
    more_built: int = 0
    skipped: list[dict] = field(default_factory=list)   # items left out: [{file, label, messages}]
    finished: str = ""
    started: float = 0.0          # when the last (or current) build started (time.time())
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        with self.lock:
            self.building = True
            self.started = time.time()

    def reading(self) -> None:
        with self.lock:
            self.started = time.time()

    def note(self, message: str) -> None:
        with self.lock:
            self.summary = message

    def publish(self, problems: list[str], summary: str, ok: bool, built: list[dict] | None = None,
                skipped: list[dict] | None = None) -> None:
        with self.lock:
            self.problems, self.summary, self.ok = problems, summary, ok
            shown = built or []
            self.built, self.more_built = shown[:MAX_LINKS], max(len(shown) - MAX_LINKS, 0)
            self.skipped = skipped or []
            self.finished = time.strftime("%H:%M:%S")
            self.building = False
            self.version += 1

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"version": self.version, "building": self.building, "ok": self.ok, "summary": self.summary,
                    "problems": list(self.problems), "built": list(self.built), "more_built": self.more_built,
                    "skipped": list(self.skipped), "finished": self.finished,
                    "started": self.started}


class Site(Protocol):
    """What the app, the index page and the editor routes use of the running preview."""

    state: State
    out_dir: Path
    scratch: Path
    stop: threading.Event
    options: Any
    editor: Any

    def allowed_hosts(self) -> set[str]: ...

    def library(self) -> Any: ...

    def project_title(self) -> str: ...

    def index_page(self) -> str: ...
