"""The `outreach` command line: thin commands over the library modules."""

from __future__ import annotations

import sys

import typer

from outreach import __version__
from outreach.cli import zh
from outreach.cli.app import app
from outreach.cli.crash import report_crash
from outreach.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, OutreachError

zh.install()

# Importing the command modules registers their commands on `app`.
from outreach.cli import (  # noqa: E402,F401
    build_commands, content_commands, manifest_commands, post_commands, project_commands, serve_commands)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("\n已中断。", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except SystemExit:
        raise
    except OutreachError as exc:  # a problem the user can act on: one line, its own exit code
        typer.echo(f"错误：{exc}", err=True)
        sys.exit(exc.exit_code)
    except Exception:  # noqa: BLE001 - last resort: never show a traceback to staff
        report_crash()
        sys.exit(EXIT_INTERNAL)


__all__ = ["app", "main", "__version__"]
