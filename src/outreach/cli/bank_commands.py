"""`outreach import quiz` and `outreach export quiz`: question banks to and from Excel."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from outreach.cli.app import app, project_root
from outreach.cli.help import ChineseTyper
from outreach.project.kinds import QUIZZES

import_app = ChineseTyper(help="从表格导入内容（题库）。", no_args_is_help=True)
export_app = ChineseTyper(help="把内容导出成表格（题库）。", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")


@import_app.command("quiz")
def import_quiz(
    ctx: typer.Context,
    sheet: Path = typer.Argument(..., metavar="表格", help="题库表格：.xlsx，或 UTF-8/GBK 编码的 .csv。"),
    quiz_id: Optional[str] = typer.Option(None, "--id", help="题库编号（文件名），默认用表格的文件名；中文文件名时必须指定。"),
    title: Optional[str] = typer.Option(None, "--title", help="题库标题，默认用表格的文件名。"),
    force: bool = typer.Option(False, "--force", help="替换已有的同名题库。"),
) -> None:
    """把 Excel 题库导入为 content/quizzes/ 下的问答文件。

    第一行是列名：题型、题目、选项A … 选项F、答案、解析（可选：编号、诈骗类型）。
    题型写 单选/多选/判断；答案写字母（多选如 AC），判断题写 对/错。
    有错误的行会连同行号和列一起列出，这时不写入任何文件。
    """
    from outreach.cli.output import print_diagnostics
    from outreach.project.diagnostics import Diagnostics, visible
    from outreach.scaffold.quizbank import import_bank

    root = project_root(ctx)
    if not sheet.is_file():
        typer.echo(f"错误：找不到表格文件 {visible(str(sheet))}。", err=True)
        raise typer.Exit(1)
    path, problems = import_bank(root, sheet, quiz_id, title, force)
    diagnostics = Diagnostics()
    diagnostics.extend(problems)
    if len(diagnostics):
        print_diagnostics(diagnostics, summary=False)
    if path is None:
        typer.echo(f"没有导入：题库里有 {len(diagnostics.errors)} 处错误，请在表格里改好后再导入。", err=True)
        raise typer.Exit(1)
    typer.echo(f"已导入到 {path.relative_to(root)}。运行 outreach build --only quiz 生成问答卡片和 H5 页面。")


@export_app.command("quiz")
def export_quiz(
    ctx: typer.Context,
    quiz_id: str = typer.Argument(..., metavar="编号", help=f"题库编号，即 content/{QUIZZES.folder}/ 下的文件名。"),
    fmt: str = typer.Option("xlsx", "--format", "-f", help="xlsx（Excel）或 csv（UTF-8，带 BOM，Excel 可直接打开）。"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="写到哪个文件，默认当前目录下的 编号.xlsx。"),
) -> None:
    """把题库导出成表格（与导入的列相同），方便在 Excel 里审核或修改后再导入。"""
    from outreach.scaffold.quizbank import export_bank

    if fmt not in ("xlsx", "csv"):
        typer.echo(f"错误：--format 只能是 xlsx 或 csv，不是“{fmt}”。", err=True)
        raise typer.Exit(2)
    root = project_root(ctx)
    path = export_bank(root, quiz_id, output or Path(f"{quiz_id}.{fmt}"), fmt)
    typer.echo(f"已导出到 {path}。")
