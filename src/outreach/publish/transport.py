"""One HTTP request to a platform, with a total deadline and a capped answer, and the one
question that matters afterwards: could the platform have received it?

httpx's timeouts apply per network operation, so a server that trickles a byte every few
seconds would hold a request for ever; the request therefore runs in a helper thread that
is abandoned when the deadline passes (it ends at its next per-read timeout).
"""

from __future__ import annotations

import select
import threading
import time
import urllib.parse
from dataclasses import dataclass

import httpx

from outreach.publish.platforms import Reply

MAX_REPLY_BYTES = 64 * 1024     # platform answers are a few hundred bytes
MAX_URL_CHARS = 4096

# Errors raised before any byte of the request left this machine.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol,
             httpx.LocalProtocolError, httpx.ProxyError, httpx.InvalidURL)


class NotDelivered(Exception):
    """The request certainly did not reach the platform (refused, DNS, TLS handshake)."""


class MaybeDelivered(Exception):
    """The request may have reached the platform, but no answer came (timeout, reset)."""


def url_problem(url: str) -> str | None:
    """Why a webhook address cannot be used, in Chinese; None when it can."""
    if len(url) > MAX_URL_CHARS:
        return f"地址太长（{len(url)} 个字符，最多 {MAX_URL_CHARS}）"
    if any(ord(ch) < 0x21 or ord(ch) == 0x7f for ch in url):
        return "地址里有空格、换行或控制字符"
    try:
        parts = urllib.parse.urlsplit(url)
        _ = parts.port   # raises ValueError for a bad port
    except ValueError:
        return "地址格式不对（例如方括号没有成对，或端口不是数字）"
    if parts.scheme not in ("https", "http"):
        return "地址不是 http(s) 网址"
    if not parts.hostname:
        return "地址里没有主机名"
    try:
        httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        return "地址格式不对"
    return None


@dataclass
class _Outcome:
    reply: Reply | None = None
    error: BaseException | None = None


def exchange(client: httpx.Client, url: str, content: bytes, headers: dict, deadline: float) -> Reply:
    """POST and read the answer within `deadline` seconds in total.

    Raises NotDelivered or MaybeDelivered; the message of either is for people (no secrets
    are added here, but the caller scrubs anyway: exception texts can echo the URL)."""
    outcome = _Outcome()

    def run() -> None:
        try:
            with client.stream("POST", url, content=content, headers=headers) as response:
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) >= MAX_REPLY_BYTES:
                        break   # enough to judge; the rest is not read
                text = bytes(body[:MAX_REPLY_BYTES]).decode(response.encoding or "utf-8", errors="replace")
                outcome.reply = Reply(response.status_code, response.headers.get("content-type", ""), text,
                                      response.headers.get("retry-after", ""))
        except BaseException as exc:   # handed to the caller's thread
            outcome.error = exc

    worker = threading.Thread(target=run, name="outreach-post", daemon=True)
    worker.start()
    if not _finished_within(worker, deadline):
        raise MaybeDelivered(f"{deadline:g} 秒内没有收到完整的回答")
    if outcome.error is not None:
        error = outcome.error
        if isinstance(error, _NOT_SENT):
            raise NotDelivered(f"{_name(error)}：{error}") from None
        if isinstance(error, httpx.HTTPError):
            raise MaybeDelivered(f"{_name(error)}：{error}") from None
        raise error
    assert outcome.reply is not None
    return outcome.reply


def _finished_within(worker: threading.Thread, seconds: float) -> bool:
    """Wait for the request thread, polling in small select() sleeps: a timed join() never
    times out when the clock is faked (libfaketime, used to run the tests years ahead)."""
    end = time.monotonic() + seconds
    while worker.is_alive():
        remaining = end - time.monotonic()
        if remaining <= 0:
            return False
        select.select([], [], [], min(remaining, 0.01))
    return True


def _name(error: BaseException) -> str:
    names = {
        "ConnectError": "连接失败", "ConnectTimeout": "连接超时", "PoolTimeout": "连接超时",
        "ReadTimeout": "等待回答超时", "WriteTimeout": "发送超时", "ReadError": "读取回答时连接中断",
        "WriteError": "发送时连接中断", "RemoteProtocolError": "平台提前断开了连接",
        "UnsupportedProtocol": "不支持的协议", "InvalidURL": "地址格式不对", "ProxyError": "代理出错",
    }
    return names.get(type(error).__name__, type(error).__name__)
