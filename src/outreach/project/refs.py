"""Cross-reference checks: every id a file mentions must exist in the library."""

from __future__ import annotations

import difflib
from typing import Iterable, Iterator, Sequence

from outreach.project.diagnostics import Diagnostic, error, shown, warning
from outreach.project.kinds import LAWS, NEWSLETTERS, PACKS, QUIZZES, SCENARIOS, SCRIPTS, TIPS, registry
from outreach.project.library import Item, Library


def _suggest(value: str, options: Iterable[str]) -> str:
    options = list(options)
    guess = difflib.get_close_matches(value, options, n=1, cutoff=0.5)
    return f"您是不是想写“{guess[0]}”？" if guess else ""


def _missing(item: Item, path: tuple, message: str) -> Diagnostic:
    return error(item.path, *item.source.locate(path), "missing-ref", message)


def check_references(library: Library, also: Sequence[Item] = ()) -> list[Diagnostic]:
    """References of every item in the library, and of `also` (items with other errors that
    are not in the library but whose references should be reported in the same round)."""
    problems: list[Diagnostic] = []
    for item in [*library.all_items(), *also]:
        problems.extend(_CHECKERS.get(item.kind, _declared)(library, item))
    return problems


def _law_refs(library: Library, item: Item) -> Iterator[Diagnostic]:
    laws = library.kind(LAWS.folder)
    for index, ref in enumerate(item.model.laws):
        law_item = laws.get(ref.law)
        if law_item is None and (LAWS.folder, ref.law) in library.failed:
            continue   # the law's own file has the error that matters
        if law_item is None:
            yield _missing(item, ("laws", index, "law"),
                           f"引用的{LAWS.label}“{ref.law}”不存在（content/{LAWS.folder}/ 下没有 {ref.law}.yaml）。"
                           f"{_suggest(ref.law, laws)}")
        elif law_item.model.article(ref.article) is None:
            keys = [a.key for a in law_item.model.articles]
            yield _missing(item, ("laws", index, "article"),
                           f"《{law_item.model.short}》里没有编号为“{ref.article}”的条文。已收录：{'、'.join(keys)}。")


def _audiences(library: Library, item: Item, values: list[str], path: tuple) -> Iterator[Diagnostic]:
    vocabulary = library.config.project.audiences
    for index, value in enumerate(values):
        if value not in vocabulary:
            where = path + (index,) if len(values) > 1 or path[-1] != "audience" else path
            yield error(item.path, *item.source.locate(where), "unknown-audience",
                        f"受众“{shown(value)}”不在 outreach.toml 的受众词表里。{_suggest(value, vocabulary)}"
                        f"可选：{'、'.join(f'{k}（{v}）' for k, v in vocabulary.items())}。")


def _ref(library: Library, item: Item, kind: str, value: str | None, path: tuple) -> Iterator[Diagnostic]:
    noun = registry[kind].label
    if value and (kind, value) in library.omitted:
        region = library.config.project.region
        yield _missing(item, path, f"{noun}“{shown(value)}”在本项目的地区版本里不用（它的文件里写了 regions.{region} 的 "
                                   f"omit: true），这里不能再引用它：请在本文件的 regions.{region} 里改写这一项。")
    elif value and value not in library.kind(kind) and (kind, value) not in library.failed:
        yield _missing(item, path, f"引用的{noun}“{shown(value)}”不存在。{_suggest(value, library.kind(kind))}")


def _scenario(library: Library, item: Item) -> Iterator[Diagnostic]:
    yield from _law_refs(library, item)
    yield from _audiences(library, item, item.model.audiences, ("audiences",))


def _tip(library: Library, item: Item) -> Iterator[Diagnostic]:
    yield from _law_refs(library, item)
    yield from _audiences(library, item, item.model.audiences, ("audiences",))


def _quiz(library: Library, item: Item) -> Iterator[Diagnostic]:
    seen: dict[str, int] = {}
    for index, question in enumerate(item.model.questions):
        if question.id in seen:
            yield error(item.path, *item.source.locate(("questions", index, "id")), "duplicate-id",
                        f"题目编号“{question.id}”在本套题里重复（第 {seen[question.id] + 1} 题已使用）。")
        seen.setdefault(question.id, index)
        yield from _ref(library, item, SCENARIOS.folder, question.scenario, ("questions", index, "scenario"))


def _script(library: Library, item: Item) -> Iterator[Diagnostic]:
    script = item.model
    yield from _ref(library, item, SCENARIOS.folder, script.scenario, ("scenario",))
    names: dict[str, int] = {}
    for index, role in enumerate(script.roles):
        if role.name in names:
            yield error(item.path, *item.source.locate(("roles", index, "name")), "duplicate-id",
                        f"角色“{role.name}”重复声明。")
        names.setdefault(role.name, index)
    for scene_index, scene in enumerate(script.scenes):
        for line_index, line in enumerate(scene.lines):
            role = getattr(line, "role", None)
            if role is not None and role not in names:
                yield error(item.path, *item.source.locate(("scenes", scene_index, "lines", line_index, "role")),
                            "undeclared-role",
                            f"角色“{shown(role)}”没有在 roles 里声明。{_suggest(role, names)}")


def _pack(library: Library, item: Item) -> Iterator[Diagnostic]:
    yield from _audiences(library, item, [item.model.audience], ("audience",))
    for kind, ref, path in PACKS.refs(item.model):
        if (kind, ref) in library.omitted:
            continue   # a pack simply goes without what its region leaves out
        yield from _ref(library, item, kind, ref, path)


def _newsletter(library: Library, item: Item) -> Iterator[Diagnostic]:
    letter = item.model
    for kind, ref, path in NEWSLETTERS.refs(letter):
        yield from _ref(library, item, kind, ref, path)
    if item.id != letter.date.isoformat():
        yield warning(item.path, *item.source.locate(("date",)), "date-mismatch",
                      f"出刊日期 {letter.date.isoformat()} 与文件名“{item.id}”不一致，建议文件名使用出刊日期。")


def _declared(library: Library, item: Item) -> Iterator[Diagnostic]:
    """A kind without checks of its own (a plugin's): the references its kind declares."""
    kind = registry.get(item.kind)
    for target, ref, path in kind.refs(item.model) if kind else ():
        if target == LAWS.folder:
            continue   # laws are checked with their articles, by kinds that cite them
        yield from _ref(library, item, target, ref, path)


_CHECKERS = {
    SCENARIOS.folder: _scenario,
    TIPS.folder: _tip,
    QUIZZES.folder: _quiz,
    SCRIPTS.folder: _script,
    PACKS.folder: _pack,
    NEWSLETTERS.folder: _newsletter,
}
