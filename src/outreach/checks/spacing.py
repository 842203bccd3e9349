"""The project's rule for spaces between Chinese and Latin letters or digits ([lint] cjk_latin_space).

One definition for the lint that reports the places in content and the filter that applies
the rule in every output.
"""

from __future__ import annotations

import re

# Between a CJK character and a Latin letter or digit: a space (for the "none" rule to remove) or
# the empty gap (for the "require" rule to fill). checks/lint.py reports the same places in content.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
SPACE_BETWEEN = re.compile(f"(?<=[{HAN}]) +(?=[A-Za-z0-9])|(?<=[A-Za-z0-9]) +(?=[{HAN}])")
NO_SPACE_BETWEEN = re.compile(f"(?<=[{HAN}])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[{HAN}])")


def apply_spacing(text: str, rule: str) -> str:
    """Text with the project's rule for spaces between Chinese and Latin or digits applied
    ([lint] cjk_latin_space: "none" removes them, "require" adds one, "ignore" leaves it)."""
    if rule == "none":
        return SPACE_BETWEEN.sub("", text)
    if rule == "require":
        return NO_SPACE_BETWEEN.sub(" ", text)
    return text
