"""What HTML the 公众号 (WeChat Official Account) editor keeps when an article is pasted into it,
and a check of a rendered article against that: the tags it keeps, inline styles only, no
external resources, links only to allowed sites.

The editor keeps the inline `style` of these tags and drops `<style>`, `<script>`, classes,
ids, forms, frames and media; images must be uploaded through the editor (external image URLs
are filtered out). Sources: the 公众号 API's draft_add documentation ("支持HTML标签 … 此处会去除JS
… 外部图片url将被过滤", https://developers.weixin.qq.com/doc/service/api/draftbox/draftmanage/api_draft_add)
and the tag list of royalmorty/md2wechat-skill, skills/content-writing/references/html-guide.md
(section, p, span, strong, em, u, a, h1–h6, ul, ol, li, blockquote, pre, code, table parts,
br, img, hr; forbidden: script, noscript, iframe, form, input, button, textarea, select,
object, embed, video, audio, style, link, meta). We keep to the part of that list an article
needs (no tables or code), so what is pasted is what was previewed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

KEPT_TAGS = frozenset({"section", "p", "span", "strong", "b", "em", "i", "u", "br", "h1", "h2", "h3", "h4",
                       "ul", "ol", "li", "blockquote", "hr", "a", "img"})
VOID_TAGS = frozenset({"br", "hr", "img"})
# Attributes the editor keeps, per tag ("*": every tag).
KEPT_ATTRIBUTES = {"*": {"style"}, "a": {"href"}, "img": {"src", "alt", "width", "height"}}
BLOCK_TAGS = frozenset({"section", "p", "h1", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "hr", "br"})
_URL = re.compile(r"https?://[^\s<>\"'，。；、）)]+", re.I)
_CSS_URL = re.compile(r"url\s*\(|@import|expression\s*\(", re.I)

# 公众号 limits (recorded where they come from). The editor's title box counts to 64 characters
# and its digest (摘要) box to 120 (the draft API documents 32 and 128 "字", counting a Chinese
# character as two: https://developers.weixin.qq.com/community/develop/doc/000804df7c4498640aab4f2d356c00
# reports the digest at 120 in the editor); the body "必须少于2万字符，小于1M" (draft_add).
TITLE_LIMIT = 64
DIGEST_LIMIT = 120
BODY_CHAR_LIMIT = 20_000
BODY_BYTE_LIMIT = 1_000_000


@dataclass(frozen=True)
class Finding:
    """Something the editor would drop or a reader must not be sent to: `needle` is the text of
    the template that makes it (to find its line), `what` says it in words."""

    needle: str
    what: str


class _Reader(HTMLParser):
    def __init__(self, allowed_hosts: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed_hosts = allowed_hosts
        self.findings: list[Finding] = []
        self.roots: list[str] = []
        self.depth = 0
        self.text: list[str] = []
        self.skipping = 0

    def _found(self, needle: str, what: str) -> None:
        if all(f.what != what for f in self.findings):
            self.findings.append(Finding(needle, what))

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs)
        if tag not in VOID_TAGS:
            if self.depth == 0:
                self.roots.append(tag)
            self.depth += 1
            if tag in ("style", "script"):
                self.skipping += 1

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs)
        if self.depth == 0:
            self.roots.append(tag)

    def _element(self, tag: str, attrs) -> None:
        if tag in BLOCK_TAGS:
            self.text.append("\n")
        if tag not in KEPT_TAGS:
            self._found(f"<{tag}", f"<{tag}> 标签（公众号编辑器会删掉它或它的内容）")
        for name, value in attrs:
            if name not in KEPT_ATTRIBUTES["*"] | KEPT_ATTRIBUTES.get(tag, set()):
                self._found(f"{name}=", f"<{tag}> 的 {name}= 属性（公众号编辑器只保留 style= 内联样式）")
            elif name == "style" and value and (outside := _CSS_URL.search(value)):
                self._found(outside.group(0), f"<{tag}> 的样式里引用了外部资源（{outside.group(0)}）")
            elif name in ("href", "src") and value is not None:
                self._link(tag, name, value)

    def _link(self, tag: str, name: str, value: str) -> None:
        parts = urlsplit(value.strip())
        if tag == "img":
            if parts.scheme or parts.netloc or value.startswith("/"):
                self._found(value, f"图片 {value}（公众号会过滤外部图片：图片要作为文件放在文章旁边，在编辑器里上传）")
            return
        if parts.scheme not in ("http", "https") or (parts.hostname or "") not in self.allowed_hosts:
            self._found(value, f"链接 {value}（只能链接到本项目配置的网址：{_hosts(self.allowed_hosts)}）")

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        if tag in BLOCK_TAGS:
            self.text.append("\n")
        self.depth = max(0, self.depth - 1)
        if tag in ("style", "script"):
            self.skipping = max(0, self.skipping - 1)

    def handle_data(self, data):
        if self.skipping:
            return
        if self.depth == 0 and data.strip():
            self.roots.append("#text")
        self.text.append(data)
        for match in _URL.finditer(data):
            url = match.group(0)
            if (urlsplit(url).hostname or "") not in self.allowed_hosts:
                self._found(url, f"网址 {url}（只能出现本项目配置的网址：{_hosts(self.allowed_hosts)}）")


def _hosts(hosts: frozenset[str]) -> str:
    return "、".join(sorted(hosts)) or "无（outreach.toml 里没有配置网址）"


@dataclass(frozen=True)
class Checked:
    findings: list[Finding]
    text: str          # what a reader sees, one block a line


def check_article(html: str, allowed_hosts: frozenset[str]) -> Checked:
    """The problems of an article fragment for the 公众号 editor (empty: it pastes as previewed)."""
    reader = _Reader(allowed_hosts)
    reader.feed(html)
    reader.close()
    if reader.roots != ["section"]:
        shown = "、".join(f"<{r}>" if r != "#text" else "文字" for r in reader.roots[:4]) or "没有内容"
        reader.findings.insert(0, Finding("<", f"最外层应当是一个 <section>，现在是：{shown}"))
    text = re.sub(r"[ \t]*\n[\s]*", "\n", "".join(reader.text)).strip()
    return Checked(reader.findings, text)


def plain_text(html: str) -> str:
    """The article as plain text (the clipboard's text/plain, the text checks)."""
    return check_article(html, frozenset()).text


def host_of(url: str | None) -> str | None:
    return urlsplit(url).hostname if url else None
