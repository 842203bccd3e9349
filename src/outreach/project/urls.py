"""Web addresses a project prints or links (QR codes, the feed's home page, station QR links)."""

from __future__ import annotations

from urllib.parse import urlsplit

URL_EXAMPLE = "https://www.example.gov.cn/"


def url_problem(value: str) -> str | None:
    """Why `value` cannot be printed as a link, in plain words (no full stop), or None.

    Only http(s): a QR code or a link with javascript:, data: or vbscript: runs on the phone of
    whoever scans or taps it, and file: or a scheme-less path leads nowhere for the public."""
    if any(c.isspace() or not c.isprintable() for c in value):
        return "网址里不能有空格、换行或看不见的字符"
    try:
        parts = urlsplit(value)
    except ValueError:
        return f"不是有效的网址，例如 {URL_EXAMPLE}"
    if parts.scheme not in ("http", "https"):
        scheme = f"“{parts.scheme}:”开头的链接" if parts.scheme else "没有 http:// 或 https:// 的地址"
        return f"只能用 http:// 或 https:// 开头的网址（例如 {URL_EXAMPLE}），不能用{scheme}"
    if not parts.hostname or not value.lower().startswith(f"{parts.scheme}://"):
        return f"网址缺少网站域名，例如 {URL_EXAMPLE}"
    return None
