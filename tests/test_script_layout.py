"""Script handouts as a designer reads them (issue 27, item 11): the dialogue's role column fits
the longest role name so every line of a speech starts at one edge; a scene heading never ends a
page without the dialogue it introduces; the running header names the scenes the page shows."""

from __future__ import annotations

import re
import shutil

import pypdfium2 as pdfium
import pytest
from conftest import FIXTURE_PROJECT, build_project, write

pytestmark = pytest.mark.slow   # builds or servers in most tests (README, 测试)


MM = 72 / 25.4
TOP_MARGIN_MM, BOTTOM_MARGIN_MM = 22, 20
HEADING = re.compile(r"^[一二三四五六七八九十]+、")


def lines_of(path, page_index: int) -> list[dict]:
    """The page's text lines, top to bottom: top and left (mm), text, and the left (mm) of each
    character."""
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        page = document[page_index]
        height = page.get_size()[1]
        textpage = page.get_textpage()
        rows: dict[int, list] = {}
        for index in range(textpage.count_chars()):
            char = textpage.get_text_range(index, 1)
            if not char.strip():
                continue
            left, bottom, right, top = textpage.get_charbox(index, loose=True)
            rows.setdefault(round((height - bottom) / MM * 2), []).append(
                (left / MM, char, (top - bottom) / MM, (height - top) / MM))
        lines = []
        for _key, chars in sorted(rows.items()):
            chars.sort()
            lines.append({"top": min(c[3] for c in chars), "left": chars[0][0], "text": "".join(c[1] for c in chars),
                          "chars": chars, "size": max(c[2] for c in chars)})
        return lines
    finally:
        document.close()


def page_count(path) -> int:
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        return len(document)
    finally:
        document.close()


def body_lines(path, page_index: int) -> list[dict]:
    return [line for line in lines_of(path, page_index) if TOP_MARGIN_MM - 1 < line["top"] < 297 - BOTTOM_MARGIN_MM]


@pytest.fixture(scope="module")
def scripts(tmp_path_factory):
    """The fixture project's scripts (the skit has "骗子（电话里）" and "社区民警小刘"), and five
    skits whose second scene's heading falls ever further down the page."""
    root = tmp_path_factory.mktemp("scripts") / "fixture"
    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    for filler in range(20, 27):
        write(root, f"content/scripts/push-{filler}.yaml", pushed_skit(filler))
    result = build_project(root, only=("scripts",), jobs=2)
    assert result.ok, [f"{f.label}: {f.message}" for f in result.failures]
    return root / "build/scripts"


def pushed_skit(filler: int) -> str:
    first = "".join(f"      - role: 甲\n        text: 第{n}句台词，说得短一些。\n" for n in range(filler))
    return ("title: 小品《排版测试》\nform: 小品\nroles:\n  - name: 甲\n  - name: 乙\nscenes:\n"
            "  - title: 开场\n    lines:\n" + first +
            "  - title: 转折\n    lines:\n      - direction: 乙从门外上，手里拿着手机，神色慌张。\n"
            "      - direction: 甲放下茶杯，站起身来。\n"
            "      - role: 乙\n        text: 快看，我收到一条短信！\n      - role: 甲\n        text: 别点链接，先核实。\n")


def text_starts(path) -> list[tuple[int, float, str]]:
    """Where the words of each speech start, line by line: after the role's colon on its first
    line, at the line's left on a wrapped line. (page, mm, text)."""
    starts = []
    for index in range(1, page_count(path)):
        for line in body_lines(path, index):
            if line["size"] > 8:         # a scene heading
                continue
            chars = line["chars"]
            colon = next((i for i, c in enumerate(chars[:12]) if c[1] == "："), None)
            if colon is not None and colon + 1 < len(chars):
                starts.append((index + 1, chars[colon + 1][0], line["text"]))
            elif colon is None and not line["text"].startswith(("（", "…", "提示")) and line["left"] > 40:
                if line["text"][0] in "“‘《「":
                    continue   # an opening mark at a line start may hang into the column's edge
                starts.append((index + 1, line["left"], line["text"]))
    return starts


def test_every_line_of_every_speech_starts_at_the_role_column(scripts):
    starts = text_starts(scripts / "xiaopin-fake-police.pdf")
    long_names = [s for s in starts if s[2].startswith(("骗子（电话里）：", "社区民警小刘："))]
    wrapped = [s for s in starts if "：" not in s[2][:9]]
    assert long_names and wrapped and len(starts) > 40
    lefts = [left for _, left, _ in starts]
    assert max(lefts) - min(lefts) < 0.5, sorted(set(round(x, 1) for x in lefts))


def test_a_performers_sides_keep_one_column_for_cues_and_own_lines(scripts):
    path = scripts / "xiaopin-fake-police/社区民警小刘.pdf"
    starts = text_starts(path)
    assert len(starts) >= 8
    lefts = [left for _, left, _ in starts]
    assert max(lefts) - min(lefts) < 0.5, sorted(set(round(x, 1) for x in lefts))


def test_a_scene_heading_keeps_its_directions_and_first_line_on_its_page(scripts):
    checked = 0
    for filler in range(20, 27):
        path = scripts / f"push-{filler}.pdf"
        for index in range(1, page_count(path)):
            lines = body_lines(path, index)
            headings = [i for i, line in enumerate(lines) if HEADING.match(line["text"])]
            if not headings:
                continue
            after = lines[headings[-1] + 1:]
            spoken = [line for line in after if "：" in line["text"][:4]]
            assert spoken, f"push-{filler} page {index + 1} ends with “{lines[headings[-1]]['text']}” and its directions"
            checked += 1
    assert checked >= 7


def header_right(path, page_index: int) -> str:
    """The top right of the page's header (the top left holds the title)."""
    return "".join(char for line in lines_of(path, page_index) if line["top"] < TOP_MARGIN_MM - 1
                   for left, char, _h, _t in line["chars"] if left > 105)


def scenes_on(path, page_index: int) -> list[str]:
    return [line["text"] for line in body_lines(path, page_index) if HEADING.match(line["text"]) and line["size"] > 8]


@pytest.mark.parametrize("name", ["xiaopin-fake-police.pdf", "xiaopin-fake-police/社区民警小刘.pdf", "push-22.pdf"])
def test_the_running_header_names_the_scenes_on_the_page(scripts, name):
    path = scripts / name
    current = (scenes_on(path, 0) or [""])[-1]      # a performer's sides begin on page 1
    for index in range(1, page_count(path)):
        header = header_right(path, index)
        shown = scenes_on(path, index)
        opens_with_heading = bool(shown) and body_lines(path, index)[0]["text"] == shown[0]
        expected = ([current] if current and not opens_with_heading else []) + shown
        assert expected, (name, index + 1)
        for scene in (expected[0], expected[-1]):
            assert scene in header, (name, index + 1, header, expected)
        if shown:
            current = shown[-1]
