"""Commands that read the content: check, list, schema."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from outreach.cli.app import app, project_root
from outreach.cli.output import print_diagnostics
from outreach.project.kinds import registry
from outreach.project.loader import load_library
from outreach.project.schema import write_schemas


class Format(str, Enum):
    text = "text"
    json = "json"


# The choices of `outreach list`, from the content kind registry (a plugin's kinds too).
Kind = Enum("Kind", {kind.folder: kind.folder for kind in registry}, type=str)  # type: ignore[misc]

KINDS_HELP = "、".join(f"{kind.folder}（{kind.label}）" for kind in registry) + "。"


@app.command()
def check(
    ctx: typer.Context,
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="输出格式：text 每行一条，json 为列表。"),
    strict: bool = typer.Option(False, "--strict", help="有警告也返回 1（适合 CI）。"),
    pages: bool = typer.Option(False, "--pages", help="检查 build/ 里已生成的每一页 PDF：文字重叠、颠倒、超出页面，出血区颜色，空白页。"),
    render: bool = typer.Option(False, "--render", help="检查通过后再排版一次（只重新生成有变化的部分），报告超出一页、放不下等排版问题。"),
) -> None:
    """检查内容：格式、必填项、引用、个人信息、复核日期和标点，以及生成时的规则（短信条数、群消息字节上限等）。

    检查通过，生成就会通过（排版超出一页除外，那要生成后才知道）。

    每个问题一行：文件:行:列: 级别[代码] 说明。没有错误时返回 0，有错误返回 1。
    加 --render 时检查通过后再排版，连排版问题一起报告（生成的文件写入 build/）。
    加 --pages 时改为检查已生成的 PDF 页面（改了模板后用它看看哪里排坏了）。
    """
    root = project_root(ctx)
    if pages:
        _check_pages(root, fmt, strict)
        return
    from outreach.engine.precheck import check_project

    diagnostics = check_project(root)
    print_diagnostics(diagnostics, fmt.value)
    if diagnostics.has_errors() or (strict and len(diagnostics)):
        raise typer.Exit(1)
    if render:
        from outreach.buildspec.options import BuildOptions
        from outreach.cli.build_commands import report_build
        from outreach.engine.build import build

        typer.echo("内容检查通过，正在排版检查……")
        report_build(build(root, BuildOptions()), quiet=True)
        typer.echo("排版检查通过。")


@app.command("list")
def list_items(
    ctx: typer.Context,
    kind: Kind = typer.Argument(..., metavar="类别", help=KINDS_HELP),  # type: ignore[valid-type]
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="输出格式：text 表格，json 为列表。"),
) -> None:
    """列出某一类内容（编号和标题）。"""
    root = project_root(ctx)
    library, diagnostics = load_library(root)
    if library is None:
        print_diagnostics(diagnostics)
        raise typer.Exit(1)
    rows = [_describe(item) for item in library.kind(kind.value).values()]  # type: ignore[attr-defined]
    rows.sort(key=lambda row: row["id"])
    if fmt is Format.json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        width = max((len(row["id"]) for row in rows), default=2)
        for row in rows:
            typer.echo(f"{row['id']:<{width}}  {row['title']}")
        typer.echo(f"共 {len(rows)} 项。")
    if diagnostics.has_errors():
        typer.echo(f"注意：内容里有 {len(diagnostics.errors)} 个错误，有问题的文件未列出。请运行 outreach check 查看。", err=True)


def _describe(item) -> dict:
    model = item.model
    row = {"id": item.id, "title": item.title, "path": item.path}
    for name in ("category", "form", "audience", "short"):
        if getattr(model, name, None):
            row[name] = getattr(model, name)
    if getattr(model, "audiences", None):
        row["audiences"] = list(model.audiences)
    if getattr(model, "review_by", None):
        row["review_by"] = model.review_by.isoformat()
    kind = registry.get(item.kind)
    if kind is not None and kind.describe is not None:
        row.update(kind.describe(model))
    return row


@app.command()
def schema(
    ctx: typer.Context,
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="目录", help="输出目录，默认 build/schema。"),
) -> None:
    """生成 JSON Schema，让编辑器（如 VS Code 的 YAML 插件）自动补全并标出错误。"""
    root = project_root(ctx)
    written = write_schemas(root, output)
    for path in written:
        typer.echo(f"已写入 {path}")


def _check_pages(root: Path, fmt: Format, strict: bool = False) -> None:
    """Inspect every PDF the last build recorded; one line per problem, page and position.
    Defects (问题) fail; polish (提示: a widow in body text, unsqueezed punctuation) only with --strict."""
    from outreach.engine.manifest import load_committed
    from outreach.project.config import load_config
    from outreach.project.outputdir import output_dir
    from outreach.rendering.pageinspect import inspect_files
    from outreach.rendering.typeset import project_terms

    out_dir = output_dir(root)
    manifest = load_committed(out_dir)
    paths = [out_dir / p for p in sorted(manifest.outputs) if p.endswith(".pdf") and (out_dir / p).is_file()]
    if not paths:
        typer.echo(f"{out_dir} 里还没有生成的 PDF，请先运行 outreach build。", err=True)
        raise typer.Exit(1)
    config, _ = load_config(root)
    problems = inspect_files(paths, out_dir, project_terms(config) if config else ())
    defects = [p for p in problems if p.severity == "error"]
    polish = len(problems) - len(defects)
    if fmt is Format.json:
        typer.echo(json.dumps([p.__dict__ for p in problems], ensure_ascii=False, indent=1))
    else:
        for problem in problems:
            typer.echo(problem.format())
        found = [f"{len(defects)} 处版面问题" if defects else "", f"{polish} 处排版提示" if polish else ""]
        typer.echo(f"检查了 {len(paths)} 个 PDF，" + (f"发现{'、'.join(f for f in found if f)}。" if problems
                                                     else "没有发现版面问题。"))
    if defects or (strict and problems):
        raise typer.Exit(1)
