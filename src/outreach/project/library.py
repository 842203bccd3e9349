"""The validated content library: every item with where it came from."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from outreach.project.config import ProjectConfig
from outreach.project.kinds import registry
from outreach.project.models import REVIEWED
from outreach.project.stations import Station
from outreach.project.yamlsource import SourceFile


@dataclass
class Item:
    """One content file: its model, the raw parsed data and its source positions."""

    kind: str
    id: str
    model: Any
    raw: Any
    source: SourceFile
    digest: str  # sha256 of the parsed content, for build fingerprints

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def title(self) -> str:
        return getattr(self.model, "title", None) or self.id


@dataclass
class Library:
    root: Path
    config: ProjectConfig
    items: dict[str, dict[str, Item]] = field(default_factory=dict)
    stations: list[Station] = field(default_factory=list)
    stations_path: str | None = None
    stations_digest: str | None = None
    # (kind, id) of files that had errors: references to them are not reported as missing too,
    # since the one real error is in that file.
    failed: set[tuple[str, str]] = field(default_factory=set)
    # (kind, id) of items the project's region leaves out (regions.<region>.omit in the file).
    omitted: set[tuple[str, str]] = field(default_factory=set)

    def kind(self, kind: str) -> dict[str, Item]:
        return self.items.setdefault(kind, {})

    def all_items(self) -> Iterator[Item]:
        for kind in sorted(self.items):
            yield from (self.items[kind][key] for key in sorted(self.items[kind]))

    def get(self, kind: str, item_id: str) -> Item | None:
        return self.items.get(kind, {}).get(item_id)

    def status(self, kind: str, item_id: str) -> str:
        """An item's review status: its own, or the project's default for content without one."""
        found = self.get(kind, item_id)
        own = getattr(found.model, "status", None) if found is not None else None
        return own or self.config.review.default_status

    def publishable(self, kind: str, item_id: str, include_drafts: bool = False) -> bool:
        """Whether packs and posting may use the item: reviewed, or drafts explicitly allowed."""
        known = registry.get(kind)
        if include_drafts or self.config.review.include_drafts or known is None or not known.reviewable:
            return True
        return self.status(kind, item_id) == REVIEWED

    def item(self, kind: str, item_id: str) -> Item:
        """An item a checked reference points at (loading reports references to nothing first)."""
        found = self.get(kind, item_id)
        if found is None:
            raise KeyError(f"{kind}/{item_id}")
        return found

    def models(self, kind: str) -> dict[str, Any]:
        """A kind's models by id, sorted: what renderers read."""
        return {k: v.model for k, v in sorted(self.kind(kind).items())}

    def __getattr__(self, name: str) -> dict[str, Any]:
        # `library.scenarios`, `library.laws`, … for every registered kind (a plugin's too).
        if not name.startswith("_") and name in registry:
            return self.models(name)
        raise AttributeError(name)

    def audience_label(self, audience: str) -> str:
        return self.config.project.audiences.get(audience, audience)

    def without(self, paths: set[str]) -> "Library":
        """A copy without the items read from `paths` (the build leaves out files with errors).
        Items are shared, not copied: only the index changes."""
        kept = {kind: {key: item for key, item in items.items() if item.path not in paths}
                for kind, items in self.items.items()}
        return dataclasses.replace(self, items=kept, stations=list(self.stations), failed=set(self.failed),
                                   omitted=set(self.omitted))


def references(item: Item) -> list[tuple[str, str]]:
    """(kind, id) of every item `item` uses: what it cannot be built without, as its kind
    declares (project/kinds.py), the same references refs.py checks."""
    kind = registry.get(item.kind)
    found = [(folder, ref) for folder, ref, _ in kind.refs(item.model)] if kind else []
    return list(dict.fromkeys(found))
