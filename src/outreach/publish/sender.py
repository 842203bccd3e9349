"""`outreach post`: send selected texts to one channel, each confirmed message only once."""

from __future__ import annotations

import fcntl
import json
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import httpx

from outreach.config import ChannelConfig, ProjectConfig
from outreach.publish.ledger import Ledger
from outreach.publish.messages import select
from outreach.publish.platforms import PLATFORMS, Message, encode_body
from outreach.publish.ratelimit import RateLimiter
from outreach.publish.redact import redact_url, scrub, url_secrets

LEDGER_PATH = Path(".outreach") / "ledger.sqlite"
MAX_BACKOFF = 60.0


class ChannelError(Exception):
    """The channel cannot be used (unknown, env var missing, already in use); message in Chinese."""


@dataclass
class PostReport:
    sent: list[Message] = field(default_factory=list)
    skipped: list[tuple[Message, str]] = field(default_factory=list)   # (message, when it was sent)
    failed: list[tuple[Message, str]] = field(default_factory=list)    # (message, why)
    repeated: list[Message] = field(default_factory=list)              # unconfirmed last time, sent again

    @property
    def ok(self) -> bool:
        return not self.failed


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
    if not url.startswith(("https://", "http://")):
        raise ChannelError(f"环境变量 {channel.url_env} 的值不是 http(s) 网址。")
    secret = None
    if channel.secret_env:
        secret = os.environ.get(channel.secret_env, "").strip()
        if not secret:
            raise ChannelError(f"环境变量 {channel.secret_env} 没有设置：渠道配置了加签密钥。")
    return url, secret


def post(root: Path, out_dir: Path, config: ProjectConfig, name: str, what: str | None, only: list[str],
         dry_run: bool, say: Callable[[str], None], sleep: Callable[[float], None] = time.sleep) -> PostReport:
    channel = channel_settings(config, name)
    url, secret = _secrets(channel)
    markdown = channel.format == "markdown"
    what = what or ("markdown" if markdown else "text")
    messages = select(out_dir, name, what, markdown, only)
    platform = PLATFORMS[channel.type]
    report = PostReport()
    secrets = [*url_secrets(url), secret or ""]

    if dry_run:
        for message in messages:
            target, body, headers = platform.request(url, secret, message, time.time())
            say(f"将发送到 {redact_url(target)}（{message.item}，{message.kind}）：")
            say(json.dumps(body, ensure_ascii=False, indent=2))
        say(f"演练模式：共 {len(messages)} 条，没有发送任何消息。")
        return report

    with _channel_lock(root, name):
        ledger = Ledger(root / LEDGER_PATH)
        limiter = RateLimiter(*channel.rate_limit(), sleep=sleep)
        try:
            with httpx.Client(timeout=channel.timeout, follow_redirects=False) as client:
                for message in messages:
                    _post_one(message, ledger, limiter, client, platform, channel, url, secret, secrets, report, say, sleep)
        finally:
            ledger.close()
    return report


def _post_one(message, ledger, limiter, client, platform, channel, url, secret, secrets, report, say, sleep) -> None:
    entry = ledger.get(message.key)
    if entry is not None and entry.status == "sent":
        report.skipped.append((message, entry.sent_at or ""))
        say(f"跳过 {message.item}（{message.kind}）：已于 {entry.sent_at} 发送过，内容未变。")
        return
    if entry is not None and entry.status == "sending":
        report.repeated.append(message)
        say(f"注意：{message.item} 上次发出后没有收到平台确认，现在重新发送（群里可能出现两条）。")
    limit = platform.limits["markdown" if message.markdown else "text"]
    size = len(message.content.encode("utf-8"))
    if size > limit:
        report.failed.append((message, f"内容 {size} 字节，超过 {platform.name} 上限 {limit} 字节"))
        say(f"失败 {message.item}：内容 {size} 字节，超过平台上限 {limit} 字节。")
        return

    ledger.start(message.key, message.channel, message.item, message.kind, message.sha256)
    error = ""
    for attempt in range(channel.retries + 1):
        waited = limiter.wait()
        if waited >= 1:
            say(f"按渠道限速等待了 {waited:.0f} 秒。")
        target, body, headers = platform.request(url, secret, message, time.time())
        retry_after = None
        try:
            response = client.post(target, content=encode_body(body),
                                   headers={"Content-Type": "application/json; charset=utf-8", **headers})
            verdict = platform.verdict(response.status_code, response.text)
            retry_after = _retry_after(response)
        except httpx.HTTPError as exc:
            verdict = None
            error = scrub(f"网络错误：{type(exc).__name__}：{exc}", secrets)
        if verdict is not None and verdict.ok:
            ledger.confirm(message.key)
            report.sent.append(message)
            say(f"已发送 {message.item}（{message.kind}）。")
            return
        if verdict is not None:
            error = scrub(verdict.detail, secrets)
            if not verdict.retryable:
                break
        if attempt < channel.retries:
            delay = retry_after if retry_after is not None else \
                min(MAX_BACKOFF, channel.retry_base * 2 ** attempt) * random.uniform(0.5, 1.5)
            say(f"{message.item} 发送未成功（{error}），{delay:.1f} 秒后重试（第 {attempt + 1} 次）。")
            sleep(delay)
    ledger.fail(message.key, error)
    report.failed.append((message, error))
    say(f"失败 {message.item}：{error}")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return min(float(value), MAX_BACKOFF) if value else None
    except ValueError:
        return None


class _channel_lock:
    """One `outreach post` per channel at a time, so two runs never race on a message."""

    def __init__(self, root: Path, name: str) -> None:
        self.path = root / ".outreach" / f"post-{name}.lock"

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.path, "w")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise ChannelError("另一个 outreach post 正在向这个渠道发送，请等它结束后再运行。") from None
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()
