"""Issue 25 item 14: station packs an earlier `--stations` build left in build/ never go on
printing a previous officer's name once the station sheet changes, and turning station
outputs on or off does not make them look outdated."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import build_project, edit

pytestmark = pytest.mark.slow   # builds or servers in most tests (README, 测试)


SHEET = "content/stations.csv"
STATION_FILES = ["stations/test-east/contact-cards.pdf", "stations/test-east/fixture.pdf"]


def outputs(root) -> set[str]:
    return {e["path"] for e in json.loads((root / "build/manifest.json").read_text(encoding="utf-8"))["outputs"]}


def test_a_changed_sheet_removes_the_old_station_packs_when_stations_are_off(fixture_project):
    root = fixture_project
    assert build_project(root, stations=True).ok
    assert set(STATION_FILES) <= outputs(root)
    edit(root / SHEET, "李警官（虚构）", "王警官（虚构）")

    run = subprocess.run([sys.executable, "-m", "outreach", "build", "-j", "1"], cwd=root, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert ("站点表已修改，旧的派出所资料包已删除（1 个派出所）；要重新生成请运行 outreach build --stations，"
            "或在 outreach.toml 设 [stations] enabled = true。") in run.stderr
    assert not (root / "build/stations").exists()
    assert not {p for p in outputs(root) if p.startswith("stations/")}

    rebuilt = build_project(root, stations=True)     # and back when asked for, with the new officer
    assert sorted(rebuilt.built) == ["stations/test-east", "stickers/test-east"]   # its packs and its sticker sheet


def test_an_unchanged_sheet_keeps_the_station_packs_and_on_off_rebuilds_nothing(fixture_project):
    root = fixture_project
    assert build_project(root, stations=True).ok
    before = {p: (root / "build" / p).read_bytes() for p in STATION_FILES}
    result = build_project(root)                          # stations off, nothing changed
    assert result.ok and not result.noop and result.built == [] and not result.notices and not result.removed
    assert {p: (root / "build" / p).read_bytes() for p in STATION_FILES} == before
    # [stations] enabled = true is the same as --stations: no station pack looks outdated for it.
    with open(root / "outreach.toml", "a", encoding="utf-8") as handle:
        handle.write("\n[stations]\nenabled = true\n")
    assert "stations/test-east" in build_project(root, only=("posters", "stations")).unchanged


def test_a_changed_pack_removes_the_station_packs_built_from_the_old_one(fixture_project):
    root = fixture_project
    assert build_project(root, stations=True).ok
    edit(root / "content/packs/fixture.yaml", "title: 测试用资料包", "title: 测试资料包")
    result = build_project(root)
    assert result.ok and "packs/fixture" in result.built
    assert result.notices and result.notices[0].startswith("资料包、模板或设置已修改，旧的派出所资料包已删除")
    assert not (root / "build/stations").exists()


def test_a_broken_pack_keeps_the_last_good_station_packs(fixture_project):
    root = fixture_project
    assert build_project(root, stations=True).ok
    before = {p: (root / "build" / p).read_bytes() for p in STATION_FILES}
    edit(root / "content/packs/fixture.yaml", "title: 测试用资料包", "title: （请填写）")
    result = build_project(root, stations=True)
    [item] = result.skipped
    assert item.file == "content/packs/fixture.yaml" and set(STATION_FILES) <= set(item.kept)
    assert {p: (root / "build" / p).read_bytes() for p in STATION_FILES} == before
    assert set(STATION_FILES) <= outputs(root)


def test_a_new_unfilled_pack_holds_no_station_pack_back(fixture_project):
    from outreach.scaffold.create import new_item

    root = fixture_project
    assert build_project(root, stations=True).ok
    before = {p: (root / "build" / p).read_bytes() for p in STATION_FILES}
    new_item(root, "pack", "new-pack")
    result = build_project(root, stations=True)
    assert [(item.file, item.kept) for item in result.skipped] == [("content/packs/new-pack.yaml", ())]
    assert "stations/test-east" in result.unchanged and not result.removed
    assert {p: (root / "build" / p).read_bytes() for p in STATION_FILES} == before
