"""`outreach post` against a real local HTTP server: exactly once, retries, limits, secrets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse

import pytest
from botserver import Reply
from conftest import add_channel, build_project

from outreach.project.config import load_config
from outreach.publish.ratelimit import RateLimiter
from outreach.publish.sender import post

SECRET_URL_KEY = "SECRETKEY0123456789"
SIGN_SECRET = "SEC0123456789abcdef"


def run_post(root, channel="group", what=None, only=(), dry_run=False, lines=None):
    config, problems = load_config(root)
    assert config is not None, problems
    said = lines if lines is not None else []
    return post(root, root / "build", config, channel, what, list(only), dry_run, said.append)


def test_each_message_is_sent_once_across_runs(posting, bot):
    first = run_post(posting)
    assert [m.item for m in first.sent] == ["card-renting", "fake-loan"] and first.ok
    assert [b["msgtype"] for b in bot.bodies()] == ["markdown", "markdown"]
    assert bot.bodies()[1]["markdown"]["content"].startswith("## 虚假网络贷款诈骗")
    second = run_post(posting)
    assert second.sent == [] and len(second.skipped) == 2
    assert len(bot.requests) == 2


def test_changed_content_is_a_new_message(posting, bot):
    run_post(posting)
    path = posting / "content/scenarios/fake-loan.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: 虚假网络贷款诈骗", "title: 网贷诈骗"), encoding="utf-8")
    assert build_project(posting, only=("texts",)).ok
    report = run_post(posting)
    assert [m.item for m in report.sent] == ["fake-loan"] and len(bot.requests) == 3


def test_what_and_only_select_messages(posting, bot):
    report = run_post(posting, what="sms", only=["fake-loan"])
    assert [m.item for m in report.sent] == ["fake-loan"]
    assert bot.bodies()[0]["msgtype"] == "text"  # an SMS is plain text whatever the channel's format
    assert bot.bodies()[0]["text"]["content"].startswith("【示例派出所】")
    # the SMS and the Markdown post of one scenario are different messages
    assert [m.item for m in run_post(posting, what="markdown", only=["fake-loan"]).sent] == ["fake-loan"]


def test_rate_limit_errcode_is_retried(posting, bot):
    bot.replies.extend([Reply(body={"errcode": 45009, "errmsg": "api freq out of limit"})])
    report = run_post(posting)
    assert report.ok and len(report.sent) == 2 and len(bot.requests) == 3


def test_http_429_honours_retry_after(posting, bot):
    bot.replies.extend([Reply(status=429, body="slow down", headers={"Retry-After": "0.3"})])
    started = time.time()
    report = run_post(posting)
    assert report.ok and len(bot.requests) == 3
    assert bot.requests[1]["time"] - bot.requests[0]["time"] >= 0.3
    assert time.time() - started < 5


def test_server_error_then_success(posting, bot):
    bot.replies.extend([Reply(status=500, body="oops"), Reply(status=502, body="bad gateway")])
    lines = []
    report = run_post(posting, lines=lines)
    assert report.ok and len(report.sent) == 2 and len(bot.requests) == 4
    assert any("重试" in line for line in lines)


def test_other_client_errors_fail_fast_with_the_platform_message(posting, bot):
    bot.replies.extend([Reply(body={"errcode": 93000, "errmsg": "invalid webhook url"})])
    report = run_post(posting)
    assert len(report.failed) == 1 and "93000" in report.failed[0][1] and "invalid webhook url" in report.failed[0][1]
    assert len(bot.requests) == 2  # no retry for the failed one; the next message still goes


def test_connection_refused_is_retried_then_reported(posting, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("TEST_BOT_URL", f"http://127.0.0.1:{port}/send?key={SECRET_URL_KEY}")
    lines = []
    report = run_post(posting, lines=lines)
    assert len(report.failed) == 2 and not report.sent
    assert all("网络错误" in why for _, why in report.failed)
    assert all(SECRET_URL_KEY not in line for line in lines)
    rows = sqlite3.connect(posting / ".outreach/ledger.sqlite").execute("SELECT status, attempts FROM messages").fetchall()
    assert rows == [("failed", 4), ("failed", 4)]   # every request counts: 1 + 3 retries


def test_failed_messages_are_sent_on_the_next_run(posting, bot):
    bot.replies.extend([Reply(body={"errcode": 93000, "errmsg": "invalid"})])
    run_post(posting)
    report = run_post(posting)
    assert [m.item for m in report.sent] == ["card-renting"] and len(report.skipped) == 1


def test_dry_run_sends_nothing_and_hides_the_key(posting, bot):
    lines = []
    report = run_post(posting, dry_run=True, lines=lines)
    assert bot.requests == [] and not report.sent
    output = "\n".join(lines)
    assert "key=***" in output and SECRET_URL_KEY not in output and "虚假网络贷款诈骗" in output
    assert not (posting / ".outreach/ledger.sqlite").exists()


def test_secrets_never_reach_the_ledger_or_output(posting, bot):
    bot.replies.extend([Reply(status=400, body=f"bad key {SECRET_URL_KEY}")])
    lines = []
    run_post(posting, lines=lines)
    assert SECRET_URL_KEY not in "\n".join(lines)
    assert SECRET_URL_KEY.encode() not in (posting / ".outreach/ledger.sqlite").read_bytes()
    assert SECRET_URL_KEY not in (posting / "outreach.toml").read_text(encoding="utf-8")


def test_dingtalk_signature(mini_project, bot, monkeypatch):
    add_channel(mini_project, "ding", "dingtalk", "markdown", 'secret_env = "TEST_BOT_SECRET"\n')
    monkeypatch.setenv("TEST_BOT_URL", bot.url("/robot/send?access_token=TOKEN0123456789"))
    monkeypatch.setenv("TEST_BOT_SECRET", SIGN_SECRET)
    assert build_project(mini_project, only=("texts",)).ok
    assert run_post(mini_project, "ding", only=["fake-loan"]).ok
    request = bot.requests[0]
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request["path"]).query))
    timestamp = query["timestamp"]
    assert abs(int(timestamp) / 1000 - time.time()) < 60
    expected = base64.b64encode(hmac.new(SIGN_SECRET.encode(), f"{timestamp}\n{SIGN_SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert query["sign"] == expected and query["access_token"] == "TOKEN0123456789"
    assert request["body"]["msgtype"] == "markdown" and request["body"]["markdown"]["title"] == "虚假网络贷款诈骗"


def test_feishu_signature_and_reply_code(mini_project, bot, monkeypatch):
    add_channel(mini_project, "lark", "feishu", "text", 'secret_env = "TEST_BOT_SECRET"\n')
    monkeypatch.setenv("TEST_BOT_URL", bot.url("/open-apis/bot/v2/hook/abcdef0123456789"))
    monkeypatch.setenv("TEST_BOT_SECRET", SIGN_SECRET)
    bot.default = Reply(body={"code": 0, "msg": "success"})
    bot.replies.extend([Reply(body={"code": 9499, "msg": "too many request"})])
    assert build_project(mini_project, only=("texts",)).ok
    report = run_post(mini_project, "lark", only=["fake-loan"])
    assert report.ok and len(bot.requests) == 2
    body = bot.requests[1]["body"]
    expected = base64.b64encode(hmac.new(f"{body['timestamp']}\n{SIGN_SECRET}".encode(), b"",
                                         hashlib.sha256).digest()).decode()
    assert body["sign"] == expected and abs(int(body["timestamp"]) - time.time()) < 60
    assert body["msg_type"] == "text" and body["content"]["text"].startswith("【虚假网络贷款诈骗】")


def test_generic_webhook_sends_idempotency_key(mini_project, bot, monkeypatch):
    add_channel(mini_project, "hook", "webhook", "text")
    monkeypatch.setenv("TEST_BOT_URL", bot.url("/hooks/outreach"))
    bot.default = Reply(status=204, body="")
    assert build_project(mini_project, only=("texts",)).ok
    report = run_post(mini_project, "hook")
    assert report.ok and len(bot.requests) == 2
    request = bot.requests[0]
    assert request["headers"]["Idempotency-Key"] == report.sent[0].key
    assert request["body"]["id"] == "card-renting" and request["body"]["format"] == "text"


def test_missing_environment_variable(posting, monkeypatch):
    from outreach.publish.sender import ChannelError

    monkeypatch.delenv("TEST_BOT_URL")
    with pytest.raises(ChannelError, match="TEST_BOT_URL"):
        run_post(posting)


def test_rate_limiter_spaces_messages():
    now = [0.0]
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(20, 60, clock=lambda: now[0], sleep=sleep)
    for _ in range(20):
        assert limiter.wait() == 0
    assert limiter.wait() == 60 and waits == [60]
    # At t=90 the window (t=30..90) holds the message of t=60: 19 more go at once...
    now[0] += 30
    for _ in range(19):
        assert limiter.wait() == 0
    # ...and the next waits until the one of t=60 leaves the window, at t=120.
    assert limiter.wait() == 30 and waits == [60, 30]


def cli(root, *args, env):
    return subprocess.Popen([sys.executable, "-m", "outreach", "post", *args], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


@pytest.mark.slow
def test_crash_between_send_and_confirm_never_repeats_a_confirmed_message(posting, bot):
    env = {**os.environ, "TEST_BOT_URL": bot.url()}
    # The second message's reply is held back: the platform got it, the client never hears back.
    bot.replies.extend([Reply(), Reply(delay=30)])
    process = cli(posting, "--channel", "group", env=env)
    deadline = time.time() + 30
    while len(bot.requests) < 2 and time.time() < deadline:
        time.sleep(0.02)
    assert len(bot.requests) == 2
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    rows = dict(sqlite3.connect(posting / ".outreach/ledger.sqlite").execute("SELECT item, status FROM messages"))
    assert rows == {"card-renting": "sent", "fake-loan": "sending"}

    # The next run does not send it again on its own: it may have arrived (exit code 3).
    restart = cli(posting, "--channel", "group", env=env)
    output, errors = restart.communicate(timeout=60)
    assert restart.returncode == 3, errors
    assert len(bot.requests) == 2 and "可能已送达但未确认" in errors and "fake-loan" in errors

    # The user checked the group and did not find it: resend on request, once.
    resend = cli(posting, "--channel", "group", "--resend-unconfirmed", env=env)
    output, errors = resend.communicate(timeout=60)
    assert resend.returncode == 0, errors
    items = [b["markdown"]["content"].splitlines()[0] for b in bot.bodies()]
    assert items.count("## 出租出借银行卡违法") == 1       # confirmed: never again
    assert items.count("## 虚假网络贷款诈骗") == 2          # unconfirmed: sent again once, when asked
    assert "没有收到平台确认" in output

    third = cli(posting, "--channel", "group", env=env)
    output, _ = third.communicate(timeout=60)
    assert third.returncode == 0 and len(bot.requests) == 3 and "新发送 0 条" in output


def test_cli_exit_code_and_status(posting, bot):
    env = {**os.environ, "TEST_BOT_URL": bot.url()}
    bot.replies.extend([Reply(body={"errcode": 93000, "errmsg": "invalid webhook url"})])
    failed = cli(posting, "--channel", "group", env=env)
    output, errors = failed.communicate(timeout=60)
    assert failed.returncode == 1 and "未送达" in errors and SECRET_URL_KEY not in output + errors
    status = cli(posting, "--status", env=env)
    output, _ = status.communicate(timeout=60)
    assert status.returncode == 0 and "已发送" in output and "失败" in output and "card-renting" in output


@pytest.mark.slow
def test_newsletter_is_posted_in_the_channel_format(project, bot, monkeypatch):
    add_channel(project, "news", "wecom", "text")
    monkeypatch.setenv("TEST_BOT_URL", bot.url())
    assert build_project(project, only=("texts",)).ok
    report = run_post(project, "news", what="newsletter")
    assert [m.item for m in report.sent] == ["newsletter-2026-11-20"]
    content = bot.bodies()[0]["text"]["content"]
    assert content.startswith("反诈警务手机报（第46期）") and "近期发案情况" in content
    assert run_post(project, "news", what="newsletter", only=["2026-11-20"]).skipped
