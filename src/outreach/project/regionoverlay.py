"""Region editions of one content file: a `regions:` block rewrites fields for a region.

    advice:
      - 遇到收卡邀请，拨打110举报
    regions:
      hk:
        advice:
          - 遇到收卡邀请，致电防骗易18222查询
      tw:
        omit: true        # the Taiwan edition leaves this item out

The block lives in the item's own file, so a change to the Mainland text sits beside its
local versions and positions in messages stay in that one file. A project with
`[project] region = "hk"` loads each item with its `hk` fields in place of the base ones
(whole fields: a list is replaced, not merged); other projects ignore the block.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from pydantic import ValidationError

from outreach.project.diagnostics import Diagnostic, error, shown
from outreach.project.library import Item
from outreach.project.regions import REGIONS
from outreach.project.validation import validation_diagnostics
from outreach.project.yamlsource import SourceFile

REGIONS_KEY = "regions"
OMIT_KEY = "omit"


@dataclasses.dataclass
class Overlaid:
    item: Item | None            # None: omitted in this region, or its fields have errors
    omitted: bool
    problems: list[Diagnostic]


def overlay_region(item: Item, region_id: str, model_class) -> Overlaid:
    """The item as the region's edition reads it."""
    raw = item.raw if isinstance(item.raw, dict) else {}
    blocks = raw.get(REGIONS_KEY) or {}
    fields = blocks.get(region_id) if isinstance(blocks, dict) else None
    base = {key: value for key, value in raw.items() if key != REGIONS_KEY}
    if fields is None:
        return Overlaid(_with_raw(item, base, item.source, item.model), False, [])
    where = (REGIONS_KEY, region_id)
    name = REGIONS[region_id].name
    if not isinstance(fields, dict):
        return Overlaid(None, False, [error(item.path, *item.source.locate(where), "region-overlay",
                                            f"regions 下的 {region_id}（{name}版）应写成“字段: 新内容”，例如 advice: 或 omit: true。")])
    if fields.get(OMIT_KEY) is True:
        return Overlaid(None, True, [])
    unknown = [key for key in fields if key not in model_class.model_fields or key in (REGIONS_KEY, OMIT_KEY)]
    if unknown:
        return Overlaid(None, False, [error(item.path, *item.source.locate_key(where + (key,)), "region-overlay",
                                            f"{name}版（regions.{region_id}）里的“{shown(str(key))}”不是这类内容的字段，"
                                            "只能改写本文件已有的字段（如 title、summary、signs、advice、body），或写 omit: true。")
                                      for key in unknown])
    merged = base | fields
    source = _remapped(item.source, where, set(fields))
    try:
        model = model_class.model_validate(merged)
    except ValidationError as exc:
        return Overlaid(None, False, validation_diagnostics(
            exc, item.path, lambda loc, on_key: source.locate_key(loc) if on_key else source.locate(loc),
            model_class, merged))
    return Overlaid(_with_raw(item, merged, source, model), False, [])


def _with_raw(item: Item, raw: dict, source: SourceFile, model: Any) -> Item:
    # Fingerprint what is built: a region's edition changes when its block or a shared field does.
    digest = hashlib.sha256(json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    return dataclasses.replace(item, raw=raw, source=source, model=model, digest=digest)


def _remapped(source: SourceFile, where: tuple, fields: set) -> SourceFile:
    """Positions for the region's edition: its own fields point into the regions block."""
    spans = {path: span for path, span in source.spans.items()
             if not (path and path[0] in fields) and path[:1] != (REGIONS_KEY,)}
    for path, span in source.spans.items():
        if path[:len(where)] == where and len(path) > len(where) and path[len(where)] in fields:
            spans[path[len(where):]] = span
    return dataclasses.replace(source, spans=spans)
