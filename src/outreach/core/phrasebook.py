"""Turning English messages from libraries (click, Jinja) into Chinese: a table of
(pattern, template); the first pattern that matches fills its template with the groups."""

from __future__ import annotations

import re
from typing import Callable

Table = list[tuple[re.Pattern, str]]


def translate(message: str, table: Table, inner: Callable[[str], str] | None = None) -> str:
    """The message in Chinese, or unchanged when no pattern matches. `inner` translates the
    matched groups too (click nests messages: "Invalid value for X: <another message>")."""
    for pattern, template in table:
        match = pattern.match(message)
        if match:
            groups = (inner(g) if inner and g else g or "" for g in match.groups())
            return template.format(*groups).strip()
    return message
