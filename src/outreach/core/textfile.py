"""Decode a text file that people edit: UTF-8 (a BOM and CRLF tolerated), or where it is not."""

from __future__ import annotations


class NotText(Exception):
    """The bytes are not UTF-8 text: `line` and `column` (1-based) of the first bad byte;
    `binary` when it is a NUL (a binary file, not a mis-saved text)."""

    def __init__(self, line: int, column: int, binary: bool) -> None:
        super().__init__(f"{line}:{column}")
        self.line, self.column, self.binary = line, column, binary


def decode_utf8(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8", errors="replace")
        raise NotText(*_line_col(good, len(good)), binary=False) from None
    if "\x00" in text:
        raise NotText(*_line_col(text, text.index("\x00")), binary=True)
    return text.replace("\r\n", "\n")


def _line_col(text: str, index: int) -> tuple[int, int]:
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1
