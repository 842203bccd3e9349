"""Build progress: a rich bar on a terminal, one plain line per target otherwise (CI, cron)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from rich.progress import TaskID


class LineReporter:
    def __init__(self) -> None:
        self.total = 0
        self.count = 0

    def start(self, total: int) -> None:
        self.total = total
        if total:
            typer.echo(f"需要生成 {total} 个目标。")

    def done(self, label: str, seconds: float, ok: bool) -> None:
        self.count += 1
        status = "完成" if ok else "失败"
        typer.echo(f"[{self.count}/{self.total}] {status} {label}（{seconds:.1f} 秒）")

    def note(self, message: str) -> None:
        typer.echo(message, err=True)

    def finish(self) -> None:
        pass


class BarReporter:
    def __init__(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("[bold]生成中"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TextColumn("{task.description}"), transient=True)
        self.task: TaskID | None = None

    def start(self, total: int) -> None:
        if total:
            self.progress.start()
            self.task = self.progress.add_task("", total=total)

    def done(self, label: str, seconds: float, ok: bool) -> None:
        if self.task is not None:
            self.progress.update(self.task, advance=1, description=label if ok else f"[red]失败 {label}")

    def note(self, message: str) -> None:
        self.progress.console.print(message, markup=False, highlight=False)

    def finish(self) -> None:
        if self.task is not None:
            self.progress.stop()
            self.task = None


def make_reporter(quiet: bool):
    if quiet:
        from outreach.engine.build import SilentReporter

        return SilentReporter()
    return BarReporter() if sys.stdout.isatty() else LineReporter()
