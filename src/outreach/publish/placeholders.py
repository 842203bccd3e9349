"""Texts that still carry a blank left to fill in, such as 【请填写签名】 or （请填写单位名称）.

`outreach init` writes these blanks into outreach.toml when the unit name and SMS signature
are not given, and `check`/`build` only warn about them (a poster can be drafted before the
name is known). A message sent to a group cannot be taken back, so `post` refuses one that
still contains a blank.
"""

from __future__ import annotations

import re
from pathlib import Path

from outreach.core.errors import OutreachError
from outreach.publish.platforms import Message

MARKER = "请填写"
# The blank with its brackets when it has them: 【请填写签名】, （请填写单位名称）, (请填写…).
_BLANK = re.compile(r"[（(【\[]?请填写[^）)】\]\n]{0,30}[）)】\]]?")


class PlaceholderText(OutreachError):
    """A message to be posted still contains a blank; the message says where to fill it in."""


def placeholder_problems(root: Path, messages: list[Message]) -> list[PlaceholderText]:
    """One error per blank found in the messages, naming the build files and where the blank
    comes from (outreach.toml:line:column for the unit name and signature)."""
    found: dict[str, list[str]] = {}
    for message in messages:
        for blank in dict.fromkeys(_BLANK.findall(message.content)):
            found.setdefault(blank, []).append(message.path)
    if not found:
        return []
    unfilled = _config_blanks(root)
    problems = []
    for blank, paths in found.items():
        files = "、".join(f"build/{p}" for p in paths[:3]) + (f" 等 {len(paths)} 个文件" if len(paths) > 3 else " ")
        where = next((d for d in unfilled if f"“{blank}”" in d.message), None)
        if where is not None:
            fix = (f"{where.file}:{where.line}:{where.column} {where.message}"
                   "请在那里填上本单位的实际内容，运行 outreach build，再发送。")
        else:
            fix = "请运行 outreach check 找到它在内容里的位置，填写后运行 outreach build，再发送。"
        problems.append(PlaceholderText(f"{files}里还有没填写的占位文字“{blank}”，不能发送：{fix}"))
    return problems


def _config_blanks(root: Path) -> list:
    from outreach.project.config import load_config

    _config, diagnostics = load_config(root)
    return [d for d in diagnostics if d.code == "unfilled"]
