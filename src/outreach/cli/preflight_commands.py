"""`outreach preflight`: check print masters the way the print shop will, before sending them."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from outreach.cli.app import app, project_root


@app.command("preflight")
def preflight(
    ctx: typer.Context,
    files: Optional[List[Path]] = typer.Argument(
        None, metavar="文件...", help="要检查的 PDF；不写则检查 build/manifest.json 里的全部印刷版（outreach build --print-ready 生成的）。"),
    fmt: str = typer.Option("text", "--format", metavar="格式", help="输出格式：text 文字（默认），json 供程序读取。"),
    role: Optional[str] = typer.Option(None, "--role", metavar="用途",
                                       help="按哪类材料的最小字号检查（例如 poster-pdf、contact-cards）；默认按清单里记录的用途，没有记录的按面向公众的 9 磅。"),
) -> None:
    """印前检查：像印刷厂一样检查印刷版 PDF。

    逐个文件检查：PDF/X-4 标识、印刷输出条件（CMYK 颜色配置文件）、每页的成品框和出血框
    （每页必须一样）、有没有 RGB 颜色、字体是否嵌入、最小字号、反白字、最细线条、图片在印刷
    尺寸下的分辨率、底色是否延伸到出血、出血线外有没有裁切标记。问题写明第几页、距成品左边和
    上边多少毫米。有错误时退出码为 1。
    """
    from outreach.rendering.preflight import check_pdf

    if fmt not in ("text", "json"):
        typer.echo(f"错误：--format 只能是 text 或 json，不能是“{fmt}”。", err=True)
        raise typer.Exit(2)
    targets = _targets(ctx, files)
    reports = []
    for shown, path, recorded_role in targets:
        try:
            data = path.read_bytes()
        except OSError as exc:
            typer.echo(f"错误：无法读取 {shown}：{exc.strerror or exc}", err=True)
            raise typer.Exit(2) from None
        reports.append(check_pdf(data, role or recorded_role, shown))
    ok = all(report.ok for report in reports)
    if fmt == "json":
        typer.echo(json.dumps({"ok": ok, "files": [r.as_dict() for r in reports]}, ensure_ascii=False, indent=2))
    else:
        _print_text(reports)
    raise typer.Exit(0 if ok else 1)


def _targets(ctx: typer.Context, files: Optional[List[Path]]) -> list[tuple[str, Path, str]]:
    """(name shown, path, role recorded in the manifest) for each file to check."""
    from outreach.engine.manifest import Manifest
    from outreach.project.config import CONFIG_NAME, find_project_root
    from outreach.project.outputdir import output_dir

    if files:
        root = find_project_root(Path.cwd()) if (ctx.find_root().obj or {}).get("project") is None else project_root(ctx)
        roles: dict[str, str] = {}
        out_dir = None
        if root is not None and (root / CONFIG_NAME).is_file():
            try:
                out_dir = output_dir(root).resolve()
                roles = {path: str(entry.get("role", "")) for path, entry in Manifest.load(out_dir).outputs.items()}
            except Exception:
                out_dir = None
        found = []
        for file in files:
            if not file.is_file():
                typer.echo(f"错误：找不到文件 {file}。", err=True)
                raise typer.Exit(2)
            recorded = ""
            if out_dir is not None and file.resolve().is_relative_to(out_dir):
                recorded = roles.get(file.resolve().relative_to(out_dir).as_posix(), "")
            found.append((str(file), file, recorded))
        return found
    root = project_root(ctx)
    out_dir = output_dir(root)
    manifest = Manifest.load(out_dir)
    masters = sorted((path, str(entry.get("role", ""))) for path, entry in manifest.outputs.items()
                     if str(entry.get("role", "")).endswith("-print") and path.endswith(".pdf"))
    if not masters:
        typer.echo(f"{out_dir.name}/ 里还没有印刷版文件。请先运行 outreach build --print-ready，或写出要检查的 PDF 文件。", err=True)
        raise typer.Exit(1)
    return [(f"{out_dir.name}/{path}", out_dir / path, recorded) for path, recorded in masters]


def _print_text(reports) -> None:
    color = sys.stdout.isatty()
    for report in reports:
        m = report.measures
        if report.ok:
            line = f"✓ {report.file}：通过（{_summary(m)}）"
            typer.echo(typer.style(line, fg="green") if color else line)
        else:
            errors = sum(1 for p in report.problems if p.severity == "error")
            line = f"✗ {report.file}：{errors} 个错误（{_summary(m)}）"
            typer.echo(typer.style(line, fg="red") if color else line)
        for problem in report.problems:
            text = "  " + problem.located()
            typer.echo(typer.style(text, fg="red" if problem.severity == "error" else "yellow") if color else text)
    passed = sum(1 for r in reports if r.ok)
    typer.echo(f"检查了 {len(reports)} 个文件：{passed} 个通过，{len(reports) - passed} 个不通过。")


def _summary(m) -> str:
    parts = [f"{m.pages} 页"]
    if m.trim_mm:
        parts.append(f"成品 {m.trim_mm[0]:g}×{m.trim_mm[1]:g} 毫米")
    if m.bleed_mm is not None:
        parts.append(f"出血 {m.bleed_mm:g} 毫米")
    if m.smallest_text_pt is not None:
        parts.append(f"最小字号 {m.smallest_text_pt:g} 磅")
    if m.thinnest_line_pt is not None:
        parts.append(f"最细线 {m.thinnest_line_pt:g} 磅")
    if m.lowest_image_ppi is not None:
        parts.append(f"图片最低 {m.lowest_image_ppi:g} ppi")
    if m.colour_spaces:
        parts.append("颜色 " + "、".join(m.colour_spaces))
    if m.output_condition:
        parts.append(f"输出条件 {m.output_condition}")
    return "，".join(parts)
