"""outreach.toml mistakes: whole sentences that say what is expected, in Chinese, located."""

from __future__ import annotations

import re

import pytest
from conftest import write

from outreach.project.config import ProjectConfig, load_config
from outreach.project.kinds import KIND_MODELS
from outreach.project.models import ID_PATTERN
from outreach.project.validation import PATTERN_HINTS

BASE = '[project]\nname = "测试"\norganisation = "示例分局"\nsms_signature = "【示例派出所】"\n'


def problems(tmp_path, text: str) -> list:
    write(tmp_path, "outreach.toml", text)
    config, found = load_config(tmp_path)
    assert config is None
    return found


def _patterns(schema: dict) -> set[str]:
    found = set()
    if isinstance(schema, dict):
        if isinstance(schema.get("pattern"), str):
            found.add(schema["pattern"])
        for value in schema.values():
            found |= _patterns(value)
    elif isinstance(schema, list):
        for value in schema:
            found |= _patterns(value)
    return found


def test_every_pattern_in_config_and_content_has_a_chinese_explanation():
    used = _patterns(ProjectConfig.model_json_schema())
    for model in KIND_MODELS.values():
        used |= _patterns(model.model_json_schema())
    assert used - {ID_PATTERN} <= set(PATTERN_HINTS), used - set(PATTERN_HINTS)   # ids have their own message


@pytest.mark.parametrize("setting, words", [
    ('[theme]\naccent_color = "#ffd40"\n', ["#ffd40", "十六进制", "例如 #ffd400。"]),
    ('[channels.x]\ntype = "wecom"\nurl_env = "X"\nrate = "fast"\n', ["fast", "20/min", "5/s。"]),
    ('[channels.x]\ntype = "wecom"\nurl_env = "1X"\n', ["环境变量名", "例如 OUTREACH_WECOM_URL。"]),
    ('[feed]\ntimezone = "8"\n', ["例如 +08:00。"]),
])
def test_format_errors_are_whole_sentences_with_an_example(tmp_path, setting, words):
    [problem] = problems(tmp_path, BASE + setting)
    assert problem.code == "bad-value" and problem.line > 4
    assert all(word in problem.message for word in words), problem.message


@pytest.mark.parametrize("text, line, column, words", [
    ('[project\nname = "x"\n', 1, 9, ["右方括号"]),
    ('[project]\nname = 测试\n', 2, 8, ["英文双引号"]),
    ('[project]\nname "测试"\n', 2, 6, ["缺少“=”"]),
    ('[project]\nname = "测试\n', 2, 11, ["缺少结尾的英文双引号"]),
    ('[project]\nname = "a"\nname = "b"\n', 3, 11, ["只能写一次"]),
    ('[theme]\n[theme]\n', 2, 7, ["[theme] 重复"]),
    ('[posters]\nsizes = ["A4"\n', 2, 14, ["列表"]),
])
def test_toml_syntax_errors_are_in_chinese(tmp_path, text, line, column, words):
    [problem] = problems(tmp_path, text)
    assert problem.code == "toml-syntax" and (problem.line, problem.column) == (line, column)
    assert all(word in problem.message for word in words), problem.message
    assert not re.search(r"Expected|Invalid|Cannot|Unclosed|Unterminated|Found|Illegal|Duplicate|\(at ",
                         problem.message), problem.message


def test_a_setting_found_too_long_at_layout_is_located_at_its_line(tmp_path):
    """Renderers that find a setting too long only when they lay it out (a deck's hotline label,
    a tent's title) point at its line in outreach.toml, or at the table that holds it."""
    from outreach.project.config import config_position

    (tmp_path / "outreach.toml").write_text(
        '[project]\nname = "示例"\n\n[[project.hotlines]]\nnumber = "110"\nlabel = "报警电话"\n\n'
        '[[project.hotlines]]\nnumber = "96110"\n  label = "全国反诈预警劝阻专线"\n\n[tents]\n', encoding="utf-8")
    assert config_position(tmp_path, ("project", "hotlines", 1, "label")) == (10, 3)
    assert config_position(tmp_path, ("project", "hotlines", 0, "number")) == (5, 1)
    assert config_position(tmp_path, ("tents", "title")) == (12, 1)          # not set: its table
    assert config_position(tmp_path, ("project", "app_line")) == (1, 1)      # not set: [project]
    assert config_position(tmp_path / "missing", ("project",)) == (0, 0)
