"""The starter library is real content and the fixture of record: it must stay complete and clean."""

from __future__ import annotations

import re

from conftest import REPO

from outreach.checks.lint import lint_library
from outreach.project.kinds import SCHEMA_NAMES
from outreach.project.loader import load_library


def library():
    lib, diagnostics = load_library(REPO)
    assert lib is not None
    return lib, diagnostics


def test_no_errors_and_no_warnings():
    lib, diagnostics = library()
    diagnostics.extend(lint_library(lib))
    assert diagnostics.sorted() == []


def test_required_coverage():
    lib, _ = library()
    assert len(lib.scenarios) >= 14
    categories = " ".join(s.category + s.title for s in lib.scenarios.values())
    for topic in ("刷单", "投资", "贷款", "客服", "公检法", "征信", "游戏", "婚恋", "领导", "购物", "养老", "银行卡", "AI", "医保"):
        assert topic in categories, topic
    assert len(lib.tips) >= 10
    assert len(lib.quizzes) >= 2
    assert sum(len(q.questions) for q in lib.quizzes.values()) >= 36
    forms = [s.form for s in lib.scripts.values()]
    for form in ("三句半", "快板", "小品"):
        assert form in forms
    assert forms.count("劝阻话术") >= 2
    assert {p.audience for p in lib.packs.values()} >= {"elderly", "student", "merchant"}
    assert lib.stations and all("虚构" in s.name for s in lib.stations)


def test_required_law_articles():
    lib, _ = library()
    criminal = lib.laws["criminal-law"]
    assert criminal.title == "中华人民共和国刑法"
    assert {a.key for a in criminal.articles} >= {"266", "253之一", "287之一", "287之二"}
    assert criminal.article("266").number == "第二百六十六条"
    assert criminal.article("266").text.startswith("诈骗公私财物，数额较大的")
    anti = lib.laws["anti-telecom-fraud"]
    assert anti.title == "中华人民共和国反电信网络诈骗法"
    assert anti.article("2").text.startswith("本法所称电信网络诈骗，是指以非法占有为目的")


def test_every_starter_file_has_the_schema_modeline():
    for kind, name in SCHEMA_NAMES.items():
        for path in (REPO / "content" / kind).rglob("*.yaml"):
            first = path.read_text(encoding="utf-8").splitlines()[0]
            depth = len(path.relative_to(REPO).parts) - 1
            assert first == f"# yaml-language-server: $schema={'../' * depth}build/schema/{name}.json", path


def test_no_personal_numbers_anywhere_in_content():
    config = (REPO / "outreach.toml").read_text(encoding="utf-8")
    fictional = set(re.findall(r'"(\d[\d-]+)"', config))
    for path in (REPO / "content").rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            for number in re.findall(r"(?<!\d)1[3-9]\d{9}(?!\d)", text):
                assert number in fictional, (path, number)


def test_hotlines_and_app_are_the_official_ones():
    lib, _ = library()
    assert [h.number for h in lib.config.project.hotlines] == ["110", "96110"]
    assert lib.config.project.app == "国家反诈中心"
