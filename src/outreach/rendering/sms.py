"""Counting SMS length and parts the way Chinese gateways bill it.

One GSM-7 message carries 160 characters (153 per part once split, the rest is the
concatenation header); characters from the GSM-7 extension table take two. Any
character outside GSM-7 (every Chinese character) switches the whole message to
UCS-2: 70 characters for one message, 67 per part. The signature 【…】 counts.
"""

from __future__ import annotations

from dataclasses import dataclass

# GSM 03.38 basic character set (the characters that take one septet).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each takes an escape septet plus its own.
GSM7_EXTENDED = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SmsCount:
    encoding: str   # "GSM-7" or "UCS-2"
    units: int      # billed characters (septets for GSM-7, UTF-16 code units for UCS-2)
    parts: int

    @property
    def label(self) -> str:
        return f"{self.units} 字，{self.parts} 条（{self.encoding}）"


# Characters per message: (alone, per part once split).
SIZES = {"GSM-7": (160, 153), "UCS-2": (70, 67)}


def count(text: str) -> SmsCount:
    if all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text):
        units = sum(2 if char in GSM7_EXTENDED else 1 for char in text)
        return SmsCount("GSM-7", units, _parts(units, *SIZES["GSM-7"]))
    # UCS-2 counts UTF-16 code units: characters beyond the BMP take two.
    units = len(text.encode("utf-16-le")) // 2
    return SmsCount("UCS-2", units, _parts(units, *SIZES["UCS-2"]))


def capacity(encoding: str, parts: int) -> int:
    """How many characters `parts` billed messages carry in this encoding."""
    single, per_part = SIZES[encoding]
    return single if parts == 1 else per_part * parts


def _parts(units: int, single: int, per_part: int) -> int:
    if units == 0:
        return 0
    if units <= single:
        return 1
    return -(-units // per_part)
