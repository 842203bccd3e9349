"""The editor's files: find an item's file, save it safely, keep its history, trash it.

Nothing is lost: every save and restore first copies the file as it was into
.outreach/history/<file>/ (the last HISTORY_KEEP versions), a deleted item goes to
.outreach/trash/, and writes are atomic. A save names the version the user started from;
if the file changed on disk since (another editor, a second tab, git pull) the save is
refused with both versions so the user can choose.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from outreach.core.errors import OutreachError
from outreach.core.fsutil import atomic_write
from outreach.core.safepath import is_hidden, is_regular_file, resolved_inside
from outreach.project.kinds import registry
from outreach.project.loader import CONTENT_DIR, discover
from outreach.project.models import ID_RE
from outreach.project.yamlsource import MAX_FILE_BYTES

HISTORY_DIR = Path(".outreach") / "history"
TRASH_DIR = Path(".outreach") / "trash"
HISTORY_KEEP = 20
NOTES_NAME = ".notes.json"
# A version keeps its file's suffix (.yaml, .toml, .csv, .xlsx): it opens in the right program.
_VERSION_RE = re.compile(r"\d{8}T\d{12}\.(yaml|yml|md|toml|csv|xlsx)\Z")


class EditorError(OutreachError):
    """A request the editor refuses; the message is for the user."""


@dataclass
class Conflict(Exception):
    """The file changed on disk since the user opened it."""

    disk_text: str
    disk_digest: str


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Store:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    # --- where things are ------------------------------------------------------------

    def path_of(self, kind: str, item_id: str) -> Path | None:
        """The item's file, or None. Only kinds and ids the models allow, only inside content/."""
        if not ID_RE.match(item_id or ""):
            return None
        return next((path for path in self.files(kind) if path.stem == item_id), None)

    def files(self, kind: str) -> list[Path]:
        """The kind's content files the loader reads: regular files that stay under content/
        after following links, never a link to a hidden project file (.env, .git/config)."""
        return [path for path in discover(self._folder(kind), kind) if self.is_content_file(path)]

    def is_content_file(self, path: Path) -> bool:
        resolved = resolved_inside(path, [self.root / CONTENT_DIR])
        return resolved is not None and not is_hidden(resolved.relative_to(self.root)) and is_regular_file(resolved)

    def read(self, path: Path) -> bytes:
        """A content file's bytes; one larger than the loader accepts is refused, not sent whole."""
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise EditorError(f"{self.relpath(path)} 太大（{size // 1024} KiB），内容文件最多 {MAX_FILE_BYTES // 1024} KiB："
                              "编辑器不打开它，请用文本编辑器拆分或删减。")
        return path.read_bytes()

    def relpath(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def _folder(self, kind: str) -> Path:
        if kind not in registry:
            raise EditorError(f"不认识的内容类别“{kind}”。")
        return self.root / CONTENT_DIR / kind

    def existing(self, kind: str, item_id: str) -> Path:
        path = self.path_of(kind, item_id)
        if path is None:
            raise EditorError(f"找不到 {kind}/{item_id}：文件可能已被删除或改名。")
        return path

    # --- saving ------------------------------------------------------------------------

    def save(self, path: Path, text: str, base_digest: str | None, note: dict | None = None) -> str:
        """Write `text` if the file is still the version the user started from; returns the
        new digest. `base_digest` None: the user chose to overwrite whatever is there.
        `note`: who made the change and how ({"author", "action"}), kept with the history."""
        return self.save_bytes(path, text.encode("utf-8"), base_digest, note)

    def save_bytes(self, path: Path, data: bytes, base_digest: str | None, note: dict | None = None) -> str:
        current = path.read_bytes() if path.is_file() else None
        if current is not None and base_digest is not None and digest(current) != base_digest:
            raise Conflict(current.decode("utf-8", errors="replace"), digest(current))
        if current is not None:
            if current == data:
                return digest(data)
            self.remember(path, current, note)
        atomic_write(path, data)
        return digest(data)

    def remember(self, path: Path, data: bytes, note: dict | None = None) -> None:
        """Keep `data` (the file as it was before a change) in the history; `note` says who
        changed it and how, shown beside the version."""
        folder = self._own_folder(HISTORY_DIR / self.relpath(path), create=True)
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
        version = folder / f"{stamp}{path.suffix.lower()}"
        atomic_write(version, data)
        notes = _read_notes(folder)
        if note:
            notes[version.name] = note
        for old in self._versions(folder)[HISTORY_KEEP:]:
            old.unlink(missing_ok=True)
        kept = {p.name for p in self._versions(folder)}
        atomic_write(folder / NOTES_NAME, json.dumps({k: v for k, v in notes.items() if k in kept}, ensure_ascii=False))

    # --- history -----------------------------------------------------------------------

    def history(self, path: Path) -> list[dict]:
        folder = self._own_folder(HISTORY_DIR / self.relpath(path))
        notes = _read_notes(folder)
        return [{"version": p.name, "time": _stamp_label(p.name), "size": p.stat().st_size} | _note(notes, p.name)
                for p in self._versions(folder)]

    def version_text(self, path: Path, version: str) -> str:
        if not _VERSION_RE.match(version or ""):
            raise EditorError("没有这个历史版本。")
        found = self._own_folder(HISTORY_DIR / self.relpath(path)) / version
        if found.is_symlink() or not found.is_file():
            raise EditorError("没有这个历史版本（可能已超过保留的 20 个）。")
        if found.stat().st_size > MAX_FILE_BYTES:
            raise EditorError("这个历史版本太大，编辑器不打开它。")
        return found.read_bytes().decode("utf-8", errors="replace")   # as saved, CRLF and all

    @staticmethod
    def version_time(version: str) -> str:
        return _stamp_label(version) if _VERSION_RE.match(version or "") else version

    @staticmethod
    def _versions(folder: Path) -> list[Path]:
        if not folder.is_dir():
            return []
        return sorted((p for p in folder.iterdir() if _VERSION_RE.match(p.name) and not p.is_symlink()
                       and p.is_file()), reverse=True)

    def _own_folder(self, relative: Path, create: bool = False) -> Path:
        """A folder of the editor's own under the project (.outreach/history/…, .outreach/trash/…).
        A repository can ship links there: a link at any level would let history read
        /etc/hostname or .env into content, or writes land outside the project, so none is followed."""
        current = self.root
        for part in relative.parts:
            current = current / part
            if current.is_symlink():
                raise EditorError(f"{current.relative_to(self.root).as_posix()} 是一个链接：编辑器不使用它。"
                                  "请删除这个链接（它可能随仓库一起下载），然后再试。")
            if create and not current.exists():
                current.mkdir()
            elif current.exists() and not current.is_dir():
                raise EditorError(f"{current.relative_to(self.root).as_posix()} 不是文件夹：编辑器无法在那里保存历史。")
        return current

    # --- new and delete ----------------------------------------------------------------

    def trash(self, path: Path) -> Path:
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
        relative = TRASH_DIR / stamp / self.relpath(path)
        target = self._own_folder(relative.parent, create=True) / relative.name
        shutil.move(str(path), target)
        return target


def _read_notes(folder: Path) -> dict:
    """Who made each change, and how: version name → {author, action} (a hidden file beside
    the versions, so the folder still holds only the versions, each openable as it is)."""
    path = folder / NOTES_NAME
    if path.is_symlink() or not path.is_file() or path.stat().st_size > 64 * 1024:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _note(notes: dict, name: str) -> dict:
    data = notes.get(name)
    if not isinstance(data, dict):
        return {}
    return {key: str(data[key])[:40] for key in ("author", "action") if isinstance(data.get(key), str)}


def _stamp_label(name: str) -> str:
    stamp = dt.datetime.strptime(name[:15], "%Y%m%dT%H%M%S")
    return stamp.strftime("%Y-%m-%d %H:%M:%S")
