"""Articles a text cites in its prose must be in its `laws:` list.

The law box under a tip or scenario prints exactly the articles `laws:` lists, so an article
named only in the body ("反电信网络诈骗法第三十一、四十四条") is cited but never shown: the
reader cannot check what the text relies on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from outreach.checks.textscan import prose_strings
from outreach.project.diagnostics import Diagnostic, error, warning
from outreach.project.kinds import LAWS
from outreach.project.library import Item, Library

_NUMERAL = "〇零一二三四五六七八九十百千"
# 第三十一、四十四条 / 第二百八十七条之二; the law's name, if any, stands right before 第.
_ARTICLES = re.compile(rf"第([{_NUMERAL}]+(?:、[{_NUMERAL}]+)*)条(之[一二三四五六七八九十])?")
# Any instrument's name ending just before 第 ("治安管理处罚法第", "《意见》第"): a citation of a
# law the library does not hold must not be read as the last-named library law's article.
_SOME_INSTRUMENT = re.compile(r"(?:法|解释|意见|办法|条例|规定|决定)》?$")


@dataclass(frozen=True)
class Citation:
    law: str        # the law's id (its file name)
    number: str     # as printed: 第三十一条
    key: str | None  # the article's key in that law, None when the law file does not hold it


def _law_names(library: Library) -> list[tuple[str, str]]:
    """(name, law id), longest first so 中华人民共和国刑法 wins over 刑法."""
    names = []
    for law_id, item in library.kind(LAWS.folder).items():
        law = item.model
        for name in {law.short, law.title, law.title.removeprefix("中华人民共和国")}:
            names.append((name, law_id))
    return sorted(names, key=lambda pair: -len(pair[0]))


LawIndex = tuple[list[tuple[str, str]], dict[str, dict[str, str]]]


def _law_index(library: Library) -> LawIndex:
    """The laws' names (see _law_names) and, per law, its article keys by printed number."""
    numbers = {law_id: {article.number: article.key for article in item.model.articles}
               for law_id, item in library.kind(LAWS.folder).items()}
    return _law_names(library), numbers


def citations(text: str, library: Library, laws: LawIndex | None = None) -> Iterator[Citation]:
    """Every article `text` cites. `laws`: _law_index(library), made once for many texts."""
    names, numbers = laws or _law_index(library)
    current: str | None = None   # a bare "第三百一十二条" refers to the law named last
    for match in _ARTICLES.finditer(text):
        before = text[:match.start()].rstrip("《》 ")
        named = next((law_id for name, law_id in names if before.endswith(name)), None)
        if named:
            current = named
        elif _SOME_INSTRUMENT.search(text[:match.start()]):
            current = None
        if current is None:
            continue
        parts = match.group(1).split("、")
        for index, numeral in enumerate(parts):
            suffix = match.group(2) if index == len(parts) - 1 and match.group(2) else ""
            number = f"第{numeral}条{suffix}"
            yield Citation(current, number, numbers[current].get(number))


def lint_law_citations(library: Library) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    index = _law_index(library)
    for item in library.all_items():
        if item.kind == LAWS.folder or not hasattr(item.model, "laws"):
            continue
        problems.extend(_unlisted(item, library, index))
    return problems


def _unlisted(item: Item, library: Library, index: LawIndex) -> Iterator[Diagnostic]:
    listed = {(ref.law, ref.article) for ref in item.model.laws}
    seen: set[tuple[str, str]] = set()
    laws = library.kind(LAWS.folder)
    for path, text in prose_strings(item.raw):
        for cited in citations(text, library, index):
            if (cited.law, cited.number) in seen:
                continue
            seen.add((cited.law, cited.number))
            short = laws[cited.law].model.short
            line, column = item.source.locate(path)
            if cited.key is None:
                yield warning(item.path, line, column, "law-article-missing",
                              f"正文引用了{short}{cited.number}，但 {laws[cited.law].path} 没有收录这一条，"
                              "法条框印不出来：请对照官方文本逐字收录这一条，或不写条号。")
            elif (cited.law, cited.key) not in listed:
                yield error(item.path, line, column, "law-not-listed",
                            f"正文引用了{short}{cited.number}，但“相关法条”（laws）里没有它，法条框不会印出这一条。"
                            f"请在 laws 里加上：- law: {cited.law}，article: \"{cited.key}\"。")
