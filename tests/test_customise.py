"""Volunteers customising: init, new, template ejection and diff, Traditional Chinese output."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, build_project, check, pdf_text

from outreach.core import clock


def outreach(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "outreach", *args], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_init_then_build_works_at_once(tmp_path):
    result = outreach("init", "demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    root = tmp_path / "demo"
    for name in ("outreach.toml", "content/scenarios/fake-loan.yaml", "content/tips/answer-96110.yaml",
                 "content/quizzes/community-basics.yaml", "content/scripts/talk-track-refund.yaml",
                 "content/packs/community.yaml", "content/stations.csv", "templates", ".gitignore", "README.md"):
        assert (root / name).exists(), name
    assert list((root / "content/newsletters").glob("*.yaml"))
    # No example names or dates: blanks that check points at, and today's date.
    config = (root / "outreach.toml").read_text(encoding="utf-8")
    assert "示例" not in config.split("[lint]")[0] and "2026-11-20" not in config
    assert f"published = {clock.today().isoformat()}" in config and 'title = "demo反诈宣传素材"' in config
    assert [(d.file, d.line, d.severity.value, d.code) for d in check(root)] == \
        [("outreach.toml", 6, "warning", "unfilled"), ("outreach.toml", 7, "warning", "unfilled")]
    built = outreach("build", "-q", cwd=root)
    assert built.returncode == 0, built.stderr
    assert (root / "build/posters/fake-loan.pdf").exists() and (root / "build/packs/community.pdf").exists()
    assert (root / "build/quiz/community-basics/index.html").exists()


def test_init_takes_the_units_own_names(tmp_path):
    result = outreach("init", "mine", "--organisation", "北山市公安局东城分局", "--signature", "东城派出所", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    config = (tmp_path / "mine/outreach.toml").read_text(encoding="utf-8")
    assert 'organisation = "北山市公安局东城分局"' in config and 'sms_signature = "【东城派出所】"' in config
    assert check(tmp_path / "mine") == []


def test_init_example_has_the_full_starter_library(tmp_path):
    assert outreach("init", "full", "--example", "--organisation", "示例分局", "--signature", "【示例所】",
                    cwd=tmp_path).returncode == 0
    root = tmp_path / "full"
    assert len(list((root / "content/scenarios").glob("*.yaml"))) == len(list((REPO / "content/scenarios").glob("*.yaml")))
    assert check(root) == []


def test_init_refuses_an_existing_project(tmp_path):
    assert outreach("init", "demo", cwd=tmp_path).returncode == 0
    again = outreach("init", "demo", cwd=tmp_path)
    assert again.returncode == 1 and "不会覆盖" in again.stderr


@pytest.mark.slow
@pytest.mark.parametrize("kind, folder", [("scenario", "scenarios"), ("tip", "tips"), ("quiz", "quizzes"),
                                          ("script", "scripts"), ("pack", "packs")])
def test_new_skeleton_fails_check_until_filled(project, kind, folder):
    result = outreach("new", kind, "my-new-item", cwd=project)
    assert result.returncode == 0, result.stderr
    path = project / f"content/{folder}/my-new-item.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../build/schema/")
    unfilled = [d for d in check(project) if d.file == f"content/{folder}/my-new-item.yaml"]
    assert unfilled and all(d.code == "unfilled" for d in unfilled)
    assert unfilled[0].line > 1
    filled = re.sub(r"（请填写[^）]*）", "反诈宣传测试内容", text)
    path.write_text(filled, encoding="utf-8")
    assert [d for d in check(project) if d.file == f"content/{folder}/my-new-item.yaml"] == []


@pytest.mark.slow
def test_new_refuses_to_overwrite_and_bad_ids(project):
    again = outreach("new", "scenario", "fake-loan", cwd=project)
    assert again.returncode == 1 and "不会覆盖" in again.stderr
    bad = outreach("new", "scenario", "Bad_Id", cwd=project)
    assert bad.returncode == 1 and "编号" in bad.stderr
    unknown = outreach("new", "poster", "x", cwd=project)
    assert unknown.returncode == 1 and "scenario" in unknown.stderr


@pytest.mark.slow
def test_templates_list_eject_edit_build_diff(mini_project):
    listed = outreach("templates", "list", cwd=mini_project)
    assert listed.returncode == 0
    assert re.search(r"^poster\.html\s+海报", listed.stdout, re.M) and "css/poster.css" in listed.stdout
    ejected = outreach("templates", "eject", "partials/hotlines.html", cwd=mini_project)
    assert ejected.returncode == 0 and (mini_project / "templates/partials/hotlines.html").exists()
    assert "[已覆盖]" in outreach("templates", "list", cwd=mini_project).stdout
    copy = mini_project / "templates/partials/hotlines.html"
    copy.write_text(copy.read_text(encoding="utf-8").replace("{{ app_line }}", "{{ app_line }}，本所提醒您"), encoding="utf-8")
    assert build_project(mini_project, only=("posters",)).ok
    assert "本所提醒您" in pdf_text(mini_project / "build/posters/fake-loan.pdf")
    diff = outreach("templates", "diff", cwd=mini_project)
    assert "+<p class=\"app-line\">{{ app_line }}，本所提醒您</p>" in diff.stdout
    refused = outreach("templates", "eject", "partials/hotlines.html", "poster.htm", cwd=mini_project)
    assert refused.returncode == 1 and "不会覆盖" in refused.stderr and "poster.html" in refused.stderr


@pytest.mark.slow
def test_traditional_chinese_build(mini_project):
    result = build_project(mini_project, only=("posters", "texts", "tips"), locale="zh-Hant")
    assert result.ok, result.failures
    text = (mini_project / "build/zh-Hant/texts/card-renting.txt").read_text(encoding="utf-8")
    assert "詐騙" in text and "銀行卡" in text and "诈骗" not in text
    assert "《刑法》第二百八十七條之二" in text
    poster = pdf_text(mini_project / "build/zh-Hant/posters/card-renting.pdf")
    assert "出租出借銀行卡違法" in poster and "國家反詐中心" in poster
    feed = (mini_project / "build/zh-Hant/feed.json").read_text(encoding="utf-8")
    assert '"language": "zh-Hant"' in feed and "詐騙" in feed
    # The Simplified build lives beside it untouched.
    assert build_project(mini_project, only=("posters", "texts")).ok
    assert (mini_project / "build/zh-Hant/posters/card-renting.pdf").exists()
    assert "诈骗" in (mini_project / "build/texts/card-renting.txt").read_text(encoding="utf-8")


@pytest.mark.slow
def test_traditional_chinese_from_config_and_law_names(project):
    config = project / "outreach.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('locale = "zh-Hans"', 'locale = "zh-Hant"'), encoding="utf-8")
    assert build_project(project, only=("tips",)).ok
    tip = pdf_text(project / "build/zh-Hant/tips/card-renting-crime.pdf")
    assert "《中華人民共和國反電信網絡詐騙法》第三十一條" in re.sub(r"\s+", "", tip)


@pytest.mark.slow
def test_repository_is_laid_out_like_a_new_project(tmp_path):
    """The repository doubles as the example project: it has the templates/ a new project gets,
    with notes and one real override that the example's texts use."""
    assert (REPO / "templates/README.md").is_file() and (REPO / "templates/texts/hotlines.txt").is_file()
    assert outreach("init", "fresh", "--organisation", "示例分局", "--signature", "【示例所】", cwd=tmp_path).returncode == 0
    assert (tmp_path / "fresh/templates/README.md").is_file()
    example = tmp_path / "example"
    shutil.copytree(REPO / "content", example / "content")
    shutil.copytree(REPO / "templates", example / "templates")
    shutil.copy(REPO / "outreach.toml", example / "outreach.toml")
    assert check(example) == []      # the notes in templates/ are not read as a template
    assert build_project(example, only=("texts",)).ok
    text = (example / "build/texts/fake-loan.txt").read_text(encoding="utf-8")
    assert text.rstrip().endswith("（示例素材：发布前请把单位、签名和电话换成本单位的信息）")
    assert "全国反诈预警劝阻专线：96110" in text          # the built-in part is still there
    diff = outreach("templates", "diff", cwd=example)
    assert "texts/hotlines.txt" in diff.stdout and "README" not in diff.stdout
