"""Internal errors: save the details to a file and tell the user how to report them."""

from __future__ import annotations

import datetime as dt
import tempfile
import traceback
from pathlib import Path

import typer

ISSUES_HINT = "请把这个文件和您运行的命令一起发给维护人员（或在项目的问题跟踪页提交）。"


def report_crash() -> Path | None:
    details = traceback.format_exc()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for directory in (Path.cwd() / ".outreach", Path(tempfile.gettempdir())):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / f"crash-{stamp}.log"
            path.write_text(details, encoding="utf-8")
            break
        except OSError:
            path = None
    typer.echo("outreach 遇到了内部错误（这不是您的内容有问题）。", err=True)
    if path is not None:
        typer.echo(f"错误详情已保存到：{path}", err=True)
    typer.echo(ISSUES_HINT, err=True)
    return path
