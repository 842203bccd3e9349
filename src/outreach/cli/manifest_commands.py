"""`outreach manifest merge`: combine the manifests of sharded builds into one."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from outreach.cli.app import app, project_root
from outreach.cli.help import ChineseTyper

manifest_app = ChineseTyper(help="构建清单（build/manifest.json）相关操作。", no_args_is_help=True)
app.add_typer(manifest_app, name="manifest")


@manifest_app.command("merge")
def merge(
    ctx: typer.Context,
    files: Optional[List[Path]] = typer.Argument(None, metavar="清单文件...",
                                                 help="要合并的清单；默认为 build/ 下所有 manifest-shard-*.json。"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="文件", help="写到哪里，默认 build/manifest.json。"),
) -> None:
    """把分片构建（--shard I/N）各自的清单合并成一个。

    同一个输出文件在两个清单里哈希不同会报错（说明分片之间内容不一致）。
    """
    from outreach.engine.manifest import merge_manifests
    from outreach.project.outputdir import output_dir

    root = project_root(ctx)
    out_dir = output_dir(root)
    sources = list(files or sorted(out_dir.glob("manifest-shard-*.json")))
    if not sources:
        typer.echo(f"错误：{out_dir} 里没有 manifest-shard-*.json，请先用 outreach build --shard I/N 分片构建。", err=True)
        raise typer.Exit(1)
    missing = [str(p) for p in sources if not p.is_file()]
    if missing:
        typer.echo(f"错误：找不到清单文件：{'、'.join(missing)}", err=True)
        raise typer.Exit(1)
    merged = merge_manifests(sources)   # a MergeConflict is printed by the CLI's one handler
    target = output or out_dir / "manifest.json"
    merged.save(target.parent, target.name)
    typer.echo(f"已合并 {len(sources)} 个清单（{len(merged.outputs)} 个文件）到 {target}")
