"""`outreach post`: send rendered texts to a group bot or webhook, never twice."""

from __future__ import annotations

import shlex
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
    dry_run: bool = typer.Option(False, "--dry-run", help="演练：显示将发送的内容和地址（已隐去密钥），不发送；"
                                 "真正发送时会拒绝的问题（没重新生成、没填写的签名）也列出来，并以退出码 1 结束。"),
    resend_unconfirmed: bool = typer.Option(False, "--resend-unconfirmed",
                                            help="重发“可能已送达但未确认”的消息（先到群里确认确实没收到）。"),
    mark_sent: bool = typer.Option(False, "--mark-sent",
                                   help="把“可能已送达但未确认”的消息记为已发送，不再提醒（在群里看到了它们时用）；只记录，不发送新消息。"),
    status: bool = typer.Option(False, "--status", help="查看发送记录：什么时候向哪个渠道发送了什么。"),
    include_drafts: bool = typer.Option(False, "--include-drafts",
                                        help="也发送未审核（草稿、待审核）的内容。默认只发送已审核的。"),
) -> None:
    """把 build/ 里的短信、群消息和警务手机报发送到企业微信、钉钉、飞书机器人或 Webhook。

    每条消息以“渠道 + 编号 + 内容哈希”为准只发送一次：平台确认后记入 .outreach/ledger.sqlite。
    发出后没等到平台确认的（超时、连接中断）记为“可能已送达但未确认”，不会自动重发，以免群里出现两条：
    到群里看一眼，没收到用 --resend-unconfirmed 重发，收到了用 --mark-sent 记下。
    内容改了算新消息；内容或配置改了却没有重新生成、build/ 里的文件被手工改过、
    还有“【请填写签名】”这样没填写的占位文字时，拒绝发送。Webhook 地址和密钥只从环境变量读取。
    退出码：0 全部完成；1 有失败（演练时：有会被拒绝的问题）；3 有未确认的消息（没有失败）。
    """
    from outreach.project.config import load_config
    from outreach.project.diagnostics import Diagnostics
    from outreach.project.outputdir import output_dir
    from outreach.publish.sender import LEDGER_PATH, Unconfirmed
    from outreach.publish.sender import post as run_post

    root = project_root(ctx)
    chosen = (ctx.find_root().obj or {}).get("project")
    command = f"outreach -C {shlex.quote(str(root))} post" if chosen is not None else "outreach post"
    if status:
        _print_status(root / LEDGER_PATH, channel)
        return
    if not channel:
        typer.echo("错误：请用 --channel 指定渠道（outreach.toml 里 [channels.名称]）。", err=True)
        raise typer.Exit(2)
    if resend_unconfirmed and mark_sent:
        typer.echo("错误：--resend-unconfirmed 和 --mark-sent 只能选一个。", err=True)
        raise typer.Exit(2)
    config, problems = load_config(root)
    if config is None:
        print_diagnostics(Diagnostics(problems))
        raise typer.Exit(1)
    out_dir = output_dir(root)
    # Channel, selection, stale-build and ledger problems are OutreachErrors: the CLI's one handler prints them.
    report = run_post(root, out_dir, config, channel, what.value if what else None, list(only or []),
                      dry_run, typer.echo, wait=_countdown,
                      unconfirmed=Unconfirmed(resend=resend_unconfirmed, mark_sent=mark_sent),
                      include_drafts=include_drafts, command=command)
    if dry_run:
        for why in report.refused:
            typer.echo(f"错误（真正发送时会拒绝）：{why}", err=True)
        if report.refused:
            raise typer.Exit(1)
        return
    summary = f"完成：新发送 {len(report.sent)} 条，已发送过跳过 {len(report.skipped)} 条"
    if report.marked:
        summary += f"，记为已发送 {len(report.marked)} 条"
    if report.left:
        summary += f"，没有发送 {len(report.left)} 条（--mark-sent 只记录）"
    summary += f"，未确认 {len(report.unconfirmed)} 条，失败 {len(report.failed)} 条。"
    typer.echo(summary)
    for message, why in report.unconfirmed:
        typer.echo(f"可能已送达但未确认：{message.item}（{message.what}）：{why}。", err=True)
    if report.unconfirmed:
        _print_settle_hints([message for message, _ in report.unconfirmed], command, include_drafts)
    for message, why in report.failed:
        typer.echo(f"未送达：{message.item}（{message.what}）：{why}", err=True)
    if report.stopped:
        typer.echo(f"已停止：{report.stopped}", err=True)
    if report.failed or report.stopped:
        raise typer.Exit(1)
    if report.unconfirmed:
        raise typer.Exit(3)


def _print_settle_hints(messages, command: str, include_drafts: bool) -> None:
    """The two commands that settle the unconfirmed messages, per message type (a newsletter needs --what)."""
    from outreach.publish.hints import settle_hint

    typer.echo("请到群里查看这些消息，然后运行：", err=True)
    groups: dict = {}
    for message in messages:
        groups.setdefault((message.channel, message.what), []).append(message)
    for group in groups.values():
        typer.echo(settle_hint(group, command, include_drafts), err=True)


def _countdown(seconds: float, why: str) -> None:
    """Say why and how long before waiting; in a terminal, count down."""
    import math
    import sys
    import time

    # The sender never asks for less than nothing; a bad number must still not crash a sleep.
    seconds = seconds if math.isfinite(seconds) and seconds > 0 else 0.0
    typer.echo(f"{why}：等待 {seconds:.0f} 秒……", err=True)
    if not sys.stderr.isatty():
        time.sleep(seconds)
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("等待中"), BarColumn(), TimeRemainingColumn(), transient=True) as progress:
        task = progress.add_task("wait", total=seconds)
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            time.sleep(min(0.2, left))
            progress.update(task, completed=seconds - max(left, 0))


def _print_status(ledger_file, channel) -> None:
    from outreach.publish.ledger import Ledger, LedgerError, describe_ledger_error

    if not ledger_file.exists():
        typer.echo("还没有发送记录。")
        return
    import sqlite3

    try:
        ledger = Ledger(ledger_file, read_only=True)
        entries = ledger.entries(channel)
        ledger.close()
    except sqlite3.DatabaseError as exc:   # a damaged file
        raise LedgerError(describe_ledger_error(exc, ledger_file)) from None
    labels = {"sent": "已发送", "sending": "未确认", "unconfirmed": "未确认", "failed": "失败"}
    for entry in entries:
        when = entry.sent_at or entry.last_attempt or ""
        line = f"{when}  {entry.channel:<12} {labels.get(entry.status, entry.status):<4} {entry.item}（{entry.what}）第 {entry.attempts} 次尝试"
        if entry.status != "sent" and entry.last_error:
            line += f"：{entry.last_error}"
        typer.echo(line)
    typer.echo(f"共 {len(entries)} 条记录。")
