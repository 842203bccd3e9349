"""Printing diagnostics the way compilers do, so editors and CI can jump to them."""

from __future__ import annotations

import sys

import typer

from outreach.project.diagnostics import Diagnostics


def print_diagnostics(diagnostics: Diagnostics, fmt: str = "text", summary: bool = True) -> None:
    if fmt == "json":
        typer.echo(diagnostics.to_json())
        return
    color = sys.stdout.isatty()
    for diagnostic in diagnostics:
        line = diagnostic.format()
        if color:
            line = typer.style(line, fg="red" if diagnostic.is_error else "yellow")
        typer.echo(line)
    if summary:
        typer.echo(diagnostics.summary())
