"""The editor's building blocks without a browser: forms from the models, saving YAML and
outreach.toml keeping what people wrote, problems tied to fields, the worker start method."""

from __future__ import annotations

import datetime as dt
import re
import threading
import tomllib

import pytest
import yaml

from outreach.project.kinds import KIND_MODELS

HAND_WRITTEN = """# yaml-language-server: $schema=../../build/schema/scenario.json
# 第一行以外的注释也要留住
title: 虚假网络贷款诈骗   # 标题后的注释
category: 虚假网贷
summary: "骗子以“低利息”为诱饵。"
signs:
  - 收到“免抵押”的短信
  # 这一条来自派出所的案例
  - 要先交解冻费
advice:
  - 贷款请到正规银行办理
audiences: [worker, rural]
review_by: 2027-06-30
story: |-
  第一行
  第二行
laws:
  - law: criminal-law
    article: "266"
"""


def test_every_kind_has_a_form_with_chinese_labels():
    from outreach.preview.editor.forms import form_for, kind_labels

    def labels(node):
        if node["t"] == "object":
            for field in node["fields"]:
                yield field["key"], field["label"]
                yield from labels(field["node"])
        elif node["t"] == "list":
            yield from labels(node["item"])

    assert set(kind_labels()) == set(KIND_MODELS)
    for kind in kind_labels():
        found = list(labels(form_for(kind)))
        assert found, kind
        for key, label in found:
            assert any("\u4e00" <= c <= "\u9fff" for c in label), (kind, key, label)
    scenario = {f["key"]: f for f in form_for("scenarios")["fields"]}
    assert scenario["title"]["label"] == "标题" and scenario["signs"]["label"] == "识别要点"
    assert scenario["advice"]["label"] == "防范要点" and scenario["quote"]["label"] == "一句话口号"
    assert scenario["audiences"]["node"] == {"t": "audiences"}
    assert scenario["laws"]["node"]["item"] == {"t": "lawref"}
    assert scenario["review_by"]["node"] == {"t": "date"}
    assert scenario["summary"]["node"]["multiline"] and not scenario["title"]["node"]["multiline"]
    # The review record comes after the content.
    assert list(scenario)[-3:] == ["status", "reviewed_by", "reviewed_on"]
    question = form_for("quizzes")["fields"][-4]["node"]["item"]   # questions[]
    fields = {f["key"]: f["node"] for f in question["fields"]}
    assert fields["answer"] == {"t": "answer"} and fields["kind"]["t"] == "select"
    assert ["single", "单选"] in fields["kind"]["options"]
    script = {f["key"]: f["node"] for f in form_for("scripts")["fields"]}
    scene = {f["key"]: f["node"] for f in script["scenes"]["item"]["fields"]}
    assert scene["lines"]["item"] == {"t": "scriptline"}
    pack = {f["key"]: f["node"] for f in form_for("packs")["fields"]}
    assert pack["items"]["item"]["t"] == "packitem" and pack["audience"] == {"t": "audience"}
    # The page's pack item picker reads its choices from here, not from a copy of its own.
    assert pack["items"]["item"]["items"][0] == ["poster", "海报", "scenarios"]


def test_saving_changes_only_what_changed():
    from outreach.preview.editor.forms import typed_values
    from outreach.project.yamledit import merged_text

    values = yaml.safe_load(HAND_WRITTEN)
    values = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}
    values["laws"][0]["article"] = "266"
    assert merged_text(HAND_WRITTEN, typed_values("scenarios", values)) == HAND_WRITTEN   # nothing changed

    values["title"] = "当心虚假网贷"
    values["signs"].append("要你下载陌生App")
    values["review_by"] = "2027-12-31"
    values["story"] = "第一行\n第二行改了"
    values["audiences"] = ["worker", "rural", "elderly"]
    new = {}
    for key, value in values.items():
        new[key] = value
        if key == "summary":
            new["quote"] = "先交钱的都是诈骗"
    text = merged_text(HAND_WRITTEN, typed_values("scenarios", new))
    assert re.search(r"\ntitle: 当心虚假网贷 +# 标题后的注释\n", text)   # the comment keeps its column
    assert "# 第一行以外的注释也要留住" in text and "  # 这一条来自派出所的案例\n" in text
    assert 'summary: "骗子以“低利息”为诱饵。"\n' in text          # quoting kept
    assert "audiences: [worker, rural, elderly]\n" in text       # flow style kept
    assert "review_by: 2027-12-31\n" in text                     # a date, not a quoted string
    assert "story: |-\n  第一行\n  第二行改了\n" in text
    assert "  - 要你下载陌生App\n" in text
    assert 'article: "266"' in text
    assert text.index("quote:") < text.index("signs:")         # a new key where the form has it
    assert yaml.safe_load(text)["review_by"] == dt.date(2027, 12, 31)

    del new["story"]
    new["signs"] = new["signs"][1:]
    text = merged_text(HAND_WRITTEN, typed_values("scenarios", new))
    assert "story:" not in text and "收到“免抵押”的短信" not in text


def test_new_file_gets_the_header():
    from outreach.project.yamledit import merged_text

    text = merged_text(None, {"title": "标题", "body": "一行\n两行"}, header="# yaml-language-server: x")
    assert text.startswith("# yaml-language-server: x\ntitle: 标题\nbody: |-\n")


def test_problems_point_at_their_field():
    from outreach.preview.editor.workbench import field_at, problem_dict
    from outreach.project.diagnostics import error
    from outreach.project.yamlsource import parse_yaml

    _, source, _ = parse_yaml(HAND_WRITTEN.encode("utf-8"), "content/scenarios/x.yaml")
    lines = HAND_WRITTEN.splitlines()
    line_of = {text.split(":")[0].strip(): number for number, text in enumerate(lines, 1)}
    assert field_at(source, line_of["title"], 1) == ["title"]
    assert field_at(source, line_of["title"], 10) == ["title"]
    second_sign = lines.index("  - 要先交解冻费") + 1
    assert field_at(source, second_sign, 5) == ["signs", 1]
    assert field_at(source, line_of["- law"], 5)[:2] == ["laws", 0]
    assert field_at(source, 0, 0) == []
    shown = problem_dict(error("x", second_sign, 5, "pii", "个人信息"), source)
    assert shown["path"] == ["signs", 1] and shown["severity"] == "error"


def test_settings_keep_comments_and_leave_defaults_out(tmp_path):
    from outreach.preview.editor.settings import current_values, merged_config

    text = ('# 配置\n[project]\nname = "示例"\norganisation = "示例分局"  # 单位\nsms_signature = "【示例】"\n\n'
            '[[project.hotlines]]\nnumber = "110"\nlabel = "报警电话"\n\n[channels.demo]\ntype = "wecom"\nurl_env = "X"\n')
    (tmp_path / "outreach.toml").write_text(text, encoding="utf-8")
    values, _ = current_values(tmp_path)
    assert values["theme"]["primary_color"] == "#c8102e" and values["project"]["hotlines"][0]["number"] == "110"
    assert merged_config(text, values) == text      # untouched: byte for byte
    values["project"]["organisation"] = "城关派出所"
    values["project"]["hotlines"].append({"number": "96110", "label": "反诈专线"})
    values["theme"]["accent_color"] = "#ffcc00"
    result = merged_config(text, values)
    assert '# 配置\n' in result and "[channels.demo]" in result
    assert 'organisation = "城关派出所"' in result
    parsed = tomllib.loads(result)
    assert [h["number"] for h in parsed["project"]["hotlines"]] == ["110", "96110"]
    assert parsed["theme"] == {"accent_color": "#ffcc00"}   # defaults stay out of the file


@pytest.mark.parametrize("threads", [0, 1])
def test_a_process_with_threads_spawns_its_workers(threads):
    from outreach.engine.executors.local import _context

    stop = threading.Event()
    extra = [threading.Thread(target=stop.wait) for _ in range(threads)]
    for thread in extra:
        thread.start()
    try:
        expected = "spawn" if threading.active_count() > 1 else "fork"
        assert _context().get_start_method() == expected
    finally:
        stop.set()
        for thread in extra:
            thread.join()


def test_a_windows_file_keeps_its_bom_and_line_ends():
    from outreach.project.yamledit import merged_text

    text = "\ufeff# 注释\r\ntitle: 旧标题\r\nsigns:\r\n  - 一\r\n"
    assert merged_text(text, {"title": "旧标题", "signs": ["一"]}) == text
    assert merged_text(text, {"title": "新标题", "signs": ["一", "二"]}) == \
        "\ufeff# 注释\r\ntitle: 新标题\r\nsigns:\r\n  - 一\r\n  - 二\r\n"


def test_a_windows_config_keeps_its_line_ends():
    from outreach.preview.editor.settings import merged_config

    text = '# 配置\r\n[project]\r\nname = "示例"\r\n'
    result = merged_config(text, {"project": {"name": "示例", "app": "国家反诈中心"}, "theme": {"qr_url": "https://example.org/"}})
    assert result == text + '\r\n[theme]\r\nqr_url = "https://example.org/"\r\n'   # the default app stays out


JARGON = re.compile(r"[a-z]+_[a-z_]+|outreach\.toml|\[[a-z]+\]|\b(single|multiple|truefalse|mainland|status|role)\b")


def _texts(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("help", "label") and isinstance(value, str):
                yield value
            else:
                yield from _texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value)


def test_form_help_and_labels_use_no_keys_or_config_paths():
    from outreach.preview.editor import settings
    from outreach.preview.editor.forms import form_for, kind_labels
    from outreach.preview.editor.plain import plain_form

    shown = [(kind, text) for kind in kind_labels() for text in _texts(plain_form(form_for(kind), kind))]
    shown += [("settings", text) for text in _texts(plain_form(settings.settings_form(), "settings"))]
    assert [(kind, text) for kind, text in shown if JARGON.search(text)] == []


@pytest.mark.parametrize("message, kind, expected", [
    ("审核状态是“已审核”时必须写审核人 reviewed_by 和审核日期 reviewed_on。", "scenarios", "必须写“审核人”和“审核日期”。"),
    ("超过上限 2 条（outreach.toml [sms] max_parts）", "scenarios", "项目设置里的“一条短信最多拆成几条计费”"),
    ("请把 sms 字段里手写的短信删减至少 77 字。", "scenarios", "请把“手写的短信文本”里"),
    ("题型是 truefalse 时答案只能是 true 或 false", "quizzes", "题型是判断时答案只能是“对”或“错”"),
    ("链接 https://example.com/a_b/fake-loan 不对", "scenarios", "https://example.com/a_b/fake-loan"),
])
def test_messages_are_put_in_the_forms_words(message, kind, expected):
    from outreach.preview.editor.plain import plain

    assert expected in plain(message, kind)
