"""Simplified Chinese for the usage errors Typer (click) raises in English.

The command line runs its command with standalone_mode=False and prints these errors itself
(outreach.cli.main), translated through the table below: nothing in Typer is patched.
"""

from __future__ import annotations

import re

from outreach.core import phrasebook

_MESSAGES = [
    (re.compile(r"^Value error, (.+)$"), "{0}"),
    (re.compile(r"^No such option: (.+)$"), "没有这个选项：{0}"),
    (re.compile(r"^No such command '(.+)'\.$"), "没有这个命令：“{0}”。"),
    (re.compile(r"^Missing command\.$"), "缺少命令。"),
    (re.compile(r"^Missing argument '(.+)'\.?(.*)$"), "缺少参数 {0}。{1}"),
    (re.compile(r"^Missing option '(.+)'\.?(.*)$"), "缺少选项 {0}。{1}"),
    (re.compile(r"^Invalid value for (.+?): (.+)$"), "{0} 的值无效：{1}"),
    (re.compile(r"^Got unexpected extra arguments? \((.+)\)$"), "多余的参数：{0}"),
    (re.compile(r"^Option '(.+)' requires an argument\.$"), "选项 {0} 需要一个值。"),
    (re.compile(r"^'(.+)' is not one of (.+)\.$"), "“{0}”不是可选值，应为 {1} 之一。"),
    (re.compile(r"^'(.+)' is not a valid integer\.$"), "“{0}”不是有效的整数。"),
    (re.compile(r"^Did you mean (.+)\?$"), "您是不是想输入 {0}？"),
]


def translate(message: str) -> str:
    return phrasebook.translate(message, _MESSAGES, inner=translate)
