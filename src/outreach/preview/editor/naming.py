"""A file name (id) for a new item, suggested from its Chinese title: 冒充客服退款 → mao-chong-ke-fu-tui-kuan.

Staff type a title, not a Latin file name; the suggestion is shown for them to confirm.
"""

from __future__ import annotations

import re

from outreach.project.models import MAX_ID_LENGTH, id_problem

# Long titles make long file names: the first words are enough to recognise the file.
SUGGESTED_SYLLABLES = 6


def suggest_id(title: str, taken: set[str], fallback: str = "item") -> str:
    from pypinyin import Style, lazy_pinyin

    words = lazy_pinyin(title.strip(), style=Style.NORMAL, errors="default")
    parts: list[str] = []
    for word in words:
        cleaned = re.sub(r"[^a-z0-9]+", "-", word.lower().replace("ü", "v")).strip("-")
        if cleaned:
            parts.append(cleaned)
        if len(parts) >= SUGGESTED_SYLLABLES:
            break
    base = "-".join(parts)[: MAX_ID_LENGTH - 4].strip("-") or fallback
    if id_problem(base):
        base = fallback
    candidate, number = base, 2
    while candidate in taken:
        candidate = f"{base}-{number}"
        number += 1
    return candidate
