"""The Typer application object and options shared by every command."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from outreach import __version__
from outreach.cli.help import ChineseTyper
from outreach.project.config import CONFIG_NAME, find_project_root

app = ChineseTyper(
    name="outreach",
    help="反诈宣传素材生成工具：把 content/ 里的 YAML 内容生成海报、短信、问答卡片、节目脚本和宣传资料包。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"outreach {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    project: Optional[Path] = typer.Option(
        None, "--project", "-C", metavar="目录", help=f"项目目录（含 {CONFIG_NAME}）；默认从当前目录向上查找。"),
    version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True, help="显示版本号并退出。"),
) -> None:
    """反诈宣传素材生成工具。"""
    ctx.obj = {"project": project}


def project_root(ctx: typer.Context) -> Path:
    """The project directory chosen with -C, or found upwards from the current directory."""
    chosen = (ctx.find_root().obj or {}).get("project")
    if chosen is not None:
        if not (chosen / CONFIG_NAME).is_file():
            typer.echo(f"错误：{chosen} 里没有 {CONFIG_NAME}。", err=True)
            raise typer.Exit(2)
        return chosen.resolve()
    found = find_project_root(Path.cwd())
    if found is None:
        typer.echo(f"错误：当前目录及上级目录里都没有 {CONFIG_NAME}。请进入项目目录，或用 outreach init 目录 新建项目。", err=True)
        raise typer.Exit(2)
    return found
