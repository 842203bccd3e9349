"""What each platform expects: the request body, the signature, and what a reply means."""

from __future__ import annotations

import abc
import base64
import hashlib
import hmac
import json
import urllib.parse
from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """One text to post to one channel."""

    key: str        # ledger key: channel + item + message type + content hash
    channel: str
    item: str       # scenario id, or newsletter-YYYY-MM-DD
    what: str       # the message type (post --what): sms | text | markdown | newsletter
    path: str       # build-relative file it came from
    title: str
    content: str
    sha256: str
    markdown: bool  # send as Markdown (else plain text)


SENT, RETRY, LIMITED, BLOCKED, UNCONFIRMED, REJECTED = "sent", "retry", "limited", "blocked", "unconfirmed", "rejected"


@dataclass(frozen=True)
class Verdict:
    """What a reply means for the message.

    sent: the platform confirmed it. retry: it proves nothing arrived (5xx, a platform error
    body), try again with backoff. limited: rate-limited, wait for the platform's window.
    blocked: the platform paused this bot for longer (DingTalk 130101), stop the channel.
    unconfirmed: it may have arrived (a gateway timeout, a reply that is not the platform's):
    never re-send without the user's say. rejected: the platform refused it; do not retry.
    """

    outcome: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == SENT


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    text: str
    retry_after: str = ""   # the Retry-After header, when the platform sent one


def message_key(channel: str, item: str, what: str, sha256: str) -> str:
    return hashlib.sha256(f"{channel}\0{item}\0{what}\0{sha256}".encode()).hexdigest()


def _json_reply(text: str) -> dict | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _code(data: dict | None) -> int | None:
    """The platform's error code; None unless it is a real integer (bool is an int in Python:
    {"errcode": false} must not read as 0)."""
    if data is None:
        return None
    code = data.get("errcode", data.get("code", data.get("StatusCode")))
    return code if type(code) is int else None


def describe(reply: Reply) -> str:
    """What came back, for a person: status, content type and the first line of text."""
    first = next((line.strip() for line in reply.text.splitlines() if line.strip()), "（空）")
    kind = reply.content_type.split(";")[0].strip() or "未注明类型"
    return f"HTTP {reply.status}，{kind}，内容第一行：{first}"


def _http_verdict(reply: Reply) -> Verdict | None:
    """Transport-level outcome shared by all platforms (None: look at the body)."""
    if reply.status == 429:
        return Verdict(LIMITED, f"HTTP 429 请求太频繁（{describe(reply)}）")
    if reply.status == 504:
        # A gateway gave up waiting for the platform, which may still have taken the message.
        return Verdict(UNCONFIRMED, f"网关超时，平台可能已收到（{describe(reply)}）")
    if reply.status >= 500:
        return Verdict(RETRY, f"平台服务器出错（{describe(reply)}）")
    if not 200 <= reply.status < 300:
        return Verdict(REJECTED, f"平台拒绝了请求（{describe(reply)}）")
    return None


def encode_body(body: dict) -> bytes:
    """The exact bytes sent (and, for generic webhooks, signed)."""
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")


class Platform(abc.ABC):
    name = ""
    label = ""
    limits = {"text": 2048, "markdown": 4096}  # bytes
    rate_limited_codes: frozenset[int] = frozenset()
    blocked_codes: frozenset[int] = frozenset()
    block_minutes = 10

    @abc.abstractmethod
    def request(self, url: str, secret: str | None, message: Message, now: float) -> tuple[str, dict, dict]:
        """(url, json body, extra headers) for one message."""

    def verdict(self, reply: Reply) -> Verdict:
        data = _json_reply(reply.text)
        code = _code(data)
        if 400 <= reply.status < 500 and code in self.rate_limited_codes | self.blocked_codes:
            return self._coded(code, data or {}, reply)   # some platforms send their rate limits as HTTP 400
        transport = _http_verdict(reply)
        if transport is not None:
            return transport
        if data is None:
            return Verdict(UNCONFIRMED, f"平台的回答不是 JSON，无法确认是否送达（{describe(reply)}）")
        if code is None:
            return Verdict(UNCONFIRMED, f"平台的回答里没有数字错误码，无法确认是否送达（{describe(reply)}）")
        return self._coded(code, data, reply)

    def _coded(self, code: int, data: dict, reply: Reply) -> Verdict:
        if code == 0:
            return Verdict(SENT)
        message = data.get("errmsg") or data.get("msg") or data.get("StatusMessage") or ""
        detail = f"错误码 {code}：{message if isinstance(message, str) and message else describe(reply)}"
        if code in self.blocked_codes:
            return Verdict(BLOCKED, detail)
        if code in self.rate_limited_codes:
            return Verdict(LIMITED, detail)
        return Verdict(REJECTED, detail)


class WeCom(Platform):
    """企业微信群机器人: errcode 0 is success; 45009 means too many messages."""

    name = "wecom"
    label = "企业微信"
    rate_limited_codes = frozenset({45009})

    def request(self, url, secret, message, now):
        if message.markdown:
            return url, {"msgtype": "markdown", "markdown": {"content": message.content}}, {}
        return url, {"msgtype": "text", "text": {"content": message.content}}, {}


class DingTalk(Platform):
    """钉钉自定义机器人: optional 加签 (HMAC-SHA256 of "timestamp\\nsecret", ms timestamp)."""

    name = "dingtalk"
    label = "钉钉"
    limits = {"text": 20000, "markdown": 20000}
    # 130101: more than 20 a minute; the bot is then paused for 10 minutes.
    rate_limited_codes = frozenset({90030})
    blocked_codes = frozenset({130101})

    def request(self, url, secret, message, now):
        if secret:
            timestamp = str(int(now * 1000))
            digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
            sign = urllib.parse.quote_plus(base64.b64encode(digest))
            url = f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"
        if message.markdown:
            return url, {"msgtype": "markdown", "markdown": {"title": message.title, "text": message.content}}, {}
        return url, {"msgtype": "text", "text": {"content": message.content}}, {}


class Feishu(Platform):
    """飞书自定义机器人: optional 签名 (HMAC-SHA256 keyed with "timestamp\\nsecret" over "", s timestamp)."""

    name = "feishu"
    label = "飞书"
    limits = {"text": 30000, "markdown": 30000}
    rate_limited_codes = frozenset({9499, 11232})

    def request(self, url, secret, message, now):
        if message.markdown:
            body = {"msg_type": "interactive", "card": {
                "header": {"title": {"tag": "plain_text", "content": message.title}},
                "elements": [{"tag": "markdown", "content": message.content}]}}
        else:
            body = {"msg_type": "text", "content": {"text": message.content}}
        if secret:
            timestamp = str(int(now))
            digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
            body = {"timestamp": timestamp, "sign": base64.b64encode(digest).decode(), **body}
        return url, body, {}


class Webhook(Platform):
    """Any HTTP endpoint: a JSON POST, success on 2xx, with an Idempotency-Key header."""

    name = "webhook"
    label = "Webhook"
    limits = {"text": 1_000_000, "markdown": 1_000_000}

    def request(self, url, secret, message, now):
        body = {"id": message.item, "kind": message.what, "channel": message.channel, "title": message.title,
                "format": "markdown" if message.markdown else "text", "content": message.content,
                "sha256": message.sha256}
        headers = {"Idempotency-Key": message.key}
        if secret:
            raw = encode_body(body)
            headers["X-Outreach-Signature"] = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        return url, body, headers

    def verdict(self, reply):
        return _http_verdict(reply) or Verdict(SENT)


PLATFORMS: dict[str, Platform] = {p.name: p for p in (WeCom(), DingTalk(), Feishu(), Webhook())}

