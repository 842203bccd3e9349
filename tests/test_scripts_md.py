"""Markdown scripts: the same data as the YAML form, and every mistake located at file:line:col."""

from __future__ import annotations

import yaml
from conftest import REPO, check, located, write

from outreach.project.loader import parse_item

REL = "content/scripts/demo.md"

FRONT = """\
---
title: 三句半《测试》
form: 三句半
roles:
  - name: 甲
  - name: 乙
  - name: 丙
  - name: 丁
---
"""

GOOD_BODY = """
## 开场

> 四人上场。

甲：锣鼓一敲响叮当，
乙：我们四人来登场，
丙：反诈知识细宣讲，
丁：您听端详！
"""


def md(project, body: str, front: str = FRONT) -> list[tuple[int, int, str]]:
    write(project, REL, front + body)
    return located(check(project), REL)


def parse(text: str):
    item, problems = parse_item(text.encode("utf-8"), REL, "scripts")
    return item, problems


def test_good_markdown_script_is_clean(project):
    assert md(project, GOOD_BODY) == []


def test_markdown_gives_exactly_the_yaml_data():
    item, problems = parse(FRONT + GOOD_BODY)
    assert problems == []
    assert item.raw == {
        "title": "三句半《测试》", "form": "三句半",
        "roles": [{"name": "甲"}, {"name": "乙"}, {"name": "丙"}, {"name": "丁"}],
        "scenes": [{"title": "开场", "lines": [
            {"direction": "四人上场。"},
            {"role": "甲", "text": "锣鼓一敲响叮当，"},
            {"role": "乙", "text": "我们四人来登场，"},
            {"role": "丙", "text": "反诈知识细宣讲，"},
            {"role": "丁", "text": "您听端详！"},
        ]}],
    }


def test_starter_markdown_script_equals_its_yaml_translation():
    path = REPO / "content/scripts/xiangsheng-ai-face.md"
    item, problems = parse_item(path.read_bytes(), "content/scripts/xiangsheng-ai-face.md", "scripts")
    assert problems == [] and item is not None
    translated = yaml.safe_dump(item.raw, allow_unicode=True, sort_keys=False)
    again, problems = parse_item(translated.encode("utf-8"), "content/scripts/again.yaml", "scripts")
    assert problems == [] and again.model == item.model and again.digest == item.digest


def test_ascii_colon_spaces_and_consecutive_lines():
    item, problems = parse(FRONT + "甲:  锣鼓一敲 \n  乙 ：我们四人\n")
    assert problems == []
    assert item.raw["scenes"] == [{"lines": [{"role": "甲", "text": "锣鼓一敲"}, {"role": "乙", "text": "我们四人"}]}]


def test_lines_before_the_first_heading_form_an_untitled_first_scene():
    item, _ = parse(FRONT + "> 上场。\n甲：一\n\n## 第二段\n乙：二\n")
    assert item.raw["scenes"] == [
        {"lines": [{"direction": "上场。"}, {"role": "甲", "text": "一"}]},
        {"title": "第二段", "lines": [{"role": "乙", "text": "二"}]},
    ]


def test_a_line_right_under_a_direction_is_dialogue_not_more_direction():
    # CommonMark would glue "乙：…" to the quote (a lazy continuation); the writer meant a line.
    item, problems = parse(FRONT + "> 锣鼓点。\n乙：我们四人来登场，\n> 再敲。\n")
    assert problems == []
    assert item.raw["scenes"][0]["lines"] == [
        {"direction": "锣鼓点。"}, {"role": "乙", "text": "我们四人来登场，"}, {"direction": "再敲。"}]


def test_multi_line_direction_gives_one_direction_per_line():
    item, _ = parse(FRONT + "> 四人上场，\n> 站成一排。\n")
    assert item.raw["scenes"][0]["lines"] == [{"direction": "四人上场，"}, {"direction": "站成一排。"}]


def test_text_is_verbatim_not_markdown():
    item, problems = parse(FRONT + "甲：**别转账** <b>真的</b> \\*星号\\* `代码` [链接](x) &amp;\n")
    assert problems == []
    assert item.raw["scenes"][0]["lines"][0]["text"] == "**别转账** <b>真的</b> \\*星号\\* `代码` [链接](x) &amp;"


def test_html_comments_are_ignored():
    item, problems = parse(FRONT + "<!-- 备注：第二版 -->\n\n甲：一\n\n<!--\n多行\n备注\n-->\n乙：二\n")
    assert problems == []
    assert [line["role"] for line in item.raw["scenes"][0]["lines"]] == ["甲", "乙"]


def test_every_malformed_block_is_located(project):
    body = (
        "\n"                                  # 10
        "# 大标题\n"                          # 11
        "## 开场\n"                           # 12
        "甲：好\n"                            # 13
        "这一行没有角色\n"                    # 14
        "：没有角色\n"                        # 15
        "乙：\n"                              # 16
        "说了半天，最后问：你是谁？\n"          # 17
        "\n"                                  # 18
        "- 列表\n"                            # 19
        "\n"                                  # 20
        "### 小标题\n"                        # 21
        "\n"                                  # 22
        "    缩进四格\n"                      # 23
        "\n"                                  # 24
        "```\n代码\n```\n"                    # 25-27
        "| a | b |\n|---|---|\n"              # 28-29
        "\n"                                  # 30
        "<div>HTML</div>\n"                   # 31
        "\n"                                  # 32
        "[链接]: http://example.com\n"        # 33
        "\n"                                  # 34
        "***\n"                               # 35
        "> - 引用里的列表\n"                  # 36
        "\n"                                  # 37
        "文字\n"                              # 38
        "---\n"                               # 39
        "## \n"                               # 40
        "丙：好\n"                            # 41
        "## 空场\n"                           # 42
        "## 结尾\n"                           # 43
        "丁：好\n"                            # 44
    )
    assert md(project, body) == [
        (11, 1, "md-unexpected-block"),
        (14, 1, "md-no-role"),
        (15, 1, "md-empty-role"),
        (16, 3, "md-empty-text"),
        (17, 1, "md-no-role"),
        (19, 1, "md-unexpected-block"),
        (21, 1, "md-unexpected-block"),
        (23, 5, "md-unexpected-block"),
        (25, 1, "md-unexpected-block"),
        (28, 1, "md-unexpected-block"),
        (31, 1, "md-unexpected-block"),
        (33, 1, "md-unexpected-block"),
        (35, 1, "md-unexpected-block"),
        (36, 3, "md-unexpected-block"),
        (39, 1, "md-unexpected-block"),
        (40, 1, "md-empty-heading"),
        (42, 1, "md-empty-scene"),
    ]


def test_messages_are_plain_chinese(project):
    write(project, REL, FRONT + "- 列表\n\n甲：好\n")
    [problem] = [d for d in check(project) if d.file == REL]
    assert "列表" in problem.message and "角色名：台词" in problem.message


def test_missing_front_matter(project):
    assert md(project, "甲：好\n", front="title: 测试\n") == [(1, 1, "md-front-matter")]


def test_unclosed_front_matter(project):
    assert md(project, "", front="---\ntitle: 测试\n甲：好\n") == [(1, 1, "md-front-matter")]


def test_empty_front_matter(project):
    found = md(project, "甲：好\n", front="---\n---\n")
    assert found == [(1, 1, "md-front-matter")]


def test_front_matter_yaml_error_points_at_the_file_line(project):
    front = FRONT.replace("form: 三句半", "form: [三句半")
    assert md(project, GOOD_BODY, front=front) == [(4, 6, "yaml-syntax")]  # where libyaml notices, as in .yaml


def test_front_matter_tab_is_located(project):
    front = FRONT.replace("  - name: 乙", "\t- name: 乙")
    assert (6, 1, "yaml-tab") in md(project, GOOD_BODY, front=front)


def test_front_matter_schema_errors_are_located(project):
    front = FRONT.replace("form: 三句半", "from: 三句半").replace("  - name: 丙\n", "  - name: 丙 丙\n")
    assert md(project, GOOD_BODY, front=front) == [(2, 1, "missing-field"), (3, 1, "unknown-key"), (7, 11, "bad-value")]


def test_bad_form_value_is_located(project):
    assert md(project, GOOD_BODY, front=FRONT.replace("form: 三句半", "form: 评书")) == [(3, 7, "bad-value")]


def test_scenes_in_front_matter_are_refused(project):
    front = FRONT.replace("---\n\n", "").replace("  - name: 丁\n---", "  - name: 丁\nscenes: []\n---")
    assert md(project, GOOD_BODY, front=front) == [(9, 1, "md-front-matter")]


def test_front_matter_must_be_a_mapping(project):
    assert md(project, "甲：好\n", front="---\n- 甲\n---\n") == [(2, 1, "md-front-matter")]


def test_empty_body(project):
    assert md(project, "\n\n") == [(10, 1, "md-empty-body")]


def test_undeclared_role_is_located_at_the_role(project):
    found = md(project, GOOD_BODY.replace("丙：反诈", "  戊：反诈"))
    assert (17, 3, "undeclared-role") in found


def test_missing_scenario_is_located(project):
    front = FRONT.replace("form: 三句半\n", "form: 三句半\nscenario: no-such-scenario\n")
    assert md(project, GOOD_BODY, front=front) == [(4, 11, "missing-ref")]


def test_typography_lint_points_inside_the_markdown_line(project):
    # The text spans map back to the Markdown line, so content lints land on the exact character.
    found = md(project, GOOD_BODY.replace("我们四人来登场，", "我们四人来登场,"))
    assert found == [(16, 10, "typography-punct")]


def test_crlf_line_endings_keep_positions(project):
    text = (FRONT + GOOD_BODY.replace("丙：", "戊：")).replace("\n", "\r\n")
    write(project, REL, text.encode("utf-8"))
    assert (17, 1, "undeclared-role") in located(check(project), REL)


def test_not_utf8_and_empty_files(project):
    write(project, REL, (FRONT + GOOD_BODY).encode("gbk"))
    assert [code for _, _, code in located(check(project), REL)] == ["encoding"]
    write(project, REL, b"  \n")
    assert located(check(project), REL) == [(1, 1, "empty-file")]


def test_markdown_file_name_is_the_id(project):
    write(project, "content/scripts/Bad_Name.md", FRONT + GOOD_BODY)
    assert located(check(project), "content/scripts/Bad_Name.md") == [(1, 1, "invalid-id")]


def test_markdown_and_yaml_with_the_same_id_collide(project):
    write(project, "content/scripts/sanjuban-community.md", FRONT + GOOD_BODY)
    found = [(d.file, d.code) for d in check(project) if d.code == "duplicate-id"]
    assert found == [("content/scripts/sanjuban-community.yaml", "duplicate-id")]


def test_every_problem_of_a_script_comes_in_one_round(project):
    # A misspelt key, a stray list and an undeclared role: all three at once, not one per edit.
    text = ("---\ntitle: 测试\nform: 小品\ncolour: red\nroles:\n  - name: 甲\n  - name: 乙\n---\n"
            "甲：你好。\n丙：我是谁？\n- 列表项\n乙：再见。\n")
    write(project, "content/scripts/demo.md", text)
    assert located(check(project), "content/scripts/demo.md") == \
        [(4, 1, "unknown-key"), (10, 1, "undeclared-role"), (11, 1, "md-unexpected-block")]
