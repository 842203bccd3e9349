"""Chinese phone numbers as people write them, and the one way this project prints them.

Accepted: short service numbers (110, 96110, 12381), mobiles (11 digits), landlines with
an area code (0571-87654321 or 057187654321, optional extension after "-", "转" or "ext"),
400/800 numbers, and eight-digit local numbers (Hong Kong and Macau have no area codes).

`grouped` is the only place a number is grouped for reading; templates (the `phone` filter,
`hotline.display`) and every message use it, so one number looks the same on a pack's cover,
its back page, a contact card and an SMS. The convention is the one on Chinese public-service
signage, groups as they are read aloud:

    110 / 96110                 short numbers as they are
    138 0013 8000               mobiles 3-4-4, spaces
    0571-8700 0000              landlines: area code, hyphen, local number 4-4 (7 digits: 3-4)
    0571-8700 0000转123         extension after “转” (the spacing rule may space it: [lint] cjk_latin_space)
    400-123-4567                400/800 numbers 3-3-4, hyphens
    8800 7777                   eight-digit local numbers 4-4

A printed number is kept on one line by its template (white-space: nowrap on the number
or on its hotline unit); the spaces are for the reader's eye.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s()（）\u00a0\u3000]")
_EXTENSION = re.compile(r"(?:转|轉|ext\.?|x|#)", re.IGNORECASE)
_SHORT = re.compile(r"\d{3,6}")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LOCAL = re.compile(r"[2-9]\d{7}")
# With a hyphen the area code is whatever precedes it; without one, the area code's length
# follows the national plan (010 and 02x have three digits, the others four).
_LANDLINE = re.compile(r"(0\d{2,3})-(\d{7,8})(?:-(\d{1,5}))?")
_LANDLINE_RUN = re.compile(r"(0(?:10|2\d|[3-9]\d{2}))(\d{7,8})(?:-(\d{1,5}))?")
_SERVICE = re.compile(r"([48]00)-?(\d{3})-?(\d{4})")

FORMATS = "短号（如 110、96110）、手机号（11 位）、带区号的固话（如 0571-87654321，可带分机）、400/800 号码或 8 位本地号码（如澳门 8800 7777）"


def clean(value: str) -> str:
    """Spaces and brackets out, dashes as "-", an extension marker as "-"."""
    text = _SEPARATORS.sub("", value).replace("—", "-").replace("－", "-").replace("–", "-").replace("‐", "-")
    return _EXTENSION.sub("-", text)


def canonical(value: str) -> str | None:
    """The number in one standard form, or None when it is not a Chinese phone number."""
    number = clean(value)
    if _SHORT.fullmatch(number):
        return number
    # Mobiles and local numbers are often written with hyphens (138-0013-8000, 8800-7777).
    if _MOBILE.fullmatch(joined := number.replace("-", "")) or _LOCAL.fullmatch(joined):
        return joined
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


def groups(value: str) -> list[str] | None:
    """The digit groups a number is read in (area code, local halves, extension), or None."""
    number = canonical(value)
    if number is None:
        return None
    if _MOBILE.fullmatch(number):
        return [number[:3], number[3:7], number[7:]]
    if _LOCAL.fullmatch(number):
        return [number[:4], number[4:]]
    if match := _LANDLINE.fullmatch(number):
        area, local, extension = match.groups()
        split = 4 if len(local) == 8 else 3
        return [area, local[:split], local[split:]] + ([extension] if extension else [])
    if match := _SERVICE.fullmatch(number):
        return list(match.groups())
    return [number]


def grouped(value: str) -> str:
    """The number grouped for reading aloud (see the module's table); unknown forms come back as written."""
    number = canonical(value)
    parts = groups(value)
    if number is None or parts is None:
        return value
    if _MOBILE.fullmatch(number) or _LOCAL.fullmatch(number):
        return " ".join(parts)
    if _LANDLINE.fullmatch(number):
        text = f"{parts[0]}-{parts[1]} {parts[2]}"
        return text + (f"转{parts[3]}" if len(parts) > 3 else "")
    return "-".join(parts)
