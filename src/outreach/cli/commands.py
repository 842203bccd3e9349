"""The full `outreach` command line (Typer): thin commands over the library modules."""

from __future__ import annotations

import sys

import typer

# Importing the command modules registers their commands on `app`.
from outreach.cli import (  # noqa: F401
    bank_commands,
    build_commands,
    content_commands,
    manifest_commands,
    post_commands,
    preflight_commands,
    project_commands,
    serve_commands,
    zh,
)
from outreach.cli.app import app
from outreach.cli.crash import report_crash
from outreach.core.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, OutreachError

EXIT_USAGE_ERROR = 2

# `from outreach.cli import app` is this Typer application, not the module cli/app.py that
# importing the commands has set on the package.
sys.modules["outreach.cli"].app = app   # type: ignore[attr-defined]


def main() -> None:
    command = typer.main.get_command(app)
    try:
        code = command.main(prog_name="outreach", standalone_mode=False)
    except KeyboardInterrupt:
        typer.echo("\n已中断。", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except SystemExit:
        raise
    except OutreachError as exc:  # a problem the user can act on: one line, its own exit code
        typer.echo(f"错误：{exc}", err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:
        if _is_usage_error(exc):
            sys.exit(_show_usage_error(exc))
        if type(exc).__name__ == "Abort":
            typer.echo("已中止。", err=True)
            sys.exit(1)
        report_crash()
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else 0)


def _is_usage_error(exc: BaseException) -> bool:
    # click's ClickException family, recognised by its public interface (Typer vendors click,
    # so its classes are not importable from one stable place).
    return hasattr(exc, "format_message") and hasattr(exc, "exit_code")


def _show_usage_error(exc) -> int:
    if type(exc).__name__ == "NoArgsIsHelpError":   # `outreach` alone: the help, not an error
        typer.echo(exc.format_message())
        return 0
    context = getattr(exc, "ctx", None)
    if context is not None:
        typer.echo(context.get_usage(), err=True)
        typer.echo(f"运行“{context.command_path} -h”查看帮助。", err=True)
    typer.echo(f"错误：{zh.translate(exc.format_message())}", err=True)
    return exc.exit_code if isinstance(exc.exit_code, int) else EXIT_USAGE_ERROR


__all__ = ["app", "main"]
