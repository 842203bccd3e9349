"""Station data (派出所/警务室) from the CSV or XLSX sheet that staff export from Excel."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from outreach.core.errors import OutreachError
from outreach.project.diagnostics import Diagnostic, error, warning
from outreach.project.models import ID_RE, unsafe_characters
from outreach.project.phones import FORMATS, canonical, digits, is_mobile

STATION_FILES = ("stations.csv", "stations.xlsx")

# A sheet exported from Excel for every station of a city or province stays far below these;
# a larger one (or a .xlsx that unpacks to gigabytes) is refused before it is read.
MAX_SHEET_BYTES = 20 * 1024 * 1024
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ROWS = 20_000
MAX_CELL_CHARS = 500

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


class SheetProblem(OutreachError):
    """The sheet cannot be read on from here; carries the located diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def iter_stations(path: Path, relpath: str, real_numbers: frozenset[str] = frozenset()) -> Iterator[Station | Diagnostic]:
    """Stream rows as stations or diagnostics, so thousands of rows never sit in memory twice."""
    try:
        yield from _iter_stations(path, relpath, real_numbers)
    except SheetProblem as problem:
        yield problem.diagnostic


def _iter_stations(path: Path, relpath: str, real_numbers: frozenset[str]) -> Iterator[Station | Diagnostic]:
    size = path.stat().st_size
    if size > MAX_SHEET_BYTES:
        raise SheetProblem(error(relpath, 0, 0, "file-too-large",
                                 f"站点表过大（{size // 1024 // 1024} MB），不能超过 {MAX_SHEET_BYTES // 1024 // 1024} MB。"))
    notes: list[Diagnostic] = []
    rows = _xlsx_rows(path, relpath) if path.suffix.lower() == ".xlsx" else _csv_rows(path, relpath, notes)
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
                shown = str(name) if len(str(name)) <= 30 else str(name)[:20] + "…"
                yield warning(relpath, 1, index + 1, "unknown-column",
                              f"不认识的列名“{shown}”，将被忽略。可用的列：{'、'.join(LABELS.values())}。")
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
        if row_number > MAX_ROWS + 1:
            raise SheetProblem(error(relpath, row_number, 1, "too-many-rows",
                                     f"站点表超过 {MAX_ROWS} 行，其余行没有读取。请按地区拆分成几个项目。"))
        long_cell = next((i for i, value in enumerate(row) if value is not None and len(str(value)) > MAX_CELL_CHARS), None)
        if long_cell is not None:
            yield error(relpath, row_number, long_cell + 1, "too-long",
                        f"第 {row_number} 行第 {long_cell + 1} 列的内容太长（超过 {MAX_CELL_CHARS} 个字），这一行没有读取。")
            continue
        values = {c: _cell(row, i) for c, i in columns.items()}
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
    for name in ("id", "name", "address", "officer", "officer_title"):
        found = unsafe_characters(values.get(name, "")) if name in columns else []
        if found:
            shown = "、".join(f"U+{ord(c):04X}" for c in dict.fromkeys(found))
            yield error(relpath, row, col(name), "bad-value",
                        f"第 {row} 行“{LABELS[name]}”含有控制字符或不可见的排版字符（{shown}），请删除后重新输入。")
    station_id = values.get("id", "")
    if station_id and not ID_RE.match(station_id):
        yield error(relpath, row, col("id"), "invalid-id",
                    f"第 {row} 行编号“{station_id}”格式不对，只能用小写字母、数字和连字符。")
    elif station_id in seen:
        yield error(relpath, row, col("id"), "duplicate-id", f"第 {row} 行编号“{station_id}”与第 {seen[station_id]} 行重复。")
    for name in ("phone", "officer_phone"):
        value = values.get(name, "")
        if value and name in numeric and canonical(value) is None:
            yield error(relpath, row, col(name), "phone-as-number",
                        f"第 {row} 行“{LABELS[name]}”存成了数字（{value}），Excel 去掉了开头的 0。"
                        "请把这一列的单元格格式设为“文本”，再重新输入号码（如 0571-87654321）。")
        elif value and canonical(value) is None:
            yield error(relpath, row, col(name), "bad-phone",
                        f"第 {row} 行“{LABELS[name]}”“{value}”不是有效的电话号码，应为{FORMATS}。")
    url = values.get("wechat_qr_url", "")
    if url and not re.match(r"^https?://\S+$", url):
        yield error(relpath, row, col("wechat_qr_url"), "bad-value", f"第 {row} 行二维码链接“{url}”不是有效的网址。")


def _mobile_warnings(values: dict, columns: dict, row: int, relpath: str, real: frozenset[str]) -> Iterator[Diagnostic]:
    """A mobile number that can ring someone, in a sheet that is often sample or test data:
    printed on contact cards and pack back pages, it would send the public to a stranger."""
    for name in ("phone", "officer_phone"):
        value = values.get(name, "")
        if value and is_mobile(value) and digits(value) not in real:
            yield warning(relpath, row, columns[name] + 1, "station-mobile",
                          f"第 {row} 行“{LABELS[name]}”{value} 是能拨通的手机号格式，会印在警民联系卡和资料包上。"
                          "示例或测试数据请用打不通的号码（如 0000-1234567）；如果这是对外公布的真实号码，"
                          "请把它写进 outreach.toml 的 [lint] real_numbers。")


def _canonical(header: str) -> str | None:
    lowered = header.lower().replace(" ", "_")
    for column, names in COLUMNS.items():
        if lowered in names or header in names:
            return column
    return None


def _cell(row: list, index: int) -> str:
    if index >= len(row) or row[index] is None:
        return ""
    value = row[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores phone numbers typed as numbers as floats
    return str(value).strip()


def _csv_rows(path: Path, relpath: str, notes: list[Diagnostic]) -> Iterator[list]:
    """Rows from a CSV in UTF-8 (with or without BOM) or GB18030/GBK (what Chinese Excel saves as
    “CSV”); a bad byte or an over-long field is located by row."""
    raw = path.read_bytes()   # at most MAX_SHEET_BYTES
    text, encoding = _decode_sheet(raw, relpath)
    if encoding != "utf-8":
        notes.append(warning(relpath, 1, 1, "sheet-encoding",
                             "站点表是 GBK（GB18030）编码的 CSV（Excel 另存为“CSV”时的默认编码），已按此读取。"
                             "以后可以另存为“CSV UTF-8”，在别的软件里也不会乱码。"))
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SheetProblem(error(relpath, reader.line_num, 1, "bad-csv",
                                     f"站点表第 {reader.line_num} 行无法读取（{_csv_reason(exc)}），其后的行没有读取。")) from None
        yield row


def _decode_sheet(raw: bytes, relpath: str) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            line = raw.count(b"\n", 0, utf8_error.start) + 1
            line_start = raw.rfind(b"\n", 0, utf8_error.start) + 1
            column = len(raw[line_start:utf8_error.start].decode("utf-8", errors="replace")) + 1
            raise SheetProblem(error(relpath, line, column, "encoding",
                                     f"站点表第 {line} 行既不是 UTF-8 也不是 GBK 编码，无法读取。"
                                     "请在 Excel 里另存为“CSV UTF-8”，或直接使用 .xlsx。")) from None


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"某个单元格超过 {csv.field_size_limit() // 1024} KiB"
    if "new-line character seen in unquoted field" in text or "NUL" in text:
        return "文件里有不该出现的字符，可能不是 CSV 文件"
    return text


def _xlsx_rows(path: Path, relpath: str) -> Iterator[list]:
    """Rows streamed from the first sheet; a corrupt, truncated or zip-bomb file is refused."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SheetProblem(error(relpath, 0, 0, "bad-xlsx", _BAD_XLSX)) from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise SheetProblem(error(relpath, 0, 0, "file-too-large",
                                 f"站点表解压后有 {unpacked // 1024 // 1024} MB，超过 {MAX_XLSX_UNPACKED_BYTES // 1024 // 1024} MB 的上限"
                                 f"（可能含有超长的单元格）。"))
    from openpyxl import load_workbook  # only needed for .xlsx files

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds (KeyError, InvalidFileException, XML errors)
        raise SheetProblem(error(relpath, 0, 0, "bad-xlsx", _BAD_XLSX)) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        row_number = 0
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception:  # noqa: BLE001 - a truncated sheet fails mid-way
                raise SheetProblem(error(relpath, row_number + 1, 1, "bad-xlsx",
                                         f"站点表第 {row_number + 1} 行起无法读取：{_BAD_XLSX}")) from None
            row_number += 1
            yield list(row)
    finally:
        workbook.close()


_BAD_XLSX = "文件已损坏或不完整，无法作为 .xlsx 打开。请在 Excel 或 WPS 里重新保存，或另存为 CSV UTF-8。"
