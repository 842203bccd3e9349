"""The audit's attacks on `outreach serve` and its editor, replayed against a real server.

A volunteer's template must not reach the editor; repositories can ship links; requests can be
malformed, huge, deep or slow. Each test states what the attack tried and checks that the
project is unchanged and the server still answers.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import time
from pathlib import Path

import pytest
from conftest import FIXTURE_PROJECT, MINI_PROJECT, start_serve
from editorserver import Server, serving

pytestmark = [pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
              pytest.mark.slow]   # editor servers on built projects (README, 测试)

# A quiz page template that tries to take over the editor from the build page, with and
# without the page's own policy tag: read the editor page for its token, create a scenario,
# change the settings, and open the editor in a window it can script.
ATTACK = """<!DOCTYPE html>
<html lang="zh-Hans"><head><meta charset="utf-8">{policy}<title>问答</title></head>
<body><h1>{{{{ quiz.title }}}}</h1><p id="log">start</p>
<script>
(async function () {{
  const log = [];
  const say = () => {{ document.getElementById("log").textContent = log.join("|"); document.title = "done"; }};
  try {{
    const page = await (await fetch("/edit/")).text();
    const token = /name="outreach-token" content="([^"]+)"/.exec(page)[1];
    log.push("token-read");
    const made = await fetch("/edit/api/new", {{method: "POST", headers: {{"Content-Type": "application/json",
      "X-Outreach-Token": token}}, body: JSON.stringify({{kind: "scenarios", id: "pwned"}})}});
    log.push("new:" + made.status);
  }} catch (e) {{ log.push("fetch-blocked"); }}
  try {{
    await fetch("/edit/api/new", {{method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}},
      body: JSON.stringify({{kind: "scenarios", id: "pwned-blind"}})}});
    log.push("blind-sent");
  }} catch (e) {{ log.push("blind-blocked"); }}
  let opened = null;
  try {{ opened = window.open("/edit/"); log.push(opened ? "opened" : "open-null"); }} catch (e) {{ log.push("open-blocked"); }}
  setTimeout(function () {{
    try {{ log.push("popup-token:" + opened.document.querySelector('meta[name="outreach-token"]').content); }}
    catch (e) {{ log.push("popup-unreadable"); }}
    say();
  }}, 2500);
}})();
</script></body></html>
"""
KEPT_POLICY = ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
               'script-src \'none\'; img-src data:; form-action \'none\'; base-uri \'none\'">')


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    root = tmp_path_factory.mktemp("attacked") / "fixture"
    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    (root / "templates/quiz").mkdir(parents=True, exist_ok=True)
    (root / "templates/quiz/page.html").write_text(ATTACK.format(policy=""), encoding="utf-8")
    with serving(root) as server:
        yield server


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "content").rglob("*")) if p.is_file()} | \
        {"outreach.toml": (root / "outreach.toml").read_bytes()}


@pytest.mark.parametrize("policy", ["none", "kept"])
def test_a_quiz_template_cannot_reach_the_editor(browser, attacked, policy):
    root = attacked.root
    (root / "templates/quiz/page.html").write_text(ATTACK.format(policy=KEPT_POLICY if policy == "kept" else ""),
                                                   encoding="utf-8")
    deadline = time.time() + 120
    page_file = root / "build/quiz/basics/index.html"
    marker = "default-src 'none'" if policy == "kept" else "window.open"
    while time.time() < deadline:   # the server rebuilds the page with this template
        if page_file.is_file() and marker in page_file.read_text(encoding="utf-8") and \
                (policy == "kept") == ("default-src 'none'" in page_file.read_text(encoding="utf-8")):
            break
        time.sleep(0.3)
    before = _snapshot(root)
    context = browser.new_context()
    page = context.new_page()
    popups: list = []
    context.on("page", lambda opened: popups.append(opened))
    page.goto(attacked.url + "quiz/basics/index.html")
    deadline = time.time() + 30   # wait_for_function would need eval, which the page's policy forbids
    while page.title() != "done" and time.time() < deadline:
        time.sleep(0.2)
    log = page.inner_text("#log")
    # The page's script ran (it is the volunteer's quiz page), but got nowhere.
    assert "token-read" not in log and "popup-token" not in log, log
    assert "popup-unreadable" in log or "open-null" in log or "open-blocked" in log, log
    time.sleep(1.5)   # the popup's own editor script has run by now
    for popup in popups:   # the sandboxed window was not given the editor page (nor its token)
        popup.wait_for_load_state()
        assert "outreach-token" not in popup.content(), popup.url
        popup.close()
    context.close()
    assert _snapshot(root) == before
    assert not (root / "content/scenarios/pwned.yaml").exists()
    assert not (root / "content/scenarios/pwned-blind.yaml").exists()


def test_build_pages_are_sandboxed_and_the_editor_refuses_other_sites(attacked):
    import urllib.request

    with urllib.request.urlopen(attacked.url + "quiz/basics/index.html") as response:
        policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("sandbox allow-scripts") and "allow-same-origin" not in policy
    with urllib.request.urlopen(attacked.url + "posters/fake-loan.pdf") as response:
        assert "Content-Security-Policy" not in response.headers   # a PDF viewer needs no script
    for headers in ({"Origin": "null"}, {"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                    {"Sec-Fetch-Site": "same-site"}):
        request = urllib.request.Request(attacked.url + "edit/api/item?kind=scenarios&id=fake-loan", headers=headers)
        status, answer = _open(request)
        assert status == 403 and "fake-loan" not in json.dumps(answer), headers
        status, answer = _open(urllib.request.Request(attacked.url + "edit/", headers=headers))
        assert status == 403 and "outreach-token" not in answer.get("text", ""), headers
    status, _ = attacked.post("edit/api/new", {"kind": "scenarios", "id": "pwned"}, origin="null")
    assert status == 403
    with urllib.request.urlopen(attacked.url + "edit/") as response:
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def _open(request) -> tuple[int, dict]:
    from editorserver import send

    return send(request)


# --- links a repository can ship -------------------------------------------------------------------

@pytest.fixture(scope="module")
def editor(tmp_path_factory):
    root = tmp_path_factory.mktemp("linked") / "mini"
    shutil.copytree(MINI_PROJECT, root)
    (root / "templates").mkdir()
    (root / ".env").write_text("SECRET_TOKEN=do-not-leak\n", encoding="utf-8")
    (root / "content/scenarios/leak.yaml").symlink_to("../../.env")
    with serving(root) as server:
        yield server


def test_a_content_link_to_a_hidden_file_is_never_shown(editor):
    status, answer = editor.get("edit/api/item?kind=scenarios&id=leak")
    assert status == 400 and "do-not-leak" not in json.dumps(answer)
    listed = json.dumps(editor.get("edit/api/items")[1], ensure_ascii=False)
    assert "leak" not in json.loads(listed) and "do-not-leak" not in listed


def test_links_in_history_and_trash_are_not_followed(editor, tmp_path):
    root = editor.root
    scenario = root / "content/scenarios/fake-loan.yaml"
    history = root / ".outreach/history/content/scenarios/fake-loan.yaml"
    history.mkdir(parents=True)
    (history / "20260101T000000000000.yaml").symlink_to(root / ".env")
    listed = editor.get("edit/api/history?kind=scenarios&id=fake-loan")[1]["versions"]
    assert listed == []
    status, answer = editor.get("edit/api/version?kind=scenarios&id=fake-loan&version=20260101T000000000000.yaml")
    assert status == 400 and "do-not-leak" not in json.dumps(answer)
    before = scenario.read_bytes()
    status, answer = editor.post("edit/api/restore", {"kind": "scenarios", "id": "fake-loan",
                                                      "version": "20260101T000000000000.yaml"})
    assert status == 400 and scenario.read_bytes() == before
    # A history folder that is a link elsewhere: saving refuses rather than writing there.
    shutil.rmtree(root / ".outreach")
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / ".outreach").mkdir()
    (root / ".outreach/history").symlink_to(outside)
    values = editor.item("scenarios", "fake-loan")["values"] | {"title": "新的标题"}
    status, answer = editor.post("edit/api/save", {"kind": "scenarios", "id": "fake-loan", "values": values})
    assert status == 400 and "链接" in answer["error"] and scenario.read_bytes() == before
    assert list(outside.iterdir()) == []
    (root / ".outreach/history").unlink()
    (root / ".outreach/trash").symlink_to(outside)
    status, answer = editor.post("edit/api/delete", {"kind": "scenarios", "id": "fake-loan"})
    assert status == 400 and scenario.exists() and list(outside.iterdir()) == []
    (root / ".outreach/trash").unlink()


# --- malformed, huge, deep and slow requests --------------------------------------------------------

def test_malformed_requests_get_plain_400s(editor):
    for body in ({"values": "x"}, {"values": {"project": "x"}}, {"values": {"project": {"hotlines": "x"}}},
                 {"values": {"project": {"hotlines": ["x"]}}}, {"values": []}, {}):
        status, answer = editor.post("edit/api/settings", body)
        assert status == 400 and answer["error"] and "Error" not in answer["error"], (body, answer)
    deep = b'{"kind": "scenarios", "id": "fake-loan", "values": ' + b"[" * 6000 + b"]" * 6000 + b"}"
    status, answer = editor.post("edit/api/check", deep)
    assert status == 400 and "嵌套" in answer["error"]
    status, answer = editor.post("edit/api/check", {"kind": "scenarios", "id": "a" * 5000, "values": {}})
    assert status == 400 and str(editor.root) not in json.dumps(answer, ensure_ascii=False)
    status, answer = editor.post("edit/api/new", {"kind": "scenarios", "id": "a" * 248})
    assert status == 400 and "太长" in answer["error"]
    status, answer = editor.get("edit/api/item?kind=scenarios&id=" + "b" * 5000)
    assert status == 400 and str(editor.root) not in json.dumps(answer, ensure_ascii=False)
    assert editor.status()["version"] > 0   # still answering


def test_an_oversized_content_file_is_refused_not_sent(editor):
    big = editor.root / "content/scenarios/huge.yaml"
    big.write_text("title: 大文件\nsummary: " + "长" * 300_000 + "\n", encoding="utf-8")
    try:
        status, answer = editor.get("edit/api/item?kind=scenarios&id=huge")
        assert status == 400 and "太大" in answer["error"] and len(json.dumps(answer)) < 2000
    finally:
        big.unlink()


def test_slow_connections_do_not_starve_normal_requests(editor):
    slow = []
    try:
        for _ in range(1000):   # the audit's count: the threaded server could not start a thread for more
            connection = socket.create_connection(("127.0.0.1", editor.port), timeout=10)
            connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")   # and never the rest
            slow.append(connection)
        started = time.time()
        assert editor.status()["version"] > 0
        assert time.time() - started < 5
    finally:
        for connection in slow:
            connection.close()


def test_a_silent_connection_is_closed_after_the_header_deadline(editor):
    from outreach.preview.http import HEADER_DEADLINE

    with socket.create_connection(("127.0.0.1", editor.port), timeout=HEADER_DEADLINE + 10) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\n")
        started = time.time()
        assert connection.recv(100) == b""
        assert HEADER_DEADLINE - 1 < time.time() - started < HEADER_DEADLINE + 5


def test_sigterm_removes_the_scratch_folder(mini_project):
    import tempfile

    process, url = start_serve(mini_project)
    server = Server(url, mini_project)
    server.wait_for_first_build()
    mine = [p for p in Path(tempfile.gettempdir()).glob("outreach-edit-*")
            if (p / ".owner").is_file() and (p / ".owner").read_text() == str(process.pid)]
    assert len(mine) == 1
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    assert not mine[0].exists()


def test_a_runaway_template_cannot_hang_the_editor(mini_project):
    """A triple loop in templates/texts/sms.txt: every editor request that checks the project
    answers with the template's problem instead of spinning for ever, and the server stays up."""
    (mini_project / "templates/texts").mkdir(parents=True)
    (mini_project / "templates/texts/sms.txt").write_text(
        "{% for a in range(10000) %}{% for b in range(10000) %}{% for c in range(10000) %}x{% endfor %}"
        "{% endfor %}{% endfor %}\n", encoding="utf-8")
    with serving(mini_project) as server:
        for _ in range(3):
            started = time.time()
            status, listed = server.get("edit/api/items")
            assert status == 200 and time.time() - started < 30
        started = time.time()
        status, answer = server.post("edit/api/check", {"kind": "scenarios", "id": "fake-loan", "preview": True,
                                                        "values": server.item("scenarios", "fake-loan")["values"]})
        assert status == 200 and time.time() - started < 30
        # The template's problem counts against the project, and the text preview names it.
        assert answer["elsewhere"] >= 1
        assert any("循环" in part.get("message", "") for part in answer["preview"]), answer["preview"]
        assert server.status()["version"] > 0
