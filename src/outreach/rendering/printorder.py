"""印刷清单 (the print order sheet) as a spreadsheet and as CSV, and 打印说明 as a text file
Windows Notepad shows right: the files staff forward to a print shop as they are.

Both are deterministic: the same rows give the same bytes (the xlsx is re-zipped with fixed
times, its document properties dated by the caller)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class OrderSheet:
    title: str                       # first line, e.g. "《老年人防骗资料包》印刷清单"
    notes: tuple[str, ...]           # lines under the title (settings the quantities come from)
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]          # one per file
    total: tuple                     # the last row (totals), same width as columns


def notepad_text(text: str) -> bytes:
    """UTF-8 with a byte-order mark and CRLF line ends: older Windows Notepad shows anything else
    garbled or as one long line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    return ("\ufeff" + lines.replace("\n", "\r\n")).encode("utf-8")


def order_csv(sheet: OrderSheet) -> bytes:
    """The sheet as CSV for Excel and WPS: UTF-8 with BOM (else Excel reads it as GBK), CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([sheet.title])
    for note in sheet.notes:
        writer.writerow([note])
    writer.writerow([])
    writer.writerow(sheet.columns)
    writer.writerows(sheet.rows)
    writer.writerow(sheet.total)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def order_xlsx(sheet: OrderSheet, day: dt.date) -> bytes:
    """The sheet as an .xlsx workbook (one worksheet, header row frozen, columns sized to fit)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    page = book.active
    page.title = "印刷清单"
    page.append([sheet.title])
    page["A1"].font = Font(bold=True, size=14)
    for note in sheet.notes:
        page.append([note])
    page.append([])
    header = len(sheet.notes) + 3
    page.append(list(sheet.columns))
    for cell in page[header]:
        cell.font = Font(bold=True)
    for row in sheet.rows:
        page.append(list(row))
    page.append(list(sheet.total))
    for cell in page[page.max_row]:
        cell.font = Font(bold=True)
    page.freeze_panes = page.cell(row=header + 1, column=1)
    for index, name in enumerate(sheet.columns, start=1):
        values = [name, *(row[index - 1] for row in sheet.rows)]
        width = max(_display_width(str(v)) for v in values)
        page.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 6), 60)
        for row in page.iter_rows(min_row=header + 1, min_col=index, max_col=index):
            row[0].alignment = Alignment(wrap_text=True, vertical="top")
    when = dt.datetime.combine(day, dt.time())
    book.properties.creator = "outreach"
    book.properties.created = book.properties.modified = when
    buffer = io.BytesIO()
    book.save(buffer)   # sets the modified time to now: fixed again below
    return _fixed_times(buffer.getvalue(), when)


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _fixed_times(xlsx: bytes, when: dt.datetime) -> bytes:
    """The workbook's zip again, its members in the same order with fixed times, and its
    document properties dated `when` (openpyxl stamps the time of saving)."""
    import re

    output = io.BytesIO()
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, \
            zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            archive.writestr(fixed, data)
    return output.getvalue()
