"""`outreach serve`: a live preview for people editing content and templates."""

from __future__ import annotations

import typer

from outreach.cli.app import app, project_root


@app.command()
def serve(
    ctx: typer.Context,
    port: int = typer.Option(8000, "--port", "-p", min=0, max=65535, help="端口（只在本机 127.0.0.1 上提供）。"),
) -> None:
    """生成素材并在本机预览：修改 content/、templates/ 或 outreach.toml 后自动重新生成并刷新浏览器。

    内容或模板有错误时，页面上显示出错的文件、行号和说明；改好后自动恢复。
    浏览器编辑器在 /edit/：用表单修改内容和项目设置，边改边预览，保存时保留注释并留历史版本。按 Ctrl-C 退出。
    """
    from outreach.preview.server import PreviewServer

    root = project_root(ctx)
    try:
        server = PreviewServer(root, port, say=typer.echo)
    except OSError as exc:
        typer.echo(f"错误：无法使用端口 {port}：{exc.strerror}。请换一个端口，例如 --port 8001。", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"预览地址：http://127.0.0.1:{server.port}/  （按 Ctrl-C 退出）", err=False)
    typer.echo(f"编辑器：  http://127.0.0.1:{server.port}/edit/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("\n已停止预览。")
    finally:
        server.shutdown()
