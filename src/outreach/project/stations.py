"""Station data (派出所/警务室) from the CSV or XLSX sheet that staff export from Excel."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from outreach.project.diagnostics import Diagnostic, error, shown, warning
from outreach.project.models import id_problem, unsafe_characters
from outreach.project.phones import FORMATS, canonical, digits, is_mobile
from outreach.project.spreadsheet import SheetProblem, cell_text, sheet_rows
from outreach.project.yamlsource import control_character_name

STATION_FILES = ("stations.csv", "stations.xlsx")

MAX_ROWS = 20_000
MAX_CELL_CHARS = 500
# What the printed pieces hold (警民联系卡 90×54 mm, a pack's cover and back page): every layout
# is tested with values this long (tests/test_layout_settings.py), and README lists them.
FIELD_LIMITS = {"name": 30, "address": 60, "officer": 10, "officer_title": 6}

# Canonical column → accepted header names (English as documented, Chinese as staff write them).
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号"),
    "name": ("name", "派出所", "名称", "单位"),
    "address": ("address", "地址"),
    "phone": ("phone", "电话", "值班电话"),
    "officer": ("officer", "民警", "社区民警"),
    "officer_title": ("officer_title", "职务"),
    "officer_phone": ("officer_phone", "民警电话"),
    "wechat_qr_url": ("wechat_qr_url", "二维码链接", "二维码"),
}
REQUIRED = ("id", "name", "phone")
LABELS = {"id": "编号", "name": "派出所", "address": "地址", "phone": "电话", "officer": "民警",
          "officer_title": "职务", "officer_phone": "民警电话", "wechat_qr_url": "二维码链接"}



@dataclass(frozen=True)
class Station:
    id: str
    name: str
    address: str = ""
    phone: str = ""
    officer: str = ""
    officer_title: str = ""
    officer_phone: str = ""
    wechat_qr_url: str = ""
    row: int = 0


def station_digest(station: Station) -> str:
    """A fingerprint of one station's row: editing one row rebuilds that station only."""
    return hashlib.sha256(json.dumps(dataclasses.asdict(station), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def find_station_file(content: Path) -> Path | None:
    for name in STATION_FILES:
        if (content / name).is_file():
            return content / name
    return None


def ignored_station_files(content: Path) -> list[Path]:
    """Station sheets present beside the one that is used (stations.csv wins)."""
    present = [content / name for name in STATION_FILES if (content / name).is_file()]
    return present[1:]


def read_stations(path: Path, relpath: str, real_numbers: frozenset[str] = frozenset()) -> tuple[list[Station], list[Diagnostic]]:
    """All valid stations and every problem found, reported together. `real_numbers` are the
    mobile numbers the project says are real and meant to be printed (digits only)."""
    stations: list[Station] = []
    diagnostics: list[Diagnostic] = []
    for item in iter_stations(path, relpath, real_numbers):
        if isinstance(item, Station):
            stations.append(item)
        else:
            diagnostics.append(item)
    return stations, diagnostics


def iter_stations(path: Path, relpath: str, real_numbers: frozenset[str] = frozenset()) -> Iterator[Station | Diagnostic]:
    """Stream rows as stations or diagnostics, so thousands of rows never sit in memory twice."""
    try:
        yield from _iter_stations(path, relpath, real_numbers)
    except SheetProblem as problem:
        yield problem.diagnostic


def _iter_stations(path: Path, relpath: str, real_numbers: frozenset[str]) -> Iterator[Station | Diagnostic]:
    notes: list[Diagnostic] = []
    rows = sheet_rows(path, relpath, "站点表", notes)
    header = next(rows, None)
    yield from notes
    if header is None:
        yield error(relpath, 1, 1, "empty-file", "站点表是空的。")
        return
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        canonical = _canonical(str(name or "").strip())
        if canonical is None:
            if str(name or "").strip():
                yield warning(relpath, 1, index + 1, "unknown-column",
                              f"不认识的列名“{shown(str(name), 30)}”，将被忽略。可用的列：{'、'.join(LABELS.values())}。")
        elif canonical in columns:
            yield error(relpath, 1, index + 1, "duplicate-column", f"列“{shown(str(name))}”重复。")
        else:
            columns[canonical] = index
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        yield error(relpath, 1, 1, "missing-column",
                    "站点表缺少必需的列：" + "、".join(f"{LABELS[c]}（{c}）" for c in missing) + "。")
        return

    seen: dict[str, int] = {}
    for row_number, row in enumerate(rows, start=2):
        if row_number > MAX_ROWS + 1:
            raise SheetProblem(error(relpath, row_number, 1, "too-many-rows",
                                     f"站点表超过 {MAX_ROWS} 行，其余行没有读取。请按地区拆分成几个项目。"))
        long_cell = next((i for i, value in enumerate(row) if value is not None and len(str(value)) > MAX_CELL_CHARS), None)
        if long_cell is not None:
            yield error(relpath, row_number, long_cell + 1, "too-long",
                        f"第 {row_number} 行第 {long_cell + 1} 列的内容太长（超过 {MAX_CELL_CHARS} 个字），这一行没有读取。")
            continue
        values = {c: cell_text(row, i) for c, i in columns.items()}
        if not any(values.values()):
            continue  # blank rows between blocks are common in Excel sheets
        numeric = {c for c, i in columns.items() if i < len(row) and isinstance(row[i], (int, float))}
        problems = list(_row_problems(values, columns, row_number, relpath, seen, numeric))
        problems.extend(_mobile_warnings(values, columns, row_number, relpath, real_numbers))
        yield from problems
        # Every row's id counts, so a duplicate is reported even when either row has other errors.
        if values.get("id") and values["id"] not in seen:
            seen[values["id"]] = row_number
        if not any(p.is_error for p in problems):
            yield Station(**{c: values.get(c, "") for c in COLUMNS}, row=row_number)


def _row_problems(values: dict, columns: dict, row: int, relpath: str, seen: dict,
                  numeric: frozenset[str] | set[str] = frozenset()) -> Iterator[Diagnostic]:
    def col(name: str) -> int:
        return columns[name] + 1

    for name in REQUIRED:
        if not values.get(name):
            yield error(relpath, row, col(name), "missing-field", f"第 {row} 行缺少“{LABELS[name]}”。")
    unsafe = set()
    # Phone numbers too: a line break or U+0085 inside one passed as a separator and was printed.
    for name in ("id", "name", "address", "officer", "officer_title", "phone", "officer_phone"):
        found = unsafe_characters(values.get(name, "")) if name in columns else []
        if found:
            unsafe.add(name)
            names = "、".join(control_character_name(c) for c in dict.fromkeys(found))
            yield error(relpath, row, col(name), "bad-value",
                        f"第 {row} 行“{LABELS[name]}”含有控制字符或不可见的排版字符（{names}），请删除后重新输入。")
    for name in ("name", "address", "officer", "officer_title"):
        value = values.get(name, "")
        if value.startswith(("=", "@")):
            unsafe.add(name)   # one message per cell: the formula, not also its length
            # Excel runs it when it opens the sheet (=HYPERLINK to anywhere, a DDE call); a CSV
            # has no way to say "this is text".
            yield error(relpath, row, col(name), "formula-cell",
                        f"第 {row} 行“{LABELS[name]}”以“{value[0]}”开头：Excel 和 WPS 打开站点表时会把它当成公式执行。"
                        f"请去掉开头的“{value[0]}”。")
    for name, limit in FIELD_LIMITS.items():
        if name not in unsafe and len(value := values.get(name, "")) > limit:
            yield error(relpath, row, col(name), "too-long",
                        f"第 {row} 行“{LABELS[name]}”有 {len(value)} 个字，最多 {limit} 个字"
                        "（警民联系卡和资料包封面上放得下的长度）。请精简后重新输入。")
    station_id = values.get("id", "") if "id" not in unsafe else ""
    why_not = id_problem(station_id) if station_id else None
    if why_not:
        yield error(relpath, row, col("id"), "invalid-id", f"第 {row} 行编号“{shown(station_id)}”不能用：{why_not}。")
    elif station_id in seen:
        yield error(relpath, row, col("id"), "duplicate-id", f"第 {row} 行编号“{station_id}”与第 {seen[station_id]} 行重复。")
    for name in ("phone", "officer_phone"):
        value = values.get(name, "") if name not in unsafe else ""
        if value and name in numeric and canonical(value) is None:
            yield error(relpath, row, col(name), "phone-as-number",
                        f"第 {row} 行“{LABELS[name]}”存成了数字（{shown(value)}），Excel 去掉了开头的 0。"
                        "请把这一列的单元格格式设为“文本”，再重新输入号码（如 0571-87654321）。")
        elif value and canonical(value) is None:
            yield error(relpath, row, col(name), "bad-phone",
                        f"第 {row} 行“{LABELS[name]}”“{shown(value)}”不是有效的电话号码，应为{FORMATS}。")
    url = values.get("wechat_qr_url", "")
    if url and not re.match(r"^https?://\S+$", url):
        yield error(relpath, row, col("wechat_qr_url"), "bad-value", f"第 {row} 行二维码链接“{shown(url)}”不是有效的网址（只能用 http:// 或 https:// 开头的网址）。")


def _mobile_warnings(values: dict, columns: dict, row: int, relpath: str, real: frozenset[str]) -> Iterator[Diagnostic]:
    """A mobile number that can ring someone, in a sheet that is often sample or test data:
    printed on contact cards and pack back pages, it would send the public to a stranger."""
    for name in ("phone", "officer_phone"):
        value = values.get(name, "")
        if value and is_mobile(value) and digits(value) not in real:
            yield warning(relpath, row, columns[name] + 1, "station-mobile",
                          f"第 {row} 行“{LABELS[name]}”{shown(value)} 是能拨通的手机号格式，会印在警民联系卡和资料包上。"
                          "示例或测试数据请用打不通的号码（如 0000-1234567）；如果这是对外公布的真实号码，"
                          "请把它写进 outreach.toml 的 [lint] real_numbers。")


def _canonical(header: str) -> str | None:
    lowered = header.lower().replace(" ", "_")
    for column, names in COLUMNS.items():
        if lowered in names or header in names:
            return column
    return None
