"""What is installed, read straight from the .dist-info folders on sys.path.

importlib.metadata parses every METADATA file in full (~0.15 s here), too slow for a no-op
build that only compares fingerprints; the header lines and entry_points.txt are all we need.
Used by fingerprints (versions of every runtime dependency), the renderer registry (the
outreach.outputs entry points) and `doctor`.
"""

from __future__ import annotations

import configparser
import functools
import itertools
import os
import re
import sys
from pathlib import Path
from typing import Iterator

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def normal(name: str) -> str:
    """A distribution name in its canonical form (PEP 503): Opencc_Purepy → opencc-purepy."""
    return re.sub(r"[-_.]+", "-", name).lower()


def dist_info_dirs() -> Iterator[Path]:
    """Every *.dist-info folder on sys.path, in path order (the first of a name is the one imported)."""
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                yield Path(entry or ".") / name


@functools.lru_cache(maxsize=1)
def distributions() -> dict[str, tuple[str, list[str]]]:
    """name → (version, requirements) of every installed distribution."""
    found: dict[str, tuple[str, list[str]]] = {}
    for folder in dist_info_dirs():
        try:
            with open(folder / "METADATA", encoding="utf-8", errors="replace") as handle:
                header = list(itertools.takewhile(lambda line: line.strip(), handle))
        except OSError:
            continue
        fields = {"Name": "", "Version": ""}
        requirements = []
        for line in header:
            key, _, value = line.partition(":")
            if key == "Requires-Dist":
                requirements.append(value.strip())
            elif key in fields:
                fields[key] = value.strip()
        if fields["Name"]:
            found.setdefault(normal(fields["Name"]), (fields["Version"], requirements))
    return found


def runtime_requirements(name: str) -> list[str]:
    """The packages `name` needs at run time (optional extras left out), in declared order."""
    names = []
    for requirement in distributions().get(normal(name), ("", []))[1]:
        if re.search(r"extra\s*==", requirement):
            continue
        match = _NAME.match(requirement)
        if match:
            names.append(normal(match.group(1)))
    return names


def runtime_closure(name: str) -> set[str]:
    """Everything `name` needs at run time, transitively."""
    seen: set[str] = set()
    pending = [name]
    while pending:
        for required in runtime_requirements(pending.pop()):
            if required not in seen:
                seen.add(required)
                pending.append(required)
    return seen


def entry_points(group: str) -> dict[str, str]:
    """name → "module:attribute" of one entry-point group (the first registration of a name wins)."""
    return dict(_all_entry_points().get(group, {}))


@functools.lru_cache(maxsize=1)
def _all_entry_points() -> dict[str, dict[str, str]]:
    # Every group at once: each group asked for (output kinds, content kinds) would otherwise
    # parse every entry_points.txt on sys.path again (~30 ms each on a no-op build).
    found: dict[str, dict[str, str]] = {}
    for folder in dist_info_dirs():
        parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
        parser.optionxform = str   # type: ignore[assignment,method-assign]  # entry-point names are case-sensitive
        try:
            parser.read(folder / "entry_points.txt", encoding="utf-8")
        except (OSError, configparser.Error):
            continue
        for group in parser.sections():
            for key, target in parser.items(group):
                found.setdefault(group, {}).setdefault(key.strip(), target.strip())
    return found
