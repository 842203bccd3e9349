"""README links within the page lead somewhere (issue 25 item 21: the table of contents named
five sections that did not exist)."""

from __future__ import annotations

import re
from urllib.parse import unquote

from conftest import REPO
from markdown_it import MarkdownIt


def github_anchor(text: str) -> str:
    """GitHub's heading anchor: lower case, every character but letters, digits, '_', '-' and
    spaces removed (Chinese is kept, full-width punctuation goes), spaces become '-'."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors_and_links(markdown: str) -> tuple[set[str], list[str]]:
    """(every heading's anchor, every `#anchor` link target), read the way a Markdown renderer
    does: a `## ` line inside a fenced code block is not a heading, a link in code is not a link."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    links: list[str] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            text = "".join(child.content for child in inline.children or [] if child.type in ("text", "code_inline"))
            anchor = github_anchor(text)
            count = seen.get(anchor, 0)
            seen[anchor] = count + 1
            anchors.add(anchor if count == 0 else f"{anchor}-{count}")
        if token.type == "inline":
            # The parser percent-encodes hrefs (#%E6%97%A5…): compare the text a reader wrote.
            links += [unquote(str(child.attrs["href"]))[1:] for child in token.children or []
                      if child.type == "link_open" and str(child.attrs.get("href", "")).startswith("#")]
    return anchors, links


def test_the_anchor_rules_match_githubs():
    assert github_anchor("项目配置 outreach.toml") == "项目配置-outreachtoml"
    assert github_anchor("按派出所定制：个性化资料包和警民联系卡") == "按派出所定制个性化资料包和警民联系卡"
    assert github_anchor("大规模生成：分片和 Dask") == "大规模生成分片和-dask"
    anchors, links = anchors_and_links("# A\n\n```\n## 开场\n```\n\n## A\n\n[x](#a-1) `[y](#b)`\n")
    assert anchors == {"a", "a-1"} and links == ["a-1"]


def test_every_link_within_the_readme_points_at_a_heading():
    anchors, links = anchors_and_links((REPO / "README.md").read_text(encoding="utf-8"))
    assert len(links) >= 19   # the table of contents at least
    missing = [link for link in links if link not in anchors]
    assert not missing, f"README 里这些链接没有对应的标题：{missing}"
