"""Markdown scripts (content/scripts/<id>.md) → the same data as the YAML form, with positions.

The block structure comes from markdown-it (front matter plugin; `.map` gives lines);
only the text of one line is split at its first colon. Every line of a paragraph is one
script line and every `> ` line one stage direction, taken verbatim from the source: the
text is not Markdown-formatted, so what the writer typed is what gets printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from outreach.project.diagnostics import Diagnostic, error
from outreach.project.yamlsource import NodeSpan, SourceFile, parse_yaml, read_source

MAX_ROLE_CHARS = 20
# A colon splits role from text; a "role" holding sentence punctuation is prose with a colon in it.
_ROLE_SPLIT = re.compile(r"(?P<role>[^：:]*)[：:](?P<text>.*)", re.S)
_NOT_IN_ROLE = re.compile(r"[\s，。！？、；,!?;…]")

_BLOCK_NAMES = {
    "bullet_list_open": "列表", "ordered_list_open": "编号列表", "fence": "代码块",
    "code_block": "代码块（这一行前面有 4 个或更多空格，请删掉行首的空格）", "html_block": "HTML", "table_open": "表格",
    "hr": "分隔线", "blockquote_open": "嵌套的引用（> >）", "heading_open": "标题",
}
_HOW_TO = "脚本正文只能有：“## 场次标题”、“角色名：台词”和以“> ”开头的舞台提示。"


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.front_matter import front_matter_plugin

    # Tables and HTML are recognised only to be reported by name. Line text is taken from the
    # source, so inline parsing (the slow and fragile part on hostile input) is switched off.
    parser = MarkdownIt("commonmark").enable("table").use(front_matter_plugin)
    parser.core.ruler.disable(["inline"])
    return parser


def parse_markdown_script(raw: bytes, path: str) -> tuple[Any, SourceFile | None, list[Diagnostic]]:
    """Parse one Markdown script. Returns (data shaped like the YAML form, source, diagnostics)."""
    # markdown-it also ends lines at a lone CR; make SourceFile count lines the same way.
    source, problems = read_source(raw, path, lone_cr_ends_lines=True)
    if source is None or problems:
        return None, source, problems
    return _Reader(source).read()


@dataclass
class _Scene:
    title: str | None
    at: int                                # its `## ` heading, or the first body line
    explicit: bool                         # written as a heading (kept even when empty)
    title_span: NodeSpan | None = None
    items: list[dict] = field(default_factory=list)
    spans: dict[tuple, NodeSpan] = field(default_factory=dict)   # by path below ("lines",)
    problems_at: int | None = None         # first malformed line: its error already explains a lack of lines


class _Reader:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.path = source.path
        self.lines = source.text.split("\n")
        self.starts = [0]
        for line in self.lines[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)
        self.problems: list[Diagnostic] = []
        self.covered: set[int] = set()
        self.scenes: list[dict] = []

    # --- entry ------------------------------------------------------------------------

    def read(self) -> tuple[Any, SourceFile, list[Diagnostic]]:
        tokens = _markdown().parse(self.source.text)
        self.source.spans[()] = NodeSpan(0, len(self.source.text))
        if not tokens or tokens[0].type != "front_matter":
            return None, self.source, [self._no_front_matter()]
        front = self._front_matter(tokens[0])
        self._body(tokens[1:], tokens[0].map[1])
        self._uncovered_lines(tokens[0].map[1])
        if front is None:
            return None, self.source, self.problems
        return {**front, "scenes": self.scenes}, self.source, self.problems

    def _no_front_matter(self) -> Diagnostic:
        if self.lines[0].startswith("---"):
            return error(self.path, 1, 1, "md-front-matter",
                         "文件开头的 front matter 没有结束：请在 title、form、roles 等字段之后单独写一行“---”。")
        return error(self.path, 1, 1, "md-front-matter",
                     "Markdown 脚本的第一行必须是“---”，后面写 title、form、roles 等字段，再用一行“---”结束"
                     "（这一段叫 front matter），然后才是正文。")

    # --- front matter --------------------------------------------------------------------

    def _front_matter(self, token) -> dict | None:
        start_line, end_line = token.map
        self.covered.update(range(start_line, end_line))
        base_line = start_line + 1  # the YAML starts on the line after the opening ---
        base = self.starts[base_line] if base_line < len(self.starts) else len(self.source.text)
        data, yaml_source, problems = parse_yaml(token.content.encode("utf-8"), self.path)
        for problem in problems:
            if problem.code == "empty-file":
                self.problems.append(error(self.path, start_line + 1, 1, "md-front-matter",
                                           "front matter 是空的：请在两行“---”之间写 title、form、roles 等字段。"))
            else:
                self.problems.append(replace(problem, line=max(problem.line, 1) + base_line))
        if yaml_source is not None:
            for path, span in yaml_source.spans.items():
                self.source.spans[path] = NodeSpan(span.start + base, span.end + base,
                                                   None if span.key_start is None else span.key_start + base)
        if data is None or any(p.is_error for p in problems):
            return None
        if not isinstance(data, dict):
            self.problems.append(error(self.path, base_line + 1, 1, "md-front-matter",
                                       "front matter 应为“字段: 值”的形式（title、form、roles 等），而不是列表或一段文字。"))
            return None
        if "scenes" in data:
            self.problems.append(error(self.path, *self.source.locate_key(("scenes",)), "md-front-matter",
                                       "Markdown 脚本的场次写在正文里（“## 场次标题”），front matter 里不能再写 scenes。"))
            data = {k: v for k, v in data.items() if k != "scenes"}
            self.source.spans = {p: s for p, s in self.source.spans.items() if not (p and p[0] == "scenes")}
        return data

    # --- body ----------------------------------------------------------------------------

    def _body(self, tokens: list, first_line: int) -> None:
        scene = _Scene(None, self.starts[min(first_line, len(self.starts) - 1)], explicit=False)
        index = 0
        while index < len(tokens):
            token = tokens[index]
            end = _subtree_end(tokens, index)
            if token.map and token.type != "blockquote_open":  # a `>` line may still hide a link definition
                self.covered.update(range(*token.map))
            if token.type == "heading_open" and token.markup == "##":
                self._close(scene)
                scene = self._heading(token, tokens[index + 1] if index + 1 < len(tokens) else None)
            elif token.type == "heading_open":
                self._unexpected_heading(token)
            elif token.type == "paragraph_open":
                for line in range(*token.map):
                    self._dialogue(scene, line)
            elif token.type == "blockquote_open":
                self._blockquote(scene, tokens[index + 1:end])
            elif token.type == "html_block" and _is_comment(token.content):
                pass  # <!-- … --> is the Markdown way to leave a note, like # in YAML
            elif token.map:
                self._unexpected(token)
            index = end + 1
        self._close(scene)
        if not self.scenes:
            where = min(first_line, len(self.lines) - 1)
            self.problems.append(error(self.path, where + 1, 1, "md-empty-body",
                                       "正文里没有台词。" + _HOW_TO))
            self.source.spans[("scenes",)] = NodeSpan(self.starts[where], self.starts[where])

    def _heading(self, token, inline) -> _Scene:
        line = token.map[0]
        raw = self.lines[line]
        title = (inline.content if inline is not None else "").strip()
        marker = max(raw.find("##"), 0)
        at = self.starts[line] + marker
        if not title:
            self.problems.append(error(self.path, line + 1, marker + 1, "md-empty-heading",
                                       "场次标题是空的：请在“## ”后面写上场次名称，例如“## 开场”。"))
            return _Scene(None, at, explicit=True, problems_at=at)
        column = raw.find(title, marker + 2)
        start = self.starts[line] + (column if column >= 0 else marker)
        return _Scene(title, at, explicit=True, title_span=NodeSpan(start, start + len(title)))

    def _close(self, scene: _Scene) -> None:
        if not scene.items and not scene.explicit and scene.problems_at is None:
            return  # nothing before the first heading: no untitled scene
        path = ("scenes", len(self.scenes))
        self.source.spans.setdefault(("scenes",), NodeSpan(scene.at, scene.at))
        self.source.spans[path] = NodeSpan(scene.at, scene.at)
        if scene.title_span:
            self.source.spans[path + ("title",)] = scene.title_span
        # "No lines" then points where a malformed line was already reported, and is not repeated.
        lines_at = scene.at if scene.problems_at is None else scene.problems_at
        self.source.spans[path + ("lines",)] = NodeSpan(lines_at, lines_at)
        for item_path, span in scene.spans.items():
            self.source.spans[path + ("lines",) + item_path] = span
        if not scene.items and scene.problems_at is None:
            self.problems.append(error(self.path, *self.source.line_col(scene.at), "md-empty-scene",
                                       f"场次“{scene.title or ''}”里没有台词。请写“角色名：台词”，或删掉这个标题。"))
        data = {"title": scene.title} if scene.title is not None else {}
        self.scenes.append(data | {"lines": scene.items})

    def _failed(self, scene: _Scene, line: int, column: int, code: str, message: str) -> None:
        self.problems.append(error(self.path, line + 1, column + 1, code, message))
        if scene.problems_at is None:
            scene.problems_at = self.starts[line] + column

    def _dialogue(self, scene: _Scene, line: int) -> None:
        raw = self.lines[line]
        stripped = raw.lstrip()
        if not stripped.strip():
            return
        column = len(raw) - len(stripped)
        self._role_line(scene, line, column, stripped.rstrip())

    def _role_line(self, scene: _Scene, line: int, column: int, content: str) -> None:
        at = self.starts[line] + column
        match = _ROLE_SPLIT.match(content)
        if match is None:
            self._failed(scene, line, column, "md-no-role",
                         f"这一行没有角色名：台词要写成“角色名：台词”（冒号用全角“：”或半角“:”）；"
                         f"舞台提示的每一行都以“> ”开头。{_HOW_TO}")
            return
        role_raw = match.group("role")
        role = role_raw.strip()
        colon = len(role_raw)
        if not role:
            self._failed(scene, line, column + colon, "md-empty-role", "冒号前面缺少角色名，应写成“角色名：台词”。")
            return
        if len(role) > MAX_ROLE_CHARS or _NOT_IN_ROLE.search(role):
            self._failed(scene, line, column, "md-no-role",
                         f"这一行没有角色名：“{_short(role)}”不像角色名（太长，或含有空格、标点）。"
                         f"台词要写成“角色名：台词”；舞台提示以“> ”开头。")
            return
        text_raw = match.group("text")
        text = text_raw.strip()
        text_column = colon + 1 + (len(text_raw) - len(text_raw.lstrip()))
        if not text:
            self._failed(scene, line, column + colon + 1, "md-empty-text",
                         f"“{role}”的台词是空的：请在冒号后面写上台词，或删掉这一行。")
            return
        role_column = len(role_raw) - len(role_raw.lstrip())
        index = len(scene.items)
        text_at = at + text_column
        scene.items.append({"role": role, "text": text})
        scene.spans[(index,)] = NodeSpan(at, text_at + len(text))
        scene.spans[(index, "role")] = NodeSpan(at + role_column, at + role_column + len(role), at + role_column)
        scene.spans[(index, "text")] = NodeSpan(text_at, text_at + len(text), text_at)

    def _blockquote(self, scene: _Scene, inner: list) -> None:
        index = 0
        while index < len(inner):
            token = inner[index]
            end = _subtree_end(inner, index)
            if token.type == "paragraph_open" and token.level == 1:
                self.covered.update(range(*token.map))
                for line in range(*token.map):
                    self._quoted(scene, line)
            elif token.map:
                self.covered.update(range(*token.map))
                self._unexpected(token, inside_quote=True)
            index = end + 1

    def _quoted(self, scene: _Scene, line: int) -> None:
        raw = self.lines[line]
        stripped = raw.lstrip()
        column = len(raw) - len(stripped)
        if not stripped.startswith(">"):
            # A line right under a `> ` line without a blank line in between: Markdown would
            # glue it to the direction, but the writer meant a line of dialogue.
            if stripped.strip():
                self._role_line(scene, line, column, stripped.rstrip())
            return
        body = stripped[1:]
        text = body.strip()
        text_column = column + 1 + (len(body) - len(body.lstrip()))
        if not text:
            return
        at = self.starts[line] + text_column
        index = len(scene.items)
        scene.items.append({"direction": text})
        scene.spans[(index,)] = NodeSpan(self.starts[line] + column, at + len(text))
        scene.spans[(index, "direction")] = NodeSpan(at, at + len(text), at)

    # --- everything else is an error ------------------------------------------------------

    def _unexpected_heading(self, token) -> None:
        line = token.map[0]
        if token.markup in ("-", "="):
            underline = token.map[1]
            self.problems.append(error(self.path, underline, 1, "md-unexpected-block",
                                       f"这一行的“{token.markup * 3}”紧跟在文字下面，会把上一行变成标题。"
                                       f"场次标题请用“## ”开头；如果不是标题，请删掉这一行。{_HOW_TO}"))
            return
        column = len(self.lines[line]) - len(self.lines[line].lstrip())
        hint = "脚本标题写在 front matter 的 title 里；" if token.markup == "#" else ""
        self.problems.append(error(self.path, line + 1, column + 1, "md-unexpected-block",
                                   f"这是 {len(token.markup)} 级标题（{token.markup}）。{hint}"
                                   "场次标题只能用“## ”（两个井号加空格）开头。"))

    def _unexpected(self, token, inside_quote: bool = False) -> None:
        line = token.map[0]
        raw = self.lines[line] if line < len(self.lines) else ""
        column = len(raw) - len(raw.lstrip(" \t>" if inside_quote else " \t"))
        name = _BLOCK_NAMES.get(token.type, "不认识的内容")
        where = "舞台提示（以“> ”开头的行）里" if inside_quote else "脚本里"
        self.problems.append(error(self.path, line + 1, column + 1, "md-unexpected-block",
                                   f"{where}不能有{name}。{_HOW_TO}"))

    def _uncovered_lines(self, first_line: int) -> None:
        """Lines markdown-it consumed without a block, i.e. link definitions `[x]: y`."""
        for line in range(first_line, len(self.lines)):
            if line in self.covered:
                continue
            raw = self.lines[line]
            rest = raw.lstrip(" \t>")
            if rest.strip():
                self.problems.append(error(self.path, line + 1, len(raw) - len(rest) + 1, "md-unexpected-block",
                                           f"这一行会被 Markdown 当成链接定义而不显示。{_HOW_TO}"))


def _subtree_end(tokens: list, index: int) -> int:
    """Index of the token closing the one at `index` (itself when it opens nothing)."""
    depth = 0
    for position in range(index, len(tokens)):
        depth += tokens[position].nesting
        if depth <= 0:
            return position
    return len(tokens) - 1


def _is_comment(html: str) -> bool:
    html = html.strip()
    return html.startswith("<!--") and html.find("-->", 4) == len(html) - 3


def _short(text: str, limit: int = 12) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
