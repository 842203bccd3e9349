"""Every class of bad input is reported with its exact file:line:col and a stable code."""

from __future__ import annotations

import time

from conftest import check, located, write

GOOD_SCENARIO = """\
title: 测试诈骗
category: 测试
summary: 这是一个用于测试的诈骗类型。
signs:
  - 陌生人让你转账
advice:
  - 挂断电话，拨打110核实
audiences: [elderly]
review_by: 2099-12-31
"""

REL = "content/scenarios/test-case.yaml"


def scenario(project, text: str) -> list:
    write(project, REL, text)
    return located(check(project), REL)


def test_starter_library_is_clean(project):
    assert check(project) == []


def test_an_unclosed_quote_is_named_where_it_was_opened(project):
    # YAML gives up at the end of the file (line 10); the quote was opened on line 3.
    text = GOOD_SCENARIO.replace("summary: 这是一个用于测试的诈骗类型。", 'summary: "没有右引号')
    assert scenario(project, text) == [(3, 10, "yaml-unclosed-quote")]
    [diagnostic] = [d for d in check(project) if d.file == REL]
    assert "双引号（\"）没有配对" in diagnostic.message and "文件末尾" in diagnostic.message


def test_colon_in_plain_text_gets_a_hint(project):
    write(project, REL, GOOD_SCENARIO.replace("summary: 这是一个用于测试的诈骗类型。", "summary: 客服说: 退款"))
    [diagnostic] = [d for d in check(project) if d.file == REL]
    assert (diagnostic.line, diagnostic.column, diagnostic.code) == (3, 13, "yaml-syntax")
    assert "全角" in diagnostic.message


def test_tab_indentation(project):
    text = GOOD_SCENARIO.replace("  - 陌生人让你转账", "\t- 陌生人让你转账")
    assert scenario(project, text) == [(5, 1, "yaml-tab")]


def test_duplicate_key(project):
    assert scenario(project, GOOD_SCENARIO + "title: 又一个标题\n") == [(10, 1, "yaml-duplicate-key")]


def test_unknown_key_with_suggestion(project):
    write(project, REL, GOOD_SCENARIO + "storry: 一个案例\n")
    [diagnostic] = [d for d in check(project) if d.file == REL]
    assert (diagnostic.line, diagnostic.column, diagnostic.code) == (10, 1, "unknown-key")
    assert "story" in diagnostic.message


def test_unknown_key_in_nested_item(project):
    text = GOOD_SCENARIO + "laws:\n  - law: criminal-law\n    artcle: \"266\"\n"
    found = scenario(project, text)
    assert (12, 5, "unknown-key") in found
    assert (11, 5, "missing-field") in found  # `article` is then missing from that entry


def test_wrong_type(project):
    text = GOOD_SCENARIO.replace("category: 测试", "category: [测试]")
    assert scenario(project, text) == [(2, 11, "wrong-type")]


def test_list_given_as_text(project):
    text = GOOD_SCENARIO.replace("signs:\n  - 陌生人让你转账", "signs: 陌生人让你转账")
    assert scenario(project, text) == [(4, 8, "wrong-type")]


def test_missing_required_field(project):
    text = GOOD_SCENARIO.replace("summary: 这是一个用于测试的诈骗类型。\n", "")
    write(project, REL, text)
    [diagnostic] = [d for d in check(project) if d.file == REL]
    assert (diagnostic.line, diagnostic.column, diagnostic.code) == (1, 1, "missing-field")
    assert "summary" in diagnostic.message


def test_impossible_date(project):
    text = GOOD_SCENARIO.replace("2099-12-31", "2027-13-01")
    assert scenario(project, text) == [(9, 12, "bad-date")]


def test_date_in_wrong_format(project):
    text = GOOD_SCENARIO.replace("2099-12-31", "明年六月")
    assert scenario(project, text) == [(9, 12, "bad-date")]


def test_invalid_id_from_file_name(project):
    write(project, "content/scenarios/Fake_Loan.yaml", GOOD_SCENARIO)
    assert located(check(project), "content/scenarios/Fake_Loan.yaml") == [(1, 1, "invalid-id")]


def test_duplicate_id_across_directories(project):
    write(project, "content/scenarios/more/fake-loan.yaml", GOOD_SCENARIO)
    assert located(check(project), "content/scenarios/more/fake-loan.yaml") == [(1, 1, "duplicate-id")]


def test_duplicate_question_id(project):
    write(project, "content/quizzes/dup.yaml", """
        title: 测试题
        questions:
          - id: q1
            kind: truefalse
            question: 公检法有安全账户。
            answer: false
            explanation: 没有所谓安全账户。
          - id: q1
            kind: truefalse
            question: 96110来电要接听。
            answer: true
            explanation: 这是反诈预警劝阻专线。
        """)
    assert located(check(project), "content/quizzes/dup.yaml") == [(8, 9, "duplicate-id")]


def test_missing_law_and_article(project):
    text = GOOD_SCENARIO + "laws:\n  - law: criminal-law\n    article: \"999\"\n  - law: civil-code\n    article: \"1\"\n"
    assert scenario(project, text) == [(12, 14, "missing-ref"), (13, 10, "missing-ref")]


def test_missing_scenario_quiz_and_script_references(project):
    write(project, "content/packs/broken.yaml", """
        title: 测试资料包
        audience: elderly
        items:
          - poster: no-such-scenario
          - quiz: no-such-quiz
          - script: no-such-script
          - tip: answer-96110
        """)
    assert located(check(project), "content/packs/broken.yaml") == [
        (4, 13, "missing-ref"), (5, 11, "missing-ref"), (6, 13, "missing-ref")]


def test_pack_item_with_two_kinds(project):
    write(project, "content/packs/broken.yaml", """
        title: 测试资料包
        audience: elderly
        items:
          - poster: fake-loan
            tip: answer-96110
        """)
    assert located(check(project), "content/packs/broken.yaml") == [(4, 5, "bad-value")]


def test_quiz_answer_not_a_choice(project):
    write(project, "content/quizzes/bad.yaml", """
        title: 测试题
        questions:
          - id: q1
            kind: single
            question: 应该怎么办？
            choices: [转账, 报警]
            answer: C
            explanation: 报警。
        """)
    assert located(check(project), "content/quizzes/bad.yaml") == [(7, 13, "bad-value")]


def test_unknown_audience(project):
    text = GOOD_SCENARIO.replace("[elderly]", "[elderly, olderly]")
    write(project, REL, text)
    [diagnostic] = [d for d in check(project) if d.file == REL]
    assert (diagnostic.line, diagnostic.column, diagnostic.code) == (8, 22, "unknown-audience")
    assert "elderly" in diagnostic.message


def test_empty_required_list(project):
    text = GOOD_SCENARIO.replace("advice:\n  - 挂断电话，拨打110核实", "advice: []")
    assert scenario(project, text) == [(6, 9, "empty-list")]


def test_non_utf8_file(project):
    write(project, REL, "title: 测试\nsummary: 诈骗\n".encode("gbk"))
    assert located(check(project), REL) == [(1, 8, "encoding")]


def test_empty_file(project):
    write(project, REL, b"")
    assert located(check(project), REL) == [(1, 1, "empty-file")]


def test_comment_only_file(project):
    write(project, REL, "# 只有注释\n")
    assert located(check(project), REL) == [(1, 1, "empty-file")]


def test_top_level_list(project):
    write(project, REL, "- 一\n- 二\n")
    assert located(check(project), REL) == [(1, 1, "wrong-type")]


def test_file_too_large(project):
    write(project, REL, GOOD_SCENARIO + "# " + "x" * 600_000 + "\n")
    assert located(check(project), REL) == [(0, 0, "file-too-large")]


def test_billion_laughs_is_refused_quickly(project):
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 12):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    write(project, REL, "\n".join(lines) + "\n")
    started = time.perf_counter()
    found = located(check(project, lint=False), REL)
    assert time.perf_counter() - started < 5  # bounded: 9**11 nodes would never finish
    assert len(found) == 1 and found[0][2] == "yaml-alias-bomb"


def test_deep_nesting_is_refused(project):
    write(project, REL, "title: " + "[" * 10_000 + "]" * 10_000 + "\n")
    found = located(check(project, lint=False), REL)
    assert found == [(1, 39, "yaml-too-deep")]  # the document mapping is level 1


def test_recursive_alias_is_refused(project):
    write(project, REL, "title: &x [*x]\n")
    found = located(check(project, lint=False), REL)
    assert len(found) == 1 and found[0][2] in {"yaml-too-deep", "yaml-alias-bomb", "yaml-syntax"}


def test_all_problems_in_all_files_are_collected(project):
    write(project, "content/scenarios/one.yaml", GOOD_SCENARIO.replace("category: 测试", "category: [x]"))
    write(project, "content/scenarios/two.yaml", GOOD_SCENARIO + "foo: 1\n")
    write(project, "content/tips/three.yaml", b"")
    files = {d.file for d in check(project)}
    assert {"content/scenarios/one.yaml", "content/scenarios/two.yaml", "content/tips/three.yaml"} <= files


def test_unknown_content_directory_is_a_warning(project):
    write(project, "content/scenario/extra.yaml", GOOD_SCENARIO)
    [diagnostic] = [d for d in check(project) if d.file == "content/scenario"]
    assert diagnostic.code == "unknown-path" and not diagnostic.is_error
    assert "scenarios" in diagnostic.message


def test_config_errors_are_located(project):
    config = (project / "outreach.toml").read_text(encoding="utf-8")
    config = config.replace('sms_signature = "【示例派出所】"', 'sms_signature = "示例派出所"')
    config = config.replace("max_parts = 2", "max_part = 2")
    (project / "outreach.toml").write_text(config, encoding="utf-8")
    lines = config.splitlines()
    signature_line = next(i for i, line in enumerate(lines, 1) if line.startswith("sms_signature"))
    parts_line = next(i for i, line in enumerate(lines, 1) if line.startswith("max_part"))
    found = located(check(project), "outreach.toml")
    assert (signature_line, 1, "bad-value") in found
    assert (parts_line, 1, "unknown-key") in found


def test_config_syntax_error(project):
    (project / "outreach.toml").write_text("[project\nname = 1\n", encoding="utf-8")
    [diagnostic] = check(project)
    assert (diagnostic.file, diagnostic.line, diagnostic.code) == ("outreach.toml", 1, "toml-syntax")


def test_file_name_with_a_trailing_newline_is_not_an_id(project):
    write(project, "content/scenarios/trailing-newline\n.yaml", GOOD_SCENARIO)
    found = [d for d in check(project) if d.file.startswith("content/scenarios/trailing-newline")]
    assert [d.code for d in found] == ["invalid-id"]


def test_role_names_with_bidi_or_control_characters_are_refused(project):
    write(project, "content/scripts/bidi.yaml", """\
        title: 测试
        form: 小品
        roles:
          - name: "甲\u202egnp.exe"
        scenes:
          - lines:
              - role: "甲\u202egnp.exe"
                text: 你好
        """)
    found = [d for d in check(project) if d.file == "content/scripts/bidi.yaml"]
    assert any(d.line == 4 and "U+202E" in d.message for d in found), [d.format() for d in found]


def test_station_names_and_ids_with_control_characters_are_refused(project):
    write(project, "content/stations.csv",
          'id,name,phone\ns\x01x,一所,110\ns2,"二所\u202e",110\ns3,三\u200b所,110\ns4,四所,110\n')
    found = [(d.line, d.column, d.code) for d in check(project, lint=False) if d.file == "content/stations.csv"]
    assert (2, 1, "bad-value") in found   # named as a control character, not as a badly formed id
    assert (3, 2, "bad-value") in found and (4, 2, "bad-value") in found
    assert not [f for f in found if f[0] == 5]
