"""What a build did, in plain words: one summary line and the lines under it.

The terminal (`outreach build`) and the preview's status line say the same thing, so both
take their words from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from outreach.engine.build import BuildResult


def summary(result: "BuildResult") -> str:
    """One line, e.g. "已更新 3 个目标；跳过 2 项（内容有错误）：content/scenarios/x.yaml:4:8 这里还没有填写…"."""
    if result.fatal:
        files = "、".join(sorted({d.file for d in result.fatal}))
        return f"{files} 有错误，没有重新生成；build/ 里仍是上次生成的文件。"
    parts = ["没有变化" if result.noop else f"已更新 {len(result.built)} 个目标"]
    if result.removed:
        parts.append(f"删除 {len(result.removed)} 个过期文件")
    if result.failures:
        parts.append(f"{len(result.failures)} 个生成失败")
    if result.skipped:
        first = result.skipped[0]
        more = "等" if len(result.skipped) > 1 else ""
        parts.append(f"跳过 {len(result.skipped)} 项（内容有错误）：{first.label}（{first.why()}）{more}")
    return "；".join(parts) + "。"


def skipped_lines(result: "BuildResult") -> list[str]:
    """A heading and one line per item left out, each with its first error located."""
    if not result.skipped:
        return []
    return ([f"有 {len(result.skipped)} 项没有重新生成（先改正下面的错误；其余内容照常生成）："] +
            [f"  {item.describe()}" for item in result.skipped])
