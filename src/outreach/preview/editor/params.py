"""The parameters of each editor request, validated before a handler runs.

The page always sends well-formed requests; these models turn anything else (a hand-made
request, a missing field, a list where an object belongs, an id of 5,000 characters) into a
plain 400 with a message, never a 500 or a path on disk.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from outreach.project.kinds import registry
from outreach.project.models import MAX_ID_LENGTH, id_problem

DIGEST = r"[0-9a-f]{64}"
VERSION = r"\d{8}T\d{12}\.(yaml|yml|md|toml|csv|xlsx)"
MAX_ROWS = 5000


def _known_kind(value: str) -> str:
    if value not in registry:
        raise ValueError(f"不认识的内容类别“{value[:40]}”")
    return value


def _valid_id(value: str) -> str:
    problem = id_problem(value)
    if problem:
        raise ValueError(f"编号“{value[:MAX_ID_LENGTH]}{'…' if len(value) > MAX_ID_LENGTH else ''}”{problem}")
    return value


Kind = Annotated[str, AfterValidator(_known_kind)]
ItemId = Annotated[str, Field(max_length=MAX_ID_LENGTH * 4), AfterValidator(_valid_id)]
Digest = Annotated[str, Field(pattern=DIGEST)]


class _Params(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=False, frozen=True)


class ItemQuery(_Params):
    kind: Kind
    id: ItemId


class VersionQuery(ItemQuery):
    version: Annotated[str, Field(pattern=VERSION)]


class SuggestQuery(_Params):
    kind: Kind
    title: Annotated[str, Field(max_length=200)] = ""


Author = Annotated[str, Field(max_length=20)]


class ItemBody(_Params):
    kind: Kind
    id: ItemId
    author: Author = ""   # who is editing (optional), kept with the history


class CheckBody(ItemBody):
    values: dict[str, Any]
    preview: bool = False
    part: Literal["all", "first", "rest"] = "all"    # of the preview (see EditorApi.check)
    ticket: Annotated[int, Field(ge=0)] | None = None   # the first part's, for the rest


class SaveBody(ItemBody):
    values: dict[str, Any]
    base: Digest | None = None
    approve: bool = False   # the reviewer's 审核通过 (recorded as such in the history)


class RestoreBody(ItemBody):
    version: Annotated[str, Field(pattern=VERSION)]
    base: Digest | None = None


class NewBody(ItemBody):
    title: Annotated[str, Field(max_length=200)] = ""


class SettingsBody(_Params):
    values: dict[str, Any]
    base: Digest | None = None
    author: Author = ""


class StationsBody(_Params):
    rows: Annotated[list[list[Annotated[str, Field(max_length=2000)]]], Field(max_length=MAX_ROWS)]
    base: Digest | None = None
    author: Author = ""


class BankQuery(_Params):
    filename: Annotated[str, Field(max_length=300)] = ""
    id: ItemId
    title: Annotated[str, Field(max_length=200)] = ""
    force: bool = False


_FIELD_NAMES = {"kind": "内容类别", "id": "编号", "values": "表单内容", "rows": "站点表", "base": "版本标记",
                "version": "历史版本", "filename": "文件名", "title": "标题", "preview": "预览", "force": "替换",
                "author": "修改人", "approve": "审核通过"}


def explain(problem: ValidationError) -> str:
    """The first problem of a request, in words."""
    error = problem.errors(include_url=False)[0]
    where = _FIELD_NAMES.get(str(error["loc"][0]), str(error["loc"][0])) if error["loc"] else "请求"
    message = error.get("msg", "")
    if error["type"] == "value_error":
        return re.sub(r"^Value error, ", "", message) + "。"
    if error["type"] == "missing":
        return f"请求缺少“{where}”。"
    return f"请求里的“{where}”格式不对。"
