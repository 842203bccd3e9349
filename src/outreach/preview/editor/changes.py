"""What changed between two versions of a content file, field by field, in the form's words:
“标题：刷单诈骗 → 刷单返利诈骗”, “识别要点：第 2 条改了、加了 1 条”."""

from __future__ import annotations

from typing import Any

from outreach.preview.editor.plain import field_labels
from outreach.project.yamlsource import parse_yaml

SHORT = 24   # a changed text up to this long is shown in full, old → new


def changed_fields(kind: str, old_text: str, new_text: str) -> list[str]:
    old, new = _values(old_text), _values(new_text)
    if old is None or new is None:
        return ["文件内容（无法逐项比较）"] if old_text != new_text else []
    labels = field_labels(kind)
    shown: list[str] = []
    for key in list(new) + [k for k in old if k not in new]:
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        label = labels.get(key, key)
        shown.append(f"{label}：{_describe(before, after)}")
    return shown


def _values(text: str) -> dict | None:
    try:
        values, _, _ = parse_yaml(text.encode("utf-8"), "history.yaml")
    except Exception:
        return None
    return values if isinstance(values, dict) else None


def _describe(before: Any, after: Any) -> str:
    if before is None:
        return "新填写" if not isinstance(after, list) else f"新增 {len(after)} 条"
    if after is None:
        return "删除了"
    if isinstance(before, list) and isinstance(after, list):
        changed = sum(1 for a, b in zip(before, after, strict=False) if a != b)
        parts = []
        if changed:
            parts.append(f"改了 {changed} 条")
        if len(after) > len(before):
            parts.append(f"加了 {len(after) - len(before)} 条")
        if len(after) < len(before):
            parts.append(f"删了 {len(before) - len(after)} 条")
        return "、".join(parts) or "顺序变了"
    if isinstance(before, str) and isinstance(after, str) and len(before) <= SHORT and len(after) <= SHORT:
        return f"“{before}” → “{after}”"
    return "改了"
