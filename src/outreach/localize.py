"""Traditional Chinese output: Simplified text converted with OpenCC after rendering."""

from __future__ import annotations

from functools import lru_cache

HANT = "zh-Hant"


@lru_cache(maxsize=4)
def _converter(config: str):
    from opencc_purepy import OpenCC

    return OpenCC(config)


def to_locale(text: str, locale: str, config: str = "s2t") -> str:
    """The text as readers of `locale` should see it (unchanged for Simplified Chinese).

    s2t converts character by character, which keeps official names (laws, agencies)
    as published; s2twp and s2hk also swap in regional wording.
    """
    if locale != HANT:
        return text
    return _converter(config).convert(text)


def hant_font_family(css: str) -> str:
    """Prefer the Traditional Chinese cut of the same fonts (glyph shapes differ)."""
    for simplified, traditional in (("CJK SC", "CJK TC"), ("Sans SC", "Sans TC"), ("Serif SC", "Serif TC")):
        css = css.replace(simplified, traditional)
    return css
