"""Chinese phone numbers as people write them, and as they should be printed for reading.

Accepted: short service numbers (110, 96110, 12381), mobiles (11 digits), landlines with
an area code (0571-87654321 or 057187654321, optional extension), 400/800 numbers, and
eight-digit local numbers (Hong Kong and Macau have no area codes: 8800 7777).
Printed grouped the way they are read out: 139 0000 0001, 0571-8765 4321, 400-123-4567,
8800 7777.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s()（）]")
_SHORT = re.compile(r"\d{3,6}")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LOCAL = re.compile(r"[2-9]\d{7}")
# With a hyphen the area code is whatever precedes it; without one, the area code's length
# follows the national plan (010 and 02x have three digits, the others four).
_LANDLINE = re.compile(r"(0\d{2,3})-(\d{7,8})(?:-(\d{1,5}))?")
_LANDLINE_RUN = re.compile(r"(0(?:10|2\d|[3-9]\d{2}))(\d{7,8})(?:-(\d{1,5}))?")
_SERVICE = re.compile(r"([48]00)-?(\d{3})-?(\d{4})")

FORMATS = "短号（如 110、96110）、手机号（11 位）、带区号的固话（如 0571-87654321）、400/800 号码或 8 位本地号码（如澳门 8800 7777）"


def clean(value: str) -> str:
    return _SEPARATORS.sub("", value).replace("—", "-").replace("－", "-").replace("–", "-")


def canonical(value: str) -> str | None:
    """The number in one standard form, or None when it is not a Chinese phone number."""
    number = clean(value)
    if _SHORT.fullmatch(number) or _MOBILE.fullmatch(number) or _LOCAL.fullmatch(number):
        return number
    if match := _LANDLINE.fullmatch(number) or _LANDLINE_RUN.fullmatch(number):
        area, local, extension = match.groups()
        return f"{area}-{local}" + (f"-{extension}" if extension else "")
    if match := _SERVICE.fullmatch(number):
        return "-".join(match.groups())
    return None


def is_mobile(value: str) -> bool:
    number = canonical(value)
    return number is not None and _MOBILE.fullmatch(number) is not None


def digits(value: str) -> str:
    """What is dialled (tel: links, comparisons)."""
    return re.sub(r"\D", "", value)


def grouped(value: str) -> str:
    """The number grouped for reading aloud; unknown forms come back as written."""
    number = canonical(value)
    if number is None:
        return value
    if _MOBILE.fullmatch(number):
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if _LOCAL.fullmatch(number):
        return f"{number[:4]} {number[4:]}"
    if match := _LANDLINE.fullmatch(number):
        area, local, extension = match.groups()
        split = 4 if len(local) == 8 else 3
        text = f"{area}-{local[:split]} {local[split:]}"
        return text + (f" 转 {extension}" if extension else "")
    return number
