"""`outreach serve` on 127.0.0.1, driven in headless Chromium: live reload, errors shown, recovery."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from test_quiz_browser import CHROMIUM_ARGS, chromium_path


@pytest.fixture
def served(mini_project):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "outreach", "serve", "--port", "0"], cwd=mini_project,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert match, line + process.stderr.read()
    url = f"http://127.0.0.1:{match.group(1)}/"
    deadline = time.time() + 120
    while time.time() < deadline:  # the first build runs before the page lists outputs
        try:
            with urllib.request.urlopen(url + "__status", timeout=5) as response:
                if b'"version": 0' not in response.read():
                    break
        except OSError:
            pass
        time.sleep(0.2)
    yield url, mini_project
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
    from outreach.serve import PreviewServer

    server = PreviewServer(root, 0)
    try:
        assert server.httpd.server_address[0] == "127.0.0.1"
    finally:
        server.shutdown()


def test_page_reloads_on_change_and_shows_errors(served):
    from playwright.sync_api import sync_playwright

    url, root = served
    scenario = root / "content/scenarios/fake-loan.yaml"
    original = scenario.read_text(encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        assert "虚假网络贷款诈骗" in page.inner_text("body")
        assert page.locator(".poster img").count() == 2

        scenario.write_text(original.replace("title: 虚假网络贷款诈骗", "title: 网贷诈骗新标题"), encoding="utf-8")
        page.wait_for_function("document.body.innerText.includes('网贷诈骗新标题')", timeout=60_000)

        scenario.write_text(original.replace("title: 虚假网络贷款诈骗", "title: [没有结束"), encoding="utf-8")
        page.wait_for_selector("#problems", timeout=60_000)
        problems = page.inner_text("#problems")
        assert re.search(r"content/scenarios/fake-loan\.yaml:\d+:\d+: error\[yaml-syntax\]", problems)

        scenario.write_text(original, encoding="utf-8")
        page.wait_for_function("!document.querySelector('#problems') && document.body.innerText.includes('虚假网络贷款诈骗')",
                               timeout=60_000)
        browser.close()
