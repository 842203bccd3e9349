"""Parse one YAML file into plain Python values, keeping the source position of every node.

We compose with libyaml (fast, and every node carries a mark) and build the values
ourselves, so that hostile input (alias bombs, deep nesting, duplicate keys) is caught
with a location instead of exhausting memory or raising deep inside a library.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

from outreach.core.textfile import NotText, decode_utf8
from outreach.project.diagnostics import Diagnostic, error, shown

try:  # libyaml is much faster; the pure-Python loader gives identical marks.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 512 * 1024
MAX_DEPTH = 32
# Values (not counting field names) in one file, once aliases are expanded. The largest real
# file, a 500-question bank, has about 6,000.
MAX_NODES = 20_000
# Characters of all scalars after aliases are expanded. A file without aliases stays below
# its own size (MAX_FILE_BYTES); aliases may repeat text, but not blow it up a thousandfold.
MAX_EXPANDED_CHARS = 2 * MAX_FILE_BYTES

Path = tuple[Any, ...]

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_scalar_constructor = yaml.constructor.SafeConstructor()


@dataclass
class NodeSpan:
    """Where a value (and, for mapping entries, its key) sits in the source."""

    start: int
    end: int
    key_start: int | None = None


@dataclass
class SourceFile:
    """A parsed file: its relative path, text and the position of every value by path."""

    path: str
    text: str
    spans: dict[Path, NodeSpan] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._line_starts = [0]
        for index, char in enumerate(self.text):
            if char == "\n":
                self._line_starts.append(index + 1)

    def line_col(self, index: int) -> tuple[int, int]:
        """1-based line and column of a character index."""
        line = bisect.bisect_right(self._line_starts, index) - 1
        return line + 1, index - self._line_starts[line] + 1

    def offset(self, line: int, column: int) -> int | None:
        """The character index of a 1-based line and column, or None past the end."""
        if not 1 <= line <= len(self._line_starts):
            return None
        return self._line_starts[line - 1] + max(column, 1) - 1

    def _nearest(self, path: Path) -> tuple[Path, NodeSpan]:
        path = tuple(path)
        while path not in self.spans and path:
            path = path[:-1]
        return path, self.spans.get(path, NodeSpan(0, 0))

    def locate(self, path: Path) -> tuple[int, int]:
        """Position of the value at `path`, or of its nearest known ancestor."""
        return self.line_col(self._nearest(path)[1].start)

    def locate_key(self, path: Path) -> tuple[int, int]:
        """Position of the key that introduces `path` (falls back to the value)."""
        found, span = self._nearest(path)
        if found == tuple(path) and span.key_start is not None:
            return self.line_col(span.key_start)
        return self.line_col(span.start)

    def locate_in_text(self, path: Path, value: str, offset: int, fragment: str) -> tuple[int, int]:
        """Position of `fragment`, found at `offset` in the string `value` stored at `path`.

        Searches the raw source of the scalar, so block scalars and quoted strings map
        back to the line the user sees; falls back to the scalar's start.
        """
        _, span = self._nearest(path)
        raw = self.text[span.start : span.end]
        occurrence = value[:offset].count(fragment)
        at = -1
        for _ in range(occurrence + 1):
            at = raw.find(fragment, at + 1)
            if at < 0:
                return self.line_col(span.start)
        return self.line_col(span.start + at)


class _Refused(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic


def read_source(raw: bytes, path: str, lone_cr_ends_lines: bool = False) -> tuple[SourceFile | None, list[Diagnostic]]:
    """The checks every content file gets before parsing: size, encoding, emptiness."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [error(path, 0, 0, "file-too-large",
                            f"文件过大（{len(raw) // 1024} KiB），单个内容文件不能超过 {MAX_FILE_BYTES // 1024} KiB。")]
    text, problem = decode_text(raw, path)
    if problem:
        return None, [problem]
    if lone_cr_ends_lines:
        text = text.replace("\r", "\n")
    source = SourceFile(path, text)
    hidden = control_characters(source)
    if hidden:
        return source, hidden
    if not text.strip():
        return source, [error(path, 1, 1, "empty-file", "文件是空的，请填写内容或删除此文件。")]
    return source, []


# Characters that never belong in content and that YAML would not keep as written: C0 and C1
# controls (besides tab and line ends) and DEL are refused by the YAML reader with a message in
# English and no place; U+0085 (NEL), U+2028 and U+2029 are line breaks to YAML 1.1, so inside
# a text they silently became a space or a new line. They come from text copied out of web
# pages, Word or PDF files, and are invisible in an editor: each is named where it is.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
_CONTROL_NAMES = {"\n": "换行", "\r": "回车", "\t": "制表符 Tab", "\x85": "下一行符 NEL", "\u2028": "行分隔符", "\u2029": "段分隔符", "\x7f": "删除符 DEL",
                  "\ufffe": "非字符", "\uffff": "非字符", "\x00": "空字符"}
MAX_CONTROL_REPORTS = 20


def control_character_name(char: str) -> str:
    """“U+0085（下一行符 NEL）”: a control character as a message names it."""
    kind = _CONTROL_NAMES.get(char) or ("不可见的排版字符" if unicodedata.category(char) == "Cf" else "控制字符")
    return f"U+{ord(char):04X}（{kind}）"


def control_message(char: str) -> str:
    effect = ("YAML 会把它当成换行，文字会被拆开或变成空格" if char in "\x85\u2028\u2029"
              else "它印不出来，YAML 也不允许文件里有它")
    return (f"这里有一个看不见的字符 {control_character_name(char)}：{effect}。"
            "请删除它（常见于从网页、Word 或 PDF 复制来的文字）。")


def control_characters(source: SourceFile) -> list[Diagnostic]:
    """Every control character in the file (up to MAX_CONTROL_REPORTS), each at its line and column."""
    found: list[Diagnostic] = []
    for match in CONTROL_CHARACTERS.finditer(source.text):
        if len(found) == MAX_CONTROL_REPORTS:
            break
        found.append(error(source.path, *source.line_col(match.start()), "control-character",
                           control_message(match.group())))
    return found


def parse_yaml(raw: bytes, path: str) -> tuple[Any, SourceFile | None, list[Diagnostic]]:
    """Parse bytes of one YAML file. Returns (value, source, diagnostics)."""
    source, problems = read_source(raw, path)
    if source is None or problems:
        return None, source, problems
    text = source.text

    tab_problems = _leading_tabs(source)
    if tab_problems:
        return None, source, tab_problems
    try:
        _check_structure(text, source)
        node = yaml.compose(text, Loader=_Loader)
    except _Refused as refused:
        return None, source, [refused.diagnostic]
    except yaml.MarkedYAMLError as exc:
        return None, source, [_syntax_error(exc, source)]
    except yaml.reader.ReaderError as exc:   # a character the reader refuses (read_source names most first)
        line, column = source.line_col(exc.position) if isinstance(exc.position, int) else (1, 1)
        return None, source, [error(path, line, column, "control-character",
                                    control_message(chr(exc.character) if isinstance(exc.character, int) else "\x00"))]
    except yaml.YAMLError:  # nothing else is raised without a mark; kept so bad input never raises
        return None, source, [error(path, 1, 1, "yaml-syntax", "YAML 格式错误，无法读取这个文件。")]
    if node is None:
        return None, source, [error(path, 1, 1, "empty-file", "文件只有注释，没有内容。")]

    builder = _Builder(source)
    try:
        value = builder.build(node, (), 0)
    except _Refused as refused:
        return None, source, [refused.diagnostic]
    return value, source, builder.diagnostics


def decode_text(raw: bytes, path: str) -> tuple[str, Diagnostic | None]:
    """UTF-8 text (BOM and CRLF tolerated), or an `encoding` diagnostic at the first bad byte."""
    try:
        return decode_utf8(raw), None
    except NotText as problem:
        message = ("文件含有空字符（\\0），不是文本文件。" if problem.binary
                   else "文件不是 UTF-8 编码（可能是 GBK）。请在编辑器中以 UTF-8 编码另存此文件。")
        return "", error(path, problem.line, problem.column, "encoding", message)


def _leading_tabs(source: SourceFile) -> list[Diagnostic]:
    problems = []
    for number, line in enumerate(source.text.split("\n"), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            problems.append(error(source.path, number, indent.index("\t") + 1, "yaml-tab",
                                  "缩进里有制表符（Tab）。YAML 只能用空格缩进，请把 Tab 换成空格。"))
    return problems


def _check_structure(text: str, source: SourceFile) -> None:
    """Stream the events once to refuse deep nesting before anything recursive runs."""
    try:
        _refuse_deep_nesting(text, source, _Loader)
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" not in str(exc.problem):
            raise
        # libyaml (since 0.2.6) stops at 1000 levels while scanning ahead, before we see the
        # event that crosses our much lower limit; the pure-Python scanner has no such limit
        # and finds the exact place.
        _refuse_deep_nesting(text, source, yaml.SafeLoader)
        mark = exc.problem_mark
        raise _Refused(error(source.path, mark.line + 1, mark.column + 1, "yaml-too-deep",
                             f"嵌套层级过深（超过 {MAX_DEPTH} 层），内容文件不需要这么深的结构。")) from None


def _refuse_deep_nesting(text: str, source: SourceFile, loader) -> None:
    """Refuse a file nested too deeply, or with more values than any content file has, at the
    place that crosses the limit. (Values repeated through aliases are counted by _Builder.)"""
    # One entry per open mapping or list: [is a mapping, nodes seen in it]; in a mapping the
    # even-numbered nodes are field names, which do not count as values.
    open_nodes: list[list] = []
    values = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.NodeEvent):
            is_key = bool(open_nodes) and open_nodes[-1][0] and open_nodes[-1][1] % 2 == 0
            if open_nodes:
                open_nodes[-1][1] += 1
            if not is_key and not isinstance(event, yaml.AliasEvent):
                values += 1
                if values > MAX_NODES:
                    line, column = event.start_mark.line + 1, event.start_mark.column + 1
                    raise _Refused(error(source.path, line, column, "too-many-values",
                                         f"文件里的内容太多：超过 {MAX_NODES:,} 个值（字段的值和列表的每一项都算一个），"
                                         "一个内容文件用不了这么多，已拒绝读取。请把它拆成几个文件。"))
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            open_nodes.append([isinstance(event, yaml.MappingStartEvent), 0])
            if len(open_nodes) > MAX_DEPTH:
                line, column = event.start_mark.line + 1, event.start_mark.column + 1
                raise _Refused(error(source.path, line, column, "yaml-too-deep",
                                     f"嵌套层级过深（超过 {MAX_DEPTH} 层），内容文件不需要这么深的结构。"))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            open_nodes.pop()


def _syntax_error(exc: yaml.MarkedYAMLError, source: SourceFile) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or ""
    if "\t" in problem or "'\\t'" in problem:
        return error(source.path, line, column, "yaml-tab",
                     "这里有制表符（Tab）。YAML 只能用空格缩进，请把 Tab 换成空格。")
    quote = _unclosed_quote(exc, source)
    if quote is not None:
        return quote
    detail = f"{problem}" + (f"，{exc.context}" if exc.context else "")
    lines = source.text.split("\n")
    found = _fullwidth_colon(lines, line) or _misindented_key(lines, line)
    if found is not None:
        (at_line, at_column), code, message = found
        return error(source.path, at_line, at_column, code, message)
    hint = next((text for fragment, text in _SYNTAX_HINTS if fragment in detail), "")
    message = "YAML 格式错误：" + (f"{hint}。（{detail}）" if hint else detail)
    return error(source.path, line, column, "yaml-syntax", message)


def _unclosed_quote(exc: yaml.MarkedYAMLError, source: SourceFile) -> Diagnostic | None:
    """A quotation mark left open, named where it was opened.

    YAML lets quoted text run over several lines, so an opening quote without its closing one
    takes in every line up to the next quotation mark in the file (often a quoted article
    number far below) and the parser only complains there, about what follows it."""
    opened: yaml.Mark | None = None
    closed_line = None
    if exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
        opened = exc.context_mark   # the file ended inside the quotes
    elif exc.problem_mark is not None:
        scalar = _last_quoted_scalar_before(source.text, exc.problem_mark.index)
        # Only a quoted text that ran over lines and ended on the line the parser refused.
        if scalar is not None and scalar.start_mark.line < scalar.end_mark.line == exc.problem_mark.line:
            opened, closed_line = scalar.start_mark, scalar.end_mark.line + 1
    if opened is None:
        return None
    mark = source.text[opened.index] if opened.index < len(source.text) else '"'
    name = "单引号" if mark == "'" else "双引号"
    where = f"到第 {closed_line} 行的下一个引号之间" if closed_line else "到文件末尾"
    return error(source.path, opened.line + 1, opened.column + 1, "yaml-unclosed-quote",
                 f"这里的{name}（{mark}）没有配对，缺少右引号：从这里{where}的内容都被当成了一段文字。"
                 f"请在这段文字末尾补上右引号（{mark}），或者去掉这个左引号。")


def _last_quoted_scalar_before(text: str, index: int):
    """The last quoted scalar token that ends at or before `index` (None if there is none)."""
    last = None
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if token.start_mark.index >= index:
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"') and token.end_mark.index <= index:
                last = token
    except yaml.YAMLError:
        pass   # the scanner's own error lies past what we need
    return last


# A field name (our keys are ASCII) followed by the full-width colon a Chinese input method
# types: the commonest slip, which YAML reports on the next line as a missing colon.
_FULLWIDTH_KEY = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_-]*)\s*：")
_KEY_LINE = re.compile(r"^ *(?:- +)?([A-Za-z_][A-Za-z0-9_-]*) *:(?: |$)")


def _fullwidth_colon(lines: list[str], error_line: int):
    """The line (at or just before where YAML gave up) whose field name ends in “：”, if any."""
    for number in range(min(error_line, len(lines)), max(error_line - 3, 0), -1):
        match = _FULLWIDTH_KEY.match(lines[number - 1])
        if match:
            return ((number, match.end()), "yaml-fullwidth-colon",
                    f"这里用了全角冒号“：”，请改为半角“:”（字段名“{match.group(2)}”后面要用半角冒号，再空一格）。")
    return None


def _misindented_key(lines: list[str], error_line: int):
    """A field indented differently from the field above it, which YAML reports as a stray colon."""
    if not 1 <= error_line <= len(lines):
        return None
    match = _KEY_LINE.match(lines[error_line - 1])
    if match is None:
        return None
    for number in range(error_line - 1, 0, -1):
        above = lines[number - 1]
        if not above.strip() or above.lstrip().startswith("#"):
            continue
        previous = _KEY_LINE.match(above)
        if previous is None or above.rstrip().endswith(":"):
            return None   # a nested block opens above: the indentation may be right
        here, there = match.start(1), previous.start(1)   # the field names' columns
        if here == there:
            return None
        more = f"多缩进了 {here - there} 格" if here > there else f"少缩进了 {there - here} 格"
        return ((error_line, here + 1), "yaml-indent",
                f"字段“{match.group(1)}”比上一行的字段“{previous.group(1)}”{more}：同一层的字段要左对齐"
                "（用空格对齐，不要用 Tab）。")
    return None


# (fragment of the libyaml/PyYAML problem text, plain-Chinese explanation)
_SYNTAX_HINTS = [
    ("mapping values are not allowed", "这里不能出现冒号。文字里有半角冒号“:”时，请改用全角“：”，或给整段文字加引号"),
    ("could not find expected ':'", "缺少冒号“:”，或者上一行的缩进不对"),
    ("did not find expected key", "缩进不一致，请检查这一行和上一行的空格数"),
    ("did not find expected '-' indicator", "列表项“- ”的缩进和上面不一致"),
    ("expected <block end>", "缩进不一致，请检查这一行和上一行的空格数"),
    ("found undefined alias", "引用了不存在的锚点（*名称）"),
    ("found unexpected end of stream", "文件意外结束，可能缺少右引号或右括号"),
    ("unknown escape character", "双引号里有无效的转义符“\\”，请改用单引号或去掉反斜杠"),
    ("cannot start any token", "这一行开头的字符不能直接使用（如 @、`、%），请给整段文字加引号"),
    ("did not find expected node content", "缺少内容，或者括号、引号没有配对"),
    ("while parsing a flow", "方括号 [ ] 或花括号 { } 没有配对"),
    ("while scanning a quoted scalar", "引号没有配对，缺少右引号"),
    ("expected a single document", "一个文件只能有一份内容，请删除多余的“---”分隔线"),
    ("but found another document", "一个文件只能有一份内容，请删除多余的“---”分隔线"),
]


class _Builder:
    """Turns composed nodes into plain values, recording spans, within a node budget."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self.nodes = 0
        self.chars = 0
        self._lines: list[str] | None = None

    @property
    def lines(self) -> list[str]:
        if self._lines is None:   # split once, and only for files that have multi-line plain text
            self._lines = self.source.text.split("\n")
        return self._lines

    def _count_chars(self, node: yaml.ScalarNode, path: Path) -> None:
        self.chars += len(node.value)
        if self.chars > MAX_EXPANDED_CHARS:
            # An alias is the anchored node itself, so point at the field that repeats it.
            if path and path[:1] in self.source.spans:
                line, column = self.source.locate_key(path[:1])
            else:
                line, column = node.start_mark.line + 1, node.start_mark.column + 1
            raise _Refused(error(self.source.path, line, column, "yaml-alias-bomb",
                                 f"展开锚点和别名（& 与 *）后文字超过 {MAX_EXPANDED_CHARS:,} 个字符，已拒绝读取。"
                                 "请不要用别名反复引用大段文字。"))

    def _refuse_if_over_budget(self, node: yaml.Node, depth: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            line, column = node.start_mark.line + 1, node.start_mark.column + 1
            raise _Refused(error(self.source.path, line, column, "yaml-alias-bomb",
                                 f"展开锚点和别名（& 与 *）后内容超过 {MAX_NODES} 个节点，已拒绝读取。请不要用别名反复引用大段内容。"))
        if depth > MAX_DEPTH:
            line, column = node.start_mark.line + 1, node.start_mark.column + 1
            raise _Refused(error(self.source.path, line, column, "yaml-too-deep",
                                 f"嵌套层级过深（超过 {MAX_DEPTH} 层），可能是别名引用了自身。"))

    def build(self, node: yaml.Node, path: Path, depth: int, key_start: int | None = None) -> Any:
        self._refuse_if_over_budget(node, depth)
        if path not in self.source.spans:
            self.source.spans[path] = NodeSpan(node.start_mark.index, node.end_mark.index, key_start)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (index,), depth + 1) for index, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict:
        result: dict[str, Any] = {}
        first_seen: dict[str, yaml.Node] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.update(self._merge_source(value_node, path, depth))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                self.diagnostics.append(error(self.source.path, line, column, "wrong-type",
                                              "字段名必须是简单的文字，不能是列表或映射。"))
                continue
            self._count_chars(key_node, path)
            key = str(key_node.value)
            if key in first_seen:
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                self.diagnostics.append(error(self.source.path, line, column, "yaml-duplicate-key",
                                              f"字段“{shown(key)}”重复出现（第一次在第 {first_seen[key].start_mark.line + 1} 行）。"))
                continue
            first_seen[key] = key_node
            result[key] = self.build(value_node, path + (key,), depth + 1, key_node.start_mark.index)
        for key, value in merged.items():
            result.setdefault(key, value)
        return result

    def _swallowed_items(self, node: yaml.ScalarNode) -> None:
        """A plain text that ran on over a more-indented “- ” line: YAML joins the lines, so the
        list item silently becomes part of the previous one (“…办理 - 凡是…”) everywhere it prints."""
        lines = self.lines
        first = lines[node.start_mark.line]
        dash = first.rfind("- ", 0, node.start_mark.column)
        for number in range(node.start_mark.line + 1, min(node.end_mark.line, len(lines) - 1) + 1):
            text = lines[number]
            if not text.lstrip().startswith("- "):
                continue
            indent = len(text) - len(text.lstrip())
            if dash >= 0 and first[:dash].strip() == "" and indent > dash:
                message = (f"这一行多缩进了 {indent - dash} 格，被并进了上一条（第 {node.start_mark.line + 1} 行）。"
                           "列表的每一项要和上面的“- ”左对齐。")
            else:
                message = ("这一行的“- ”被并进了上一行的文字（缩进不对）。列表的每一项要各占一行，"
                           "并和同一列表的其它“- ”左对齐。")
            self.diagnostics.append(error(self.source.path, number + 1, indent + 1, "yaml-merged-item", message))

    def _escaped_controls(self, node: yaml.ScalarNode) -> None:
        """A control character written as an escape in double quotes ("\\0", "\\N", "\\x85"): the
        file itself is clean, the text is not."""
        found = CONTROL_CHARACTERS.search(node.value)
        if found:
            line, column = node.start_mark.line + 1, node.start_mark.column + 1
            self.diagnostics.append(error(self.source.path, line, column, "control-character",
                                          f"这段文字里的转义符（“\\”开头）写出了一个看不见的字符 "
                                          f"{control_character_name(found.group())}：它印不出来。请删除这个转义符。"))

    def _merge_source(self, node: yaml.Node, path: Path, depth: int) -> dict:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        merged: dict[str, Any] = {}
        for source in reversed(sources):
            value = self.build(source, path, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged

    def _scalar(self, node: yaml.ScalarNode, path: Path) -> Any:
        self._count_chars(node, path)
        if not node.style and node.end_mark.line > node.start_mark.line:   # plain: libyaml says "", PyYAML None
            self._swallowed_items(node)
        if node.style == '"':
            self._escaped_controls(node)
        if node.tag == _STR:
            return node.value
        try:
            return _scalar_constructor.construct_object(node, deep=True)
        except (ValueError, OverflowError, yaml.constructor.ConstructorError):
            line, column = node.start_mark.line + 1, node.start_mark.column + 1
            if node.tag == _TIMESTAMP:
                self.diagnostics.append(error(self.source.path, line, column, "bad-date",
                                              f"日期“{shown(node.value)}”不存在，请按 YYYY-MM-DD 填写真实的日期。"))
            else:
                self.diagnostics.append(error(self.source.path, line, column, "wrong-type",
                                              f"无法识别的值“{shown(node.value)}”。"))
            return node.value


def as_date(value: Any) -> Any:
    """YAML timestamps with a time part become dates when the time is midnight."""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    return value
