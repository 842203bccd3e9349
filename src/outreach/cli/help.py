"""Help text in Chinese, through Typer's public extension points.

Typer builds each command from a command class (`cls=`); ours write the usage line, the
option table and the command list themselves — in Chinese, aligned by display width (a
Chinese character takes two columns) and wrapped without cutting anything off. Nothing
inside Typer or click is patched, so an upgrade cannot silently switch the help to English.
"""

from __future__ import annotations

import inspect
import re
import unicodedata
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

HELP_OPTION_TEXT = "显示本帮助并退出。"
# Notes Typer appends to an option's help, in English.
_NOTES = (("[default: ", "[默认："), ("[required]", "[必填]"), ("[env var: ", "[环境变量："))
_BREAK_AFTER = " 、，；。）)|/"
_NO_LINE_START = "、，；。：）)！？"


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns, breaking after a space or Chinese punctuation when one
    is near, otherwise between any two characters (Chinese has no spaces to break at)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line, used, last_break = "", 0, -1
        for ch in paragraph:
            if used + display_width(ch) > width and line:
                cut = last_break + 1 if last_break >= len(line) - 12 else len(line)
                if cut == len(line) and ch in _NO_LINE_START and len(line) > 1:
                    cut -= 1   # punctuation never starts a line: take the character before it along
                lines.append(line[:cut].rstrip())
                line = line[cut:].lstrip()
                used = display_width(line)
                last_break = -1
            line += ch
            used += display_width(ch)
            if ch in _BREAK_AFTER:
                last_break = len(line) - 1
        lines.append(line.rstrip())
    return lines


def _joined(lines: list[str]) -> str:
    """A docstring paragraph as one line: Chinese needs no space where a line was broken."""
    text = ""
    for line in (line.strip() for line in lines):
        if text and line and not (display_width(text[-1]) == 2 or display_width(line[0]) == 2):
            text += " "
        text += line
    return text


def _localised(text: str) -> str:
    for english, chinese in _NOTES:
        text = text.replace(english, chinese)
    return text


def write_rows(formatter: Any, title: str, rows: list[tuple[str, str]]) -> None:
    """A titled two-column list: names on the left, wrapped descriptions on the right."""
    if not rows:
        return
    formatter.write_paragraph()
    formatter.write(f"{title}：\n")
    width = formatter.width or 80
    column = max((display_width(name) for name, _ in rows if display_width(name) <= 30), default=10) + 4
    room = max(width - column, 24)
    for name, description in rows:
        lines = wrap(_localised(description), room) if description else [""]
        pad = column - 2 - display_width(name)
        if pad >= 2:
            formatter.write(f"  {name}{' ' * pad}{lines[0]}\n")
            rest = lines[1:]
        else:   # a long name (a list of choices) gets lines of its own
            for part in wrap(name, max(width - 2, 24)):
                formatter.write(f"  {part}\n")
            rest = lines
        for line in rest:
            formatter.write(f"{' ' * column}{line}\n")


# A mixin over typer's command and group classes; their click base class is private to
# typer (it vendors click), so the mixin's base is typed as Any.
_HelpBase: Any = object


class _ChineseHelp(_HelpBase):
    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option

    def format_usage(self, ctx, formatter) -> None:
        pieces = " ".join(self.collect_usage_pieces(ctx))
        pieces = pieces.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
        formatter.write(f"用法：{ctx.command_path} {pieces}\n")

    def format_help_text(self, ctx, formatter) -> None:
        text = inspect.cleandoc(self.help or "")
        if not text:
            return
        room = max((formatter.width or 80) - 2, 24)
        for paragraph in re.split(r"\n\s*\n", text):
            formatter.write_paragraph()
            for line in wrap(_joined(paragraph.splitlines()), room):
                formatter.write(f"  {line}\n")

    def format_options(self, ctx, formatter) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is not None:
                (arguments if param.param_type_name == "argument" else options).append(record)
        write_rows(formatter, "参数", arguments)
        write_rows(formatter, "选项", options)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx, formatter) -> None:
        """Only groups have commands to list."""


class ChineseCommand(_ChineseHelp, TyperCommand):
    pass


class ChineseGroup(_ChineseHelp, TyperGroup):
    def format_commands(self, ctx, formatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            summary = (command.help or command.short_help or "").strip().splitlines()
            rows.append((name, summary[0] if summary else ""))
        write_rows(formatter, "命令", rows)


class ChineseTyper(typer.Typer):
    """A Typer whose commands and groups print their help in Chinese."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", ChineseGroup)
        kwargs.setdefault("rich_markup_mode", None)   # rich would read [brackets] as markup
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("cls", ChineseCommand)
        return super().command(*args, **kwargs)
