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


def region_qr_problems(config: ProjectConfig) -> list[tuple[tuple, str]]:
    """A region edition's QR code must not open a Mainland government site."""
    from urllib.parse import urlsplit

    region = REGIONS[config.project.region]
    url = config.theme.qr_url
    if region.id == "mainland" or not url:
        return []
    host = (urlsplit(url).hostname or "").lower()
    if not host.endswith(".gov.cn") and host != "gov.cn":
        return []
    instead = f"改为{region.name}的反诈网站（如 {region.site}）" if region.site else f"改为{region.name}的反诈网站"
    return [(("theme", "qr_url"),
             f"本项目面向{region.name}读者（[project] region = \"{region.id}\"），但海报二维码（[theme] qr_url）指向内地网站 "
             f"{host}。请{instead}，或删去 qr_url 不印二维码。")]


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
