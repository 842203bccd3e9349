"""Simplified Chinese for the strings Typer and its bundled click print around our own help.

Typer's help panels and usage errors are English literals; staff are not programmers,
so we replace the handful they meet. Guarded so a Typer upgrade degrades to English
instead of breaking the CLI.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import re
import sys

from outreach import phrasebook

_PANEL_TEXT = {
    "ARGUMENTS_PANEL_TITLE": "参数",
    "OPTIONS_PANEL_TITLE": "选项",
    "COMMANDS_PANEL_TITLE": "命令",
    "ERRORS_PANEL_TITLE": "错误",
    "ABORTED_TEXT": "已中止。",
    "RICH_HELP": "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。",
    "DEFAULT_STRING": "[默认：{}]",
    "ENVVAR_STRING": "[环境变量：{}]",
    "REQUIRED_LONG_STRING": "[必填]",
    "DEPRECATED_STRING": "（已弃用）",
}

_PLAIN_HELP = {"Options": "选项", "Commands": "命令", "Arguments": "参数", "required": "必填",
               "default: {default}": "默认：{default}", "env var: {var}": "环境变量：{var}"}

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


def display_width(text: str) -> int:
    import unicodedata

    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in plain)


def translate(message: str) -> str:
    return phrasebook.translate(message, _MESSAGES, inner=translate)


def install() -> None:
    try:
        from typer._click import core as click_core
        from typer._click import exceptions as click_exceptions
        from typer._click import formatting as click_formatting
    except ImportError:  # pragma: no cover - a Typer layout we do not know
        return
    _patch_when_imported("typer.rich_utils", _translate_panels)

    original_usage = click_formatting.HelpFormatter.write_usage

    def write_usage(self, prog, args="", prefix=None):
        args = args.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
        return original_usage(self, prog, args, "用法：" if prefix is None else prefix)

    click_formatting.HelpFormatter.write_usage = write_usage

    original_help_option = click_core.Command.get_help_option

    def get_help_option(self, ctx):
        option = original_help_option(self, ctx)
        if option is not None:
            option.help = "显示本帮助并退出。"
        return option

    click_core.Command.get_help_option = get_help_option

    # Help is printed by click's plain formatter (rich's would eat [brackets] as markup and
    # cut unspaced Chinese with "…"); its headings and notes come from gettext in typer.core.
    try:
        from typer import core as typer_core
    except ImportError:  # pragma: no cover
        typer_core = None
    if typer_core is not None and hasattr(typer_core, "_"):
        typer_core._ = lambda text: _PLAIN_HELP.get(text, text)
    if hasattr(click_formatting, "term_len"):
        click_formatting.term_len = display_width   # a Chinese character takes two columns

    try:
        from typer.core import TyperArgument, TyperOption
    except ImportError:  # pragma: no cover
        TyperOption = TyperArgument = None
    for cls in (TyperOption, TyperArgument):
        if cls is not None and hasattr(cls, "display_type_rich"):
            cls.display_type_rich = _type_label(cls.display_type_rich)

    for cls in (click_exceptions.UsageError, click_exceptions.BadParameter,
                click_exceptions.MissingParameter, click_exceptions.NoSuchOption):
        cls.format_message = _wrap(cls.format_message)


def _translate_panels(rich_utils) -> None:
    for name, text in _PANEL_TEXT.items():
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, text)


def _patch_when_imported(module_name: str, patch) -> None:
    """Apply `patch` to a module once it is imported, without importing it now.

    Typer imports its rich help formatter (and rich itself) only to print help or
    errors; importing it eagerly would slow every command down by ~50 ms.
    """
    if module_name in sys.modules:
        patch(sys.modules[module_name])
        return

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name != module_name:
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(name)
            if spec is not None and spec.loader is not None:
                execute = spec.loader.exec_module

                def exec_and_patch(module):
                    execute(module)
                    patch(module)

                spec.loader.exec_module = exec_and_patch
            return spec

    sys.meta_path.insert(0, Finder())


_TYPE_LABELS = {"<text>": "<文字>", "<integer>": "<整数>", "<path>": "<路径>", "<float>": "<数字>"}


def _type_label(method):
    def display_type_rich(self, ctx):
        if getattr(self, "is_flag", False):
            return None  # a switch needs no type column
        shown = method(self, ctx)
        return _TYPE_LABELS.get(shown, shown) if isinstance(shown, str) else shown

    return display_type_rich


def _wrap(method):
    if getattr(method, "_zh", False):
        return method

    def wrapped(self):
        return translate(method(self))

    wrapped._zh = True
    return wrapped
