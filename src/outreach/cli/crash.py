"""Internal errors: save the details to a file and tell the user how to report them."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import traceback
from pathlib import Path

import typer

ISSUES_HINT = "请把这个文件和您运行的命令一起发给维护人员（或在项目的问题跟踪页提交）。"

# Environment variables that by their name hold a webhook address or a key (the channels' url_env
# and secret_env): their values are cut out of the log, which is meant to be sent to someone.
_SECRET_ENV = re.compile(r"URL|SECRET|TOKEN|KEY|WEBHOOK|PASS", re.IGNORECASE)


def report_crash() -> Path | None:
    details = _redacted(traceback.format_exc())
    path = None
    for directory in (Path.cwd() / ".outreach", Path(tempfile.gettempdir())):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            path = _write_new(directory, details)
            break
        except OSError:
            path = None
    typer.echo("outreach 遇到了内部错误（这不是您的内容有问题）。", err=True)
    if path is not None:
        typer.echo(f"错误详情已保存到：{path}", err=True)
    typer.echo(ISSUES_HINT, err=True)
    return path


def _write_new(directory: Path, details: str) -> Path:
    """A log file no other crash has: two crashes in one second (one run or two) each keep theirs."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for number in range(1000):
        path = directory / f"crash-{stamp}-{os.getpid()}{f'-{number}' if number else ''}.log"
        try:
            with open(path, "x", encoding="utf-8") as handle:
                handle.write(details)
            return path
        except FileExistsError:
            continue
    raise FileExistsError(directory)


def _redacted(details: str) -> str:
    from outreach.publish.redact import scrub, url_secrets

    secrets: list[str] = []
    for name, value in os.environ.items():
        if _SECRET_ENV.search(name) and len(value.strip()) >= 8:
            secrets += url_secrets(value.strip()) if "://" in value else [value.strip()]
    return scrub(details, secrets)
