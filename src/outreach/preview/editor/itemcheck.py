"""`outreach check` for the one file the editor is changing, on every pause in typing.

The same steps as check_project (load, lint, templates, then each output kind's build rules
when nothing else is wrong), with the build rules split in two: the items the edited one can
affect (itself and every item that uses it, directly or through another) are checked every
time; the rest cannot change while only this file changes, so their problems are kept from the
first check and used again for as long as their files, the settings, the templates and the date
are the same. Problems about the edited file are exactly those `outreach check` reports; a rule
that compares items across both halves (none does today) would only be run within each half.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Mapping

from outreach.checks.lint import lint_library
from outreach.core import clock
from outreach.engine.precheck import build_rule_problems
from outreach.project.diagnostics import Diagnostic, Diagnostics
from outreach.project.kinds import LAWS
from outreach.project.library import Item, Library, references
from outreach.project.loader import load_library
from outreach.rendering.templating import check_templates
from outreach.rendering.theme import Theme

# Every target reads the whole law library (the law names kept unbroken on every page, the
# quoted law the Traditional conversion leaves alone): an edited law is checked with everything.
SHARED_KINDS = frozenset({LAWS.folder})
KEPT_CHECKS = 8   # problems of the unaffected items, for this many (project, item, state) at most

_kept: dict[tuple, list[Diagnostic]] = {}
_lock = threading.Lock()


def check_item(root: Path, relpath: str, data: bytes) -> tuple[Diagnostics, Library | None]:
    """Every problem check_project(root, {relpath: data}) reports about `relpath`, and those of
    the other files (for the count of errors elsewhere); the library loaded with `data`."""
    library, diagnostics = load_library(root, overrides={relpath: data})
    if library is not None:
        diagnostics.extend(lint_library(library))
    diagnostics.extend(check_templates(Theme(root)))
    if library is not None and not diagnostics.has_errors():
        # Only on content that loaded cleanly, as check_project: rendering broken content would only repeat its errors.
        diagnostics.extend(build_rules(root, library, relpath))
    return diagnostics, library


def build_rules(root: Path, library: Library, relpath: str) -> list[Diagnostic]:
    """build_rule_problems(root, library), the unaffected items' part from an earlier check when
    it still holds."""
    items = {(item.kind, item.id): item for item in library.all_items()}
    edited = next((key for key, item in items.items() if item.path == relpath), None)
    if edited is None or edited[0] in SHARED_KINDS:
        return build_rule_problems(root, library)
    uses = {key: set(references(item)) for key, item in items.items()}
    affected = _users(edited, uses)
    rest = set(items) - affected
    shared = {key for key in items if key[0] in SHARED_KINDS}
    mine = build_rule_problems(root, _only(library, items, _closure(affected, uses) | shared))
    key = (str(root), relpath, _settings(root, library),
           tuple((k, items[k].digest, items[k].source.text) for k in sorted(rest)))
    with _lock:
        theirs = _kept.get(key)
    if theirs is None:
        # Items that do not use the edited one use none of the items that do: `rest` is closed.
        theirs = build_rule_problems(root, _only(library, items, rest))
        with _lock:
            if len(_kept) >= KEPT_CHECKS:
                _kept.clear()
            _kept[key] = theirs
    paths = {item.path for item in items.values()}
    own = {items[k].path for k in affected}
    found = [p for p in mine if p.file in own or p.file not in paths]
    seen = {_identity(p) for p in found}
    # The other half's problems about other files; about a template or outreach.toml, once.
    found += [p for p in theirs if p.file not in own and _identity(p) not in seen]
    return found


def _users(edited: tuple[str, str], uses: Mapping[tuple[str, str], set]) -> set[tuple[str, str]]:
    """The edited item and every item that uses it, directly or through others."""
    found = {edited}
    grown = True
    while grown:
        grown = False
        for key, used in uses.items():
            if key not in found and used & found:
                found.add(key)
                grown = True
    return found


def _closure(keys: set, uses: Mapping[tuple[str, str], set]) -> set:
    """`keys` and everything they use: what rendering them reads."""
    found, pending = set(keys), list(keys)
    while pending:
        for used in uses.get(pending.pop(), ()):
            if used not in found and used in uses:
                found.add(used)
                pending.append(used)
    return found


def _only(library: Library, items: Mapping[tuple[str, str], Item], keep: set) -> Library:
    return library.without({item.path for key, item in items.items() if key not in keep})


def _settings(root: Path, library: Library) -> tuple:
    """Everything else the build rules read: settings, stations, templates (by name, time and
    size: a template saved in another editor counts), the date."""
    theme = Theme(root)
    templates = tuple((str(path), stat.st_mtime_ns, stat.st_size)
                      for directory in theme.search_path for path in sorted(directory.rglob("*"))
                      if (stat := path.stat()) and path.is_file())
    return (library.config.model_dump_json(), library.stations_digest, tuple(sorted(library.omitted)),
            templates, clock.today())


def _identity(problem: Diagnostic) -> tuple:
    return (problem.file, problem.line, problem.column, problem.code, problem.message)
