"""Which items a build can make when some content files have errors.

An item whose own file has an error is left out, and so is everything that uses it (a pack
listing a broken scenario, a script about it, a newsletter naming it): a pack printed without
one of its items would be a different pack, handed out in silence. Every other item is built.
What is left out keeps its last good outputs in build/ (the engine sees to that); the build
lists it and fails, so CI still notices.

Errors outside content files (outreach.toml, the content folder itself) leave nothing to
build on: the caller stops the whole build.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from outreach.engine.skipped import SkippedItem
from outreach.project.diagnostics import Diagnostic, Diagnostics
from outreach.project.kinds import KIND_LABELS, KIND_MODELS
from outreach.project.library import Library, references

CONTENT = "content"
SHEET_LABEL = "派出所站点表"


def item_of(file: str) -> tuple[str, str] | None:
    """(kind, id) of a content item's file, e.g. content/scenarios/x.yaml → (scenarios, x)."""
    parts = PurePosixPath(file).parts
    if len(parts) >= 3 and parts[0] == CONTENT and parts[1] in KIND_MODELS:
        return parts[1], PurePosixPath(file).stem
    return None


def label_of(kind: str, item_id: str) -> str:
    return f"{KIND_LABELS.get(kind, kind)} {item_id}"


def partition(library: Library, diagnostics: Diagnostics) -> tuple[Library, list[SkippedItem], list[Diagnostic]]:
    """(the library of items that can be built, what is left out and why, errors that stop
    the whole build). With any of the last, the first two are not worked out."""
    own: dict[str, list[Diagnostic]] = {}
    fatal: list[Diagnostic] = []
    for problem in diagnostics.errors:
        if item_of(problem.file) is not None or (library.stations_path and problem.file == library.stations_path):
            own.setdefault(problem.file, []).append(problem)
        else:
            fatal.append(problem)
    if fatal:
        return library, [], fatal

    skipped: list[SkippedItem] = []
    removed: set[str] = set()
    broken_at: dict[tuple[str, str], str] = {}   # (kind, id) → the file that has the error
    for file in sorted(own):
        if file == library.stations_path:
            # Rows with errors are not read (stations.py): the other stations build as usual.
            skipped.append(SkippedItem(SHEET_LABEL, file, "stations", "", tuple(own[file])))
            continue
        kind, item_id = item_of(file) or ("", "")
        skipped.append(SkippedItem(label_of(kind, item_id), file, kind, item_id, tuple(own[file])))
        removed.add(file)
        # A duplicate id's second file has the error; the first one still builds.
        if library.get(kind, item_id) is None or library.item(kind, item_id).path == file:
            broken_at.setdefault((kind, item_id), file)

    usable = library.without(removed)
    while True:   # what uses a left-out item is left out too, down the chain (pack → script → scenario)
        newly = _dependents(usable, broken_at) or _dangling(usable, library)
        if not newly:
            return usable, skipped, []
        skipped.extend(newly)
        removed.update(s.file for s in newly)
        usable = library.without(removed)


def _dependents(usable: Library, broken_at: dict[tuple[str, str], str]) -> list[SkippedItem]:
    newly = []
    for item in usable.all_items():
        # An item the region leaves out is not missing: packs go without it (refs.py reports
        # any other use of it as an error in the file that uses it).
        missing = [ref for ref in references(item) if usable.get(*ref) is None and ref not in usable.omitted]
        if missing:
            blocked = tuple((label_of(*ref), broken_at.get(ref, "")) for ref in missing)
            newly.append(SkippedItem(label_of(item.kind, item.id), item.path, item.kind, item.id, (), blocked))
    for found in newly:
        broken_at[(found.kind, found.id)] = found.file
    return newly


def _dangling(usable: Library, library: Library) -> list[SkippedItem]:
    """A reference `references()` does not know yet must still never reach a renderer as a
    missing item: the reference checks, run on what is left, catch it (the check's own words)."""
    from outreach.project.refs import check_references

    usable.failed = set()   # report references to left-out items as missing, for this run only
    found: dict[str, list[Diagnostic]] = {}
    for problem in check_references(usable):
        if problem.is_error:
            found.setdefault(problem.file, []).append(problem)
    usable.failed = set(library.failed)
    extra = []
    for file, problems in sorted(found.items()):
        kind, item_id = item_of(file) or ("", "")
        extra.append(SkippedItem(label_of(kind, item_id), file, kind, item_id, tuple(problems)))
    return extra
