"""The theme search path: the project's templates/ first, then the built-in theme.

Like MkDocs' theme dirs: a file in the project's templates/ with the same relative
path replaces the built-in one. A project template can still extend the original
with the `!theme/` prefix (as in Pelican), e.g. `{% extends "!theme/poster.html" %}`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from outreach.core.errors import OutreachError
from outreach.core.packagedata import THEME_DIR
from outreach.core.safepath import is_hidden, is_regular_file, project_files, resolved_inside, safe_name, visible_inside
from outreach.core.textfile import NotText, decode_utf8

BUILTIN_DIR = THEME_DIR
BUILTIN_PREFIX = "!theme/"
PROJECT_TEMPLATES = "templates"
# Files Jinja reads; everything else in a theme dir is an asset (images, fonts).
TEMPLATE_SUFFIXES = {".html", ".htm", ".css", ".txt", ".md", ".js", ".j2", ".svg", ".json", ".xml"}


MAX_TEMPLATE_BYTES = 1024 * 1024
MAX_ASSET_BYTES = 20 * 1024 * 1024


class TemplateRefused(OutreachError):
    """A template name that exists but must not be read: it leads outside the theme, or is not a
    regular file. The message names only the project path, never where a link points."""


def _digest_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Theme:
    project_root: Path
    builtin_dir: Path = BUILTIN_DIR
    builtin_only: bool = False      # ignore the project's templates/ (to compare against the built-in look)
    _digests: dict = field(default_factory=dict, repr=False)

    @property
    def project_dir(self) -> Path:
        return self.project_root / PROJECT_TEMPLATES

    @property
    def search_path(self) -> list[Path]:
        """The directories templates and their resources (CSS, images, fonts) come from; a refused
        templates/ (see project_dir_problem) is left out, so nothing is ever read through it."""
        return [d for d in self._template_dirs() if d != self.project_dir or self.project_dir_problem() is None]

    def _template_dirs(self) -> list[Path]:
        dirs = [self.project_dir] if self.project_dir.is_dir() and not self.builtin_only else []
        return dirs + [self.builtin_dir]

    def project_dir_problem(self) -> str | None:
        """Why the project's templates/ must not be read, or None. After resolving links it has to
        be a directory strictly inside the project and not hidden: `templates -> .` would turn
        `templates/.env` and `templates/content/...` into the project's own files, and
        `templates -> .git` its secrets."""
        directory = self.project_dir
        if not os.path.lexists(directory):
            return None
        resolved = resolved_inside(directory, [self.project_root])
        if resolved is None:
            return f"{PROJECT_TEMPLATES}/ 目录是指向项目外的链接，已拒绝读取其中的模板。"
        inside = resolved.relative_to(self.project_root.resolve())
        if not inside.parts:
            return f"{PROJECT_TEMPLATES}/ 目录是指向项目目录本身的链接，已拒绝读取其中的模板（否则模板能读到 .env 等项目文件）。"
        if is_hidden(inside):
            return f"{PROJECT_TEMPLATES}/ 目录是指向隐藏目录的链接，已拒绝读取其中的模板。"
        return None

    def locate(self, name: str) -> Path | None:
        """The file a template name resolves to (honouring overrides and `!theme/`), or None.

        Raises TemplateRefused when the name leads outside the project's templates/ (or the
        built-in theme) through a symlink or `..`, or to something that is not a regular file:
        such an override is refused, never silently replaced by the built-in file.
        """
        if name.startswith(BUILTIN_PREFIX):
            candidates = [(self.builtin_dir, name[len(BUILTIN_PREFIX):])]
        else:
            candidates = [(directory, name) for directory in self._template_dirs()]
        for directory, relative in candidates:
            if not safe_name(relative):
                raise TemplateRefused(f"模板名“{_shown(name)}”不允许包含“..”、绝对路径或控制字符。")
            if is_hidden(relative):
                raise TemplateRefused(f"模板名“{_shown(name)}”指向隐藏文件或目录（以“.”开头，如 .env、.git/），已拒绝读取。")
            candidate = directory / relative
            if not os.path.lexists(candidate):
                continue
            if directory == self.project_dir and (problem := self.project_dir_problem()):
                raise TemplateRefused(problem)
            if resolved_inside(candidate, [directory]) is None:
                raise TemplateRefused(f"{self._shown_candidate(directory, relative)} 是指向模板目录之外的链接，已拒绝读取。")
            if visible_inside(candidate, directory) is None:
                raise TemplateRefused(f"{self._shown_candidate(directory, relative)} 是指向隐藏文件或目录的链接，已拒绝读取。")
            if candidate.is_dir():
                continue
            if not is_regular_file(candidate):
                raise TemplateRefused(f"{self._shown_candidate(directory, relative)} 不是普通文件，已拒绝读取。")
            return candidate
        return None

    def find(self, name: str) -> Path | None:
        """Like `locate`, but a refused name counts as not found (for display and hashing)."""
        try:
            return self.locate(name)
        except TemplateRefused:
            return None

    def read(self, name: str) -> tuple[Path, str] | None:
        """The template's file and text; TemplateRefused for links out, non-UTF-8 or oversized files."""
        path = self.locate(name)
        if path is None:
            return None
        size = path.stat().st_size
        shown = self.display_path(path)
        if size > MAX_TEMPLATE_BYTES:
            raise TemplateRefused(f"{shown} 过大（{size // 1024} KiB），模板文件不能超过 {MAX_TEMPLATE_BYTES // 1024} KiB。")
        try:
            text = decode_utf8(path.read_bytes())
        except NotText as problem:
            raise TemplateEncodingError(shown, problem.line, problem.column, binary=problem.binary) from None
        return path, text

    def _shown_candidate(self, directory: Path, relative: str) -> str:
        if directory == self.builtin_dir:
            return f"内置主题/{relative}"
        return f"{PROJECT_TEMPLATES}/{relative}"

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
                return prefix + path.absolute().relative_to(base).as_posix()
            except ValueError:
                pass
            try:
                return prefix + path.resolve().relative_to(base).as_posix()
            except (ValueError, OSError):
                continue
        return str(path)

    def is_overridden(self, name: str) -> bool:
        found = self.find(name)
        return found is not None and self.project_dir in found.parents

    def builtin_names(self) -> list[str]:
        return sorted(p.relative_to(self.builtin_dir).as_posix()
                      for p in project_files(self.builtin_dir, self.builtin_dir))

    def project_names(self) -> list[str]:
        """The project's own template files: links out of templates/ and hidden files are left out."""
        if self.project_dir_problem() is not None:
            return []
        return sorted(p.relative_to(self.project_dir).as_posix()
                      for p in project_files(self.project_dir, self.project_dir))

    def file_digest(self, name: str) -> str:
        """Content hash of the file a template name resolves to ('' when missing or refused)."""
        if name not in self._digests:
            found = self.find(name)
            self._digests[name] = _digest_file(found) if found else ""
        return self._digests[name]

    def asset_digest(self) -> str:
        """One hash over every non-template file of both theme dirs (images, fonts)."""
        if "__assets__" not in self._digests:
            digest = hashlib.sha256()
            for directory in self.search_path:
                for path in project_files(directory, directory):
                    if path.suffix.lower() in TEMPLATE_SUFFIXES or path.stat().st_size > MAX_ASSET_BYTES:
                        continue
                    digest.update(path.relative_to(directory).as_posix().encode())
                    digest.update(_digest_file(path).encode())
            self._digests["__assets__"] = digest.hexdigest()
        return self._digests["__assets__"]


class TemplateEncodingError(TemplateRefused):
    """A template that is not UTF-8 text (saved as GBK, or a binary file under a template name)."""

    def __init__(self, shown: str, line: int, column: int, binary: bool = False) -> None:
        what = "含有空字符（\\0），不是文本文件" if binary else "不是 UTF-8 编码（可能是 GBK），请在编辑器中以 UTF-8 编码另存"
        self.reason = f"模板文件{what}。"
        super().__init__(f"{shown}:{line}:{column}: {self.reason}")
        self.file, self.line, self.column = shown, line, column


def _shown(name: str) -> str:
    return name if len(name) < 80 else name[:60] + "…"
