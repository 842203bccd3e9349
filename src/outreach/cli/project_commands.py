"""`outreach init`, `outreach new` and `outreach templates list|eject|diff`."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from outreach.cli.app import app, project_root
from outreach.cli.help import ChineseTyper
from outreach.project.kinds import registry

templates_app = ChineseTyper(help="查看、复制和比较模板（自定义样式时使用）。", no_args_is_help=True)
app.add_typer(templates_app, name="templates")


@app.command()
def init(
    directory: Path = typer.Argument(..., metavar="目录", help="新项目的目录（不存在会自动创建）。"),
    example: bool = typer.Option(False, "--example", help="带上完整的示例素材库（15 个诈骗类型、小贴士、问答、脚本、资料包）。"),
    organisation: Optional[str] = typer.Option(None, "--organisation", metavar="单位",
                                               help="单位名称，印在海报和资料上，如“XX市公安局XX分局”。"),
    signature: Optional[str] = typer.Option(None, "--signature", metavar="签名", help="短信签名，如“【XX派出所】”。"),
) -> None:
    """新建一个项目：outreach.toml、content/（每类一个示例）、templates/、.gitignore 和说明。

    单位名称和短信签名可以用选项给出；在终端里运行时没给会询问，都不填就先留空，check 会提醒。
    """
    import sys

    from outreach.scaffold.create import init_project

    if sys.stdin.isatty():
        if organisation is None:
            organisation = typer.prompt("单位名称（印在海报和资料上，可以以后再填）", default="", show_default=False) or None
        if signature is None:
            signature = typer.prompt("短信签名，如【XX派出所】（可以以后再填）", default="", show_default=False) or None
    init_project(directory, example, organisation=organisation, signature=signature)
    typer.echo(f"已新建项目 {directory}。接下来：")
    typer.echo(f"  cd {directory}")
    typer.echo("  outreach build      # 生成全部素材")
    typer.echo("  outreach serve      # 本机预览")
    if not organisation or not signature:
        typer.echo("请先在 outreach.toml 的 [project] 里填写单位名称（organisation）和短信签名（sms_signature）。")


# What `outreach new` makes, from the content kind registry.
NEW_KINDS_HELP = "、".join(f"{kind.name}（{kind.label}）" for kind in registry if kind.creatable) + "。"


@app.command()
def new(
    ctx: typer.Context,
    kind: str = typer.Argument(..., metavar="类别", help=NEW_KINDS_HELP),
    item_id: str = typer.Argument(..., metavar="编号", help="文件名，如 fake-loan（小写字母、数字、连字符）。"),
) -> None:
    """按模板新建一个内容文件（带注释和编辑器提示），不会覆盖已有文件。"""
    from outreach.project.outputdir import output_dir
    from outreach.scaffold.create import new_item

    root = project_root(ctx)
    path = new_item(root, kind, item_id, output_dir(root).name)
    typer.echo(f"已新建 {path.relative_to(root)}：把“（请填写…）”换成实际内容，再运行 outreach check。")


@templates_app.command("list")
def list_templates(ctx: typer.Context) -> None:
    """列出内置模板和样式文件，以及它们生成什么；已被 templates/ 覆盖的会标出来。"""
    from outreach.rendering.theme import Theme
    from outreach.scaffold.create import list_templates as collect

    infos = collect(Theme(project_root(ctx)))
    width = max(len(info.name) for info in infos)
    for info in infos:
        mark = "  [已覆盖]" if info.overridden else ""
        typer.echo(f"{info.name:<{width}}  {info.description}{mark}")
    typer.echo("用 outreach templates eject 名称 复制到 templates/ 后修改；templates/ 里同名文件优先。")


@templates_app.command("eject")
def eject(
    ctx: typer.Context,
    names: List[str] = typer.Argument(..., metavar="名称...", help="模板名称，如 poster.html、css/poster.css。"),
) -> None:
    """把内置模板复制到项目的 templates/ 里以便修改（已存在的不会覆盖）。"""
    from outreach.rendering.theme import Theme
    from outreach.scaffold.create import eject as copy

    root = project_root(ctx)
    copied = copy(Theme(root), names)
    for path in copied:
        typer.echo(f"已复制到 {path.relative_to(root)}")


@templates_app.command("check")
def check_templates(ctx: typer.Context) -> None:
    """检查 templates/ 里的覆盖：语法、是否真的覆盖了内置模板，以及程序依赖的页面尺寸和元素是否还在。

    受影响的输出会重新生成一次（写入 build/），让尺寸和标记的检查在真实页面上运行。
    有错误时返回 1。模板约定见 docs/templates.md。
    """
    from outreach.buildspec.options import BuildOptions
    from outreach.cli.build_commands import report_build
    from outreach.cli.output import print_diagnostics
    from outreach.engine.build import build
    from outreach.engine.templatecheck import check_overrides

    root = project_root(ctx)
    report = check_overrides(root)
    if not report.overrides:
        typer.echo("templates/ 里没有覆盖任何模板，全部使用内置主题，无需检查。")
        return
    if len(report.diagnostics):
        print_diagnostics(report.diagnostics, summary=False)
    if report.diagnostics.has_errors():
        raise typer.Exit(1)
    if not report.contracts:
        typer.echo(f"已检查 {len(report.overrides)} 个覆盖文件：没有涉及程序依赖的页面尺寸或元素（模板约定）。")
        return
    for _kind, contract in report.contracts:
        typer.echo(f"{contract.template} 须保持：{contract.describe()}（{contract.why}）。")
    typer.echo("正在生成受影响的输出，在真实页面上核对：" + "、".join(report.kinds))
    from outreach.engine.planner import station_kinds

    # A per-station kind's page (stations, stickers) is only made with the station outputs on.
    stations = True if set(report.kinds) & station_kinds() else None
    report_build(build(root, BuildOptions(only=report.kinds, stations=stations)))
    typer.echo("模板约定检查通过。")


@templates_app.command("diff")
def diff(ctx: typer.Context) -> None:
    """显示项目 templates/ 里的文件和当前内置主题的差别（升级后可以看出哪些要跟着改）。"""
    from outreach.rendering.theme import Theme
    from outreach.scaffold.create import diff_templates

    reports = diff_templates(Theme(project_root(ctx)))
    if not reports:
        typer.echo("templates/ 里没有覆盖任何模板，全部使用内置主题。")
        return
    for name, report in reports:
        typer.echo(f"== templates/{name}")
        typer.echo(report, nl=False)
