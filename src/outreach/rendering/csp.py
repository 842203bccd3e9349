"""Seal an HTML page's Content-Security-Policy to the hashes of its own inline scripts.

The offline H5 quiz page runs one inline script. `script-src 'unsafe-inline'` would let any
script injected into the page run too; listing the sha256 of each inline script instead lets
exactly the page's own code run. The hashes are taken from the final bytes (after the
Traditional Chinese conversion), so they always match what the browser sees.
"""

from __future__ import annotations

import base64
import hashlib
import re

_CSP_META = re.compile(
    r'(<meta\s+http-equiv=["\']Content-Security-Policy["\']\s+content=")([^"]*)(")', re.I)
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
_SRC = re.compile(r"\bsrc\s*=", re.I)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)
_EXECUTABLE_TYPES = {"", "text/javascript", "application/javascript", "module"}


def inline_script_hashes(page: str) -> list[str]:
    """CSP source expressions ('sha256-…') of every inline script the browser would execute."""
    hashes = []
    for attributes, body in _SCRIPT.findall(page):
        if _SRC.search(attributes):
            continue
        kind = _TYPE.search(attributes)
        if (kind.group(1).lower() if kind else "") not in _EXECUTABLE_TYPES:
            continue  # data blocks such as <script type="application/json"> never run
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        source = f"'sha256-{digest}'"
        if source not in hashes:
            hashes.append(source)
    return hashes


def seal_policy(policy: str, hashes: list[str]) -> str:
    """The policy with its script-src replaced by exactly `hashes` ('none' when there are none)."""
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    kept = [d for d in directives if d.split()[0].lower() not in ("script-src", "script-src-elem", "script-src-attr")]
    kept.append("script-src " + (" ".join(hashes) if hashes else "'none'"))
    kept.append("script-src-attr 'none'")
    return "; ".join(kept)


def seal_inline_scripts(data: bytes) -> bytes:
    """Pages with a CSP meta tag get their script-src sealed; other files pass unchanged."""
    try:
        page = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    match = _CSP_META.search(page)
    if match is None:
        return data
    hashes = inline_script_hashes(page)
    sealed = match.group(1) + seal_policy(match.group(2), hashes) + match.group(3)
    return (page[:match.start()] + sealed + page[match.end():]).encode("utf-8")
