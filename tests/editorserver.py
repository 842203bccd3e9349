"""A real `outreach serve` on a project, and a small client for its editor API (token, Origin)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

from conftest import start_serve


@contextlib.contextmanager
def serving(root: Path) -> Iterator["Server"]:
    """`outreach serve` on `root` until the block ends (its terminal drained, its first build done)."""
    process, url = start_serve(root)
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    try:
        server = Server(url, root)
        server.wait_for_first_build()
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


class Server:
    def __init__(self, url: str, root: Path) -> None:
        self.url, self.root = url, root
        self.port = int(url.rsplit(":", 1)[1].strip("/"))
        self.origin = url.rstrip("/")
        self._token = ""

    def wait_for_first_build(self) -> None:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if self.status()["version"] > 0:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("the first build did not finish")

    def status(self) -> dict:
        with urllib.request.urlopen(self.url + "__status", timeout=10) as response:
            return json.loads(response.read())

    @property
    def token(self) -> str:
        if not self._token:
            with urllib.request.urlopen(self.url + "edit/", timeout=10) as response:
                page = response.read().decode("utf-8")
            self._token = re.search(r'name="outreach-token" content="([^"]+)"', page).group(1)
        return self._token

    def get(self, path: str, host: str | None = None) -> tuple[int, dict]:
        request = urllib.request.Request(self.url + path, headers={"Host": host} if host else {})
        return send(request)

    def post(self, path: str, body, token: str | None = None, origin: str | None = None, host: str | None = None,
             kind: str = "application/json") -> tuple[int, dict]:
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": kind, "Origin": self.origin if origin is None else origin,
                   "X-Outreach-Token": self.token if token is None else token}
        if host:
            headers["Host"] = host
        return send(urllib.request.Request(self.url + path, data=data, headers=headers, method="POST"))

    def get_bytes(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as refused:
            return refused.code, refused.read()

    def item(self, kind: str, item_id: str) -> dict:
        status, data = self.get(f"edit/api/item?kind={kind}&id={item_id}")
        assert status == 200, data
        return data


def send(request) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as refused:
        body, status = refused.read(), refused.code
    try:
        return status, json.loads(body)
    except json.JSONDecodeError:
        return status, {"text": body.decode("utf-8", "replace")}
