"""Which [sections] of outreach.toml a render reads.

A target's fingerprint covers the config sections its renderer declares; a section read but
not declared would be a change that rebuilds nothing (a pack cover showing an old [feed]
date). So every render runs against a recording view of the config, and reading an
undeclared section fails the target loudly instead of going stale quietly.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

# Sections every target's fingerprint covers through the build options (pdf, hant) or the
# shared part of the fingerprint (lint: the spacing rule every template's text follows;
# typography: the terms its lines never split),
# and sections that never change output bytes (build limits, posting channels).
SHARED_SECTIONS = frozenset({"lint", "pdf", "hant", "typography"})
NOT_OUTPUT_SECTIONS = frozenset({"build", "channels"})


class RecordingConfig:
    """Reads through to the project config and remembers the top-level sections it was asked for."""

    __slots__ = ("_config", "read")

    def __init__(self, config) -> None:
        object.__setattr__(self, "_config", config)
        object.__setattr__(self, "read", set())

    def __getattr__(self, name: str):
        config = object.__getattribute__(self, "_config")
        fields = type(config).model_fields
        if name in fields:
            self.read.add(name)
            return getattr(config, name)
        derived = getattr(type(config), name, None)
        if isinstance(derived, property) and derived.fget is not None:
            return derived.fget(self)   # a computed value records the sections it uses
        return getattr(config, name)

    def __setattr__(self, name: str, value) -> None:
        raise AttributeError("the project configuration is read-only while rendering")

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """A block whose reads are not held against the renderer: a pack asking the other kinds
        which files they make for it (their targets are the pack's deps, whose fingerprints, in
        the pack's, cover the sections those kinds read)."""
        before = set(self.read)
        try:
            yield
        finally:
            self.read.intersection_update(before)


def undeclared(read: set[str], declared: tuple[str, ...]) -> list[str]:
    return sorted(read - set(declared) - SHARED_SECTIONS - NOT_OUTPUT_SECTIONS)
