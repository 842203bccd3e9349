"""Issue 25 item 11: one unfinished or broken item no longer blocks every rebuild.

Items whose own files have errors (and what uses them) are left out and listed with their
located errors; everything else is built; their last good outputs stay in build/; the build
fails (exit 1) so CI notices."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import build_project, edit, write

from outreach.scaffold.create import new_item

pytestmark = pytest.mark.slow   # builds or servers in most tests (README, 测试)


FCS = "content/scenarios/fake-customer-service.yaml"
TEXTS_AND_POSTERS = ("posters", "texts")


def manifest(root) -> dict:
    return json.loads((root / "build/manifest.json").read_text(encoding="utf-8"))


def skipped_by_file(result) -> dict:
    return {item.file: item for item in result.skipped}


def test_a_broken_item_and_a_new_placeholder_block_nothing_else(fixture_project):
    root = fixture_project
    assert build_project(root, only=TEXTS_AND_POSTERS).ok
    poster = (root / "build/posters/fake-customer-service.pdf").read_bytes()
    feed = (root / "build/feed.json").read_bytes()

    edit(root / FCS, "title: 冒充电商物流客服", 'title: ""')             # a previously good item breaks
    new_item(root, "scenario", "new-1")                                  # a fresh, unfilled placeholder
    edit(root / "content/scenarios/impersonating-police.yaml", "title: ", "title: 警惕")   # and real work goes on

    result = build_project(root, only=TEXTS_AND_POSTERS)
    assert {"posters/impersonating-police", "texts/impersonating-police"} <= set(result.built)
    assert not result.ok and not result.fatal
    skipped = skipped_by_file(result)
    assert {FCS, "content/scenarios/new-1.yaml"} <= set(skipped)
    broken = skipped[FCS]
    assert broken.label == "诈骗类型 fake-customer-service" and broken.where == f"{FCS}:2:8"
    assert "不能为空" in broken.why()
    # Its last good outputs stay exactly as they were, and the build says which they are;
    # feed.json listed it, so the feed keeps its last good version too.
    assert (root / "build/posters/fake-customer-service.pdf").read_bytes() == poster
    assert (root / "build/feed.json").read_bytes() == feed
    assert {"posters/fake-customer-service.pdf", "texts/fake-customer-service.sms.txt", "feed.json"} <= set(broken.kept)
    assert "上次成功生成" in broken.describe()
    assert broken.messages[0].startswith(f"{FCS}:2:8 ")
    # One line for the editor's status and the terminal, with the first problem located.
    from outreach.engine.report import summary

    assert summary(result).startswith(f"已更新 {len(result.built)} 个目标；跳过 {len(result.skipped)} 项（内容有错误）：")
    assert f"诈骗类型 fake-customer-service（{FCS}:2:8 " in summary(result)
    paths = {entry["path"] for entry in manifest(root)["outputs"]}
    assert "posters/fake-customer-service.pdf" in paths and "feed.json" in paths
    # The placeholder was never built: it holds nothing back and keeps nothing.
    assert skipped["content/scenarios/new-1.yaml"].kept == ()
    assert not (root / "build/posters/new-1.pdf").exists()
    # A script about the broken scenario, and the pack listing that script, wait for it.
    assert skipped["content/scripts/talk-track-refund.yaml"].blocked_by == (("诈骗类型 fake-customer-service", FCS),)
    assert "content/packs/fixture.yaml" in skipped

    # Fixed as it was: its outputs are already right; the feed now takes the other edit in.
    edit(root / FCS, 'title: ""', "title: 冒充电商物流客服")
    again = build_project(root, only=TEXTS_AND_POSTERS)
    assert "posters/fake-customer-service" in again.unchanged and "texts/feed" in again.built
    assert [item.file for item in again.skipped] == ["content/scenarios/new-1.yaml"]


def test_a_pack_listing_a_broken_item_keeps_its_last_good_version(fixture_project):
    root = fixture_project
    kinds = ("posters", "tips", "quiz", "scripts", "packs")
    assert build_project(root, only=kinds).ok
    pack = (root / "build/packs/fixture.pdf").read_bytes()
    edit(root / "content/scenarios/fake-loan.yaml", "quote: ", "quote: （请填写）")
    edit(root / "content/tips/answer-96110.yaml", "title: ", "title: 提示：")

    result = build_project(root, only=kinds)
    assert "tips/answer-96110" in result.built and "packs/fixture" not in result.built
    skipped = skipped_by_file(result)
    assert skipped["content/scenarios/fake-loan.yaml"].reasons[0].code == "unfilled"
    item = skipped["content/packs/fixture.yaml"]
    assert item.reasons == () and item.blocked_by == (("诈骗类型 fake-loan", "content/scenarios/fake-loan.yaml"),)
    # The pack's files, and those of every kind made from the pack as a whole (roll-up, leaflet …).
    assert {"packs/fixture.pdf", "packs/fixture.zip", "packs/fixture/打印说明.txt"} <= set(item.kept)
    assert all("fixture" in path.rsplit("/", 1)[-1] or path.startswith("packs/fixture/") for path in item.kept), item.kept
    assert (root / "build/packs/fixture.pdf").read_bytes() == pack


def test_cli_lists_what_it_skipped_with_locations_and_fails(mini_project):
    run = [sys.executable, "-m", "outreach", "build", "-j", "1"]
    created = subprocess.run([sys.executable, "-m", "outreach", "new", "scenario", "new-1"], cwd=mini_project,
                             capture_output=True, text=True)
    assert created.returncode == 0, created.stderr
    first = subprocess.run(run, cwd=mini_project, capture_output=True, text=True)
    assert first.returncode == 1
    assert "content/scenarios/new-1.yaml:4:8: error[unfilled]" in first.stdout            # every error, as check does
    assert "诈骗类型 new-1：content/scenarios/new-1.yaml:4:8 这里还没有填写" in first.stderr   # what was left out
    assert first.stdout.splitlines()[-1].startswith("完成：生成 9 个") and "跳过 1 项" in first.stdout
    assert (mini_project / "build/posters/fake-loan.pdf").exists()
    assert "Traceback" not in first.stderr

    # Nothing changed: still fast (no WeasyPrint), still says what is left out, still fails.
    again = subprocess.run([sys.executable, "-X", "importtime", *run[1:]], cwd=mini_project, capture_output=True, text=True)
    assert again.returncode == 1 and again.stdout.startswith("没有变化")
    assert "content/scenarios/new-1.yaml:4:8" in again.stderr
    imported = {line.split("|")[-1].strip() for line in again.stderr.splitlines() if "|" in line}
    assert "weasyprint" not in imported
    code = ("import sys\nfrom pathlib import Path\nfrom outreach.engine.build import build\n"
            "from outreach.buildspec.options import BuildOptions\n"
            f"result = build(Path({str(mini_project)!r}), BuildOptions())\n"
            "print(result.noop, [i.where for i in result.skipped], 'outreach.project.models' in sys.modules)\n")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split() == [
        "True", "['content/scenarios/new-1.yaml:4:8']", "False"]


def test_a_duplicate_file_is_left_out_but_the_first_one_builds(mini_project):
    original = (mini_project / "content/scenarios/fake-loan.yaml").read_text(encoding="utf-8")
    write(mini_project, "content/scenarios/fake-loan.yml", original)
    result = build_project(mini_project, only=("posters",))
    assert sorted(result.built) == ["posters/card-renting", "posters/fake-loan"]
    assert [(item.file, item.reasons[0].code) for item in result.skipped] == [
        ("content/scenarios/fake-loan.yml", "duplicate-id")]


def test_a_broken_outreach_toml_still_stops_the_build(mini_project):
    edit(mini_project / "outreach.toml", "[theme]", "[theme")
    result = build_project(mini_project, only=("posters",))
    assert result.fatal and result.fatal[0].file == "outreach.toml" and not result.built
    assert not (mini_project / "build/posters").exists()


def test_references_agree_with_the_reference_checks(fixture_project):
    """library.references() (what the build leaves out along with a broken item) names exactly
    what refs.py checks: removing any item makes the checks complain about precisely the items
    whose references() name it."""
    from outreach.project.library import references
    from outreach.project.loader import load_library
    from outreach.project.refs import check_references

    write(fixture_project, "content/newsletters/2026-11-20.yaml", """
        date: 2026-11-20
        title: 反诈警务手机报
        cases:
          - title: 测试案例
            text: 辖区张某接到自称客服的电话。
        focus: [fake-loan]
        tips: [answer-96110]
        """)
    library, diagnostics = load_library(fixture_project)
    assert library is not None and not diagnostics.has_errors(), diagnostics.errors
    items = list(library.all_items())
    assert {item.kind for item in items if references(item)} == {
        "scenarios", "tips", "quizzes", "scripts", "packs", "newsletters"}
    for gone in items:
        smaller = library.without({gone.path})
        complained = {d.file for d in check_references(smaller) if d.code == "missing-ref"}
        expected = {item.path for item in smaller.all_items() if (gone.kind, gone.id) in references(item)}
        assert complained == expected, gone.path


@pytest.mark.slow
def test_pool_workers_render_without_the_items_left_out(mini_project):
    """Pool workers load the library themselves: they must not see an item the build left out
    (the feed listed it, read it undeclared and failed — the editor's save showed that)."""
    created = subprocess.run([sys.executable, "-m", "outreach", "new", "scenario", "new-1"], cwd=mini_project,
                             capture_output=True, text=True)
    assert created.returncode == 0, created.stderr
    path = mini_project / "content/scenarios/new-1.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: （请填写", "title: 冒充快递理赔\n# （请填写", 1),
                    encoding="utf-8")
    built = subprocess.run([sys.executable, "-m", "outreach", "build", "-j", "2", "--only", "texts"], cwd=mini_project,
                           capture_output=True, text=True)
    assert built.returncode == 1 and "跳过 1 项" in built.stdout, built.stdout + built.stderr
    assert "失败 0 个" in built.stdout and "内部错误" not in built.stderr, built.stderr
    feed = json.loads((mini_project / "build/feed.json").read_text(encoding="utf-8"))
    assert [item["id"] for item in feed["items"]] == ["outreach:scenarios/card-renting", "outreach:scenarios/fake-loan"]
