"""Settings that contradict the project's region: another region's hotlines, a script the
region's readers do not use.

A Hong Kong edition that prints 110 and 96110 sends readers to numbers that do not work there;
the region profile only fills in hotlines the user left out, so an explicit list copied from
the starter would win silently. The build refuses it unless the hotline is marked as meant.
"""

from __future__ import annotations

from typing import Any

from outreach.project.regions import MAINLAND_CONTACT_NUMBERS, REGIONS

# Called from config.load_config with its ProjectConfig (typed Any: this module sits below config).
ProjectConfig = Any

# The numbers each region's own public uses for police and anti-fraud help.
_OWN_NUMBERS: dict[str, frozenset[str]] = {
    "mainland": frozenset({"110"}) | MAINLAND_CONTACT_NUMBERS,
    **{region.id: frozenset(number.replace(" ", "") for number, _ in region.hotlines)
       for region in REGIONS.values() if region.hotlines},
}


def foreign_numbers(region_id: str) -> frozenset[str]:
    """Hotlines of the other regions that this region's readers cannot or should not call."""
    others = frozenset().union(*(numbers for other, numbers in _OWN_NUMBERS.items() if other != region_id))
    return others - _OWN_NUMBERS.get(region_id, frozenset())


def region_hotline_problems(config: ProjectConfig) -> list[tuple[tuple, str]]:
    """(key path, message) for each hotline of another region, unless marked outside_region."""
    region = REGIONS[config.project.region]
    if region.id == "mainland":
        return []   # 999 is a mainland ambulance number in some cities: nothing to flag
    foreign = foreign_numbers(region.id)
    local = "、".join(number for number, _ in region.hotlines)
    return [(("project", "hotlines", index, "number"),
             f"本项目面向{region.name}读者（[project] region = \"{region.id}\"），但对外公布的电话里有“{hotline.display}”"
             f"（{hotline.label}），这不是{region.name}的号码，{region.name}读者打不通或不该打。请删去这个电话"
             f"（不写 [[project.hotlines]] 时自动使用{region.name}的 {local}）；确实要印的，在这个电话下加一行 "
             "outside_region = true。")
            for index, hotline in enumerate(config.project.hotlines)
            if hotline.dial in foreign and not hotline.outside_region]


def region_locale_warnings(config: ProjectConfig, data: dict[str, Any]) -> list[tuple[tuple, str]]:
    """A region whose readers read Traditional Chinese, with Simplified output asked for."""
    region = REGIONS[config.project.region]
    section = data.get("project")
    project: dict[str, Any] = section if isinstance(section, dict) else {}
    if region.locale == "zh-Hant" and "locale" in project and config.project.locale == "zh-Hans":
        return [(("project", "locale"),
                 f"本项目面向{region.name}读者（[project] region = \"{region.id}\"），但 locale = \"zh-Hans\" 会生成简体字。"
                 f"{region.name}读者用繁体：删去 locale 这一行（随地区自动用繁体），或改为 locale = \"zh-Hant\"。")]
    return []
