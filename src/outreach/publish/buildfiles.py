"""Read a text from build/ only when it is the file the manifest describes.

`post` sends (and `--dry-run` shows) what manifest.json lists for a role. The manifest is a
plain file in build/: an entry edited to `texts/../../.env`, an absolute path, a hidden file
or a link out of build/ would otherwise be read and shown or sent to a group; and a build file
edited by hand after `outreach build` would be sent although nobody reviewed it. Each file is
therefore checked where it lies and against the sha256 recorded when it was built.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from outreach.core.errors import OutreachError
from outreach.core.safepath import is_hidden, is_regular_file, resolved_inside, safe_name

REBUILD = "请重新运行 outreach build（不要手工修改 build/ 里的文件或 manifest.json），再发送。"


class BuildFileError(OutreachError):
    """A file the manifest lists cannot be trusted; the message names it and says what to do."""


def read_output(out_dir: Path, path: object, info: dict) -> bytes:
    """The bytes of one manifest output (`path` relative to out_dir), after checking that it
    stays inside out_dir and still has the recorded sha256. Raises BuildFileError."""
    shown = f"build/manifest.json 里的文件“{path}”"
    if not isinstance(path, str) or not path:
        raise BuildFileError(f"build/manifest.json 里有一个没有文件名的输出，已拒绝。{REBUILD}")
    if Path(path).is_absolute() or not safe_name(path) or path.startswith("~"):
        raise BuildFileError(f"{shown}不是 build/ 里的相对路径（绝对路径或含“..”），已拒绝读取和发送。{REBUILD}")
    if is_hidden(path):
        raise BuildFileError(f"{shown}是隐藏文件（以“.”开头），已拒绝读取和发送。{REBUILD}")
    file = out_dir / path
    if resolved_inside(file, [out_dir]) is None:
        raise BuildFileError(f"{shown}是指向 build/ 以外的链接，已拒绝读取和发送。{REBUILD}")
    if not is_regular_file(file):
        raise BuildFileError(f"{shown}不存在或不是普通文件。{REBUILD}")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise BuildFileError(f"无法读取 build/{path}（{exc.strerror}）。{REBUILD}") from None
    recorded = info.get("sha256") if isinstance(info, dict) else None
    if not isinstance(recorded, str) or hashlib.sha256(data).hexdigest() != recorded:
        raise BuildFileError(f"build/{path} 和生成时记录的内容不一样（在 outreach build 之后被改过），"
                             f"已拒绝发送：改动要写在 content/ 或 outreach.toml 里。{REBUILD}")
    return data
