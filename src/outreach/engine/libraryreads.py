"""Which content items a render reads.

A target's fingerprint covers the content files its planner lists in `Target.sources`; an
item read but not listed is a change that rebuilds nothing (a renderer that shows a tip's
title it never declared keeps the old title after the tip is edited). So every render runs
against a recording view of the library's items, like the config (configreads.py), and a
render that read an undeclared item fails loudly instead of going stale quietly.

The view replaces `Library.items`, the one store every accessor (get, item, kind, all_items,
the typed views, whatever a later accessor adds) reads through: there is no accessor to forget.
Reads every target shares (the law names every page's typesetting protects, the Traditional
Chinese conversion's quoted law) are made while recording is paused; the planner covers them
in every fingerprint.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any


class _State:
    __slots__ = ("paused", "read")

    def __init__(self) -> None:
        self.read: set[str] = set()
        self.paused = 0


class _RecordingKind(Mapping):
    """One kind's items (id → Item): looking an item up records its file; listing the kind
    (iterating, counting) records every file of it, since adding or removing one changes the list."""

    __slots__ = ("_items", "_state")

    def __init__(self, items: dict, state: _State) -> None:
        self._items = items
        self._state = state

    def __getitem__(self, key: str) -> Any:
        item = self._items[key]
        if not self._state.paused:
            self._state.read.add(item.path)
        return item

    def __contains__(self, key: object) -> bool:
        # Whether an id exists says nothing of its content; reading it goes through __getitem__.
        return key in self._items

    def _list(self) -> None:
        if not self._state.paused:
            self._state.read.update(item.path for item in self._items.values())

    def __iter__(self) -> Iterator[str]:
        self._list()
        return iter(self._items)

    def __len__(self) -> int:
        self._list()
        return len(self._items)

    def setdefault(self, key: str, default: Any = None) -> Any:
        raise TypeError("the library is read-only while rendering")


class RecordingItems(Mapping):
    """Stands in for `Library.items` (kind → id → Item) during a render."""

    __slots__ = ("_kinds", "_state", "_views")

    def __init__(self, kinds: dict[str, dict]) -> None:
        self._kinds = kinds
        self._state = _State()
        self._views: dict[str, _RecordingKind] = {}

    @property
    def read(self) -> set[str]:
        """Project-relative paths of the content files read so far."""
        return self._state.read

    def __getitem__(self, kind: str) -> _RecordingKind:
        view = self._views.get(kind)
        if view is None:
            view = self._views[kind] = _RecordingKind(self._kinds[kind], self._state)
        return view

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds)

    def __len__(self) -> int:
        return len(self._kinds)

    def setdefault(self, kind: str, default: Any = None) -> Mapping:
        """Library.kind() asks for a kind that may have no items: an empty view, nothing stored."""
        return self[kind] if kind in self._kinds else _RecordingKind({}, self._state)

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        self._state.paused += 1
        try:
            yield
        finally:
            self._state.paused -= 1


@contextlib.contextmanager
def recording(library) -> Iterator[RecordingItems]:
    """The library's items read through a recording view until the block ends."""
    items = library.items
    view = RecordingItems(items)
    library.items = view
    try:
        yield view
    finally:
        library.items = items


def undeclared(read: set[str], declared) -> list[str]:
    return sorted(read - set(declared))
