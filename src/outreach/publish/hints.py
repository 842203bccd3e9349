"""The exact commands that settle a message that may have arrived: record it or send it again.

A newsletter is only selected with `--what newsletter`, a draft only with `--include-drafts`:
a hint that left them out would select nothing and leave the message unconfirmed.
"""

from __future__ import annotations

import shlex

from outreach.publish.platforms import Message

MARK_SENT, RESEND = "--mark-sent", "--resend-unconfirmed"


def settle_command(messages: list[Message], flag: str, command: str = "outreach post",
                   include_drafts: bool = False) -> str:
    """`outreach post --channel … --what … --only …` with `flag`, for messages of one channel."""
    first = messages[0]
    parts = [command, "--channel", shlex.quote(first.channel), "--what", first.what]
    for item in dict.fromkeys(m.item.removeprefix("newsletter-") for m in messages):
        parts += ["--only", shlex.quote(item)]
    if include_drafts:
        parts.append("--include-drafts")
    parts.append(flag)
    return " ".join(parts)


def settle_hint(messages: list[Message], command: str = "outreach post", include_drafts: bool = False) -> str:
    """Two lines: what to run when the message is in the group, and when it is not."""
    return (f"  在群里看到了，记为已发送：{settle_command(messages, MARK_SENT, command, include_drafts)}\n"
            f"  没看到，重发一次：{settle_command(messages, RESEND, command, include_drafts)}")
