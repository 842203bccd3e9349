"""Diagnostics: every problem found in user input, with a location and a plain message."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, Iterable

_ESCAPES = {"\0": "\\0", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
# Control, line-break, invisible formatting, private-use and unassigned characters: echoed raw,
# a NUL cuts the line in some terminals, U+2028 or a bidi override (U+202E) rearranges what
# the reader sees, and the last two print as empty boxes.
_INVISIBLE = ("Cc", "Cf", "Cs", "Zl", "Zp", "Co", "Cn")


def visible(text: str) -> str:
    """`text` as a message may quote it back: every control, line-break and invisible formatting
    character written out (\\0, \\n, [U+0085]), so the reader sees what is really there."""
    if text.isprintable():
        return text   # the common case, at C speed
    return "".join(_ESCAPES.get(c) or (f"[U+{ord(c):04X}]" if unicodedata.category(c) in _INVISIBLE else c)
                   for c in text)


def shown(value: Any, limit: int = 40) -> Any:
    """A value quoted back in a message: visible characters, and long text cut, so a huge field
    never floods the output."""
    if not isinstance(value, str):
        return value
    if len(value) > limit:
        return f"{visible(value[:limit - 10])}…（共 {len(value)} 字）"
    return visible(value)


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


SEVERITY_LABEL = {Severity.ERROR: "错误", Severity.WARNING: "警告"}


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem. `line` and `column` are 1-based; 0 means "the whole file"."""

    file: str
    line: int
    column: int
    severity: Severity = field(compare=False)
    code: str = field(compare=False)
    message: str = field(compare=False)

    def __post_init__(self) -> None:
        # The last guard for messages that quote input: no raw control characters reach a
        # terminal, a log or the editor. Line breaks stay: some messages have several lines.
        if not self.message.isprintable():
            object.__setattr__(self, "message", "\n".join(visible(line) for line in self.message.split("\n")))

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self) -> str:
        where = visible(self.file)
        if self.line:
            where += f":{self.line}:{self.column or 1}"
        return f"{where}: {self.severity.value}[{self.code}] {self.message}"

    def to_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def error(file: str, line: int, column: int, code: str, message: str) -> Diagnostic:
    return Diagnostic(file, line, column, Severity.ERROR, code, message)


def warning(file: str, line: int, column: int, code: str, message: str) -> Diagnostic:
    return Diagnostic(file, line, column, Severity.WARNING, code, message)


class Diagnostics:
    """An ordered, de-duplicated collection of diagnostics."""

    def __init__(self, items: Iterable[Diagnostic] = ()) -> None:
        self._items: list[Diagnostic] = []
        self._seen: set[tuple] = set()
        self.extend(items)

    def add(self, diagnostic: Diagnostic) -> None:
        key = (diagnostic.file, diagnostic.line, diagnostic.column, diagnostic.code, diagnostic.message)
        if key not in self._seen:
            self._seen.add(key)
            self._items.append(diagnostic)

    def extend(self, items: Iterable[Diagnostic]) -> None:
        for item in items:
            self.add(item)

    def __iter__(self):
        return iter(self.sorted())

    def __len__(self) -> int:
        return len(self._items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self._items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.sorted() if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.sorted() if not d.is_error]

    def has_errors(self) -> bool:
        return any(d.is_error for d in self._items)

    def to_json(self) -> str:
        return json.dumps([d.to_dict() for d in self.sorted()], ensure_ascii=False, indent=2)

    def summary(self) -> str:
        errors, warnings = len(self.errors), len(self.warnings)
        if not errors and not warnings:
            return "检查通过，没有发现问题。"
        return f"共发现 {errors} 个错误，{warnings} 个警告。"
