"""Content written for the mainland in a project for another region ([project] region).

A region profile switches what the templates print around the content (hotlines, app line,
script); the content's own words change only through its `regions.<region>` block. A Hong Kong
reader told to ring 96110 or shown the mainland's criminal law as if it were theirs is
misinformed, so a region edition that still does is an error for `check` and `build` alike:
one per field (the unit a `regions` block rewrites), located at the first offending words.
A number the project lists itself, also one kept for visitors (`outside_region = true`), is
the project's own choice and passes.
"""

from __future__ import annotations

import re
from typing import Iterator

from outreach.checks.textscan import find_hotlines, prose_strings
from outreach.project.diagnostics import Diagnostic, error
from outreach.project.kinds import LAWS
from outreach.project.library import Item, Library
from outreach.project.regions import MAINLAND_CONTACT_NAMES, MAINLAND_CONTACT_NUMBERS, REGIONS

# Numbers of the mainland's police and anti-fraud system, as the hotline lint finds them
# (12321: the mainland's 网络不良与垃圾信息举报受理中心).
MAINLAND_NUMBERS = MAINLAND_CONTACT_NUMBERS | {"110", "12321"}

# Mainland government sites (mps.gov.cn, cyberpolice.mps.gov.cn, 12321.cn is not one of them).
_GOV_CN = re.compile(r"(?:https?://)?(?:[A-Za-z0-9-]+\.)+gov\.cn(?![A-Za-z0-9.-]*[A-Za-z0-9])(?:/[\x21-\x7e]*)?")

# Mainland crime names that are no law title but cite the mainland's criminal law all the same.
_MAINLAND_OFFENCES = ("帮助信息网络犯罪活动罪", "帮信罪")

# A law's name without 书名号 counts when it cannot be another jurisdiction's (刑法 alone can).
_MIN_BARE_NAME = 5


def lint_region(library: Library) -> list[Diagnostic]:
    config = library.config
    region = REGIONS[config.project.region]
    if region.id == "mainland":
        return []
    own = set(config.hotline_numbers)
    foreign_laws = {law_id: law for law_id, law in library.laws.items() if law.jurisdiction != region.id}
    where_to = f"[project] region = \"{region.id}\""
    problems = []
    for item in library.all_items():
        if item.kind == LAWS.folder:
            continue   # a law is shown only where content cites it; that is where to say so
        for path, found in _by_field(_law_mentions(item, foreign_laws)).items():
            words = "".join(f"“{name}”" for name in found[1])
            problems.append(_error(item, path, found[0], "region-mainland-law",
                                   f"本项目面向{region.name}读者（{where_to}），这里的{words}是内地法律，{region.name}版本不能这样印。"
                                   f"{_how(item, region.id, path, '不引用内地法律')}。"))
        for path, found in _by_field(_contact_mentions(item, own)).items():
            words = "".join(f"“{name}”" for name in found[1])
            problems.append(_error(item, path, found[0], "region-mainland-contact",
                                   f"本项目面向{region.name}读者（{where_to}），这里的{words}是内地的报警或反诈渠道，"
                                   f"{region.name}版本不能这样印。请改为当地的电话和查证方式（{_local_numbers(config, region)}）："
                                   f"{_how(item, region.id, path, '')}。"))
    return problems


def _by_field(mentions: Iterator[tuple[tuple, tuple | None, str]]) -> dict[tuple, tuple[tuple | None, list[str]]]:
    """Mentions grouped by the field they are in: where the first one is, and every word once."""
    fields: dict[tuple, tuple[tuple | None, list[str]]] = {}
    for path, where, name in mentions:
        field = path[:1] if path and path[0] == "laws" else path
        first, names = fields.setdefault(field, (where, []))
        if name not in names:
            names.append(name)
    return fields


def _field_name(path: tuple) -> str:
    return str(path[0]) if path else "内容"


def _how(item: Item, region_id: str, path: tuple, aim: str) -> str:
    """Where to fix it: the item's regions block, or the text itself for a kind without one."""
    field = _field_name(path)
    if "regions" not in type(item.model).model_fields:
        return f"这类内容没有地区版本，请直接改写“{field}”{('，' + aim) if aim else ''}，让各地的版本都适用"
    if field == "laws":
        return f"在本文件的 regions.{region_id} 下写 laws: []（不列内地法条），或写 omit: true 不用这一项"
    return f"在本文件的 regions.{region_id} 下改写“{field}”{('，' + aim) if aim else ''}，或写 omit: true 不用这一项"


def _local_numbers(config, region) -> str:
    """The numbers to recommend instead: the project's own, never one kept for visitors from elsewhere."""
    own = [h.display for h in config.project.hotlines if not h.outside_region]
    return "、".join(own or [number for number, _ in region.hotlines])


def _error(item: Item, path: tuple, where: tuple[str, int, str] | None, code: str, message: str) -> Diagnostic:
    if where is None:
        return error(item.path, *item.source.locate(path), code, message)
    text, offset, fragment = where
    return error(item.path, *item.source.locate_in_text(path, text, offset, fragment), code, message)


def _law_mentions(item: Item, laws: dict) -> Iterator[tuple[tuple, tuple | None, str]]:
    for index, ref in enumerate(getattr(item.model, "laws", None) or []):
        if ref.law in laws:
            yield ("laws", index), None, f"《{laws[ref.law].short}》"
    names = {f"《{name}》": f"《{law.short}》" for law in laws.values() for name in (law.title, law.short)}
    names |= {name: f"《{law.short}》" for law in laws.values() for name in (law.title, law.short)
              if len(name) >= _MIN_BARE_NAME}
    names |= {name: name for name in _MAINLAND_OFFENCES}
    pattern = re.compile("|".join(map(re.escape, sorted(names, key=len, reverse=True))))
    for path, text in _prose(item):
        for match in pattern.finditer(text):
            yield path, (text, match.start(), match.group()), names[match.group()]


def _contact_mentions(item: Item, own: set[str]) -> Iterator[tuple[tuple, tuple | None, str]]:
    names = re.compile("|".join(map(re.escape, MAINLAND_CONTACT_NAMES)))
    for path, text in _prose(item):
        found = []
        for offset, fragment, _code, _message in find_hotlines(text, own):
            if re.sub(r"\D", "", fragment) in MAINLAND_NUMBERS - own:
                found.append((offset, fragment))
        found += [(match.start(), match.group()) for match in names.finditer(text)]
        found += [(match.start(), match.group()) for match in _GOV_CN.finditer(text)]
        for offset, fragment in sorted(found):
            yield path, (text, offset, fragment), fragment


def _prose(item: Item) -> Iterator[tuple[tuple, str]]:
    yield from prose_strings(item.raw)
