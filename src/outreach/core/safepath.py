"""Which files a build may read: inside the allowed roots after resolving symlinks, not hidden, regular.

Templates, content and resources written by volunteers must never pull in a file from
elsewhere on the machine (`/proc/self/environ`, `/etc/passwd`) or a secret kept in the
project (`.env`, `.git/config`, `.outreach/ledger.sqlite`). Every reader of project files
asks here first, so a symlink or `..` cannot take any of them outside.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Iterable, Iterator


def resolved_inside(path: Path, roots: Iterable[Path]) -> Path | None:
    """`path` with every symlink and `..` resolved, when that stays inside one of `roots`; else None."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, an embedded NUL
        return None
    for root in roots:
        try:
            resolved.relative_to(root.resolve())
            return resolved
        except (ValueError, OSError, RuntimeError):
            continue
    return None


def is_hidden(relpath: str | Path) -> bool:
    """True when any part of a relative path starts with a dot (.env, .git/, .outreach/)."""
    return any(part.startswith(".") for part in Path(relpath).parts)


def is_regular_file(path: Path) -> bool:
    """A regular file after following links: never a FIFO, device or directory (reads would hang)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def safe_name(name: str) -> bool:
    """A relative name with no absolute start, no `..`, no backslash or control characters."""
    if not name or name.startswith(("/", "\\")) or "\\" in name:
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return False
    return all(part not in ("..",) for part in name.split("/"))


def visible_inside(path: Path, root: Path) -> Path | None:
    """`path` resolved, when that stays inside `root` and is not hidden there: a link named
    `notes.html` that points at `.git/config` is as hidden as the file it reaches."""
    resolved = resolved_inside(path, [root])
    if resolved is None or is_hidden(resolved.relative_to(root.resolve())):
        return None
    return resolved


def project_files(directory: Path, root: Path) -> Iterator[Path]:
    """Regular, non-hidden files under `directory` that stay inside `root` (sorted, links checked)."""
    if not directory.is_dir() or resolved_inside(directory, [root]) is None:
        return
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if is_hidden(relative) or "__pycache__" in relative.parts:
            continue
        if is_regular_file(path) and visible_inside(path, root) is not None:
            yield path


RESERVED_DIRS = ("content", "templates")


def output_dir_problem(value: str, root: Path) -> str | None:
    """Why `[build] output_dir` cannot be used, or None.

    The output directory must be inside the project: a build deletes stale outputs and
    writes its manifest there, so a path outside (`..`, absolute, a link out) would let it
    touch unrelated files."""
    if not isinstance(value, str) or not value.strip():
        return "输出目录不能为空。"
    relative = Path(value)
    if relative.is_absolute() or value.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", value):
        return f"输出目录“{value}”是绝对路径；必须是项目里的相对路径，例如 build 或 output/posters。"
    parts = [part for part in relative.parts if part != "."]
    if not parts:
        return "输出目录不能是项目目录本身，请写一个子目录，例如 build。"
    if ".." in parts:
        return f"输出目录“{value}”用“..”跳出了项目；必须在项目目录里，例如 build。"
    if any(part.startswith(".") for part in parts):
        return f"输出目录“{value}”是隐藏目录（以“.”开头），请换一个名称，例如 build。"
    if parts[0] in RESERVED_DIRS:
        return f"输出目录“{value}”与项目的 {parts[0]}/ 目录重叠；请换一个名称，例如 build。"
    if any(ord(c) < 32 for c in value):
        return "输出目录名里有控制字符。"
    current = root
    for part in parts:
        current = current / part
        if current.is_symlink():
            return f"输出目录“{value}”里的 {current.relative_to(root).as_posix()} 是符号链接；输出目录必须是项目里的普通目录。"
    return None
