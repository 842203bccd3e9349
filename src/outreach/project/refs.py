"""Cross-reference checks: every id a file mentions must exist in the library."""

from __future__ import annotations

import difflib
from typing import Iterable, Iterator, Sequence

from outreach.project.diagnostics import Diagnostic, error, shown, warning
from outreach.project.library import Item, Library
from outreach.project.models import PACK_ITEMS

KIND_NOUN = {"scenarios": "诈骗类型", "tips": "法律小贴士", "quizzes": "问答题库", "scripts": "脚本", "laws": "法律"}
PACK_ITEM_KINDS = {key: kind for key, (kind, _label) in PACK_ITEMS.items()}


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
        checker = _CHECKERS.get(item.kind)
        if checker:
            problems.extend(checker(library, item))
    return problems


def _law_refs(library: Library, item: Item) -> Iterator[Diagnostic]:
    laws = library.kind("laws")
    for index, ref in enumerate(item.model.laws):
        law_item = laws.get(ref.law)
        if law_item is None and ("laws", ref.law) in library.failed:
            continue   # the law's own file has the error that matters
        if law_item is None:
            yield _missing(item, ("laws", index, "law"),
                           f"引用的法律“{ref.law}”不存在（content/laws/ 下没有 {ref.law}.yaml）。{_suggest(ref.law, laws)}")
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
    if value and (kind, value) in library.omitted:
        region = library.config.project.region
        yield _missing(item, path, f"{KIND_NOUN[kind]}“{shown(value)}”在本项目的地区版本里不用（它的文件里写了 regions.{region} 的 "
                                   f"omit: true），这里不能再引用它：请在本文件的 regions.{region} 里改写这一项。")
    elif value and value not in library.kind(kind) and (kind, value) not in library.failed:
        yield _missing(item, path, f"引用的{KIND_NOUN[kind]}“{shown(value)}”不存在。{_suggest(value, library.kind(kind))}")


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
        yield from _ref(library, item, "scenarios", question.scenario, ("questions", index, "scenario"))


def _script(library: Library, item: Item) -> Iterator[Diagnostic]:
    script = item.model
    yield from _ref(library, item, "scenarios", script.scenario, ("scenario",))
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
    for index, entry in enumerate(item.model.items):
        if (PACK_ITEM_KINDS[entry.kind], entry.ref) in library.omitted:
            continue   # a pack simply goes without what its region leaves out
        yield from _ref(library, item, PACK_ITEM_KINDS[entry.kind], entry.ref, ("items", index, entry.kind))


def _newsletter(library: Library, item: Item) -> Iterator[Diagnostic]:
    letter = item.model
    for index, scenario in enumerate(letter.focus):
        yield from _ref(library, item, "scenarios", scenario, ("focus", index))
    for index, tip in enumerate(letter.tips):
        yield from _ref(library, item, "tips", tip, ("tips", index))
    if item.id != letter.date.isoformat():
        yield warning(item.path, *item.source.locate(("date",)), "date-mismatch",
                      f"出刊日期 {letter.date.isoformat()} 与文件名“{item.id}”不一致，建议文件名使用出刊日期。")


_CHECKERS = {
    "scenarios": _scenario,
    "tips": _tip,
    "quizzes": _quiz,
    "scripts": _script,
    "packs": _pack,
    "newsletters": _newsletter,
}
