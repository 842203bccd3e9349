"""tomllib's syntax errors in Chinese, each with what to do (outreach.toml is edited by hand)."""

from __future__ import annotations

import re

from outreach.core import phrasebook

_TABLE: phrasebook.Table = [(re.compile(pattern), template) for pattern, template in [
    (r"^Expected '=' after a key in a key/value pair$", "键后面缺少“=”：应写成 名称 = 值，例如 name = \"示例\"。"),
    (r"^Expected '\]' at the end of a table declaration$", "表名缺少右方括号“]”：应写成 [表名]，例如 [theme]。"),
    (r"^Expected '\]\]' at the end of an array declaration$", "缺少“]]”：应写成 [[表名]]，例如 [[project.hotlines]]。"),
    (r"^Expected newline or end of document after a statement$", "一行只能写一项设置：这一项后面多了内容（或缺少引号）。"),
    (r"^Expected (.+)$", "这里应为 {0}。"),
    (r"^Found invalid character (.+)$", "这里不能出现字符 {0}。"),
    (r"^Invalid value$", "值的写法不对：文字要加英文双引号（\"示例\"），数字、true/false 和日期（2027-06-30）不加。"),
    (r"^Invalid statement$", "这一行不是有效的设置：应为 名称 = 值、[表名] 或 # 注释。"),
    (r"^Invalid initial character for a key part$", "名称的写法不对：名称只能用英文字母、数字、- 和 _（或用英文双引号括起来）。"),
    (r"^Invalid date or datetime$", "日期不对：应写成 YYYY-MM-DD，例如 2027-06-30。"),
    (r"^Invalid hex value$", "转义字符 \\u 后面的十六进制数不对。"),
    (r"^Unterminated string$", "文字缺少结尾的英文双引号 \"。"),
    (r"^Unclosed array$", "列表缺少结尾的“]”，或项之间缺少英文逗号：例如 [\"A4\", \"A3\"]。"),
    (r"^Unclosed inline table$", "花括号里的表缺少结尾的“}}”，或项之间缺少英文逗号：例如 {{ a = 1, b = 2 }}。"),
    (r"^Unescaped '\\\\' in a string$", "文字里的反斜杠 \\ 要写成 \\\\（或改用单引号 '…'）。"),
    (r"^Illegal character '\\n'$", "文字缺少结尾的英文双引号 \"：一行里的文字要在同一行结束（多行文字用三个双引号 \"\"\"）。"),
    (r"^Illegal character (.+)$", "文字里有不允许的字符 {0}（如制表符以外的控制字符）。"),
    (r"^Escaped character is not a Unicode scalar value$", "转义字符不是有效的 Unicode 字符。"),
    (r"^Cannot declare (.+) twice$", "表 [{0}] 重复出现：同一个表只能写一次，请把两处的设置合并。"),
    (r"^Cannot overwrite a value$", "这个名称已经设置过一次：同一项只能写一次。"),
    (r"^Cannot mutate immutable namespace (.+)$", "“{0}”已经用花括号一次写完，不能再在别处添加内容。"),
    (r"^Cannot redefine namespace (.+)$", "“{0}”已经定义过，不能重新定义。"),
    (r"^Duplicate inline table key (.+)$", "花括号里的名称 {0} 重复。"),
]]

_POSITION = re.compile(r"\s*\(at (?:line \d+, column \d+|end of document)\)$")


_KEY_TUPLE = re.compile(r"\(((?:'[^']*', ?)*'[^']*',?)\)")


def translate_toml_error(message: str) -> str:
    """The tomllib message without its "(at line L, column C)" tail, in Chinese."""
    message = _POSITION.sub("", message)
    # tomllib names tables as tuples: ('channels', 'demo') → channels.demo
    message = _KEY_TUPLE.sub(lambda m: ".".join(re.findall(r"'([^']*)'", m.group(1))), message)
    return phrasebook.translate(message, _TABLE)
