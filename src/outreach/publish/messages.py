"""Which rendered texts a `post` run would send, read from build/ via the manifest."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from outreach.core.errors import OutreachError
from outreach.engine.manifest import load_committed
from outreach.engine.roles import item_of
from outreach.project.kinds import NEWSLETTERS, SCENARIOS
from outreach.publish.buildfiles import REBUILD, BuildFileError, read_output
from outreach.publish.platforms import Message, message_key

WHAT = ("sms", "text", "markdown", "newsletter")


class SelectionError(OutreachError):
    """Nothing sensible to send; the message says why, in Chinese."""


def _title(content: str, fallback: str) -> str:
    first = content.strip().splitlines()[0] if content.strip() else fallback
    return re.sub(r"^[#\s]+|[【】*>]", "", first).strip()[:60] or fallback


ROLE_FOR = {"sms": "sms", "text": "group-text", "markdown": "group-markdown"}


def role_for(what: str, markdown: bool) -> str:
    """The output role a `--what` sends (a newsletter goes in the channel's format)."""
    if what == "newsletter":
        return "newsletter-markdown" if markdown else "newsletter-text"
    return ROLE_FOR[what]


def select(out_dir: Path, channel: str, what: str, markdown: bool, only: list[str], prefix: str = "") -> list[Message]:
    """The messages of one kind in build/, found by their role in the manifest (under `prefix`,
    zh-Hant/ for a Traditional project)."""
    manifest_path = out_dir / "manifest.json"
    if not manifest_path.is_file():
        raise SelectionError(f"找不到 {manifest_path}：请先运行 outreach build 生成文字素材。")
    found = []
    manifest = load_committed(out_dir)
    for path in manifest.with_role(role_for(what, markdown), prefix):
        item = item_of(path)
        if only and item not in only and item.removeprefix("newsletter-") not in only:
            continue
        data = read_output(out_dir, path, manifest.outputs[path])
        try:
            content = data.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise BuildFileError(f"build/{path} 不是 UTF-8 文字，已拒绝发送。{REBUILD}") from None
        sha256 = hashlib.sha256(content.encode("utf-8")).hexdigest()
        as_markdown = what == "markdown" or (what == "newsletter" and markdown)
        found.append(Message(key=message_key(channel, item, what, sha256), channel=channel, item=item, what=what,
                             path=path, title=_title(content, item), content=content, sha256=sha256,
                             markdown=as_markdown))
    if only:
        missing = sorted(set(only) - {m.item for m in found} - {m.item.removeprefix("newsletter-") for m in found})
        if missing:
            raise SelectionError(f"build/ 里没有这些编号的{_WHAT_LABEL[what]}：{'、'.join(missing)}。")
    if not found:
        raise SelectionError(f"build/ 里没有可发送的{_WHAT_LABEL[what]}：请先运行 outreach build。")
    return found


_WHAT_LABEL = {"sms": "短信", "text": "文字消息", "markdown": "Markdown 消息", "newsletter": "警务手机报"}


def reviewed_only(root: Path, messages: list[Message], include_drafts: bool, say) -> list[Message]:
    """The messages whose content is reviewed (or all, when drafts are allowed); says which were held back."""
    from outreach.project.loader import load_library

    library, _problems = load_library(root)
    if library is None:
        raise SelectionError("outreach.toml 有错误，无法确认内容的审核状态：请先运行 outreach check 并修正。")
    held = []
    kept = []
    for message in messages:
        kind, item_id = _source_of(library, message.item)
        if library.publishable(kind, item_id, include_drafts):
            kept.append(message)
        else:
            held.append(f"{message.item}（{library.status(kind, item_id)}）")
    if held:
        say(f"未审核，没有发送：{'、'.join(held)}。审核后写 status: 已审核、reviewed_by 和 reviewed_on，"
            "或加 --include-drafts。")
    if not kept:
        raise SelectionError("要发送的内容都还没有审核，没有发送任何消息。")
    return kept


def _source_of(library, item: str) -> tuple[str, str]:
    """(content kind, id) a message was made from: a scenario, or a newsletter by its date."""
    if item.startswith("newsletter-"):
        day = item.removeprefix("newsletter-")
        found = next((i for i, n in library.kind(NEWSLETTERS.folder).items() if n.model.date.isoformat() == day), day)
        return NEWSLETTERS.folder, found
    return SCENARIOS.folder, item
