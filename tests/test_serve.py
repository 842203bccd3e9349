"""`outreach serve` on 127.0.0.1, driven in headless Chromium: live reload, errors shown, recovery."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from conftest import CHROMIUM_ARGS, chromium_path, start_serve

pytestmark = pytest.mark.slow   # builds or servers in most tests (README, 测试)


class Served(tuple):
    """(url, project root), plus the lines the server printed so far."""

    def __new__(cls, items, lines):
        served = super().__new__(cls, items)
        served.lines = lines
        return served


@pytest.fixture
def served(mini_project):
    # A theme colour of its own, to see the preview page follow it.
    config = mini_project / "outreach.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('primary_color = "#c8102e"', 'primary_color = "#1f4e9c"'),
                      encoding="utf-8")
    process, url = start_serve(mini_project)
    deadline = time.time() + 120
    while time.time() < deadline:  # the first build runs before the page lists outputs
        try:
            with urllib.request.urlopen(url + "__status", timeout=5) as response:
                if json.loads(response.read())["version"] > 0:
                    break
        except OSError:
            pass
        time.sleep(0.2)
    # The terminal's lines, read as they come (an undrained pipe would stall the server).
    lines: list[str] = []

    def read() -> None:
        for line in process.stdout:
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    yield Served((url, mini_project), lines)
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def test_serves_only_on_localhost_and_refuses_traversal(served):
    url, root = served
    with urllib.request.urlopen(url + "posters/fake-loan.png") as response:
        assert response.headers["Content-Type"] == "image/png"
    for attempt in ("..%2F..%2Foutreach.toml", "%2E%2E/outreach.toml", "posters/../../outreach.toml"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url + attempt)
        assert refused.value.code == 404
    from outreach.preview.server import PreviewServer

    server = PreviewServer(root, 0)
    try:
        assert server.socket.getsockname()[0] == "127.0.0.1"
    finally:
        server.shutdown()


def test_page_reloads_on_change_and_shows_errors(served):
    from playwright.sync_api import sync_playwright

    url, root = served
    printed = served.lines
    scenario = root / "content/scenarios/fake-loan.yaml"
    original = scenario.read_text(encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        assert "虚假网络贷款诈骗" in page.inner_text("body")
        assert page.locator("#kind-posters .output.image img").count() == 2
        # The heading follows the project's theme colour.
        assert page.eval_on_selector("h1", "h => getComputedStyle(h).color") == "rgb(31, 78, 156)"

        scenario.write_text(original.replace("title: 虚假网络贷款诈骗", "title: 网贷诈骗新标题"), encoding="utf-8")
        page.wait_for_function("document.body.innerText.includes('网贷诈骗新标题')", timeout=60_000)

        scenario.write_text(original.replace("title: 虚假网络贷款诈骗", "title: [没有结束"), encoding="utf-8")
        # The broken item is left out (and said so, located); everything else still builds.
        page.wait_for_selector("#skipped", timeout=60_000)
        skipped = page.inner_text("#skipped")
        assert re.search(r"content/scenarios/fake-loan\.yaml:\d+:\d+", skipped), skipped
        # The last good poster stays on the page, marked, as the summary says.
        assert page.locator("#kind-posters .output.image img").count() == 2
        assert "上次成功生成" in page.inner_text("#kind-posters")
        # The terminal says the same as the page.
        deadline = time.time() + 10
        while not any("yaml-syntax" in line for line in printed) and time.time() < deadline:
            time.sleep(0.1)
        assert any("yaml-syntax" in line for line in printed), printed
        assert any(re.match(r"\[\d\d:\d\d:\d\d\] ", line) for line in printed)

        scenario.write_text(original, encoding="utf-8")
        try:
            page.wait_for_function("!document.querySelector('#skipped') && document.body.innerText.includes('虚假网络贷款诈骗')",
                                   timeout=60_000)
        except Exception:
            raise AssertionError(f"page: {page.inner_text('body')[:2000]}\nterminal: {printed}") from None
        browser.close()


# --- hardening: who may ask, what may be asked, and connections that misbehave --------------------

def raw_get(url: str, path: str, host: str | None = None) -> tuple[int, bytes]:
    """A GET with a chosen Host header and an unnormalised path, over a plain socket."""
    import socket

    port = int(url.rsplit(":", 1)[1].strip("/"))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(f"GET {path} HTTP/1.0\r\nHost: {host or f'127.0.0.1:{port}'}\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, data


def test_foreign_host_headers_are_refused(served):
    url, _ = served
    port = url.rsplit(":", 1)[1].strip("/")
    for path in ("/", "/__status", "/manifest.json", "/posters/fake-loan.pdf"):
        status, body = raw_get(url, path, host="evil.example.com")
        assert status == 421 and "本机" in body.decode("utf-8", "replace")
        status, _ = raw_get(url, path, host=f"evil.example.com:{port}")
        assert status == 421
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
        assert raw_get(url, "/manifest.json", host=host)[0] == 200


def test_hidden_and_malformed_paths_are_not_served(served):
    url, root = served
    assert (root / "build/.outreach-lock-manifest").exists()
    (root / "build/.secret").write_text("x", encoding="utf-8")
    for path in ("/.outreach-lock-manifest", "/.secret", "/posters/../.secret", "/%00", "/posters/%00.pdf",
                 "/%2e%2e/outreach.toml", "/posters%5c..%5c..%5coutreach.toml"):
        assert raw_get(url, path)[0] == 404, path
    assert raw_get(url, "/posters/fake-loan.png")[0] == 200  # still serving after the bad requests


@pytest.fixture
def http_only(mini_project, monkeypatch):
    """The preview server's HTTP side in this process, with a short idle timeout."""
    from conftest import build_posters

    from outreach.preview import server as serve

    assert build_posters(mini_project).ok
    from outreach.preview import http

    monkeypatch.setattr(http, "HEADER_DEADLINE", 1)
    server = serve.PreviewServer(mini_project, 0)
    thread = server.serve_in_thread()
    yield server
    server.shutdown()
    thread.join(timeout=10)


def test_idle_connections_time_out(http_only):
    import socket

    with socket.create_connection(("127.0.0.1", http_only.port), timeout=10) as connection:
        started = time.time()
        assert connection.recv(100) == b""  # the server closed the silent connection
        assert time.time() - started < 5


def test_many_connections_closing_at_once_print_nothing(mini_project):
    import socket

    from conftest import build_posters

    assert build_posters(mini_project).ok
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "outreach", "serve", "--port", "0"], cwd=mini_project,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    try:
        port = int(re.search(r"127\.0\.0\.1:(\d+)/", process.stdout.readline()).group(1))
        connections = []
        for index in range(300):
            connection = socket.create_connection(("127.0.0.1", port), timeout=10)
            if index % 3 == 0:  # a request whose answer nobody reads
                connection.sendall(b"GET /posters/fake-loan.pdf HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n\r\n" % port)
            connections.append(connection)
        for connection in connections:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            connection.close()  # RST: the server sees broken pipes and resets
        time.sleep(2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/__status", timeout=10) as response:
            assert response.status == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr and "ConnectionReset" not in stderr, stderr[:2000]


def test_index_loads_the_library_once_per_build_not_per_request(http_only, monkeypatch):
    import outreach.project.loader

    calls = []
    real = outreach.project.loader.load_library

    def counting(*args, **kwargs):
        calls.append(kwargs.get("stations"))
        return real(*args, **kwargs)

    monkeypatch.setattr(outreach.project.loader, "load_library", counting)
    for _ in range(5):
        page = http_only.index_page()
        assert "虚假网络贷款诈骗" in page
    assert calls == [False]  # once, and without reading the station sheet


def test_a_build_that_finished_while_the_page_loaded_reloads_it(served):
    """The page says which build it shows: if one finished before its event stream connected,
    the stream says `reload` at once instead of waiting for the next build."""
    url, _root = served
    with urllib.request.urlopen(url + "__status") as response:
        current = json.loads(response.read())["version"]
    with urllib.request.urlopen(url + f"__events?since={current - 1}", timeout=10) as stream:
        lines = [stream.readline() for _ in range(7)]
    assert f"data: {current}\n".encode() in lines and b"event: reload\n" in lines
    # Before it, what that build did, for the editor to show.
    build = json.loads(lines[lines.index(b"event: build\n") + 1].removeprefix(b"data: "))
    assert build["version"] == current and build["ok"] and build["summary"]
