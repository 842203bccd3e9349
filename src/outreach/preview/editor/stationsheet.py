"""派出所: the station sheet as an editable table, written back in the file's own format.

The sheet stays what staff keep in Excel or WPS: a CSV keeps its encoding (UTF-8 with or
without BOM, or GBK), line endings and header texts; an .xlsx is changed cell by cell with
openpyxl, so its other sheets, widths and styles stay. The header row is not editable here:
columns are Excel's business. Rows are checked by the same reader as `build` before writing.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from outreach.preview.editor.store import EditorError
from outreach.project.config import load_config
from outreach.project.diagnostics import Diagnostic
from outreach.project.phones import digits
from outreach.project.spreadsheet import SheetProblem, cell_text, decode_sheet, set_text_cell, sheet_rows
from outreach.project.stations import COLUMNS, LABELS, find_station_file, read_stations

MAX_EDITED_ROWS = 2000   # a larger sheet is edited in Excel: a form with 20 000 rows helps no one


def station_file(root: Path) -> Path | None:
    return find_station_file(root / "content")


def read_table(path: Path, relpath: str) -> dict:
    notes: list[Diagnostic] = []
    try:
        rows = [[cell_text(row, i) for i in range(len(row))] for row in sheet_rows(path, relpath, "站点表", notes)]
    except SheetProblem as problem:
        raise EditorError(f"站点表读不出来：{problem.diagnostic.format()}。请在 Excel 或 WPS 里修正。") from None
    if not rows:
        raise EditorError("站点表是空的：请先在 Excel 里写好列名（编号、派出所、电话……）。")
    header, body = rows[0], rows[1:]
    if len(body) > MAX_EDITED_ROWS:
        raise EditorError(f"站点表有 {len(body)} 行，超过编辑器能编辑的 {MAX_EDITED_ROWS} 行：请在 Excel 里修改。")
    width = max(len(header), *(len(r) for r in body)) if body else len(header)
    header = header + [""] * (width - len(header))
    return {"header": header, "labels": [_label(h) for h in header],
            "rows": [r + [""] * (width - len(r)) for r in body]}


def _label(header: str) -> str:
    for column, names in COLUMNS.items():
        if header.strip().lower() in (n.lower() for n in names):
            return LABELS[column]
    return header


def new_bytes(path: Path, rows: list[list[str]]) -> bytes:
    """The sheet with these rows under its unchanged header, in the file's own format."""
    if path.suffix.lower() == ".xlsx":
        return _xlsx_bytes(path, rows)
    return _csv_bytes(path, rows)


def _csv_bytes(path: Path, rows: list[list[str]]) -> bytes:
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text, encoding = decode_sheet(raw, path.name, "站点表")
    except SheetProblem as problem:
        raise EditorError(f"站点表读不出来：{problem.diagnostic.format()}。请在 Excel 或 WPS 里修正。") from None
    header = next(csv.reader(io.StringIO(text, newline="")), [])
    ending = "\r\n" if "\r\n" in text else "\n"
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=ending)
    writer.writerow(header)
    writer.writerows(rows)
    try:
        data = out.getvalue().encode(encoding)
    except UnicodeEncodeError:
        raise EditorError("有的字在 GBK 编码的站点表里存不下：请在 Excel 里把站点表另存为“CSV UTF-8”后再修改。") from None
    return (b"\xef\xbb\xbf" if bom else b"") + data


def _xlsx_bytes(path: Path, rows: list[list[str]]) -> bytes:
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    old_rows = sheet.max_row
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            if cell_text([cell.value], 0) != value:
                # Text stays text: a phone number keeps its leading 0, "=HYPERLINK(…)" is no formula.
                set_text_cell(cell, value or None)
    if old_rows > len(rows) + 1:
        sheet.delete_rows(len(rows) + 2, old_rows - len(rows) - 1)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def check_bytes(root: Path, path: Path, relpath: str, data: bytes) -> list[Diagnostic]:
    """What `build` would say about the sheet if it had these bytes."""
    config, _ = load_config(root)
    real = frozenset(digits(n) for n in config.lint.real_numbers) if config else frozenset()
    with tempfile.TemporaryDirectory(prefix="outreach-stations-") as folder:
        candidate = Path(folder) / path.name
        candidate.write_bytes(data)
        return read_stations(candidate, relpath, real)[1]
