"""`outreach build` and `outreach doctor`."""

from __future__ import annotations

from typing import List, Optional

import typer

from outreach.buildspec.options import BuildOptions
from outreach.cli.app import app, project_root
from outreach.cli.output import print_diagnostics
from outreach.cli.progress import make_reporter
from outreach.core.errors import EXIT_INTERRUPTED


def _kinds() -> list[str]:
    from outreach.outputs.registry import renderer_names

    try:
        return renderer_names()
    except Exception:
        return []   # a broken install is reported when a command runs


_ONLY_HELP = f"只生成某一类，可重复：{'、'.join(_kinds())}。"


@app.command()
def build(
    ctx: typer.Context,
    only: Optional[List[str]] = typer.Option(None, "--only", metavar="类别",
                                             help=_ONLY_HELP),
    jobs: int = typer.Option(0, "--jobs", "-j", metavar="N", min=0, help="并行进程数，默认等于 CPU 核数。"),
    print_ready: bool = typer.Option(False, "--print-ready",
                                     help="生成交给印刷厂的印刷版（PDF/X-4，四色，3 毫米出血和裁切标记）到 build/print/，"
                                          "普通文件不变。"),
    clean: bool = typer.Option(False, "--clean", help="先删除上次生成的文件，再全部重新生成。"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="不显示进度，只显示错误。"),
    stations: Optional[bool] = typer.Option(None, "--stations/--no-stations",
                                            help="为每个派出所生成个性化资料包和警民联系卡（默认按 [stations] enabled）。"),
    shard: Optional[str] = typer.Option(None, "--shard", metavar="I/N",
                                        help="只生成第 I 份（共 N 份，按目标编号稳定划分），用于多台机器分批生成。"),
    executor: str = typer.Option("process", "--executor", metavar="方式",
                                 help="process（本机多进程，默认）或 dask（在 Dask 集群上渲染）。"),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", metavar="地址", help="Dask 调度器地址，如 tcp://10.0.0.5:8786。"),
    locale: Optional[str] = typer.Option(None, "--locale", metavar="语言",
                                         help="zh-Hans 简体或 zh-Hant 繁体（繁体输出到 build/zh-Hant/）；默认按 [project] locale。"),
    shuffle: Optional[int] = typer.Option(None, "--shuffle", metavar="种子",
                                          help="打乱问答的题目和选项顺序（同一种子结果相同，答案随之调整）。"),
) -> None:
    """生成全部素材到 build/：只重新生成内容有变化的部分。"""
    from outreach.engine.build import build as run_build
    from outreach.outputs.registry import renderer_names

    root = project_root(ctx)
    known = renderer_names()
    unknown = [k for k in (only or []) if k not in known]
    if unknown:
        typer.echo(f"错误：不认识的类别 {'、'.join(unknown)}。可选：{'、'.join(known)}。", err=True)
        raise typer.Exit(2)
    if locale not in (None, "zh-Hans", "zh-Hant"):
        typer.echo(f"错误：--locale 只能是 zh-Hans 或 zh-Hant，不是“{locale}”。", err=True)
        raise typer.Exit(2)
    if executor not in ("process", "dask"):
        typer.echo(f"错误：--executor 只能是 process 或 dask，不是“{executor}”。", err=True)
        raise typer.Exit(2)
    options = BuildOptions(only=tuple(only or ()), jobs=jobs, print_ready=print_ready, clean=clean,
                           shuffle_seed=shuffle, stations=stations, shard=_parse_shard(shard),
                           executor=executor, scheduler=scheduler, locale=locale)
    try:
        result = run_build(root, options, make_reporter(quiet))
    except KeyboardInterrupt:
        typer.echo("\n已中断：build/ 保持上次生成完成时的样子，本次未完成的部分已丢弃。", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None

    report_build(result, quiet)


def report_build(result, quiet: bool = False) -> None:
    """Print what a build did and raise Exit(1) when it had errors: content left out for its
    errors is listed (everything else was built), so CI still fails."""
    from outreach.engine.report import skipped_lines

    if len(result.diagnostics):
        print_diagnostics(result.diagnostics, summary=False)
    if result.fatal:
        files = "、".join(sorted({d.file for d in result.fatal}))
        typer.echo(f"{files} 有错误，未生成任何文件。请先修正（outreach check 可单独检查）。", err=True)
        raise typer.Exit(1)
    for label, message in result.warnings:
        typer.echo(f"警告：{label}：{message}", err=True)
    for failure in result.failures:
        typer.echo(f"{failure.where}error[build] {failure.label}：{failure.message}", err=True)
    for line in skipped_lines(result):
        typer.echo(line, err=True)
    for notice in result.notices:
        typer.echo(notice, err=True)
    if result.noop:
        if not quiet:
            typer.echo(f"没有变化，无需重新生成（{result.seconds:.2f} 秒）。")
    elif not quiet:
        skipped = f"，内容有错误跳过 {len(result.skipped)} 项" if result.skipped else ""
        typer.echo(f"完成：生成 {len(result.built)} 个，未变化跳过 {len(result.unchanged)} 个，"
                   f"删除 {len(result.removed)} 个过期文件，失败 {len(result.failures)} 个{skipped}；"
                   f"用时 {result.seconds:.1f} 秒。输出目录：{result.out_dir}")
    if result.failures or result.skipped:
        raise typer.Exit(1)


def _parse_shard(value: Optional[str]) -> Optional[tuple[int, int]]:
    if value is None:
        return None
    index, _, count = value.partition("/")
    if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        typer.echo(f"错误：--shard 应写成 I/N（1 ≤ I ≤ N），例如 2/8，而不是“{value}”。", err=True)
        raise typer.Exit(2)
    return int(index), int(count)


@app.command()
def doctor(ctx: typer.Context) -> None:
    """检查本机环境：Python、依赖包、中文字体、字体子集化库、输出目录。"""
    from pathlib import Path

    from outreach.project.config import find_project_root
    from outreach.scaffold.doctor import run_checks

    chosen = (ctx.find_root().obj or {}).get("project")
    root = chosen.resolve() if chosen else find_project_root(Path.cwd())
    checks = run_checks(root)
    for check in checks:
        mark = "✓" if check.ok else "✗"
        typer.echo(f"{mark} {check.name}：{check.detail}")
        if not check.ok and check.fix:
            typer.echo(f"    修复方法：{check.fix}")
    failed = [c for c in checks if not c.ok]
    if failed:
        typer.echo(f"有 {len(failed)} 项需要处理。")
        raise typer.Exit(1)
    typer.echo("环境正常，可以生成素材。")
