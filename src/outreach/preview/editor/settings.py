"""项目设置: the parts of outreach.toml staff change, as a form, saved keeping the file's comments.

Only the settings a station changes for itself are offered (unit, hotlines, SMS signature,
colours, logo, QR link); the rest stays as written. Values are checked by the same
loader as every command before anything is written.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import tomlkit
from pydantic import BaseModel

from outreach.preview.editor.store import EditorError
from outreach.project.config import CONFIG_NAME, ProjectSection, StationsSection, ThemeSection, load_config
from outreach.project.diagnostics import Diagnostic
from outreach.project.outputdir import output_dir

# section → fields offered in the form, in this order.
SETTINGS_FIELDS: dict[str, tuple[str, ...]] = {
    "project": ("name", "organisation", "sms_signature", "hotlines", "app"),
    "theme": ("primary_color", "accent_color", "ink_color", "paper_color", "dark_color", "logo", "qr_url", "qr_caption"),
    "stations": ("enabled",),
}
SECTION_LABELS = {"project": "单位和电话", "theme": "颜色、标志和二维码", "stations": "派出所资料包"}
_SECTION_MODELS: dict[str, type[BaseModel]] = {"project": ProjectSection, "theme": ThemeSection,
                                               "stations": StationsSection}
LOGO_FOLDER = "assets"
LOGO_TYPES = {"PNG": ".png", "JPEG": ".jpg"}
MAX_LOGO_BYTES = 2 * 1024 * 1024
# Settings with a widget of their own: colour pickers, and the logo with its upload button.
_WIDGETS = {name: {"t": "color"} for name in SETTINGS_FIELDS["theme"] if name.endswith("_color")} | {"logo": {"t": "logo"}}


# Labels and help in the form's own words where the description speaks to command-line users.
_FIELD_TEXT = {("stations", "enabled"): (
    "为每个派出所生成资料包和警民联系卡",
    "勾选后，每次保存都会为站点表里的每个派出所生成带本所民警和电话的资料包和警民联系卡，"
    "在预览页的“派出所”一栏查看。不勾选时不生成，已有的旧文件在站点表修改后会被删除。")}


def settings_form() -> dict:
    from outreach.preview.editor.forms import field_for

    sections = []
    for section, names in SETTINGS_FIELDS.items():
        model = _SECTION_MODELS[section]
        schema = model.model_json_schema()
        fields = [field_for(schema, schema.get("$defs", {}), model.__name__, name, _WIDGETS.get(name)) for name in names]
        for field in fields:
            label, help_text = _FIELD_TEXT.get((section, field["key"]), (field["label"], field["help"]))
            field.update(label=label, help=help_text)
        sections.append({"key": section, "label": SECTION_LABELS[section], "help": "", "required": True,
                         "node": {"t": "object", "fields": fields}})
    return {"t": "object", "fields": sections}


def current_values(root: Path) -> tuple[dict, str]:
    """The offered settings as the file has them (defaults where it says nothing), and its text."""
    text = (root / CONFIG_NAME).read_text(encoding="utf-8-sig", errors="replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        _, problems = load_config(root)
        where = problems[0].format() if problems else CONFIG_NAME
        raise EditorError(f"outreach.toml 有格式错误，设置表单打不开。请先用文本编辑器修正：{where}") from None
    values: dict[str, dict[str, Any]] = {}
    for section, names in SETTINGS_FIELDS.items():
        model = _SECTION_MODELS[section]
        given = data.get(section, {})
        values[section] = {}
        for name in names:
            default = model.model_fields[name].get_default(call_default_factory=True)
            value = given.get(name, default)
            if name == "hotlines":
                value = [{"number": h["number"], "label": h["label"]} if isinstance(h, dict)
                         else {"number": h.number, "label": h.label} for h in value]
            values[section][name] = "" if value is None else value
    return values, text


def merged_config(text: str, values: dict) -> str:
    """outreach.toml's text with the form's values, comments and other settings kept."""
    document = tomlkit.parse(text)
    for section, names in SETTINGS_FIELDS.items():
        given = values.get(section) or {}
        if not isinstance(given, dict):
            raise EditorError(f"请求里的“{SECTION_LABELS[section]}”格式不对。")
        model = _SECTION_MODELS[section]
        table = document.get(section, {})
        for name in names:
            if name not in given:
                continue
            value = given[name]
            default = model.model_fields[name].get_default(call_default_factory=True)
            if value in ("", None):
                if name in table:
                    del table[name]
                continue
            if name not in table and _plain(value) == _plain(default):
                continue   # an unchanged default stays out of the file
            if name in table and _plain(table[name]) == _plain(value):
                continue   # untouched: keeps its quoting
            if section not in document:
                document[section] = table = tomlkit.table()
            table[name] = _hotlines(value) if name == "hotlines" else value
    merged = tomlkit.dumps(document)
    # tomlkit ends the lines it adds with LF: a CRLF file stays all CRLF.
    return merged.replace("\r\n", "\n").replace("\n", "\r\n") if "\r\n" in text else merged


def _hotlines(rows: Any):
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise EditorError("请求里的电话列表格式不对。")
    table = tomlkit.aot()
    for row in rows:
        entry = tomlkit.table()
        entry["number"], entry["label"] = str(row.get("number", "")), str(row.get("label", ""))
        table.append(entry)
    return table


def _plain(value: Any) -> Any:
    if hasattr(value, "unwrap"):
        value = value.unwrap()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump()
    return value


def located(problems: list[Diagnostic], text: str) -> list[dict]:
    """Problems as the editor shows them: each with the setting it is about, when known."""
    from outreach.project.config import toml_key_positions

    by_position = {position: list(loc) for loc, position in toml_key_positions(text).items()}
    return [d.to_dict() | {"path": by_position.get((d.line, d.column), [])} for d in problems]


def save_logo(root: Path, data: bytes) -> str:
    """Store an uploaded logo in the project (assets/logo.png or .jpg); returns its path for
    [theme] logo. Only PNG or JPEG pictures that decode completely, of a sensible size, are
    accepted: the same rule `check` applies to [theme] logo (a damaged PNG printed as a black square)."""
    from outreach.core.fsutil import atomic_write
    from outreach.project.images import PictureProblem, picture_format

    if len(data) > MAX_LOGO_BYTES:
        raise EditorError(f"标志图片太大（{len(data) // 1024} KB），最多 {MAX_LOGO_BYTES // 1024 // 1024} MB。")
    try:
        kind, size = picture_format(data, tuple(LOGO_TYPES))
    except PictureProblem as problem:
        raise EditorError(f"这张图片不能用作标志：{problem}。标志请用 PNG 或 JPG 图片。") from None
    width, height = size or (0, 0)
    if width > 4000 or height > 4000 or width < 16 or height < 16:
        raise EditorError(f"标志图片的尺寸（{width}×{height} 像素）不合适：请用 16–4000 像素之间的图片。")
    relpath = f"{LOGO_FOLDER}/logo{LOGO_TYPES[kind]}"
    if output_dir(root).resolve() in (root / relpath).resolve().parents:
        raise EditorError("输出目录设置在 assets/ 里，不能存放标志。")
    atomic_write(root / relpath, data)
    return relpath
