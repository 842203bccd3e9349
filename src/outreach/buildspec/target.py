"""Targets (what to build) and their fingerprints (everything an output depends on)."""

from __future__ import annotations

import hashlib
import json
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
    # The outputs of its deps: all it may read of other targets' files (set by the planner,
    # held to by the worker: a read of anything else would not rebuild it when that changes).
    readable: tuple[str, ...] = ()


def tool_versions() -> dict[str, str]:
    """The installed version of outreach and of everything it runs on (its requirements and
    theirs, from the package metadata): upgrading any of them can change an output's bytes
    (pydyf writes the PDF, Pillow the PNG), so each is part of every fingerprint."""
    from outreach.core.installed import distributions, runtime_closure

    installed = distributions()
    versions = {"outreach": __version__}
    for name in sorted(runtime_closure("outreach")):
        versions[name] = installed.get(name, ("", []))[0]
    return versions


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
