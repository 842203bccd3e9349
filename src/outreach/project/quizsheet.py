"""Question banks kept in Excel: the usual layout (题型, 题目, 选项A … 选项F, 答案, 解析) ↔ quiz data.

Staff and training departments keep question banks in spreadsheets; reading them here means a
bank is imported once, every bad row reported with its row and column together, instead of
retyped into YAML. The same columns are written back by `outreach export quiz`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from outreach.project.diagnostics import Diagnostic, error, shown, warning
from outreach.project.models import LETTERS, Question
from outreach.project.spreadsheet import SheetProblem, cell_text, sheet_rows
from outreach.project.yamlsource import CONTROL_CHARACTERS, control_character_name

CHOICE_LETTERS = LETTERS        # 选项A … 选项H (banks usually stop at F)
SHEET_CHOICES = 6               # the choice columns an exported sheet always has
MAX_QUESTIONS = 500

# Canonical column → header names seen in banks (Chinese as staff write them, and the field names).
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("编号", "题号", "id"),
    "kind": ("题型", "类型", "kind"),
    "question": ("题目", "题干", "问题", "question"),
    **{f"choice_{letter}": (f"选项{letter}", f"选项 {letter}", letter, f"choice_{letter.lower()}")
       for letter in CHOICE_LETTERS},
    "answer": ("答案", "正确答案", "answer"),
    "explanation": ("解析", "答案解析", "解释", "explanation"),
    "scenario": ("诈骗类型", "相关诈骗类型", "scenario"),
}
REQUIRED = ("kind", "question", "answer", "explanation")
LABELS = {"kind": "题型", "question": "题目", "answer": "答案", "explanation": "解析", "id": "编号", "scenario": "诈骗类型",
          **{f"choice_{letter}": f"选项{letter}" for letter in CHOICE_LETTERS}}
TEXT_COLUMNS = ("question", "explanation", *(f"choice_{letter}" for letter in CHOICE_LETTERS))

KINDS = {"单选": "single", "单选题": "single", "single": "single",
         "多选": "multiple", "多选题": "multiple", "multiple": "multiple",
         "判断": "truefalse", "判断题": "truefalse", "truefalse": "truefalse"}
KIND_NAMES = {"single": "单选", "multiple": "多选", "truefalse": "判断"}
TRUE_WORDS = {"对", "正确", "√", "是", "true", "t", "yes"}
FALSE_WORDS = {"错", "错误", "×", "否", "false", "f", "no"}


@dataclass
class Bank:
    questions: list[dict[str, Any]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.questions) and not any(d.is_error for d in self.diagnostics)


def read_bank(path: Path, relpath: str) -> Bank:
    """Every question of the sheet as quiz data, and every problem, located by row and column."""
    bank = Bank()
    try:
        _read(path, relpath, bank)
    except SheetProblem as problem:
        bank.diagnostics.append(problem.diagnostic)
    return bank


def _read(path: Path, relpath: str, bank: Bank) -> None:
    notes: list[Diagnostic] = []
    rows = sheet_rows(path, relpath, "题库", notes)
    header = next(rows, None)
    bank.diagnostics.extend(notes)
    if header is None:
        bank.diagnostics.append(error(relpath, 1, 1, "empty-file", "题库是空的。"))
        return
    columns = _columns(header, relpath, bank.diagnostics)
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        bank.diagnostics.append(error(relpath, 1, 1, "missing-column", "题库缺少必需的列：" + "、".join(LABELS[c] for c in missing)
                                      + "。第一行应是列名：题型、题目、选项A … 选项F、答案、解析。"))
        return
    for row_number, row in enumerate(rows, start=2):
        values = {c: cell_text(row, i) for c, i in columns.items()}
        if not any(values.values()):
            continue   # blank rows between blocks are common in Excel sheets
        if len(bank.questions) >= MAX_QUESTIONS:
            bank.diagnostics.append(error(relpath, row_number, 1, "too-many-rows",
                                          f"题库超过 {MAX_QUESTIONS} 道题，其余行没有读取。请拆成几套题。"))
            return
        for column in TEXT_COLUMNS:
            index = columns.get(column)
            if index is not None and index < len(row) and isinstance(row[index], (int, float)) \
                    and not isinstance(row[index], bool):
                bank.diagnostics.append(warning(
                    relpath, row_number, index + 1, "number-cell",
                    f"第 {row_number} 行“{LABELS[column]}”（{_letter(index)} 列）是 Excel 的数字格式，开头的 0 或小数位可能已经丢失"
                    f"（现在读到“{shown(values[column])}”）。请把这一列设为“文本”后重新输入，再导入。"))
        question = _question(values, columns, row_number, relpath, len(bank.questions) + 1, bank.diagnostics)
        if question is not None:
            bank.questions.append(question)
    if not bank.questions and not any(d.is_error for d in bank.diagnostics):
        bank.diagnostics.append(error(relpath, 2, 1, "empty-file", "题库里没有题目（第一行是列名，题目从第二行开始）。"))


def _columns(header: list, relpath: str, diagnostics: list[Diagnostic]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        text = str(name or "").strip()
        canonical = next((c for c, names in COLUMNS.items() if text in names or text.lower() in names), None)
        if canonical is None:
            if text:
                diagnostics.append(warning(relpath, 1, index + 1, "unknown-column",
                                           f"不认识的列名“{shown(text, 20)}”（{_letter(index)} 列），将被忽略。"))
        elif canonical in columns:
            diagnostics.append(error(relpath, 1, index + 1, "duplicate-column", f"列“{shown(text)}”（{_letter(index)} 列）重复。"))
        else:
            columns[canonical] = index
    return columns


def _question(values: dict, columns: dict, row: int, relpath: str, number: int,
              diagnostics: list[Diagnostic]) -> dict[str, Any] | None:
    def problem(column: str, message: str) -> None:
        index = columns.get(column, 0)
        diagnostics.append(error(relpath, row, index + 1, "bad-row",
                                 f"第 {row} 行“{LABELS.get(column, column)}”（{_letter(index)} 列）：{message}"))

    for column, text in values.items():
        hidden = CONTROL_CHARACTERS.search(text)
        if hidden:   # copied from Word or a web page; the quiz file would refuse it, at a line no one has seen
            problem(column, f"有一个看不见的字符 {control_character_name(hidden.group())}，它印不出来。请删除它后重新导入。")
            return None
    kind = KINDS.get(values["kind"].replace(" ", "").lower())
    if kind is None:
        problem("kind", f"题型“{shown(values['kind'])}”不认识，应为 单选、多选 或 判断。")
        return None
    choices = [values.get(f"choice_{letter}", "") for letter in CHOICE_LETTERS]
    while choices and not choices[-1]:
        choices.pop()
    if "" in choices:
        gap = CHOICE_LETTERS[choices.index("")]
        problem(f"choice_{gap}", f"选项{gap}是空的，但后面还有选项。选项要从 A 开始连续填写。")
        return None
    answer = _answer(kind, values["answer"], choices)
    if isinstance(answer, str) and answer.startswith("!"):
        problem("answer", answer[1:])
        return None
    data: dict[str, Any] = {"id": values.get("id") or f"q{number:02d}", "kind": kind, "question": values["question"]}
    if kind != "truefalse":
        data["choices"] = choices
    data["answer"] = answer
    data["explanation"] = values["explanation"]
    if values.get("scenario"):
        data["scenario"] = values["scenario"]
    try:
        Question.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            field_name = str(err["loc"][0]) if err["loc"] else "question"
            if field_name.startswith("choices"):
                position = err["loc"][1] if len(err["loc"]) > 1 else 0
                field_name = f"choice_{CHOICE_LETTERS[position if isinstance(position, int) else 0]}"
            problem(field_name if field_name in LABELS else "question", _explain(dict(err)))
        return None
    return data


def _answer(kind: str, text: str, choices: list[str]) -> Any:
    """The answer in quiz form, or "!<why not>"."""
    cleaned = text.strip()
    if kind == "truefalse":
        if cleaned.lower() in TRUE_WORDS:
            return True
        if cleaned.lower() in FALSE_WORDS:
            return False
        return f"!判断题的答案“{shown(cleaned)}”应为 对 或 错（也可写 正确/错误、√/×）。"
    letters = re.sub(r"[\s,，、;；/]", "", cleaned).upper()
    offered = CHOICE_LETTERS[:len(choices)]
    if not letters or any(letter not in offered for letter in letters):
        return f"!答案“{shown(cleaned)}”不是这道题的选项字母（可选 {'、'.join(offered) or '无'}）。"
    if kind == "single":
        if len(letters) != 1:
            return f"!单选题只能有一个答案，这里是“{shown(cleaned)}”。如果有多个正确答案，请把题型改为多选。"
        return letters
    if len(set(letters)) != len(letters):
        return f"!答案“{shown(cleaned)}”里有重复的字母。"
    return sorted(letters)


def _explain(err: dict) -> str:
    kind = err.get("type", "")
    context = err.get("ctx") or {}
    if kind == "string_too_long":
        return f"太长：最多 {context.get('max_length')} 个字，现在有 {len(str(err.get('input', '')))} 个字。"
    if kind in ("string_too_short", "missing"):
        return "不能为空。"
    if kind == "string_pattern_mismatch":
        return "编号只能用小写字母、数字和连字符，例如 q01。"
    return str(err.get("msg", "不符合要求。")).removeprefix("Value error, ")


def _letter(index: int) -> str:
    """The spreadsheet column letter of a 0-based index (A, B, … Z, AA, …)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def bank_rows(questions: list[Question]) -> list[list[str]]:
    """The sheet `outreach export quiz` writes: the header row, then one row per question."""
    width = max([SHEET_CHOICES, *(len(q.choices) for q in questions)])
    header = ["编号", "题型", "题目", *(f"选项{letter}" for letter in CHOICE_LETTERS[:width]), "答案", "解析", "诈骗类型"]
    rows = [header]
    for question in questions:
        choices = list(question.choices) + [""] * (width - len(question.choices))
        answer = ("对" if question.answer else "错") if question.kind == "truefalse" else "".join(question.answer_letters)
        rows.append([question.id, KIND_NAMES[question.kind], question.question, *choices,
                     answer, question.explanation, question.scenario or ""])
    return rows
