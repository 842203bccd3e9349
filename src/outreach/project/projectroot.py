"""Where a project is: the folder holding its outreach.toml. Imports nothing heavy, so the command
line's quick no-op answer (cli/quick.py) finds the project as every other command does."""

from __future__ import annotations

from pathlib import Path

CONFIG_NAME = "outreach.toml"


def find_project_root(start: Path) -> Path | None:
    """The nearest directory at or above `start` holding an outreach.toml."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / CONFIG_NAME).is_file():
            return directory
    return None
