"""Fuzzing the Markdown script parser: any bytes, any Markdown, only ever located diagnostics."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from test_fuzz import FUZZ, KNOWN_CODES

from outreach.project.loader import parse_item

MARKDOWN_CODES = {
    "md-front-matter", "md-unexpected-block", "md-no-role", "md-empty-role", "md-empty-text",
    "md-empty-scene", "md-empty-heading", "md-empty-body",
}
FRONT = "---\ntitle: 测试\nform: 小品\nroles:\n  - name: 甲\n  - name: 乙\n---\n"


def assert_only_diagnostics(raw: bytes) -> None:
    item, problems = parse_item(raw, "content/scripts/fuzz.md", "scripts")
    lines = raw.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    for problem in problems:
        assert problem.code in KNOWN_CODES | MARKDOWN_CODES, problem
        assert 0 <= problem.line <= lines + 1 and problem.column >= 0, problem
        assert problem.message
    assert item is not None or problems
    if item is not None:
        assert item.raw["scenes"] and all(scene["lines"] for scene in item.raw["scenes"])


@FUZZ
@given(raw=st.binary(max_size=2000))
def test_random_bytes(raw):
    assert_only_diagnostics(raw)


MARKDOWN_PIECES = st.sampled_from([
    "## ", "# ", "### ", "> ", ">", "- ", "1. ", "* ", "```", "    ", "\t", "---", "===", "***", "| a | b |", "|---|",
    "<div>", "<!--", "-->", "[x]: y", "甲：", "乙:", "：", ":", "台词", "，", "\n", "\n\n", " ", "\r\n", "\r", "\\",
    "*", "`", "&amp;", "\u2028", "\ufeff", "丙：", "title: x", "scenes:", "...",
])


@FUZZ
@given(pieces=st.lists(MARKDOWN_PIECES, max_size=60), with_front=st.booleans())
def test_random_markdown(pieces, with_front):
    body = "".join(pieces)
    assert_only_diagnostics(((FRONT if with_front else "") + body).encode("utf-8"))


@FUZZ
@given(front=st.text(alphabet=st.sampled_from(list("abc:- \n\t[]{}&*!|>'\"#%@`,?测试titleformroles")), max_size=200),
       body=st.text(max_size=200))
def test_random_front_matter_and_text(front, body):
    assert_only_diagnostics(f"---\n{front}\n---\n{body}".encode("utf-8"))
