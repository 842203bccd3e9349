"""Keep webhook URLs and secrets out of every message, log line and ledger row."""

from __future__ import annotations

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
    """Remove every secret (and URL-encoded forms of it) from a piece of text."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        for form in {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}:
            text = text.replace(form, "***")
    return text


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
