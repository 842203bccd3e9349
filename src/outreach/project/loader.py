"""Load content/ into a validated Library, collecting every problem in every file."""

from __future__ import annotations

import collections
import difflib
import hashlib
import json
import threading
from pathlib import Path
from typing import Mapping

from pydantic import ValidationError

from outreach.core.safepath import is_regular_file, resolved_inside
from outreach.project.config import load_config
from outreach.project.diagnostics import Diagnostic, Diagnostics, error, shown, warning
from outreach.project.kinds import registry
from outreach.project.library import Item, Library
from outreach.project.models import id_problem
from outreach.project.phones import digits
from outreach.project.refs import check_references
from outreach.project.regionoverlay import overlay_region
from outreach.project.stations import STATION_FILES, find_station_file, ignored_station_files, read_stations
from outreach.project.validation import validation_diagnostics
from outreach.project.yamlsource import parse_yaml

CONTENT_DIR = "content"
# Names only the link: the target may be a secret (/etc/shadow, /proc/self/environ).
_LINK_OUT = "{what}是指向项目外的符号链接（或不是普通文件），已拒绝读取。请把文件本身复制到项目里。"


def load_library(root: Path, stations: bool | None = True,
                 overrides: Mapping[str, bytes] | None = None) -> tuple[Library | None, Diagnostics]:
    """Parse outreach.toml and content/; return the library of valid items and all diagnostics.

    `overrides`: project-relative path → bytes read instead of that file (the editor checks
    what it is about to save with exactly the rules `check` uses, before writing anything).

    `stations`: read the station sheet (True), skip it (False: commands that never use it,
    such as the preview index and `post`), or read it when `[stations] enabled` (None: a build
    without --stations/--no-stations)."""
    diagnostics = Diagnostics()
    config, problems = load_config(root)
    diagnostics.extend(problems)
    if config is None:
        return None, diagnostics
    library = Library(root=root, config=config)
    content = root / CONTENT_DIR
    if not content.is_dir():
        diagnostics.add(error(CONTENT_DIR, 0, 0, "content-missing", "找不到 content/ 目录，内容文件应放在这里。"))
        return library, diagnostics

    if resolved_inside(content, [root]) is None:
        diagnostics.add(error(CONTENT_DIR, 0, 0, "outside-project", _LINK_OUT.format(what="content/ 目录")))
        return library, diagnostics

    diagnostics.extend(_unexpected_entries(content))
    broken: list[Item] = []
    for kind in registry.folders():
        for path in discover(content / kind, kind):
            relpath = path.relative_to(root).as_posix()
            if resolved_inside(path, [root]) is None or not is_regular_file(path):
                diagnostics.add(error(relpath, 0, 0, "outside-project", _LINK_OUT.format(what="这个文件")))
                continue
            if overrides is not None and relpath in overrides:
                item, problems = parse_item(overrides[relpath], relpath, kind, keep_broken=True)
            else:
                item, problems = load_item(root, path, kind, keep_broken=True)
            diagnostics.extend(problems)
            if any(p.is_error for p in problems):
                library.failed.add((kind, path.stem))
            if item is None:
                continue
            if any(p.is_error for p in problems):
                broken.append(item)   # not built, but its references are checked now, not next round
                continue
            if config.project.region != "mainland":
                overlaid = overlay_region(item, config.project.region, registry.model(kind))
                diagnostics.extend(overlaid.problems)
                if overlaid.omitted:
                    library.omitted.add((kind, item.id))
                if overlaid.item is None:
                    if overlaid.problems:
                        library.failed.add((kind, item.id))
                    continue
                item = overlaid.item
            existing = library.kind(kind).get(item.id)
            if existing is not None:
                diagnostics.add(error(item.path, 1, 1, "duplicate-id",
                                      f"编号“{item.id}”与 {existing.path} 重复：同一类内容的文件名不能相同。"))
                continue
            library.kind(kind)[item.id] = item

    if stations is None:
        stations = config.stations.enabled
    if stations:
        diagnostics.extend(read_station_sheet(library))

    diagnostics.extend(check_references(library, also=broken))
    return library, diagnostics


def read_station_sheet(library: Library) -> list[Diagnostic]:
    """Read content/stations.csv (or .xlsx) into `library`; the sheet's problems.

    Also used on its own by a build without station outputs, to tell whether the station
    packs an earlier build left in build/ still match the sheet."""
    root, content = library.root, library.root / CONTENT_DIR
    station_file = find_station_file(content)
    if station_file is None:
        return []
    relpath = station_file.relative_to(root).as_posix()
    if resolved_inside(station_file, [root]) is None:
        return [error(relpath, 0, 0, "outside-project", _LINK_OUT.format(what="站点表"))]
    problems = []
    for ignored in ignored_station_files(content):
        problems.append(warning(ignored.relative_to(root).as_posix(), 0, 0, "station-file-ignored",
                                f"同时有 {station_file.name} 和 {ignored.name}：使用的是 {station_file.name}，"
                                f"{ignored.name} 被忽略。请删除或改名不用的那个，免得改错文件。"))
    real_numbers = frozenset(digits(n) for n in library.config.lint.real_numbers)
    library.stations, found = read_stations(station_file, relpath, real_numbers)
    library.stations_path = relpath
    with open(station_file, "rb") as handle:  # streamed: the sheet may be large
        library.stations_digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return problems + list(found)


def load_item(root: Path, path: Path, kind: str, keep_broken: bool = False) -> tuple[Item | None, list[Diagnostic]]:
    return parse_item(path.read_bytes(), path.relative_to(root).as_posix(), kind, keep_broken)


# Parsed files by (path, kind, keep_broken, parser, model, digest of the bytes): the editor loads
# the whole library on every keystroke, and only the edited file's bytes have changed. Parsing is a
# pure function of these, so a cached result is the same result; items are shared, never changed
# (Library.without shares them too).
_PARSED: collections.OrderedDict[tuple, tuple[Item | None, tuple[Diagnostic, ...]]] = collections.OrderedDict()
PARSE_CACHE_SIZE = 2048
_PARSED_LOCK = threading.Lock()   # the editor's server checks from several threads


def parse_item(raw_bytes: bytes, relpath: str, kind: str, keep_broken: bool = False) -> tuple[Item | None, list[Diagnostic]]:
    """Parse and validate one content file's bytes; never raises for bad input.

    `keep_broken`: also return an item whose file had errors the model survived (a stray
    block in a script), so its references can be checked in the same round."""
    key = (relpath, kind, keep_broken, registry[kind].parser(Path(relpath).suffix), registry.model(kind),
           hashlib.sha256(raw_bytes).digest())
    with _PARSED_LOCK:
        found = _PARSED.get(key)
        if found is not None:
            _PARSED.move_to_end(key)
    if found is None:
        item, problems = _parse_item(raw_bytes, relpath, kind, keep_broken)
        found = (item, tuple(problems))
        with _PARSED_LOCK:
            _PARSED[key] = found
            while len(_PARSED) > PARSE_CACHE_SIZE:
                _PARSED.popitem(last=False)
    return found[0], list(found[1])


def _parse_item(raw_bytes: bytes, relpath: str, kind: str, keep_broken: bool) -> tuple[Item | None, list[Diagnostic]]:
    path = Path(relpath)
    parser = registry[kind].parser(path.suffix)
    if parser is not None:
        data, source, problems = parser(raw_bytes, relpath)
    else:
        data, source, problems = parse_yaml(raw_bytes, relpath)
    problems = list(problems)
    item_id = path.stem
    why_not = id_problem(item_id)
    if why_not:
        # The id comes from the file name: the same rules as an id typed in a field.
        problems.append(error(relpath, 1, 1, "invalid-id", f"文件名“{shown(item_id)}”不能作为编号：{why_not}。"))
    if data is None and source is not None and not problems:
        problems.append(error(relpath, 1, 1, "empty-file", "文件里没有内容（只有 null 或 ~）。"))
    if source is None or data is None:
        return None, problems
    if not isinstance(data, dict):
        problems.append(error(relpath, *source.locate(()), "wrong-type",
                              "文件内容应为“字段: 值”的映射，而不是列表或一段文字。"))
        return None, problems
    model_class = registry.model(kind)
    try:
        model = model_class.model_validate(data)
    except ValidationError as exc:
        # A value the parser already reported (e.g. an impossible date) needs no second message.
        already = {(p.line, p.column) for p in problems}
        problems.extend(d for d in validation_diagnostics(
            exc, relpath, lambda loc, on_key: source.locate_key(loc) if on_key else source.locate(loc),
            model_class, data) if (d.line, d.column) not in already)
        salvaged = _without_unknown_keys(model_class, data, exc) if keep_broken else None
        if salvaged is None:
            return None, problems
        model = salvaged
    if problems and any(p.is_error for p in problems) and not keep_broken:
        return None, problems
    # Fingerprint the parsed content, not the bytes: comments and layout do not change outputs.
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    return Item(kind=kind, id=item_id, model=model, raw=data, source=source, digest=digest), problems


def _without_unknown_keys(model_class, data: dict, exc: ValidationError):
    """The model once misspelt keys are left out, when those are its only errors: enough to
    check the item's references in the same round as the spelling."""
    import copy

    errors = exc.errors()
    if any(e["type"] != "extra_forbidden" for e in errors):
        return None
    trimmed = copy.deepcopy(data)
    for found in errors:
        *parents, key = found["loc"]
        node = trimmed
        for part in parents:
            node = node[part]
        node.pop(key, None)
    try:
        return model_class.model_validate(trimmed)
    except (ValidationError, KeyError, IndexError, TypeError):
        return None


def discover(directory: Path, kind: str) -> list[Path]:
    """A kind's content files under `directory`, sorted; hidden ones left out, links listed."""
    if not directory.is_dir():
        return []
    suffixes = registry[kind].suffixes
    # Links are listed too (is_file follows them) so that load_library can refuse those leading out.
    found = [p for p in directory.rglob("*")
             if (p.is_file() or p.is_symlink()) and p.suffix.lower() in suffixes and not _hidden(p, directory)]
    return sorted(found)


def _hidden(path: Path, base: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(base).parts)


def _unexpected_entries(content: Path) -> list[Diagnostic]:
    problems = []
    known = set(registry.folders())
    for entry in sorted(content.iterdir()):
        if entry.name.startswith(".") or entry.name in known or entry.name in STATION_FILES:
            continue
        relpath = f"{CONTENT_DIR}/{entry.name}"
        candidates = list(known) + list(STATION_FILES)
        guess = difflib.get_close_matches(entry.name, candidates, n=1, cutoff=0.6)
        hint = f"您是不是想写“{guess[0]}”？" if guess else f"可用的目录：{'、'.join(sorted(known))}。"
        what = "目录" if entry.is_dir() else "文件"
        problems.append(warning(relpath, 0, 0, "unknown-path", f"不认识的{what}“{entry.name}”，其中的内容不会被读取。{hint}"))
    return problems

