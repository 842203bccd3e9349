"""`outreach post`: send rendered texts to a group bot or webhook, never twice."""

from __future__ import annotations

from enum import Enum
from typing import List, Optional

import typer

from outreach.cli.app import app, project_root
from outreach.cli.output import print_diagnostics


class What(str, Enum):
    sms = "sms"
    text = "text"
    markdown = "markdown"
    newsletter = "newsletter"


@app.command()
def post(
    ctx: typer.Context,
    channel: Optional[str] = typer.Option(None, "--channel", "-c", metavar="渠道", help="outreach.toml 里 [channels.名称] 的名称。"),
    what: Optional[What] = typer.Option(None, "--what", help="发送什么：sms 短信、text 文字、markdown、newsletter 手机报；默认按渠道格式。"),
    only: Optional[List[str]] = typer.Option(None, "--only", metavar="编号", help="只发送这些编号（诈骗类型编号或手机报日期），可重复。"),
    dry_run: bool = typer.Option(False, "--dry-run", help="演练：显示将发送的内容和地址（已隐去密钥），不发送。"),
    status: bool = typer.Option(False, "--status", help="查看发送记录：什么时候向哪个渠道发送了什么。"),
) -> None:
    """把 build/ 里的短信、群消息和警务手机报发送到企业微信、钉钉、飞书机器人或 Webhook。

    每条消息以“渠道 + 编号 + 内容哈希”为准只发送一次：平台确认后记入 .outreach/ledger.sqlite；
    中断后重新运行只会补发没有确认的消息。内容改了算新消息。Webhook 地址和密钥只从环境变量读取。
    """
    from outreach.build import output_dir
    from outreach.config import load_config
    from outreach.diagnostics import Diagnostics
    from outreach.publish.ledger import Ledger
    from outreach.publish.messages import SelectionError
    from outreach.publish.sender import LEDGER_PATH, ChannelError, post as run_post

    root = project_root(ctx)
    if status:
        ledger_file = root / LEDGER_PATH
        if not ledger_file.exists():
            typer.echo("还没有发送记录。")
            return
        ledger = Ledger(ledger_file)
        entries = ledger.entries(channel)
        ledger.close()
        labels = {"sent": "已发送", "sending": "未确认", "failed": "失败"}
        for entry in entries:
            when = entry.sent_at or entry.last_attempt or ""
            line = f"{when}  {entry.channel:<12} {labels[entry.status]:<4} {entry.item}（{entry.kind}）第 {entry.attempts} 次尝试"
            if entry.status == "failed" and entry.last_error:
                line += f"：{entry.last_error}"
            typer.echo(line)
        typer.echo(f"共 {len(entries)} 条记录。")
        return
    if not channel:
        typer.echo("错误：请用 --channel 指定渠道（outreach.toml 里 [channels.名称]）。", err=True)
        raise typer.Exit(2)
    config, problems = load_config(root)
    if config is None:
        print_diagnostics(Diagnostics(problems))
        raise typer.Exit(1)
    try:
        report = run_post(root, output_dir(root), config, channel, what.value if what else None, list(only or []),
                          dry_run, typer.echo)
    except (ChannelError, SelectionError) as exc:
        typer.echo(f"错误：{exc}", err=True)
        raise typer.Exit(1)
    if dry_run:
        return
    typer.echo(f"完成：新发送 {len(report.sent)} 条，已发送过跳过 {len(report.skipped)} 条，失败 {len(report.failed)} 条。")
    if report.failed:
        for message, why in report.failed:
            typer.echo(f"未送达：{message.item}（{message.kind}）：{why}", err=True)
        raise typer.Exit(1)
