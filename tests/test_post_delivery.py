"""Posting that never sends twice: timeouts, resets, rate-limit windows, odd answers, stale
builds, malformed addresses and a damaged ledger — each against a real server on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time

import pytest
from botserver import Reply
from conftest import add_channel, build_project, edit
from test_post import SECRET_URL_KEY, SIGN_SECRET, cli, run_post

from outreach.project.config import load_config
from outreach.publish.freshness import StaleBuild
from outreach.publish.ledger import LedgerError
from outreach.publish.sender import ChannelError, Unconfirmed, post


def statuses(root) -> dict:
    return dict(sqlite3.connect(root / ".outreach/ledger.sqlite").execute("SELECT item, status FROM messages"))


@pytest.mark.slow
def test_a_late_answer_is_unconfirmed_and_never_resent_on_its_own(posting, bot):
    # The platform records the message, then answers after the client's 2-second deadline.
    bot.replies.extend([Reply(), Reply(delay=4)])
    lines = []
    started = time.monotonic()
    report = run_post(posting, lines=lines)
    assert time.monotonic() - started < 4
    assert [m.item for m in report.sent] == ["card-renting"]
    assert [m.item for m, _ in report.unconfirmed] == ["fake-loan"] and not report.failed
    assert len(bot.requests) == 2                      # no automatic retry
    assert any("可能已送达但未确认" in line for line in lines)
    assert statuses(posting) == {"card-renting": "sent", "fake-loan": "unconfirmed"}

    again = run_post(posting)
    assert len(bot.requests) == 2 and [m.item for m, _ in again.unconfirmed] == ["fake-loan"]

    config, _ = load_config(posting)
    marked = post(posting, posting / "build", config, "group", None, [], False, lambda line: None,
                  unconfirmed=Unconfirmed(mark_sent=True))
    assert [m.item for m in marked.marked] == ["fake-loan"] and len(bot.requests) == 2
    assert statuses(posting) == {"card-renting": "sent", "fake-loan": "sent"}


def test_a_reset_after_sending_is_unconfirmed(posting, bot):
    bot.replies.extend([Reply(hang_up=True)])
    report = run_post(posting, only=["card-renting"])
    assert len(bot.requests) == 1 and [m.item for m, _ in report.unconfirmed] == ["card-renting"]
    resent = post(posting, posting / "build", load_config(posting)[0], "group", None, ["card-renting"], False,
                  lambda line: None, unconfirmed=Unconfirmed(resend=True))
    assert [m.item for m in resent.sent] == ["card-renting"] and len(bot.requests) == 2


@pytest.mark.slow
def test_a_trickling_server_is_cut_off_at_the_deadline(posting, bot):
    bot.replies.extend([Reply(body={"errcode": 0, "errmsg": "ok" + " " * 200}, trickle=0.05)])
    started = time.monotonic()
    report = run_post(posting, only=["fake-loan"])
    assert time.monotonic() - started < 3.5                # 2-second deadline, not 10 s of bytes
    assert report.unconfirmed and "2 秒内没有收到完整的回答" in report.unconfirmed[0][1]


def test_a_huge_answer_is_not_read_whole(posting, bot):
    bot.replies.extend([Reply(body="<html>" + "x" * 100, content_type="text/html", size=50_000_000)])
    started = time.monotonic()
    report = run_post(posting, only=["fake-loan"])
    assert time.monotonic() - started < 3
    assert report.unconfirmed and len(report.unconfirmed[0][1]) <= 200


@pytest.mark.slow
def test_rate_limit_window_is_waited_out_and_announced_first(posting, bot):
    edit(posting / "outreach.toml", "limit_wait = 1", "limit_wait = 6")
    bot.limited_until = time.time() + 2                    # 45009 for two seconds, then ok
    events = []

    def wait(seconds, why):
        events.append(("wait", seconds, why, time.time()))
        time.sleep(seconds)

    config, _ = load_config(posting)
    report = post(posting, posting / "build", config, "group", None, [], False, events.append, wait=wait)
    assert report.ok and [m.item for m in report.sent] == ["card-renting", "fake-loan"]
    waits = [e for e in events if isinstance(e, tuple)]
    assert waits and all(0 < seconds <= 6 for _, seconds, _, _ in waits)
    assert "企业微信限流" in waits[0][2] and "45009" in waits[0][2]
    # Every wait was announced before it started, and the success came after the window.
    first_ok = next(r["time"] for r in bot.requests if r["time"] >= bot.limited_until)
    assert waits[0][3] < first_ok


def test_rate_limit_gives_up_after_the_window_and_says_so(posting, bot):
    bot.limited_until = time.time() + 60
    report = run_post(posting, only=["fake-loan"])
    assert report.failed and "仍被限流" in report.failed[0][1] and "45009" in report.failed[0][1]
    assert statuses(posting) == {"fake-loan": "failed"}   # proved undelivered: the next run tries again


def test_dingtalk_block_stops_the_channel_and_says_when_to_retry(mini_project, bot, monkeypatch):
    add_channel(mini_project, "ding", "dingtalk", "text")
    monkeypatch.setenv("TEST_BOT_URL", bot.url("/robot/send?access_token=TOKEN0123456789"))
    assert build_project(mini_project, only=("texts",)).ok
    bot.replies.extend([Reply(body={"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"})])
    report = run_post(mini_project, "ding")
    assert len(bot.requests) == 1 and not report.sent and not report.ok
    assert "以后再运行" in report.stopped and "130101" in report.stopped


@pytest.mark.parametrize("reply, outcome, words", [
    (Reply(status=502, body="<html>\n<title>502 Bad Gateway</title>", content_type="text/html"), "failed",
     ["HTTP 502", "text/html", "<html>"]),
    (Reply(status=200, body="<html><body>portal</body></html>", content_type="text/html"), "unconfirmed",
     ["不是 JSON", "HTTP 200", "text/html"]),
    (Reply(body={"errcode": False, "errmsg": "ok"}), "unconfirmed", ["没有数字错误码"]),
    (Reply(status=504, body="gateway timeout", content_type="text/plain"), "unconfirmed", ["网关超时"]),
])
def test_odd_answers_are_described_in_chinese(posting, bot, reply, outcome, words):
    if reply.status == 502:
        bot.replies.extend([reply] * 4)                    # 5xx is retried, then reported
    else:
        bot.replies.extend([reply])
    report = run_post(posting, only=["fake-loan"])
    found = report.failed if outcome == "failed" else report.unconfirmed
    assert found and not report.sent, report
    assert "None" not in found[0][1] and all(word in found[0][1] for word in words), found[0][1]
    assert statuses(posting) == {"fake-loan": outcome}


@pytest.mark.slow
def test_stale_build_is_refused_until_rebuilt(posting, bot):
    env = {**os.environ, "TEST_BOT_URL": bot.url()}
    edit(posting / "content/scenarios/fake-loan.yaml", "虚假网络贷款诈骗", "虚假网贷诈骗")
    refused = cli(posting, "--channel", "group", env=env)
    _, errors = refused.communicate(timeout=60)
    assert refused.returncode == 1 and "请先运行 outreach build" in errors and "fake-loan" in errors
    assert bot.requests == []
    assert build_project(posting, only=("texts",)).ok
    sent = cli(posting, "--channel", "group", env=env)
    _, errors = sent.communicate(timeout=60)
    assert sent.returncode == 0, errors
    assert "## 虚假网贷诈骗" in [b["markdown"]["content"].splitlines()[0] for b in bot.bodies()]


def test_echoed_secrets_are_removed_before_the_text_is_cut(posting, bot):
    padding = "x" * 170
    echo = f"{padding} bad url http://127.0.0.1/cgi-bin/webhook/send?key={SECRET_URL_KEY.lower()[:3]}" \
           f"{SECRET_URL_KEY[3:]} and %{ord('S'):02x}{SECRET_URL_KEY[1:]}"
    bot.replies.extend([Reply(status=400, body=echo, content_type="text/plain")])
    lines = []
    report = run_post(posting, only=["fake-loan"], lines=lines)
    why = report.failed[0][1]
    assert len(why) <= 200
    stored = (posting / ".outreach/ledger.sqlite").read_bytes().decode("latin-1")
    for text in (why, "\n".join(lines), stored):
        assert SECRET_URL_KEY[4:12] not in text and SECRET_URL_KEY[4:12].lower() not in text.lower()


def test_dry_run_hides_signatures(mini_project, bot, monkeypatch):
    add_channel(mini_project, "lark", "feishu", "text", 'secret_env = "TEST_BOT_SECRET"\n')
    monkeypatch.setenv("TEST_BOT_URL", bot.url("/open-apis/bot/v2/hook/abcdef0123456789"))
    monkeypatch.setenv("TEST_BOT_SECRET", SIGN_SECRET)
    assert build_project(mini_project, only=("texts",)).ok
    lines = []
    run_post(mini_project, "lark", only=["fake-loan"], dry_run=True, lines=lines)
    output = "\n".join(lines)
    assert '"sign": "***"' in output and '"timestamp": "***"' in output and "abcdef0123456789" not in output


@pytest.mark.parametrize("url, why", [
    ("http://[::1/cgi-bin/webhook/send?key=abc", "格式不对"),
    ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc\ndef", "换行"),
    ("https://example.com/" + "a" * 100_000, "太长"),
    ("ftp://example.com/hook", "http(s)"),
])
def test_malformed_addresses_are_refused_before_sending(posting, monkeypatch, url, why):
    monkeypatch.setenv("TEST_BOT_URL", url)
    with pytest.raises(ChannelError) as refused:
        run_post(posting)
    assert why in str(refused.value) and "TEST_BOT_URL" in str(refused.value)
    assert not (posting / ".outreach/ledger.sqlite").exists()


@pytest.mark.slow
def test_damaged_ledger_and_outreach_file_get_clear_messages(posting, bot):
    ledger = posting / ".outreach/ledger.sqlite"
    ledger.parent.mkdir(exist_ok=True)
    ledger.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LedgerError) as damaged:
        run_post(posting)
    assert "已损坏" in str(damaged.value) and "改名备份" in str(damaged.value)
    env = {**os.environ, "TEST_BOT_URL": bot.url()}
    status = cli(posting, "--status", env=env)
    _, errors = status.communicate(timeout=60)
    assert status.returncode == 1 and "已损坏" in errors and "Traceback" not in errors

    shutil.rmtree(ledger.parent)
    ledger.parent.write_text("oops", encoding="utf-8")
    result = cli(posting, "--channel", "group", env=env)
    _, errors = result.communicate(timeout=60)
    assert result.returncode == 1 and "是一个文件，不是目录" in errors and "Traceback" not in errors
    assert bot.requests == []


@pytest.mark.slow
def test_old_ledgers_are_upgraded_in_place(posting, bot):
    ledger = posting / ".outreach/ledger.sqlite"
    ledger.parent.mkdir(exist_ok=True)
    old = sqlite3.connect(ledger)
    old.executescript("""
        CREATE TABLE messages (key TEXT PRIMARY KEY, channel TEXT NOT NULL, item TEXT NOT NULL, kind TEXT NOT NULL,
            sha256 TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0, first_attempt TEXT, last_attempt TEXT, sent_at TEXT, last_error TEXT);
        INSERT INTO messages VALUES ('k', 'group', 'old-item', 'markdown', 'h', 'sent', 1, 'a', 'b', 'c', NULL);
    """)
    old.close()
    bot.replies.extend([Reply(), Reply(delay=4)])
    report = run_post(posting)
    assert report.unconfirmed
    assert statuses(posting) == {"old-item": "sent", "card-renting": "sent", "fake-loan": "unconfirmed"}


@pytest.fixture
def read_only_copy(posting, tmp_path):
    """The project seen through a read-only bind mount (skipped where mounting is not allowed)."""
    view = tmp_path / "read-only"
    view.mkdir()
    mounted = subprocess.run(["mount", "--bind", str(posting), str(view)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("bind mounts are not allowed here")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(view)], capture_output=True).returncode != 0:
            pytest.skip("read-only remounts are not allowed here")
        yield view
    finally:
        subprocess.run(["umount", str(view)], capture_output=True)


@pytest.mark.slow
def test_status_works_on_a_read_only_disk_and_posting_says_why_not(posting, bot, read_only_copy):
    assert run_post(posting).ok
    env = {**os.environ, "TEST_BOT_URL": bot.url()}
    status = cli(read_only_copy, "--status", env=env)
    output, errors = status.communicate(timeout=60)
    assert status.returncode == 0, errors
    assert "card-renting" in output and "已发送" in output and "共 2 条记录" in output
    refused = cli(read_only_copy, "--channel", "group", env=env)
    _, errors = refused.communicate(timeout=60)
    assert refused.returncode == 1 and "只读" in errors and "Traceback" not in errors


def test_a_deleted_scenario_is_not_posted_from_an_old_build(posting, bot):
    (posting / "content/scenarios/fake-loan.yaml").unlink()     # removed, but build/ was not rebuilt
    with pytest.raises(StaleBuild) as refused:
        run_post(posting)
    assert "fake-loan" in str(refused.value) and "outreach build" in str(refused.value) and bot.requests == []
