"""Reading a spreadsheet staff keep in Excel or WPS: .xlsx, or CSV in UTF-8 or GBK.

One reader for every sheet a project has (the station list, question banks): sizes are
bounded before anything is parsed, a corrupt or zip-bomb .xlsx is refused, and every
problem is located by row and column. `noun` names the sheet in messages (站点表, 题库).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterator

from outreach.core.errors import OutreachError
from outreach.project.diagnostics import Diagnostic, error, warning

# A sheet exported from Excel for every station of a city or province stays far below these;
# a larger one (or a .xlsx that unpacks to gigabytes) is refused before it is read.
MAX_SHEET_BYTES = 20 * 1024 * 1024
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024


class SheetProblem(OutreachError):
    """The sheet cannot be read on from here; carries the located diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def sheet_rows(path: Path, relpath: str, noun: str, notes: list[Diagnostic]) -> Iterator[list]:
    """The rows of the first sheet (.xlsx) or of a CSV; notes about the file go to `notes`."""
    size = path.stat().st_size
    if size > MAX_SHEET_BYTES:
        raise SheetProblem(error(relpath, 0, 0, "file-too-large",
                                 f"{noun}过大（{size // 1024 // 1024} MB），不能超过 {MAX_SHEET_BYTES // 1024 // 1024} MB。"))
    if path.suffix.lower() == ".xlsx":
        return _xlsx_rows(path, relpath, noun)
    return _csv_rows(path, relpath, noun, notes)


def cell_text(row: list, index: int) -> str:
    if index >= len(row) or row[index] is None:
        return ""
    value = row[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores phone numbers typed as numbers as floats
    return str(value).strip()


# What Excel and WPS read as the start of a formula (or, with @, a function call) when a cell is
# typed or a file is opened: "=HYPERLINK(…)" typed into the editor must stay that text.
FORMULA_STARTS = ("=", "+", "-", "@")


def set_text_cell(cell, value: str | None) -> None:
    """Write `value` into an openpyxl cell as text that no spreadsheet evaluates.

    openpyxl stores any string starting with "=" as a live formula; Excel runs it when the file
    is opened (a HYPERLINK to anywhere, a DDE call). The cell is written as a text cell, and
    marked as typed with a leading apostrophe (quotePrefix) so that Excel keeps it text when
    someone edits it there too."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


def _csv_rows(path: Path, relpath: str, noun: str, notes: list[Diagnostic]) -> Iterator[list]:
    """Rows from a CSV in UTF-8 (with or without BOM) or GB18030/GBK (what Chinese Excel saves as
    “CSV”); a bad byte or an over-long field is located by row."""
    raw = path.read_bytes()   # at most MAX_SHEET_BYTES
    text, encoding = decode_sheet(raw, relpath, noun)
    if encoding != "utf-8":
        notes.append(warning(relpath, 1, 1, "sheet-encoding",
                             f"{noun}是 GBK（GB18030）编码的 CSV（Excel 另存为“CSV”时的默认编码），已按此读取。"
                             "以后可以另存为“CSV UTF-8”，在别的软件里也不会乱码。"))
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SheetProblem(error(relpath, reader.line_num, 1, "bad-csv",
                                     f"{noun}第 {reader.line_num} 行无法读取（{_csv_reason(exc)}），其后的行没有读取。")) from None
        yield row


def decode_sheet(raw: bytes, relpath: str, noun: str) -> tuple[str, str]:
    """A CSV's text (without its byte-order mark) and the encoding it was in: utf-8 or gb18030."""
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
                                     f"{noun}第 {line} 行既不是 UTF-8 也不是 GBK 编码，无法读取。"
                                     "请在 Excel 里另存为“CSV UTF-8”，或直接使用 .xlsx。")) from None


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"某个单元格超过 {csv.field_size_limit() // 1024} KiB"
    if "new-line character seen in unquoted field" in text or "NUL" in text:
        return "文件里有不该出现的字符，可能不是 CSV 文件"
    return text


def _xlsx_rows(path: Path, relpath: str, noun: str) -> Iterator[list]:
    """Rows streamed from the first sheet; a corrupt, truncated or zip-bomb file is refused."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SheetProblem(error(relpath, 0, 0, "bad-xlsx", _BAD_XLSX)) from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise SheetProblem(error(relpath, 0, 0, "file-too-large",
                                 f"{noun}解压后有 {unpacked // 1024 // 1024} MB，超过 {MAX_XLSX_UNPACKED_BYTES // 1024 // 1024} MB 的上限"
                                 f"（可能含有超长的单元格）。"))
    from openpyxl import load_workbook  # only needed for .xlsx files

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:
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
            except Exception:
                raise SheetProblem(error(relpath, row_number + 1, 1, "bad-xlsx",
                                         f"{noun}第 {row_number + 1} 行起无法读取：{_BAD_XLSX}")) from None
            row_number += 1
            yield list(row)
    finally:
        workbook.close()


_BAD_XLSX = "文件已损坏或不完整，无法作为 .xlsx 打开。请在 Excel 或 WPS 里重新保存，或另存为 CSV UTF-8。"
