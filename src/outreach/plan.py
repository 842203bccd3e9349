"""Targets (what to build) and their fingerprints (everything an output depends on)."""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
import re
import sys
from dataclasses import dataclass, field

from outreach import __version__


@dataclass
class Target:
    id: str                                   # unique, e.g. "posters/fake-loan"
    renderer: str                             # registered renderer kind, e.g. "posters"
    outputs: tuple[str, ...]                  # paths relative to the build directory
    sources: tuple[str, ...] = ()             # content files it reads (project-relative)
    templates: tuple[str, ...] = ()           # entry templates (their include chains are followed)
    params: dict = field(default_factory=dict)  # renderer-specific, JSON-serialisable
    deps: tuple[str, ...] = ()                # targets whose outputs this one reads (e.g. packs)
    label: str = ""                           # what to call it in messages, e.g. "海报 fake-loan"
    fingerprint: str = ""
    roles: dict = field(default_factory=dict)  # output path → role (set by the planner)


def tool_versions() -> dict[str, str]:
    """The installed version of outreach and of everything it runs on (its requirements and
    theirs, from the package metadata): upgrading any of them can change an output's bytes
    (pydyf writes the PDF, Pillow the PNG), so each is part of every fingerprint."""
    installed = _installed()
    versions = {"outreach": __version__}
    for name in sorted(_runtime_closure("outreach", installed)):
        versions[name] = installed.get(name, ("", []))[0]
    return versions


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@functools.lru_cache(maxsize=1)
def _installed() -> dict[str, tuple[str, list[str]]]:
    """name → (version, requirements) of every installed distribution. Read from the METADATA
    headers directly: importlib.metadata's parser takes ~0.15 s for this, too slow for the
    no-op build that compares fingerprints."""
    found: dict[str, tuple[str, list[str]]] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in sorted(names):
            if not name.endswith(".dist-info"):
                continue
            try:
                with open(os.path.join(entry or ".", name, "METADATA"), encoding="utf-8", errors="replace") as handle:
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
                found.setdefault(_normal(fields["Name"]), (fields["Version"], requirements))
    return found


def _runtime_closure(root: str, installed: dict) -> set[str]:
    """Names of the packages `root` needs at run time, transitively (optional extras left out)."""
    seen: set[str] = set()
    pending = [_normal(root)]
    while pending:
        for requirement in installed.get(pending.pop(), ("", []))[1]:
            if re.search(r"extra\s*==", requirement):
                continue
            match = _NAME.match(requirement)
            name = _normal(match.group(1)) if match else ""
            if name and name not in seen:
                seen.add(name)
                pending.append(name)
    return seen


def fingerprint(target: Target, *, renderer_version: str, config_sections: dict, source_digests: dict[str, str],
                template_digests: dict[str, str], asset_digest: str, options: dict, dep_fingerprints: dict[str, str],
                versions: dict[str, str]) -> str:
    """sha256 over a canonical JSON of everything that can change the target's bytes."""
    payload = {
        "id": target.id,
        "renderer": [target.renderer, renderer_version],
        "outputs": list(target.outputs),
        "params": target.params,
        "sources": {path: source_digests.get(path, "") for path in sorted(target.sources)},
        "config": config_sections,
        "templates": dict(sorted(template_digests.items())),
        "assets": asset_digest,
        "options": options,
        "deps": dict(sorted(dep_fingerprints.items())),
        "versions": versions,
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()
