"""What a rebuild did, in the words the preview page, the editor and the terminal show.

A user who saved something must learn whether it worked: which outputs were made (with
links), which items were left out because of their own errors and why, which targets failed.
The summary line is the command line's own (engine/report.py).
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
    built: list[dict] = field(default_factory=list)     # [{label, path, role, target}]
    skipped: list[dict] = field(default_factory=list)   # [{label, file, kind, id, messages, kept}]
    terminal: list[str] = field(default_factory=list)   # every line `outreach build` would print


def describe(result, out_dir: Path) -> Report:
    from outreach.engine.report import skipped_lines, summary
    from outreach.preview.editor.plain import plain

    # Pages show these to people who do not read YAML: fields as the editor's forms name them.
    skipped = [{"label": item.label, "file": item.file, "kind": item.kind, "id": item.id,
                "messages": [plain(message, item.kind) for message in item.messages], "outcome": item.outcome(),
                "kept": len(item.kept)}
               for item in result.skipped]
    left_out = {item["file"] for item in skipped}
    # A skipped item's own errors are shown with it, not repeated in the general list.
    problems = [d.format() for d in result.diagnostics if d.file not in left_out]
    for failure in result.failures:
        problems.append(f"{failure.where}{failure.label}：{failure.message}")
    problems += list(getattr(result, "notices", []))
    problems += [f"提醒：{label}：{message}" for label, message in result.warnings]
    terminal = [d.format() for d in result.diagnostics if d.file in left_out] + problems + skipped_lines(result)
    kind = result.skipped[0].kind if result.skipped else None
    return Report(summary=plain(summary(result), kind), ok=not result.fatal and not result.failures, problems=problems,
                  built=_built_outputs(result, out_dir), skipped=skipped, terminal=terminal)


def _built_outputs(result, out_dir: Path) -> list[dict]:
    if not result.built:
        return []
    manifest = Manifest.load(out_dir)
    shown: list[dict] = []
    for target_id in result.built:
        for path in manifest.targets.get(target_id, {}).get("outputs", []):
            shown.append({"label": path, "path": path, "target": target_id,
                          "role": manifest.outputs.get(path, {}).get("role", "")})
    return shown
