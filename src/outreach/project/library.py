"""The validated content library: every item with where it came from."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from outreach.project.config import ProjectConfig
from outreach.project.models import PACK_ITEMS, REVIEWED, Law, Newsletter, Pack, Quiz, Scenario, Script, Tip
from outreach.project.stations import Station
from outreach.project.yamlsource import SourceFile

# The kinds that carry a review status (laws are quoted text; packs only collect other items).
REVIEWABLE_KINDS = frozenset({"scenarios", "tips", "quizzes", "scripts", "newsletters"})


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
        if include_drafts or self.config.review.include_drafts or kind not in REVIEWABLE_KINDS:
            return True
        return self.status(kind, item_id) == REVIEWED

    def item(self, kind: str, item_id: str) -> Item:
        """An item a checked reference points at (loading reports references to nothing first)."""
        found = self.get(kind, item_id)
        if found is None:
            raise KeyError(f"{kind}/{item_id}")
        return found

    # Typed views for renderers.
    @property
    def laws(self) -> dict[str, Law]:
        return {k: v.model for k, v in sorted(self.kind("laws").items())}

    @property
    def scenarios(self) -> dict[str, Scenario]:
        return {k: v.model for k, v in sorted(self.kind("scenarios").items())}

    @property
    def tips(self) -> dict[str, Tip]:
        return {k: v.model for k, v in sorted(self.kind("tips").items())}

    @property
    def quizzes(self) -> dict[str, Quiz]:
        return {k: v.model for k, v in sorted(self.kind("quizzes").items())}

    @property
    def scripts(self) -> dict[str, Script]:
        return {k: v.model for k, v in sorted(self.kind("scripts").items())}

    @property
    def packs(self) -> dict[str, Pack]:
        return {k: v.model for k, v in sorted(self.kind("packs").items())}

    @property
    def newsletters(self) -> dict[str, Newsletter]:
        return {k: v.model for k, v in sorted(self.kind("newsletters").items())}

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
    """(kind, id) of every item `item` uses: what it cannot be built without.

    The same fields refs.py checks; tests/test_partial_build.py holds the two together."""
    model = item.model
    found: list[tuple[str, str]] = []
    if item.kind in ("scenarios", "tips"):
        found += [("laws", ref.law) for ref in model.laws]
    elif item.kind == "quizzes":
        found += [("scenarios", q.scenario) for q in model.questions if q.scenario]
    elif item.kind == "scripts" and model.scenario:
        found.append(("scenarios", model.scenario))
    elif item.kind == "packs":
        found += [(PACK_ITEMS[entry.kind][0], entry.ref) for entry in model.items]
    elif item.kind == "newsletters":
        found += [("scenarios", s) for s in model.focus] + [("tips", t) for t in model.tips]
    return list(dict.fromkeys(found))
