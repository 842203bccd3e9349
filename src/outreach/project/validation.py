"""Turn pydantic validation errors into located, plain-Chinese diagnostics."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import typing
from typing import Any, Callable

from pydantic import BaseModel, ValidationError

from outreach.project.diagnostics import Diagnostic, error, shown

Locate = Callable[[tuple, bool], tuple[int, int]]

# Custom errors raised as PydanticCustomError("at_<field>", ...) point at that field.
AT_FIELD_PREFIX = "at_"

_TYPE_NAMES = {
    str: "文字", int: "整数", float: "数字", bool: "true/false", list: "列表",
    dict: "映射（“字段: 值”）", type(None): "空值", dt.date: "日期", dt.datetime: "日期时间",
}


def describe_type(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _model_fields(model: type[BaseModel] | None, loc: tuple) -> dict | None:
    """The fields of the model that holds the last element of `loc` (best effort)."""
    current: Any = model
    for element in loc[:-1]:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(element, str):
            field = current.model_fields.get(element)
            if field is None:
                continue  # a union tag in the location
            current = field.annotation
        elif isinstance(element, int):
            args = typing.get_args(current)
            current = args[0] if args else None
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current.model_fields
    return None


def _unwrap(annotation: Any) -> Any:
    """Strip Optional/Annotated; a union of models gives its first model."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [m for m in members if isinstance(_unwrap(m), type) and issubclass(_unwrap(m), BaseModel)]
            annotation = models[0] if models else (members[0] if len(members) == 1 else None)
            continue
        return annotation


def _clean_loc(loc: tuple, data: Any) -> tuple:
    """Drop elements that do not navigate the data (union tags, validator names)."""
    cleaned: list = []
    current = data
    for index, element in enumerate(loc):
        if isinstance(current, dict) and isinstance(element, str) and element in current:
            cleaned.append(element)
            current = current[element]
        elif isinstance(current, list) and isinstance(element, int) and 0 <= element < len(current):
            cleaned.append(element)
            current = current[element]
        elif (index == len(loc) - 1 and isinstance(current, dict) and isinstance(element, str)
              and re.fullmatch(r"[a-z_]+", element)):
            cleaned.append(element)  # a missing field
    return tuple(cleaned)


# What each pattern in the models means, with an example, for "the format is wrong" messages.
PATTERN_HINTS = {
    r"^#[0-9a-fA-F]{6}$": "应为 # 加 6 位十六进制数字的颜色，例如 #ffd400。",
    r"^\d+(\.\d+)?/(s|min)$": "应为“条数/s”或“条数/min”，例如 20/min、5/s。",
    r"^【[^【】]{1,20}】$": "应为用【】括起来的签名（1–20 个字），例如【XX派出所】。",
    r"^[+-]\d{2}:\d{2}$": "应为时区，例如 +08:00。",
    r"^https?://\S+$": "应为 http:// 或 https:// 开头、不含空格的网址，例如 https://www.example.gov.cn/。",
    r"^[A-Za-z_][A-Za-z0-9_]*$": "应为环境变量名（英文字母、数字和下划线，不以数字开头），例如 OUTREACH_WECOM_URL。",
    r'^[^/\\:*?"<>|.\s][^/\\:*?"<>|\s]*$': "不能有空格和 / \\ : * ? \" < > | 这些字符，也不能以 . 开头，例如 老王。",
    r"^[^<>{};\\]+$": "不能含 < > { } ; \\ 这几个字符，例如 \"Noto Sans CJK SC\", sans-serif。",
    r"^[^\n\r]*$": "只能写一行，不能换行，例如 不听、不信、不转账。",
}


def _pattern_hint(pattern: str, fields: dict | None, name: str) -> str:
    if pattern in PATTERN_HINTS:
        return PATTERN_HINTS[pattern]
    description = fields[name].description if fields and name in fields and fields[name].description else ""
    return f"应符合：{description}。" if description else f"应符合格式 {pattern}。"


def label_of(description: str) -> str:
    """A field's name as people see it: its description up to the first explanation (“标题”,
    “标志图片路径”); the editor's forms label fields the same way."""
    return re.split(r"[：；（，,(:;]", description, maxsplit=1)[0].strip()


def _label(fields: dict | None, name: str) -> str:
    if fields and name in fields and fields[name].description:
        return f"（{label_of(fields[name].description)}）"
    return ""


def validation_diagnostics(exc: ValidationError, path: str, locate: Locate, model: type[BaseModel],
                           data: Any = None, base: tuple = ()) -> list[Diagnostic]:
    """One diagnostic per distinct problem in `exc`, located through `locate`."""
    results: list[Diagnostic] = []
    seen: set = set()
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind.startswith(AT_FIELD_PREFIX):
            loc = loc + (kind[len(AT_FIELD_PREFIX):],)
        if data is not None:
            loc = _clean_loc(loc, data)
        code, message, on_key = _explain(dict(err), kind, loc, model)
        if kind == "missing":
            line, column = locate(base + loc[:-1], False)
        else:
            line, column = locate(base + loc, on_key)
        key = (line, column, code, message)
        if key not in seen:
            seen.add(key)
            results.append(error(path, line, column, code, message))
    return results


def _explain(err: dict, kind: str, loc: tuple, model: type[BaseModel]) -> tuple[str, str, bool]:
    name = _shorten(str(loc[-1])) if loc else ""
    where = _where(loc)
    value = _shorten(err.get("input"))
    ctx = err.get("ctx") or {}
    fields = _model_fields(model, loc) if loc else None

    if kind == "missing":
        parent = _where(loc[:-1])
        return "missing-field", f"{parent + '里' if parent else ''}缺少必填字段“{name}”{_label(fields, name)}。", False
    if kind == "extra_forbidden":
        allowed = sorted(fields) if fields else []
        guess = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        hint = f"您是不是想写“{guess[0]}”？" if guess else (f"可用的字段：{'、'.join(allowed)}。" if allowed else "")
        return "unknown-key", f"未知字段“{name}”。{hint}", True
    if kind.startswith("date") or kind.startswith("datetime"):
        return "bad-date", f"{where}：日期格式不对（“{value}”），请写成 YYYY-MM-DD，例如 2027-06-30。", False
    if kind in ("too_short",) and isinstance(value, (list, tuple, dict)):
        least = ctx.get("min_length", 1)
        return "empty-list", f"{where}不能为空，至少需要 {least} 项。", False
    if kind == "string_too_short":
        return "empty-value", f"{where}{_label(fields, name)}不能为空。", False
    if kind == "string_too_long":
        limit = ctx.get("max_length")
        given = err.get("input")
        length = len(given) if isinstance(given, str) else "?"
        return "too-long", f"{where}{_label(fields, name)}太长：最多 {limit} 个字，现在有 {length} 个字。请精简文字（排版和阅读都需要简短）。", False
    if kind in ("too_long",):
        return "bad-value", f"{where}最多 {ctx.get('max_length')} 项，现在有 {len(value) if hasattr(value, '__len__') else '?'} 项。", False
    if kind == "string_pattern_mismatch":
        from outreach.project.models import ID_PATTERN

        if str(ctx.get("pattern", "")) == ID_PATTERN:
            return "invalid-id", f"{where}：编号“{value}”格式不对，只能用小写字母、数字和连字符，并以字母或数字开头。", False
        return "bad-value", f"{where}：“{value}”格式不对，{_pattern_hint(str(ctx.get('pattern', '')), fields, name)}", False
    if kind == "string_type":
        return "wrong-type", f"{where}应为文字，但这里是{describe_type(value)}。", False
    if kind == "list_type":
        return "wrong-type", f"{where}应为列表（每项以“- ”开头），但这里是{describe_type(value)}。", False
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "wrong-type", f"{where}应为映射（“字段: 值”的形式），但这里是{describe_type(value)}。", False
    if kind in ("bool_type", "bool_parsing"):
        return "wrong-type", f"{where}应为 true 或 false，但这里是“{value}”。", False
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "wrong-type", f"{where}应为整数，但这里是“{value}”。", False
    if kind == "literal_error":
        return "bad-value", f"{where}：“{value}”不是可选的值，应为 {ctx.get('expected', '')} 之一。", False
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return "bad-value", f"{where}：“{value}”超出范围（{err['msg']}）。", False
    if kind == "value_error" or kind.startswith(AT_FIELD_PREFIX):
        text = str(ctx.get("error", err["msg"])).removeprefix("Value error, ")
        return "bad-value", f"{where}：{text}。" if where else f"{text}。", False
    if kind == "union_tag_invalid" or kind == "union_tag_not_found":
        return "wrong-type", f"{where}的写法不对。", False
    return "bad-value", f"{where}：{err['msg']}", False


def _shorten(value: Any, limit: int = 40) -> Any:
    """A value quoted back in a message: long text cut, control characters written out."""
    return shown(value, limit)


def _where(loc: tuple) -> str:
    """A readable, quoted field path such as “questions[3].answer” (1-based indices)."""
    text = ""
    for element in loc:
        if isinstance(element, int):
            text += f"[{element + 1}]"
        else:
            text += ("." if text else "") + _shorten(str(element))
    return f"“{text}”" if text else ""
