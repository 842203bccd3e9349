"""The theme search path: the project's templates/ first, then the built-in theme.

Like MkDocs' theme dirs: a file in the project's templates/ with the same relative
path replaces the built-in one. A project template can still extend the original
with the `!theme/` prefix (as in Pelican), e.g. `{% extends "!theme/poster.html" %}`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

BUILTIN_DIR = Path(__file__).resolve().parent / "default_theme"
BUILTIN_PREFIX = "!theme/"
PROJECT_TEMPLATES = "templates"
# Files Jinja reads; everything else in a theme dir is an asset (images, fonts).
TEMPLATE_SUFFIXES = {".html", ".htm", ".css", ".txt", ".md", ".js", ".j2", ".svg", ".json", ".xml"}


def _digest_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Theme:
    project_root: Path
    builtin_dir: Path = BUILTIN_DIR
    _digests: dict = field(default_factory=dict, repr=False)

    @property
    def project_dir(self) -> Path:
        return self.project_root / PROJECT_TEMPLATES

    @property
    def search_path(self) -> list[Path]:
        dirs = [self.project_dir] if self.project_dir.is_dir() else []
        return dirs + [self.builtin_dir]

    def find(self, name: str) -> Path | None:
        """The file a template name resolves to (honouring overrides and `!theme/`)."""
        if name.startswith(BUILTIN_PREFIX):
            candidate = self.builtin_dir / name[len(BUILTIN_PREFIX):]
            return candidate if candidate.is_file() else None
        for directory in self.search_path:
            candidate = directory / name
            if candidate.is_file() and _inside(candidate, directory):
                return candidate
        return None

    def display_path(self, name_or_path: str | Path) -> str:
        """How to show a template file to users: project-relative, or marked built-in."""
        path = Path(name_or_path)
        if not path.is_absolute():
            found = self.find(str(name_or_path))
            if found is None:
                return str(name_or_path)
            path = found
        for base, prefix in ((self.builtin_dir, "内置主题/"), (self.project_root.resolve(), "")):
            try:
                return prefix + path.resolve().relative_to(base).as_posix()
            except ValueError:
                continue
        return str(path)

    def is_overridden(self, name: str) -> bool:
        found = self.find(name)
        return found is not None and self.project_dir in found.parents

    def builtin_names(self) -> list[str]:
        return sorted(p.relative_to(self.builtin_dir).as_posix() for p in self.builtin_dir.rglob("*")
                      if p.is_file() and "__pycache__" not in p.parts)

    def project_names(self) -> list[str]:
        if not self.project_dir.is_dir():
            return []
        return sorted(p.relative_to(self.project_dir).as_posix() for p in self.project_dir.rglob("*")
                      if p.is_file() and not p.name.startswith("."))

    def file_digest(self, name: str) -> str:
        """Content hash of the file a template name resolves to ('' when missing)."""
        if name not in self._digests:
            found = self.find(name)
            self._digests[name] = _digest_file(found) if found else ""
        return self._digests[name]

    def asset_digest(self) -> str:
        """One hash over every non-template file of both theme dirs (images, fonts)."""
        if "__assets__" not in self._digests:
            digest = hashlib.sha256()
            for directory in self.search_path:
                for path in sorted(directory.rglob("*")):
                    if path.is_file() and path.suffix.lower() not in TEMPLATE_SUFFIXES and "__pycache__" not in path.parts:
                        digest.update(path.relative_to(directory).as_posix().encode())
                        digest.update(_digest_file(path).encode())
            self._digests["__assets__"] = digest.hexdigest()
        return self._digests["__assets__"]


def _inside(path: Path, directory: Path) -> bool:
    """True when `path`, with symlinks resolved, stays inside `directory`."""
    try:
        path.resolve().relative_to(directory.resolve())
        return True
    except ValueError:
        return False
