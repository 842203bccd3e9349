"""Content written for the mainland in a project for another region ([project] region).

A region profile switches what the templates print around the content (hotlines, app line,
script), not the content itself: a Hong Kong reader told to ring 96110 or shown the
mainland's criminal law is misinformed. `check` names each item that still does, once per
item and kind of problem, where it first happens.
"""

from __future__ import annotations

import re
from typing import Iterator

from outreach.checks.textscan import find_hotlines, prose_strings
from outreach.project.diagnostics import Diagnostic, warning
from outreach.project.library import Item, Library
from outreach.project.regions import MAINLAND_CONTACT_NAMES, MAINLAND_CONTACT_NUMBERS, REGIONS

# Numbers of the mainland's police and anti-fraud system, as the hotline lint finds them.
MAINLAND_NUMBERS = MAINLAND_CONTACT_NUMBERS | {"110"}


def lint_region(library: Library) -> list[Diagnostic]:
    config = library.config
    region = REGIONS[config.project.region]
    if region.id == "mainland":
        return []
    own = set(config.hotline_numbers)
    foreign_laws = {law_id: law for law_id, law in library.laws.items() if law.jurisdiction != region.id}
    problems = []
    for item in library.all_items():
        if item.kind == "laws":
            continue   # a law is shown only where content cites it; that is where to warn
        law = next(_law_mentions(item, foreign_laws), None)
        if law:
            path, offset_fragment, name = law
            problems.append(_warn(item, path, offset_fragment, "region-mainland-law",
                                  f"本项目面向{region.name}读者（[project] region = \"{region.id}\"），这里引用的"
                                  f"《{name}》是内地法律。请改用当地法律，或去掉法条引用。"))
        # One warning per field, naming every Mainland channel in it: the field is what a
        # region's edition rewrites (regions.{region} in the same file).
        by_field: dict[tuple, list] = {}
        for path, where, name in _contact_mentions(item, own):
            by_field.setdefault(path, []).append((where, name))
        for path, found in by_field.items():
            names = list(dict.fromkeys(name for _, name in found))
            words = "".join(f"“{name}”" for name in names)
            problems.append(_warn(item, path, found[0][0], "region-mainland-contact",
                                  f"本项目面向{region.name}读者（[project] region = \"{region.id}\"），这里的{words}"
                                  f"是内地的报警或反诈渠道。请改为当地的电话和查证方式（{_local_numbers(config, region)}）："
                                  f"在本文件的 regions.{region.id} 下改写“{_field_name(path)}”，或写 omit: true 不用这一项。"))
    return problems


def _field_name(path: tuple) -> str:
    return str(path[0]) if path else "内容"


def _local_numbers(config, region) -> str:
    """The numbers to recommend instead: the project's own, never one kept for visitors from elsewhere."""
    own = [h.display for h in config.project.hotlines if not h.outside_region]
    return "、".join(own or [number for number, _ in region.hotlines])


def _warn(item: Item, path: tuple, where: tuple[str, int, str] | None, code: str, message: str) -> Diagnostic:
    if where is None:
        return warning(item.path, *item.source.locate(path), code, message)
    text, offset, fragment = where
    return warning(item.path, *item.source.locate_in_text(path, text, offset, fragment), code, message)


def _law_mentions(item: Item, laws: dict) -> Iterator[tuple[tuple, tuple | None, str]]:
    for index, ref in enumerate(getattr(item.model, "laws", None) or []):
        if ref.law in laws:
            yield ("laws", index), None, laws[ref.law].short
    titles = {f"《{name}》": law.short for law in laws.values() for name in (law.title, law.short)}
    if not titles:
        return
    pattern = re.compile("|".join(map(re.escape, sorted(titles, key=len, reverse=True))))
    for path, text in _prose(item):
        for match in pattern.finditer(text):
            yield path, (text, match.start(), match.group()), titles[match.group()]


def _contact_mentions(item: Item, own: set[str]) -> Iterator[tuple[tuple, tuple | None, str]]:

    names = re.compile("|".join(map(re.escape, MAINLAND_CONTACT_NAMES)))
    for path, text in _prose(item):
        for offset, fragment, _code, _message in find_hotlines(text, own):
            if re.sub(r"\D", "", fragment) in MAINLAND_NUMBERS - own:
                yield path, (text, offset, fragment), fragment
        for match in names.finditer(text):
            yield path, (text, match.start(), match.group()), match.group()


def _prose(item: Item) -> Iterator[tuple[tuple, str]]:

    yield from prose_strings(item.raw)
