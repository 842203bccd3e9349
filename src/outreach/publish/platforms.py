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

    key: str        # ledger key: channel + item + kind + content hash
    channel: str
    item: str       # scenario id, or newsletter-YYYY-MM-DD
    kind: str       # sms | text | markdown | newsletter
    path: str       # build-relative file it came from
    title: str
    content: str
    sha256: str
    markdown: bool  # send as Markdown (else plain text)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    retryable: bool = False
    detail: str = ""


def message_key(channel: str, item: str, kind: str, sha256: str) -> str:
    return hashlib.sha256(f"{channel}\0{item}\0{kind}\0{sha256}".encode()).hexdigest()


def _json_reply(text: str) -> dict:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _http_verdict(status: int, text: str) -> Verdict | None:
    """Transport-level outcome shared by all platforms (None: look at the body)."""
    if status == 429 or status >= 500:
        return Verdict(False, True, f"HTTP {status}")
    if not 200 <= status < 300:
        return Verdict(False, False, f"HTTP {status}：{text[:200]}")
    return None


def encode_body(body: dict) -> bytes:
    """The exact bytes sent (and, for generic webhooks, signed)."""
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")


class Platform(abc.ABC):
    name = ""
    limits = {"text": 2048, "markdown": 4096}  # bytes
    rate_limited_codes: frozenset[int] = frozenset()

    @abc.abstractmethod
    def request(self, url: str, secret: str | None, message: Message, now: float) -> tuple[str, dict, dict]:
        """(url, json body, extra headers) for one message."""

    def verdict(self, status: int, text: str) -> Verdict:
        transport = _http_verdict(status, text)
        if transport is not None:
            return transport
        reply = _json_reply(text)
        code = reply.get("errcode", reply.get("code", reply.get("StatusCode")))
        if code == 0:
            return Verdict(True)
        detail = f"错误码 {code}：{reply.get('errmsg') or reply.get('msg') or reply.get('StatusMessage') or text[:200]}"
        return Verdict(False, code in self.rate_limited_codes, detail)


class WeCom(Platform):
    """企业微信群机器人: errcode 0 is success; 45009 means too many messages."""

    name = "wecom"
    rate_limited_codes = frozenset({45009})

    def request(self, url, secret, message, now):
        if message.markdown:
            return url, {"msgtype": "markdown", "markdown": {"content": message.content}}, {}
        return url, {"msgtype": "text", "text": {"content": message.content}}, {}


class DingTalk(Platform):
    """钉钉自定义机器人: optional 加签 (HMAC-SHA256 of "timestamp\\nsecret", ms timestamp)."""

    name = "dingtalk"
    limits = {"text": 20000, "markdown": 20000}
    rate_limited_codes = frozenset({130101, 90030})

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
    limits = {"text": 1_000_000, "markdown": 1_000_000}

    def request(self, url, secret, message, now):
        body = {"id": message.item, "kind": message.kind, "channel": message.channel, "title": message.title,
                "format": "markdown" if message.markdown else "text", "content": message.content,
                "sha256": message.sha256}
        headers = {"Idempotency-Key": message.key}
        if secret:
            raw = encode_body(body)
            headers["X-Outreach-Signature"] = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        return url, body, headers

    def verdict(self, status, text):
        return _http_verdict(status, text) or Verdict(True)


PLATFORMS: dict[str, Platform] = {p.name: p for p in (WeCom(), DingTalk(), Feishu(), Webhook())}

