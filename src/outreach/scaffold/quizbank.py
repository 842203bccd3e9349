"""`outreach import quiz` and `outreach export quiz`: question banks between Excel and content/quizzes/."""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

import yaml

from outreach.core.errors import OutreachError
from outreach.core.fsutil import atomic_write
from outreach.project.diagnostics import Diagnostic, error, shown, visible
from outreach.project.kinds import QUIZZES
from outreach.project.loader import parse_item
from outreach.project.models import Quiz, id_problem
from outreach.project.quizsheet import bank_rows, read_bank
from outreach.project.spreadsheet import set_text_cell

QUIZ_DIR = f"content/{QUIZZES.folder}"
TITLE_LIMIT = next(m.max_length for m in Quiz.model_fields["title"].metadata if hasattr(m, "max_length"))


class _ListsIndented(yaml.SafeDumper):
    """List items indented under their key, as in every other content file."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


class BankError(OutreachError):
    """The bank cannot be imported or exported as asked (not a problem inside the sheet)."""


def import_bank(root: Path, sheet: Path, quiz_id: str | None = None, title: str | None = None,
                force: bool = False) -> tuple[Path | None, list[Diagnostic]]:
    """Read the sheet and write content/quizzes/<id>.yaml; nothing is written while any row is bad."""
    quiz_id = quiz_id or sheet.stem
    why_not = id_problem(quiz_id)
    if why_not:
        raise BankError(f"题库编号“{shown(quiz_id)}”不能用作文件名：{why_not}。请用 --id 指定，例如 --id spring-quiz。")
    target = root / QUIZ_DIR / f"{quiz_id}.yaml"
    if target.exists() and not force:
        raise BankError(f"{QUIZ_DIR}/{quiz_id}.yaml 已存在。要用新题库替换它，请加 --force；或用 --id 换一个编号。")
    bank = read_bank(sheet, visible(sheet.name))
    if not bank.ok:
        return None, bank.diagnostics
    data = {"title": title or _title_from(sheet.stem), "questions": bank.questions}
    # User text (the title, every question) reaches the file only through the YAML writer; the
    # sheet's name goes into a comment, so it is made one visible line first: a name with a line
    # break in it ("bank\nstatus: 已审核.xlsx") would otherwise add fields, here a faked review.
    text = (f"# yaml-language-server: $schema=../../build/schema/quiz.json\n"
            f"# 由 {_comment_text(sheet.name)} 导入（outreach import quiz）。以后可以直接修改这个文件，或改好表格后加 --force 重新导入。\n"
            + yaml.dump(data, Dumper=_ListsIndented, allow_unicode=True, sort_keys=False, width=1000))
    relpath = f"{QUIZ_DIR}/{quiz_id}.yaml"
    item, problems = parse_item(text.encode("utf-8"), relpath, QUIZZES.folder)
    if item is None or any(p.is_error for p in problems):   # the same rules as `check`, before anything is written
        return None, bank.diagnostics + problems
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, text)
    return target, bank.diagnostics + problems


def _comment_text(name: str) -> str:
    """A file name as one line of a YAML comment: every character YAML 1.1 reads as a line end
    (\\n, \\r, U+0085, U+2028, U+2029) or that is invisible is written out."""
    return visible(name)


def _title_from(stem: str) -> str:
    """The quiz's title from the sheet's name: what people see of it, on one line, within the
    title's limit."""
    words = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in stem).split()
    return " ".join(words)[:TITLE_LIMIT] or "题库"


def export_bank(root: Path, quiz_id: str, output: Path, fmt: str) -> Path:
    """content/quizzes/<id>.yaml as a sheet in the usual bank layout (xlsx, or csv for any program)."""
    if id_problem(quiz_id):
        raise BankError(f"没有题库“{shown(quiz_id)}”：题库编号是 {QUIZ_DIR}/ 下的文件名。用 outreach list {QUIZZES.folder} 查看已有的题库。")
    source = root / QUIZ_DIR / f"{quiz_id}.yaml"
    if not source.is_file():
        raise BankError(f"没有题库“{quiz_id}”（{QUIZ_DIR}/{quiz_id}.yaml 不存在）。用 outreach list {QUIZZES.folder} 查看已有的题库。")
    item, problems = parse_item(source.read_bytes(), f"{QUIZ_DIR}/{quiz_id}.yaml", QUIZZES.folder)
    if item is None:
        first = next((p for p in problems if p.is_error), error(source.name, 0, 0, "bad-quiz", "无法读取。"))
        raise BankError(f"题库“{quiz_id}”有错误，请先修正：{first.format()}")
    rows = bank_rows(list(item.model.questions))
    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        csv.writer(buffer).writerows(rows)
        atomic_write(output, "\ufeff" + buffer.getvalue())   # the BOM lets Excel open UTF-8 as UTF-8
        return output
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "题库"
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            set_text_cell(cell, value)   # a question starting with "=" is text, never a formula
            cell.number_format = "@"     # text: answers and ids stay as typed when the sheet is edited
    buffer_bytes = io.BytesIO()
    workbook.save(buffer_bytes)
    atomic_write(output, buffer_bytes.getvalue())
    return output
