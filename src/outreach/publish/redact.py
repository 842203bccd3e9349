"""Keep webhook URLs and secrets out of every message, log line and ledger row."""

from __future__ import annotations

import json
import re
import urllib.parse

_TOKENISH = re.compile(r"^[A-Za-z0-9_\-]{12,}$")


def redact_url(url: str) -> str:
    """scheme://host/path with query values and token-like path parts replaced by ***."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "***"
    path = "/".join("***" if _TOKENISH.match(segment) else segment for segment in parts.path.split("/"))
    query = "&".join(f"{name}=***" for name, _ in urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, path, query, ""))


def scrub(text: str, secrets: list[str]) -> str:
    """Remove every secret from a piece of text: as written, percent-encoded once or twice in
    either case (a platform echoing the URL may encode any character, and DingTalk quotes its
    already-encoded `sign` again), '+' for space, or JSON-escaped; then every value of a
    credential-like query parameter (redact_params)."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = _secret_pattern(secret).sub("***", text)
    return redact_params(text)


# Query parameters whose value is a credential or part of a signature. The `=` may itself be
# percent-encoded once (%3D) or twice (%253D) when a URL is quoted inside another one.
_PARAM = re.compile(r"(?:(?<![A-Za-z0-9_])|(?<=%[0-9A-Fa-f]{2})|(?<=%25[0-9A-Fa-f]{2}))"
                    r"(access_token|token|key|sign|signature|secret|timestamp|ticket)(=|%3D|%253D)"
                    r"(?:(?!%26|%2526)[^&\s\"'<>,;)\]}])+", re.IGNORECASE)


def redact_params(text: str) -> str:
    """Hide the values of key=, access_token=, sign=, timestamp=, secret=… wherever they appear,
    for text whose secrets are not known in advance (crash logs, a platform's echo)."""
    return _PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)


def _secret_pattern(secret: str) -> re.Pattern:
    def char(ch: str) -> str:
        raw = ch.encode("utf-8")
        encoded = "".join(f"%{byte:02x}" for byte in raw)
        twice = "".join(f"%25{byte:02x}" for byte in raw)
        forms = [re.escape(ch), encoded, twice, re.escape(json.dumps(ch)[1:-1])]
        if ch == " ":
            forms.append(r"\+")
        if ch == "/":
            forms.append(r"\\/")
        return "(?:" + "|".join(dict.fromkeys(forms)) + ")"
    return re.compile("".join(char(ch) for ch in secret), re.IGNORECASE)


def url_secrets(url: str) -> list[str]:
    """The parts of a webhook URL that work as credentials: query values, token-like path parts."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return [url]
    found = [url]
    found += [value for _, value in urllib.parse.parse_qsl(parts.query) if len(value) >= 6]
    found += [segment for segment in parts.path.split("/") if _TOKENISH.match(segment)]
    return found


MAX_ERROR_CHARS = 200
_SIGNED_FIELDS = ("sign", "timestamp")


def clip(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """Shorten error text for a line and the ledger; always after scrub(), so a secret cut in
    half cannot survive as a fragment no longer matching the whole."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def request_secrets(target: str, body: dict) -> list[str]:
    """Values of one signed request that should not be echoed: the URL's signature and
    timestamp (DingTalk) and the body's (Feishu)."""
    found = [str(body[name]) for name in _SIGNED_FIELDS if body.get(name)]
    try:
        query = urllib.parse.parse_qsl(urllib.parse.urlsplit(target).query)
    except ValueError:
        return found
    return found + [value for name, value in query if name in _SIGNED_FIELDS and value]


def redact_body(body: dict) -> dict:
    """The request body for a dry run, with signature fields hidden."""
    return {name: ("***" if name in _SIGNED_FIELDS else value) for name, value in body.items()}
