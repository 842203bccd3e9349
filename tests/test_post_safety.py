"""Posting that is safe to automate (issue 25, items 8, 19, 21): odd Retry-After values, the
ledger's truth when a run is interrupted, unique crash logs, echoed DingTalk signatures,
placeholders, stale dry runs, the confirm command, and build files that are not what the
manifest says — each against the real bot server on 127.0.0.1."""

from __future__ import annotations

import email.utils
import hashlib
import json
import math
import os
import re
import shlex
import sqlite3
import sys
import time
import urllib.parse

import pytest
from botserver import Reply
from conftest import add_channel, build_project, edit
from test_post import SIGN_SECRET, cli, run_post

from outreach.core.errors import OutreachError
from outreach.project.config import load_config
from outreach.publish.sender import post


def statuses(root) -> dict:
    return dict(sqlite3.connect(root / ".outreach/ledger.sqlite").execute("SELECT item, status FROM messages"))


def post_with(root, sleep=None, wait=None, lines=None, only=("fake-loan",)):
    config, _ = load_config(root)
    said = lines if lines is not None else []
    kwargs = {"sleep": sleep} if sleep else {}
    return post(root, root / "build", config, "group", None, list(only), False, said.append, wait=wait, **kwargs)


def http_date(offset: float) -> str:
    return email.utils.formatdate(time.time() + offset, usegmt=True)


ODD_RETRY_AFTER = ["-5", "nan", "inf", "-inf", "0", "1e999", "99999999999999999999", "soon", "", "  3  ",
                   "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 99 Foo 2015 99:99:99 GMT"]


# --- item 8: Retry-After ------------------------------------------------------------------------

@pytest.mark.parametrize("value", ODD_RETRY_AFTER + ["future-date"])
def test_odd_retry_after_on_a_server_error_never_crashes(posting, bot, value):
    value = http_date(3) if value == "future-date" else value
    bot.replies.extend([Reply(status=503, body="busy", content_type="text/plain", headers={"Retry-After": value})])
    delays = []
    report = post_with(posting, sleep=delays.append)
    assert report.ok and [m.item for m in report.sent] == ["fake-loan"] and len(bot.requests) == 2
    assert delays and all(math.isfinite(d) and 0 <= d <= 60 for d in delays), delays
    assert statuses(posting) == {"fake-loan": "sent"}


@pytest.mark.parametrize("value", ODD_RETRY_AFTER)
def test_odd_retry_after_while_rate_limited_waits_and_gives_up(posting, bot, value):
    bot.limit_with(value)
    waits = []

    def wait(seconds, why):   # a terminal's countdown: returns at once for a non-positive time
        waits.append(seconds)
        assert len(waits) < 30, f"busy loop: {waits[:5]}…"

    report = post_with(posting, wait=wait)
    assert waits and all(math.isfinite(s) and 1 <= s <= 60 for s in waits), waits
    assert len(bot.requests) <= 3
    assert report.failed and "仍被限流" in report.failed[0][1]
    assert statuses(posting) == {"fake-loan": "failed"}     # the platform said no: the next run tries again


def test_retry_after_date_is_honoured(posting, bot):
    bot.replies.extend([Reply(status=503, body="busy", headers={"Retry-After": http_date(30)})])
    delays = []
    assert post_with(posting, sleep=delays.append).ok
    assert 25 <= delays[0] <= 31


def test_interrupted_while_waiting_to_retry_leaves_the_truth_in_the_ledger(posting, bot):
    # The platform answered 503 (nothing arrived); the user presses Ctrl-C during the back-off.
    bot.replies.extend([Reply(status=503, body="busy")])

    def sleep(seconds):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        post_with(posting, sleep=sleep)
    assert statuses(posting) == {"fake-loan": "failed"}     # not "sending": it certainly did not arrive
    assert [m.item for m in post_with(posting).sent] == ["fake-loan"] and len(bot.requests) == 2


def test_interrupted_while_rate_limited_leaves_the_truth_in_the_ledger(posting, bot):
    bot.limit_with("5", seconds=1)

    def wait(seconds, why):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        post_with(posting, wait=wait)
    assert statuses(posting) == {"fake-loan": "failed"}


def test_cli_survives_a_negative_retry_after(posting, bot):
    env = {**os.environ, "TEST_BOT_URL": bot.url()}
    bot.replies.extend([Reply(status=503, body="busy", headers={"Retry-After": "-5"})])
    run = cli(posting, "--channel", "group", "--only", "fake-loan", env=env)
    output, errors = run.communicate(timeout=60)
    assert run.returncode == 0, errors
    assert "-5" not in errors and "内部错误" not in errors
    assert statuses(posting) == {"fake-loan": "sent"}
    assert not list((posting / ".outreach").glob("crash-*"))


def test_countdown_is_safe_with_any_number(capsys):
    from outreach.cli.post_commands import _countdown

    for seconds in (-5.0, float("nan"), float("-inf")):
        _countdown(seconds, "限流")
    assert "-5" not in capsys.readouterr().err


def test_two_crashes_in_one_second_keep_both_logs(tmp_path, monkeypatch):
    from outreach.cli.crash import report_crash

    monkeypatch.chdir(tmp_path)
    paths = []
    for number in range(2):
        try:
            raise RuntimeError(f"crash number {number} at http://x/send?key=SECRETKEY0123456789&sign=abc%252Bdef")
        except RuntimeError:
            paths.append(report_crash())
    assert len(set(paths)) == 2 and all(p is not None and p.exists() for p in paths)
    texts = [p.read_text(encoding="utf-8") for p in paths]
    assert "crash number 0" in texts[0] and "crash number 1" in texts[1]
    assert all("SECRETKEY0123456789" not in text and "abc%252Bdef" not in text for text in texts)


def test_dingtalk_echo_of_the_signature_is_redacted(mini_project, bot, monkeypatch):
    add_channel(mini_project, "ding", "dingtalk", "text", 'secret_env = "TEST_BOT_SECRET"\n')
    token = "TOKEN0123456789abcdef"
    monkeypatch.setenv("TEST_BOT_URL", bot.url(f"/robot/send?access_token={token}"))
    monkeypatch.setenv("TEST_BOT_SECRET", SIGN_SECRET)
    assert build_project(mini_project, only=("texts",)).ok
    sent = {}

    def echo(request):   # DingTalk quotes the request back, URL-encoded once more
        query = urllib.parse.urlsplit(request["path"]).query
        sent.update(urllib.parse.parse_qsl(query))
        raw = dict(part.split("=", 1) for part in query.split("&"))
        return {"errcode": 310000, "errmsg": f"sign not match, timestamp={raw['timestamp']}&sign="
                f"{urllib.parse.quote(raw['sign'], safe='')} url={urllib.parse.quote(request['path'], safe='')}"}

    bot.replies.extend([Reply(body=echo)])
    lines = []
    report = run_post(mini_project, "ding", only=["fake-loan"], lines=lines)
    assert report.failed and "310000" in report.failed[0][1]
    stored = (mini_project / ".outreach/ledger.sqlite").read_bytes().decode("latin-1")
    sign = sent["sign"]
    # The longest plain run of the signature (between the +, / and = that encoding changes).
    fragment = max("".join(ch if ch.isalnum() else " " for ch in sign).split(), key=len)
    assert len(fragment) >= 6
    for text in (report.failed[0][1], "\n".join(lines), stored):
        assert fragment not in text and sent["timestamp"] not in text
        assert token not in text and SIGN_SECRET not in text


# --- item 19: placeholders, stale dry runs, the confirm command ---------------------------------

@pytest.mark.parametrize("key, blank, what", [
    ("sms_signature", "【请填写签名】", "sms"),
    ("organisation", "（请填写单位名称）", "markdown"),
])
def test_placeholder_names_stop_post(posting, bot, key, blank, what):
    old = {"sms_signature": "【示例派出所】", "organisation": "示例市公安局示例分局"}[key]
    edit(posting / "outreach.toml", f'{key} = "{old}"', f'{key} = "{blank}"')
    assert build_project(posting, only=("texts",)).ok
    with pytest.raises(OutreachError) as refused:
        run_post(posting, what=what)
    message = str(refused.value)
    assert blank in message and "outreach.toml:" in message and key in message, message
    assert bot.requests == [] and not (posting / ".outreach/ledger.sqlite").exists()

    lines = []
    report = run_post(posting, what=what, dry_run=True, lines=lines)
    assert blank in "\n".join(lines)                          # shown as it would be sent…
    assert len(report.refused) == 1 and blank in report.refused[0]   # …with the reason it would not be
    assert bot.requests == []

    env = {**os.environ, "TEST_BOT_URL": bot.url()}
    dry = cli(posting, "--channel", "group", "--what", what, "--dry-run", env=env)
    _, errors = dry.communicate(timeout=60)
    assert dry.returncode == 1 and blank in errors and bot.requests == []


def test_dry_run_warns_about_a_stale_build(posting, bot):
    edit(posting / "content/scenarios/fake-loan.yaml", "虚假网络贷款诈骗", "虚假网贷诈骗")
    lines = []
    report = run_post(posting, dry_run=True, lines=lines)
    assert "虚假网络贷款诈骗" in "\n".join(lines)           # the old text, as build/ holds it
    assert len(report.refused) == 1 and "fake-loan" in report.refused[0] and "outreach build" in report.refused[0]
    env = {**os.environ, "TEST_BOT_URL": bot.url()}
    dry = cli(posting, "--channel", "group", "--dry-run", env=env)
    output, errors = dry.communicate(timeout=60)
    assert dry.returncode == 1 and "请先运行 outreach build" in errors and "虚假网络贷款诈骗" in output
    assert bot.requests == []


@pytest.mark.slow
def test_the_confirm_hint_is_a_command_that_works(project, bot):
    add_channel(project, "news", "wecom", "text")
    env = {**os.environ, "TEST_BOT_URL": bot.url()}
    assert build_project(project, only=("texts",)).ok
    bot.replies.extend([Reply(delay=4)])              # arrives, but the answer comes too late
    first = cli(project, "--channel", "news", "--what", "newsletter", env=env)
    _, errors = first.communicate(timeout=60)
    assert first.returncode == 3, errors
    commands = re.findall(r"(outreach post .*?--mark-sent)", errors)
    assert commands, errors
    command = shlex.split(commands[-1])
    assert command[:2] == ["outreach", "post"] and "newsletter" in command
    confirm = subprocess_run([sys.executable, "-m", "outreach", *command[1:]], project, env)
    assert confirm.returncode == 0, confirm.stderr
    assert statuses(project) == {"newsletter-2026-11-20": "sent"} and len(bot.requests) == 1


def subprocess_run(args, cwd, env):
    import subprocess

    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_mark_sent_only_records_and_never_sends(posting, bot):
    bot.replies.extend([Reply(delay=4)])
    run_post(posting, only=["card-renting"])
    assert statuses(posting) == {"card-renting": "unconfirmed"}
    edit(posting / "content/scenarios/fake-loan.yaml", "虚假网络贷款诈骗", "虚假网贷诈骗")   # stale, never sent
    config, _ = load_config(posting)
    from outreach.publish.sender import Unconfirmed

    lines = []
    marked = post(posting, posting / "build", config, "group", None, [], False, lines.append,
                  unconfirmed=Unconfirmed(mark_sent=True))
    assert [m.item for m in marked.marked] == ["card-renting"] and not marked.sent
    assert len(bot.requests) == 1 and statuses(posting) == {"card-renting": "sent"}


# --- item 21: the files in build/ are the ones the manifest describes ---------------------------

def test_a_hand_edited_build_file_is_refused(posting, bot):
    path = posting / "build/texts/fake-loan.wecom.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n加一句没审核过的话\n", encoding="utf-8")
    for dry_run in (False, True):
        lines = []
        with pytest.raises(OutreachError) as refused:
            run_post(posting, dry_run=dry_run, lines=lines)
        assert "texts/fake-loan.wecom.md" in str(refused.value) and "outreach build" in str(refused.value)
        assert "没审核过" not in "\n".join(lines)
    assert bot.requests == []


def _point_manifest_at(root, path: str, data: bytes) -> None:
    manifest_file = root / "build/manifest.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    for entry in manifest["outputs"]:
        if entry["path"] == "texts/fake-loan.wecom.md":
            entry["path"] = path
            entry["sha256"] = hashlib.sha256(data).hexdigest()   # whoever edits the manifest can fix the hash
            entry["size"] = len(data)
    manifest_file.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize("where", ["dotdot", "absolute", "hidden", "symlink"])
def test_manifest_paths_outside_build_are_refused(posting, bot, where):
    data = b"OUTREACH_WECOM_URL=https://example.com/send?key=LEAKED0123456789\n"
    (posting / ".env").write_bytes(data)
    path = {"dotdot": "texts/../../.env", "absolute": str(posting / ".env"), "hidden": "texts/.draft.md",
            "symlink": "texts/link.md"}[where]
    if where == "hidden":
        (posting / "build/texts/.draft.md").write_bytes(data)
    if where == "symlink":
        (posting / "build/texts/link.md").symlink_to(posting / ".env")
    _point_manifest_at(posting, path, data)
    for dry_run in (True, False):
        lines = []
        with pytest.raises(OutreachError) as refused:
            run_post(posting, dry_run=dry_run, lines=lines)
        assert path in str(refused.value) and "build" in str(refused.value)
        assert "LEAKED" not in "\n".join(lines) + str(refused.value)
    assert bot.requests == []
    env = {**os.environ, "TEST_BOT_URL": bot.url()}
    dry = cli(posting, "--channel", "group", "--dry-run", env=env)
    output, errors = dry.communicate(timeout=60)
    assert dry.returncode == 1 and "LEAKED" not in output + errors and "Traceback" not in errors
