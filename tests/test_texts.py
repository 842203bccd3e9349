"""Texts for phones and groups: SMS limits, plain/Markdown limits, newsletter, JSON Feed."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil

import pytest
from conftest import REPO, build_project, edit, write

from outreach.rendering.sms import count


@pytest.fixture(scope="module")
def starter_texts(built_starter):
    return built_starter


def test_every_scenario_has_its_three_texts_within_limits(starter_texts):
    scenarios = sorted(p.stem for p in (REPO / "content/scenarios").glob("*.yaml"))
    for scenario in scenarios:
        texts = starter_texts / "build/texts"
        message = (texts / f"{scenario}.sms.txt").read_text(encoding="utf-8").strip()
        assert message.startswith("【示例派出所】") and "\n" not in message
        assert count(message).parts <= 2
        assert len((texts / f"{scenario}.wecom.md").read_bytes()) <= 4096
        assert len((texts / f"{scenario}.txt").read_bytes()) <= 2048
        plain = (texts / f"{scenario}.txt").read_text(encoding="utf-8")
        assert "识别要点" in plain and "96110" in plain and "国家反诈中心" in plain


def test_newsletter_has_its_sections(starter_texts):
    for suffix in ("txt", "md"):
        text = (starter_texts / f"build/texts/newsletter-2026-11-20.{suffix}").read_text(encoding="utf-8")
        positions = [text.index(section) for section in ("近期发案情况", "防范要点", "防范小贴士", "反诈热线")]
        assert positions == sorted(positions)
        assert "李女士" in text and "96110" in text
    assert len((starter_texts / "build/texts/newsletter-2026-11-20.txt").read_bytes()) <= 2048


def test_json_feed_is_valid_and_stable(starter_texts):
    feed = json.loads((starter_texts / "build/feed.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"]
    ids = [item["id"] for item in feed["items"]]
    scenarios = len(list((starter_texts / "content/scenarios").glob("*.yaml")))
    assert len(ids) == len(set(ids)) == scenarios + 1   # every scenario and the newsletter
    assert "outreach:scenarios/fake-loan" in ids and ids[0] == "outreach:newsletters/2026-11-20"
    for item in feed["items"]:
        assert item["title"] and item["content_text"] and isinstance(item["tags"], list)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}", item["date_published"])
        dt.datetime.fromisoformat(item["date_published"])
    loan = next(i for i in feed["items"] if i["id"] == "outreach:scenarios/fake-loan")
    assert loan["content_text"] == (starter_texts / "build/texts/fake-loan.txt").read_text(encoding="utf-8")
    assert loan["_outreach"]["sms"] == (starter_texts / "build/texts/fake-loan.sms.txt").read_text(encoding="utf-8").strip()


@pytest.mark.slow
def test_rebuild_is_byte_identical(starter_texts, tmp_path):
    other = tmp_path / "again"
    shutil.copytree(starter_texts, other, ignore=shutil.ignore_patterns("build"))
    assert build_project(other, only=("texts",), jobs=2).ok
    for path in sorted((starter_texts / "build/texts").iterdir()) + [starter_texts / "build/feed.json"]:
        relative = path.relative_to(starter_texts)
        assert path.read_bytes() == (other / relative).read_bytes(), relative


def test_hand_written_sms_overrides_and_gets_the_signature(mini_project):
    path = mini_project / "content/scenarios/fake-loan.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "sms: 贷款前先交钱的都是诈骗，请拨打96110咨询。\n", encoding="utf-8")
    assert build_project(mini_project, only=("texts",)).ok
    assert (mini_project / "build/texts/fake-loan.sms.txt").read_text(encoding="utf-8") == \
        "【示例派出所】贷款前先交钱的都是诈骗，请拨打96110咨询。\n"


def test_too_long_sms_is_a_build_error_naming_length_and_parts(mini_project):
    path = mini_project / "content/scenarios/fake-loan.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "sms: " + "请注意防范电信网络诈骗。" * 12 + "\n", encoding="utf-8")
    result = build_project(mini_project, only=("texts",))
    [failure] = [f for f in result.failures if f.target == "texts/fake-loan"]
    assert failure.file == "content/scenarios/fake-loan.yaml" and failure.line == len(path.read_text().splitlines())
    assert "151 字" in failure.message and "3 条" in failure.message and "上限 2 条" in failure.message


def test_max_parts_from_config(mini_project):
    edit(mini_project / "outreach.toml", "max_parts = 2", "max_parts = 1")
    path = mini_project / "content/scenarios/fake-loan.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "sms: " + "请注意防范电信网络诈骗。" * 6 + "\n", encoding="utf-8")
    [failure] = [f for f in build_project(mini_project, only=("texts",)).failures if f.target == "texts/fake-loan"]
    assert "79 字" in failure.message and "上限 1 条" in failure.message


def test_plain_text_over_2048_bytes_is_an_error(mini_project):
    path = mini_project / "content/scenarios/fake-loan.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"story: \|-\n(  .*\n)+", "story: |-\n  " + "这是一个很长的案例。" * 80 + "\n", text)
    path.write_text(text, encoding="utf-8")
    failures = [f for f in build_project(mini_project, only=("texts",)).failures if f.target == "texts/fake-loan"]
    assert failures and "超过平台上限 2048 字节" in failures[0].message


def test_feed_needs_a_publication_date(mini_project):
    edit(mini_project / "outreach.toml", "published = 2026-11-20\n", "")
    failures = build_project(mini_project, only=("texts",)).failures
    assert [f.target for f in failures] == ["texts/feed"] and "published" in failures[0].message


def test_text_templates_can_be_overridden(mini_project):
    write(mini_project, "templates/texts/sms.txt", "本所提醒：{{ scenario.title }}，请拨打96110。\n")
    assert build_project(mini_project, only=("texts",)).ok
    assert (mini_project / "build/texts/fake-loan.sms.txt").read_text(encoding="utf-8") == \
        "【示例派出所】本所提醒：虚假网络贷款诈骗，请拨打96110。\n"


def test_hand_written_sms_with_its_own_signature_is_not_signed_twice(mini_project):
    from conftest import check, edit

    scenario = mini_project / "content/scenarios/fake-loan.yaml"
    text = scenario.read_text(encoding="utf-8")
    scenario.write_text(text + "sms: 【北山派出所】贷款前先交钱的都是诈骗，请拨打96110咨询。\n", encoding="utf-8")
    warnings = [d for d in check(mini_project) if d.code == "sms-signature"]
    assert len(warnings) == 1 and warnings[0].file == "content/scenarios/fake-loan.yaml"
    assert warnings[0].line == text.count("\n") + 1 and warnings[0].column == 6
    assert "【北山派出所】" in warnings[0].message and "【示例派出所】" in warnings[0].message
    assert build_project(mini_project, only=("texts",)).ok
    sms = (mini_project / "build/texts/fake-loan.sms.txt").read_text(encoding="utf-8")
    assert sms.startswith("【北山派出所】贷款前") and "【示例派出所】" not in sms
    # The project's own signature written by hand is fine and is not doubled either.
    edit(scenario, "sms: 【北山派出所】", "sms: 【示例派出所】")
    assert not [d for d in check(mini_project) if d.code == "sms-signature"]
