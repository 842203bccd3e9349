"""Project settings that layouts must hold for (tests/test_layout_settings.py, test_h5_widths.py,
test_phones.py): hotline sets in every documented format, unit names and station rows up to their
documented limits, region profiles — written into a copy of a project's outreach.toml and
stations.csv the way a user would write them."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import regional_qr

from outreach.project.config import ProjectSection
from outreach.project.stations import FIELD_LIMITS

ORGANISATION_LIMIT = next(m.max_length for m in ProjectSection.model_fields["organisation"].metadata
                          if hasattr(m, "max_length"))   # 60
LABEL_LIMIT = 20

# One number of every documented format, as a user may write it, with a label.
FORMATS: dict[str, tuple[str, str]] = {
    "short": ("110", "报警电话"),
    "short5": ("96110", "全国反诈预警劝阻专线"),
    "mobile": ("138-0013-8000", "社区民警工作手机"),
    "landline": ("0571-87000000", "某某县公安局值班电话"),
    "landline-run": ("057187000000", "某某县公安局值班电话"),
    "landline-7": ("0000-7654321", "派出所值班电话"),
    "extension": ("0571-87000000 转 12345", "某某县公安局反诈中心"),
    "service": ("400-123-4567", "某某银行反诈客服热线"),
    "local": ("8800 7777", "司警局防诈骗查询热线"),
}

# The longest of each: 20-character labels (the documented limit), a landline with a 5-digit extension.
LONGEST_LABEL = "某某省某某市某某县公安局反诈中心值班电话"
assert len(LONGEST_LABEL) == LABEL_LIMIT
LONGEST_FOUR = [("110", "报警电话"), ("96110", "全国反诈预警劝阻专线"),
                ("0571-87000000-12345", LONGEST_LABEL), ("400-123-4567", "某某银行股份有限公司反诈骗客服热线电话")]
# A realistic county bureau: its own landline and a bank's line beside 110 and 96110.
COUNTY_FOUR = [("110", "报警电话"), ("96110", "全国反诈预警劝阻专线"),
               ("0571-87000000", "某某县公安局值班电话"), ("400-123-4567", "某某银行反诈客服热线")]
LONG_UNIT = "某某省某某市某某县公安局某某分局反电信网络诈骗中心"
LONGEST_UNIT = ("某某省某某自治州某某市公安局某某分局反电信网络诈骗犯罪侦查大队"
                "暨某某街道社区警务室联合反诈宣传工作站（示例单位名称，共六十字）")[:ORGANISATION_LIMIT]
assert len(LONGEST_UNIT) == ORGANISATION_LIMIT

STATION_HEADER = "id,name,address,phone,officer,officer_title,officer_phone,wechat_qr_url\n"
LONGEST_STATION = {
    "name": ("某某省某某市公安局某某分局东湖街道派出所（虚构）" + "某" * 30)[:FIELD_LIMITS["name"]],
    "address": ("某某省某某市某某区东湖街道东湖路一百二十三号东湖社区服务中心二楼西侧警务室（虚构地址，仅作示例）"
                + "某" * 60)[:FIELD_LIMITS["address"]],
    "officer": ("李警官（虚构）" + "某" * 20)[:FIELD_LIMITS["officer"]],
    "officer_title": ("社区民警兼反诈宣传员" + "某" * 10)[:FIELD_LIMITS["officer_title"]],
}

_HOTLINE = re.compile(r'\[\[project\.hotlines\]\]\nnumber = "[^"]*"\nlabel = "[^"]*"\n\n?')


def configure(root: Path, *, hotlines: list[tuple[str, str]] | None = None, organisation: str | None = None,
              region: str | None = None) -> None:
    """Rewrite outreach.toml's [project]: hotlines (None: as they are; with a region: the region's),
    the unit's name, a region profile (its script, hotlines and app line unless set here)."""
    path = root / "outreach.toml"
    text = path.read_text(encoding="utf-8")
    if hotlines is not None or region:
        text = _HOTLINE.sub("", text)
    if hotlines:
        # Content cites 110 and 96110: a project that does not publish them still allows them in text.
        missing = [n for n in ("110", "96110") if n not in {number for number, _ in hotlines}]
        if missing:
            text = text.replace("[lint]\n", f"[lint]\nallowed_numbers = {json.dumps(missing)}\n", 1)
        entries = "".join(f"[[project.hotlines]]\nnumber = {json.dumps(number, ensure_ascii=False)}\n"
                          f"label = {json.dumps(label, ensure_ascii=False)}\n\n" for number, label in hotlines)
        text = text.replace("[project.audiences]", entries + "[project.audiences]", 1)
    if organisation is not None:
        text = re.sub(r'^organisation = ".*"$', f"organisation = {json.dumps(organisation, ensure_ascii=False)}", text,
                      count=1, flags=re.M)
    if region:
        text = re.sub(r'^locale = ".*"\n', f'region = "{region}"\n', text, count=1, flags=re.M)
        text = regional_qr(text, region)
    path.write_text(text, encoding="utf-8")


def set_station(root: Path, **fields: str) -> None:
    """One station row: the sheet's own values, with `fields` in their place."""
    row = {"id": "test-east", "name": "测试市公安局测试分局东湖派出所（虚构）", "address": "测试市测试区东湖路1号（虚构地址）",
           "phone": "0000-1234567", "officer": "李警官（虚构）", "officer_title": "社区民警", "officer_phone": "0000-7654321",
           "wechat_qr_url": "https://example.org/outreach/test-east"} | fields
    values = [row[name] for name in STATION_HEADER.strip().split(",")]
    assert not any("," in v or '"' in v for v in values)
    (root / "content/stations.csv").write_text(STATION_HEADER + ",".join(values) + "\n", encoding="utf-8")
