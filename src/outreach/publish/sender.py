"""`outreach post`: send selected texts to one channel, each confirmed message only once."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import random
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import httpx

from outreach.core.errors import OutreachError
from outreach.outputs.base import output_prefix
from outreach.project.config import PLATFORM_RATES, ChannelConfig, ProjectConfig
from outreach.publish.hints import settle_hint
from outreach.publish.ledger import Ledger, LedgerError, describe_ledger_error
from outreach.publish.messages import reviewed_only, select
from outreach.publish.platforms import (
    BLOCKED,
    LIMITED,
    PLATFORMS,
    RETRY,
    SENT,
    UNCONFIRMED,
    Message,
    Verdict,
    encode_body,
)
from outreach.publish.ratelimit import RateLimiter, parse_retry_after
from outreach.publish.redact import clip, redact_body, redact_url, request_secrets, scrub, url_secrets
from outreach.publish.transport import MaybeDelivered, NotDelivered, exchange, url_problem

LEDGER_PATH = Path(".outreach") / "ledger.sqlite"
MAX_BACKOFF = 60.0
RATE_WINDOW = 60.0      # WeCom and Feishu count messages per minute
# The shortest wait between two tries while rate-limited, whatever Retry-After says (0, a past
# date): the limit window is then used up in at most limit_wait tries, never in a busy loop.
MIN_LIMIT_PAUSE = 1.0


class ChannelError(OutreachError):
    """The channel cannot be used (unknown, env var missing, already in use); message in Chinese."""


class PostRefused(OutreachError):
    """More than one reason not to send (a stale build and a blank, say): all of them, one a line."""


@dataclass
class PostReport:
    sent: list[Message] = field(default_factory=list)
    skipped: list[tuple[Message, str]] = field(default_factory=list)   # (message, when it was sent)
    failed: list[tuple[Message, str]] = field(default_factory=list)    # (message, why)
    unconfirmed: list[tuple[Message, str]] = field(default_factory=list)  # may have arrived: check the group
    repeated: list[Message] = field(default_factory=list)              # unconfirmed before, re-sent on request
    marked: list[Message] = field(default_factory=list)                # unconfirmed, now recorded as sent
    left: list[Message] = field(default_factory=list)                  # not sent: --mark-sent only records
    stopped: str = ""                                                  # why the channel stopped early
    refused: list[str] = field(default_factory=list)                   # dry run: why a real post would refuse

    @property
    def ok(self) -> bool:
        return not self.failed and not self.stopped


@dataclass(frozen=True)
class Unconfirmed:
    """What to do with messages that may have arrived: leave them (default), send them again,
    or record them as sent after the user saw them in the group."""

    resend: bool = False
    mark_sent: bool = False


def channel_settings(config: ProjectConfig, name: str) -> ChannelConfig:
    channel = config.channels.get(name)
    if channel is None:
        known = "、".join(sorted(config.channels)) or "（还没有配置任何渠道）"
        raise ChannelError(f"outreach.toml 里没有渠道“{name}”。已配置的渠道：{known}。")
    return channel


def _secrets(channel: ChannelConfig) -> tuple[str, str | None]:
    url = os.environ.get(channel.url_env, "").strip()
    if not url:
        raise ChannelError(f"环境变量 {channel.url_env} 没有设置：请把机器人的 Webhook 地址放在这个环境变量里"
                           f"（不要写进 outreach.toml）。")
    problem = url_problem(url)
    if problem:
        raise ChannelError(f"环境变量 {channel.url_env} 里的 Webhook 地址不能用：{problem}。"
                           "请从平台的机器人设置里重新复制完整的地址。")
    secret = None
    if channel.secret_env:
        secret = os.environ.get(channel.secret_env, "").strip()
        if not secret:
            raise ChannelError(f"环境变量 {channel.secret_env} 没有设置：渠道配置了加签密钥。")
    return url, secret


def default_wait(say: Callable[[str], None], sleep: Callable[[float], None]) -> Callable[[float, str], None]:
    def wait(seconds: float, why: str) -> None:
        say(f"{why}：等待 {seconds:.0f} 秒……")
        sleep(seconds)
    return wait


def post(root: Path, out_dir: Path, config: ProjectConfig, name: str, what: str | None, only: list[str],
         dry_run: bool, say: Callable[[str], None], sleep: Callable[[float], None] = time.sleep,
         wait: Callable[[float, str], None] | None = None, unconfirmed: Unconfirmed = Unconfirmed(),
         include_drafts: bool = False, command: str = "outreach post") -> PostReport:
    """Send the selected texts of build/ to one channel. `say` prints a line; `wait(seconds, why)`
    pauses for a rate limit and shows it (a countdown in a terminal). `command` starts the
    commands suggested for unconfirmed messages.

    A dry run shows what would be sent and, in `report.refused`, every reason the real run would
    refuse (a stale build, a blank such as 【请填写签名】); the real run raises them instead.
    Files that are not what the manifest recorded are refused by both, before anything is shown."""
    channel = channel_settings(config, name)
    url, secret = _secrets(channel)
    markdown = channel.format == "markdown"
    what = what or ("markdown" if markdown else "text")
    messages = select(out_dir, name, what, markdown, only, prefix=output_prefix(config.project.locale))
    messages = reviewed_only(root, messages, include_drafts, say)
    # --mark-sent sends nothing, so only it may skip the checks of what would be sent.
    refusals = [] if unconfirmed.mark_sent else _refusals(root, out_dir, messages)
    platform = PLATFORMS[channel.type]
    report = PostReport()
    wait = wait or default_wait(say, sleep)

    if dry_run:
        for message in messages:
            target, body, headers = platform.request(url, secret, message, time.time())
            say(f"将发送到 {redact_url(target)}（{message.item}，{message.what}）：")
            say(json.dumps(redact_body(body), ensure_ascii=False, indent=2))
        report.refused = [str(problem) for problem in refusals]
        say(f"演练模式：共 {len(messages)} 条，没有发送任何消息。"
            + (f"有 {len(refusals)} 个问题，改好之前真正发送时会拒绝。" if refusals else ""))
        return report
    if refusals:
        raise refusals[0] if len(refusals) == 1 else PostRefused("\n".join(str(p) for p in refusals))

    with _channel_lock(root, name):
        ledger = Ledger(root / LEDGER_PATH)
        poster = _Poster(ledger, platform, channel, url, secret, report, say, sleep, wait, unconfirmed,
                         lambda m: settle_hint([m], command, include_drafts))
        try:
            for message in messages:
                if report.stopped:
                    break
                poster.post(message)
        except sqlite3.DatabaseError as exc:
            raise LedgerError(describe_ledger_error(exc, root / LEDGER_PATH)) from None
        finally:
            poster.close()
            ledger.close()
    return report


def _refusals(root: Path, out_dir: Path, messages: list[Message]) -> list[OutreachError]:
    """Every reason not to send these messages: text older than the content (sending old text
    would be worse than sending none), and blanks still waiting to be filled in."""
    from outreach.publish.freshness import StaleBuild, refuse_stale
    from outreach.publish.placeholders import placeholder_problems

    problems: list[OutreachError] = []
    try:
        refuse_stale(root, out_dir, {m.path for m in messages})
    except StaleBuild as stale:
        problems.append(stale)
    problems.extend(placeholder_problems(root, messages))
    return problems


class _Poster:
    """Sends one channel's messages in turn, deciding after each answer what may happen next."""

    def __init__(self, ledger, platform, channel, url, secret, report, say, sleep, wait, unconfirmed, hint) -> None:
        self.ledger, self.platform, self.channel = ledger, platform, channel
        self.url, self.secret = url, secret
        self.report, self.say, self.sleep, self.wait = report, say, sleep, wait
        self.unconfirmed = unconfirmed
        self.hint = hint
        count, period = channel.rate_limit()
        self.limiter = RateLimiter(count, period, sleep=sleep)
        self.client = self._client()

    def _client(self) -> httpx.Client:
        return httpx.Client(timeout=self.channel.timeout, follow_redirects=False)

    def close(self) -> None:
        self.client.close()

    def post(self, message: Message) -> None:
        entry = self.ledger.get(message.key)
        if entry is not None and entry.status == "sent":
            self.report.skipped.append((message, entry.sent_at or ""))
            self.say(f"跳过 {message.item}（{message.what}）：已于 {entry.sent_at} 发送过，内容未变。")
            return
        if entry is not None and entry.status in ("sending", "unconfirmed"):
            if not self._settle_unconfirmed(message, entry):
                return
        elif self.unconfirmed.mark_sent:
            self.report.left.append(message)
            self.say(f"没有发送 {message.item}（{message.what}）：--mark-sent 只记录，不发送新消息。")
            return
        limit = self.platform.limits["markdown" if message.markdown else "text"]
        size = len(message.content.encode("utf-8"))
        if size > limit:
            self._fail(message, f"内容 {size} 字节，超过{self.platform.label}的上限 {limit} 字节", record=False)
            return
        self._attempts(message)

    def _settle_unconfirmed(self, message: Message, entry) -> bool:
        """True when the message should be sent (again) now."""
        when = entry.last_attempt or ""
        if self.unconfirmed.mark_sent:
            self.ledger.mark_sent(message.key)
            self.report.marked.append(message)
            self.say(f"已记为发送：{message.item}（{message.what}，{when} 发出的那一次）。")
            return False
        if self.unconfirmed.resend:
            self.report.repeated.append(message)
            self.say(f"重新发送 {message.item}（{message.what}）：{when} 那一次没有收到平台确认（群里可能出现两条）。")
            return True
        why = entry.last_error or "发送中途被中断"
        self.report.unconfirmed.append((message, why))
        self.say(f"可能已送达但未确认：{message.item}（{message.what}，{when}；{why}）。请到群里查看：\n"
                 f"{self.hint(message)}")
        return False

    def _attempts(self, message: Message) -> None:
        channel, platform = self.channel, self.platform
        retries = 0
        waited_for_limit = 0.0
        while True:
            waited = self.limiter.wait()
            if waited >= 1:
                self.say(f"按渠道限速（{channel.rate or PLATFORM_RATES[channel.type]}）等待了 {waited:.0f} 秒。")
            target, body, headers = platform.request(self.url, self.secret, message, time.time())
            secrets = [*url_secrets(self.url), self.secret or "", *request_secrets(target, body)]
            payload = encode_body(body)
            # "sending" only once the request is ready to leave: a failure before this line sent nothing.
            self.ledger.start(message.key, message.channel, message.item, message.what, message.sha256)
            try:
                reply = exchange(self.client, target, payload,
                                 {"Content-Type": "application/json; charset=utf-8", **headers}, channel.timeout)
            except NotDelivered as exc:
                verdict, retry_after = Verdict(RETRY, f"网络错误：{exc}"), None
            except MaybeDelivered as exc:
                verdict, retry_after = Verdict(UNCONFIRMED, f"发出后没有收到回答：{exc}"), None
                self.client.close()   # a request may still hang in it
                self.client = self._client()
            else:
                verdict, retry_after = platform.verdict(reply), parse_retry_after(reply.retry_after)
            detail = clip(scrub(verdict.detail, secrets))
            if verdict.outcome == SENT:
                self.ledger.confirm(message.key)
                self.report.sent.append(message)
                self.say(f"已发送 {message.item}（{message.what}）。")
                return
            if verdict.outcome == UNCONFIRMED:
                self.ledger.unconfirmed(message.key, detail)
                self.report.unconfirmed.append((message, detail))
                self.say(f"可能已送达但未确认：{message.item}（{detail}）。请到群里查看；为免重复，不会自动重发。")
                return
            # Every other answer proves the message did not arrive. Record that before any wait:
            # a run interrupted while waiting must leave "failed" (tried again next time), not
            # "sending" (held back as if it might be in the group).
            self.ledger.fail(message.key, detail)
            if verdict.outcome == BLOCKED:
                until = dt.datetime.now() + dt.timedelta(minutes=platform.block_minutes)
                self.report.stopped = (f"{platform.label}暂停了这个机器人（{detail}）：请在 {until:%H:%M} 以后再运行"
                                       "（已发送的不会重发）。")
                self._fail(message, detail, record=False)
                return
            if verdict.outcome == LIMITED and waited_for_limit < channel.limit_wait:
                pause = retry_after if retry_after is not None else max(channel.limit_wait / 6, MIN_LIMIT_PAUSE)
                pause = min(max(pause, MIN_LIMIT_PAUSE), channel.limit_wait - waited_for_limit)
                self.wait(pause, f"{platform.label}限流（{detail}），在平台的限流窗口内等待后重试")
                waited_for_limit += max(pause, MIN_LIMIT_PAUSE)   # a sliver left still counts as one try
                continue
            if verdict.outcome == RETRY and retries < channel.retries:
                delay = retry_after if retry_after is not None else \
                    min(MAX_BACKOFF, channel.retry_base * 2 ** retries) * random.uniform(0.5, 1.5)
                retries += 1
                self.say(f"{message.item} 发送未成功（{detail}），{delay:.1f} 秒后重试（第 {retries} 次）。")
                self.sleep(delay)
                continue
            if verdict.outcome == LIMITED:
                detail = f"{detail}；等了 {waited_for_limit:.0f} 秒仍被限流，下次运行会再发"
            self._fail(message, detail)
            return

    def _fail(self, message: Message, why: str, record: bool = True) -> None:
        if record:
            self.ledger.fail(message.key, why)
        self.report.failed.append((message, why))
        self.say(f"失败 {message.item}：{why}")


class _channel_lock:
    """One `outreach post` per channel at a time, so two runs never race on a message."""

    def __init__(self, root: Path, name: str) -> None:
        self.path = root / ".outreach" / f"post-{name}.lock"

    def __enter__(self):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = open(self.path, "w")
        except (FileExistsError, NotADirectoryError):
            raise LedgerError(f"“{self.path.parent.name}”是一个文件，不是目录：发送记录和锁要保存在这个目录里。"
                              "请把这个文件改名或移走后再运行。") from None
        except OSError as exc:
            raise LedgerError(f"无法在 {self.path.parent} 里建立发送锁（{exc.strerror}）：目录是只读的或没有权限。"
                              "请在可写的项目目录里运行；查看记录可以用 outreach post --status。") from None
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise ChannelError("另一个 outreach post 正在向这个渠道发送，请等它结束后再运行。") from None
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()
