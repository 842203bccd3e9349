"""The fixture project's region editions (tests/fixtures/project: a `regions` block closes each
content file that needs one): tests that study a leftover or write their own block drop it first."""

from __future__ import annotations

from pathlib import Path

MARK = "\n# Region editions of the fixture"


def without_regions(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if MARK in text:
        path.write_text(text[:text.index(MARK) + 1], encoding="utf-8")


def set_regions(path: Path, block: str) -> None:
    without_regions(path)
    path.write_text(path.read_text(encoding="utf-8") + block, encoding="utf-8")
