"""Station data (派出所/警务室) from the CSV or XLSX sheet that staff export from Excel."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from outreach.diagnostics import Diagnostic, error, warning
from outreach.models import ID_RE

STATION_FILES = ("stations.csv", "stations.xlsx")

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

_PHONE = re.compile(r"^(?:0\d{2,3}-?\d{7,8}(?:-\d{1,5})?|1[3-9]\d{9}|\d{3,6})$")


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


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s()（）]", "", value).replace("—", "-").replace("－", "-")


def find_station_file(content: Path) -> Path | None:
    for name in STATION_FILES:
        if (content / name).is_file():
            return content / name
    return None


def read_stations(path: Path, relpath: str) -> tuple[list[Station], list[Diagnostic]]:
    """All valid stations and every problem found, reported together."""
    stations: list[Station] = []
    diagnostics: list[Diagnostic] = []
    for item in iter_stations(path, relpath):
        if isinstance(item, Station):
            stations.append(item)
        else:
            diagnostics.append(item)
    return stations, diagnostics


def iter_stations(path: Path, relpath: str) -> Iterator[Station | Diagnostic]:
    """Stream rows as stations or diagnostics, so thousands of rows never sit in memory twice."""
    try:
        rows = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
        header = next(rows, None)
    except (UnicodeDecodeError, ValueError, OSError, KeyError) as exc:
        yield error(relpath, 1, 1, "encoding", f"无法读取站点表：{exc}。CSV 请以 UTF-8 编码保存，或直接使用 .xlsx。")
        return
    if header is None:
        yield error(relpath, 1, 1, "empty-file", "站点表是空的。")
        return
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        canonical = _canonical(str(name or "").strip())
        if canonical is None:
            if str(name or "").strip():
                yield warning(relpath, 1, index + 1, "unknown-column",
                              f"不认识的列名“{name}”，将被忽略。可用的列：{'、'.join(LABELS.values())}。")
        elif canonical in columns:
            yield error(relpath, 1, index + 1, "duplicate-column", f"列“{name}”重复。")
        else:
            columns[canonical] = index
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        yield error(relpath, 1, 1, "missing-column",
                    "站点表缺少必需的列：" + "、".join(f"{LABELS[c]}（{c}）" for c in missing) + "。")
        return

    seen: dict[str, int] = {}
    for row_number, row in enumerate(rows, start=2):
        values = {c: _cell(row, i) for c, i in columns.items()}
        if not any(values.values()):
            continue  # blank rows between blocks are common in Excel sheets
        problems = list(_row_problems(values, columns, row_number, relpath, seen))
        yield from problems
        if not any(p.is_error for p in problems):
            seen[values["id"]] = row_number
            yield Station(**{c: values.get(c, "") for c in COLUMNS}, row=row_number)


def _row_problems(values: dict, columns: dict, row: int, relpath: str, seen: dict) -> Iterator[Diagnostic]:
    def col(name: str) -> int:
        return columns[name] + 1

    for name in REQUIRED:
        if not values.get(name):
            yield error(relpath, row, col(name), "missing-field", f"第 {row} 行缺少“{LABELS[name]}”。")
    station_id = values.get("id", "")
    if station_id and not ID_RE.match(station_id):
        yield error(relpath, row, col("id"), "invalid-id",
                    f"第 {row} 行编号“{station_id}”格式不对，只能用小写字母、数字和连字符。")
    elif station_id in seen:
        yield error(relpath, row, col("id"), "duplicate-id", f"第 {row} 行编号“{station_id}”与第 {seen[station_id]} 行重复。")
    for name in ("phone", "officer_phone"):
        value = values.get(name, "")
        if value and not _PHONE.match(normalise_phone(value)):
            yield error(relpath, row, col(name), "bad-phone",
                        f"第 {row} 行“{LABELS[name]}”“{value}”不是有效的电话号码（固话如 0571-12345678，手机 11 位）。")
    url = values.get("wechat_qr_url", "")
    if url and not re.match(r"^https?://\S+$", url):
        yield error(relpath, row, col("wechat_qr_url"), "bad-value", f"第 {row} 行二维码链接“{url}”不是有效的网址。")


def _canonical(header: str) -> str | None:
    lowered = header.lower().replace(" ", "_")
    for canonical, names in COLUMNS.items():
        if lowered in names or header in names:
            return canonical
    return None


def _cell(row: list, index: int) -> str:
    if index >= len(row) or row[index] is None:
        return ""
    value = row[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores phone numbers typed as numbers as floats
    return str(value).strip()


def _csv_rows(path: Path) -> Iterator[list]:
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    yield from csv.reader(io.StringIO(text))


def _xlsx_rows(path: Path) -> Iterator[list]:
    from openpyxl import load_workbook  # only needed for .xlsx files

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()
