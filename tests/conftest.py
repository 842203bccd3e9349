"""Shared fixtures: a throw-away copy of the starter project, and helpers to run checks."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from outreach.lint import lint_library
from outreach.loader import load_library

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the starter library that a test may break freely."""
    root = tmp_path / "proj"
    root.mkdir()
    shutil.copy(REPO / "outreach.toml", root / "outreach.toml")
    shutil.copytree(REPO / "content", root / "content")
    (root / "templates").mkdir()
    return root


def write(root: Path, relpath: str, text: str | bytes) -> Path:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def check(root: Path, lint: bool = True) -> list:
    library, diagnostics = load_library(root)
    if lint and library is not None:
        diagnostics.extend(lint_library(library))
    return diagnostics.sorted()


def located(diagnostics, relpath: str) -> list[tuple[int, int, str]]:
    """(line, column, code) of the diagnostics about one file."""
    return [(d.line, d.column, d.code) for d in diagnostics if d.file == relpath]
