"""What a rebuild did, in the words the preview page, the editor and the terminal show.

A user who saved something must learn whether it worked: which outputs were made (with
links), which items were left out because of their own errors and why, which targets failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from outreach.engine.manifest import Manifest


@dataclass
class Report:
    summary: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    built: list[dict] = field(default_factory=list)     # [{label, path}]
    skipped: list[dict] = field(default_factory=list)   # [{file, label, messages}]


def describe(result, out_dir: Path) -> Report:
    problems = [d.format() for d in result.diagnostics]
    for failure in result.failures:
        where = f"{failure.file}:{failure.line}: " if failure.file and failure.line else \
            (f"{failure.file}: " if failure.file else "")
        problems.append(f"{where}{failure.label}：{failure.message}")
    problems += [f"提醒：{label}：{message}" for label, message in result.warnings]
    skipped = [_left_out(entry) for entry in getattr(result, "left_out", [])]
    built = _built_outputs(result, out_dir)
    parts: list[str] = []
    if result.diagnostics.has_errors() and not result.built and not skipped:
        summary = "内容有错误，没有重新生成；下面显示的是上次成功生成的文件。"
    elif result.noop:
        summary = "没有变化。"
    else:
        parts.append(f"已更新 {len(result.built)} 个目标（{result.seconds:.1f} 秒）" if result.built
                     else "没有需要更新的目标")
        if skipped:
            parts.append(f"跳过 {len(skipped)} 项（内容有错误，保留上次生成的文件）")
        if result.failures:
            parts.append(f"{len(result.failures)} 个目标生成失败")
        summary = "；".join(parts) + "。"
    return Report(summary=summary, ok=result.ok and not skipped, problems=problems, built=built, skipped=skipped)


def _built_outputs(result, out_dir: Path) -> list[dict]:
    if not result.built:
        return []
    manifest = Manifest.load(out_dir)
    shown: list[dict] = []
    for target_id in result.built:
        for path in manifest.targets.get(target_id, {}).get("outputs", []):
            shown.append({"label": path, "path": path, "role": manifest.outputs.get(path, {}).get("role", "")})
    return shown


def _left_out(entry) -> dict:
    """One item the build left out, whatever shape the engine reports it in."""
    if isinstance(entry, dict):
        return {"file": entry.get("file", ""), "label": entry.get("label", ""),
                "messages": list(entry.get("messages", []))}
    return {"file": getattr(entry, "file", ""), "label": getattr(entry, "label", "") or getattr(entry, "item", ""),
            "messages": [str(m) for m in getattr(entry, "messages", [])]}
