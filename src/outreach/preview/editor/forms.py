"""Forms for the browser editor, generated from the same models as the JSON Schema.

The browser gets a small tree of widgets (text, date, select, list, object, and a few
domain widgets: law and article pickers, quiz answers, script lines, pack items) with
Chinese labels and help from the models' field descriptions, plus the project's choices
(audiences, existing laws and articles, scenario ids). It never sees raw JSON Schema.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from outreach.project.kinds import LAWS, SCENARIOS, TIPS, registry
from outreach.project.library import Library
from outreach.project.models import LETTERS, Reviewable

# Widgets that know the domain, by (schema definition, property).
_FIELD_WIDGETS: dict[tuple[str, str], dict] = {
    ("Scenario", "audiences"): {"t": "audiences"},
    ("Tip", "audiences"): {"t": "audiences"},
    ("Pack", "audience"): {"t": "audience"},
    ("Question", "answer"): {"t": "answer"},
    ("Question", "scenario"): {"t": "ref", "kind": SCENARIOS.folder},
    ("Script", "scenario"): {"t": "ref", "kind": SCENARIOS.folder},
    ("Line", "role"): {"t": "role"},
}
_LIST_ITEM_WIDGETS: dict[tuple[str, str], dict] = {
    ("Newsletter", "focus"): {"t": "ref", "kind": SCENARIOS.folder},
    ("Newsletter", "tips"): {"t": "ref", "kind": TIPS.folder},
    ("Scene", "lines"): {"t": "scriptline"},
}
_DEFINITION_WIDGETS = {"LawRef": "lawref"}

# Chinese names for choices the models spell in English.
_CHOICE_LABELS = {
    "single": "单选", "multiple": "多选", "truefalse": "判断",
    "mainland": "内地", "hk": "香港", "mo": "澳门", "tw": "台湾",
}
# Labels shorter or clearer than the first words of a description.
_LABELS = {"id": "编号", "key": "条文编号", "text": "正文", "kind": "题型", "question": "题干"}
# Kept in the file as written, not shown in the form: region editions are written in YAML
# (README, “面向港澳台读者”) and saving the form never drops them.
FORM_HIDDEN = frozenset({"regions"})
REVIEW_FIELDS = frozenset(Reviewable.model_fields) - FORM_HIDDEN
LONG_TEXT = 150   # fields allowing this many characters get a multi-line box

def kind_labels() -> dict[str, str]:
    """The kinds the editor lists, in the registry's order (the order staff think of them)."""
    return {kind.folder: kind.label for kind in registry}


def _schema(kind: str) -> dict:
    """A kind's JSON Schema, made once: every keystroke's check reads it (never mutated)."""
    return _schema_of(kind, registry.version)


@functools.cache
def _schema_of(kind: str, version: int) -> dict:
    return registry.model(kind).model_json_schema()


def form_for(kind: str) -> dict:
    schema = _schema(kind)
    return _object(schema, schema.get("$defs", {}), registry.model(kind).__name__)


def _object(schema: dict, defs: dict, name: str) -> dict:
    fields = [field_for(schema, defs, name, key) for key in schema.get("properties", {}) if key not in FORM_HIDDEN]
    # The review record comes last, where a reviewer finishes, not before the title.
    fields.sort(key=lambda f: f["key"] in REVIEW_FIELDS)
    return {"t": "object", "fields": fields}


def field_for(schema: dict, defs: dict, owner: str, key: str, node: dict | None = None) -> dict:
    """One field of a model's schema as the form shows it: label, help, required, widget
    (`node` replaces the widget the schema would give)."""
    prop = schema["properties"][key]
    description = prop.get("description", "")
    return {"key": key, "label": _LABELS.get(key) or label_of(description) or key, "help": description,
            "required": key in schema.get("required", ()), "node": node or _node(prop, defs, owner, key)}


def _node(prop: dict, defs: dict, owner: str, key: str) -> dict:
    special = _FIELD_WIDGETS.get((owner, key))
    if special is not None:
        return dict(special)
    prop = _without_null(prop)
    if "$ref" in prop:
        return _definition(prop["$ref"], defs)
    if "enum" in prop:
        return {"t": "select", "options": [[v, _CHOICE_LABELS.get(v, v)] for v in prop["enum"]]}
    kind = prop.get("type")
    if kind == "array":
        item = _LIST_ITEM_WIDGETS.get((owner, key))
        if item is None:
            item = _node(prop.get("items", {}), defs, owner, key + "[]")
        return {"t": "list", "item": item, "min": prop.get("minItems", 0), "max": prop.get("maxItems", 1000)}
    if kind == "string" and prop.get("format") == "date":
        return {"t": "date"}
    if kind == "string":
        limit = prop.get("maxLength", 1000)
        return {"t": "text", "max": limit, "multiline": limit >= LONG_TEXT}
    if kind == "boolean":
        return {"t": "bool"}
    if kind in ("integer", "number"):
        return {"t": "number", "integer": kind == "integer"}
    return {"t": "text", "max": 1000, "multiline": False}


def _definition(ref: str, defs: dict) -> dict:
    name = ref.rsplit("/", 1)[-1]
    if name == "PackItem":
        # What a pack item can be, from the registry: the page keeps no list of its own.
        return {"t": "packitem", "items": [[kind.pack_item, kind.pack_label, kind.folder]
                                           for kind in registry.pack_kinds()]}
    if name in _DEFINITION_WIDGETS:
        return {"t": _DEFINITION_WIDGETS[name]}
    return _object(defs[name], defs, name)


def _without_null(prop: dict) -> dict:
    """`X | None` is `anyOf: [X, null]`: an empty field in the form."""
    options = prop.get("anyOf")
    if options and len(options) == 2 and {"type": "null"} in options:
        inner = next(o for o in options if o != {"type": "null"})
        return {**prop, **inner, "anyOf": None}
    return prop


def label_of(description: str) -> str:
    """A field's label: its description up to the first explanation (“标题”, “复核日期”)."""
    return re.split(r"[：；（，,(:;]", description, maxsplit=1)[0].strip()


def choices(library: Library | None) -> dict[str, Any]:
    """What the pickers offer: only things that exist in the project."""
    if library is None:
        return {"audiences": [], "laws": {}, "items": {}, "letters": LETTERS}
    laws = {law_id: {"title": law.short, "articles": [[a.key, a.number] for a in law.articles]}
            for law_id, law in library.models(LAWS.folder).items()}
    items = {kind.folder: [[item_id, item.title] for item_id, item in sorted(library.kind(kind.folder).items())]
             for kind in registry if kind.pack_item or kind in (SCENARIOS, TIPS)}
    return {"audiences": list(library.config.project.audiences.items()), "laws": laws, "items": items,
            "letters": LETTERS}


def typed_values(kind: str, values: Any) -> Any:
    """The form's values with dates as dates, so they are written unquoted (`review_by: 2027-06-30`)."""
    schema = _schema(kind)
    return _typed(values, schema, schema.get("$defs", {}))


def _typed(value: Any, schema: dict, defs: dict) -> Any:
    schema = _without_null(schema)
    if "$ref" in schema:
        schema = defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
    if isinstance(value, dict) and "properties" in schema:
        props = schema["properties"]
        return {k: _typed(v, props.get(k, {}), defs) for k, v in value.items()}
    if isinstance(value, list) and "items" in schema:
        return [_typed(v, schema["items"], defs) for v in value]
    if isinstance(value, str) and schema.get("format") == "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value   # an impossible date: the check names it
    return value
