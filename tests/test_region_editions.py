"""Region editions in the content file itself: `regions.<region>` rewrites fields or leaves the
item out, is located in that file, survives the editor, and the region warnings name each
field with its exact words (issue 28, item 8)."""

from __future__ import annotations

import re

import pytest
from conftest import build_project, check, edit, pdf_text, regional_qr
from regionfixture import set_regions, without_regions

from outreach.preview.editor.forms import form_for
from outreach.project.loader import load_library
from outreach.project.yamledit import merged_text

STARTER_HOTLINES = re.compile(r"\[\[project\.hotlines\]\]\n[^\[]*")
TIP = "content/tips/answer-96110.yaml"
HK_TIP = """regions:
  hk:
    title: 收到「#ADCC18222」短訊要留意
    body: |-
      反诈骗协调中心会以登记短讯发送人“#ADCC18222”发出防骗提示，短讯不含链接。如有怀疑，请致电防骗易18222查询。
    laws: []
"""


def _region(project, region: str) -> None:
    toml = (project / "outreach.toml").read_text(encoding="utf-8")
    toml = regional_qr(toml, region)
    (project / "outreach.toml").write_text(STARTER_HOTLINES.sub("", toml).replace('locale = "zh-Hans"', f'region = "{region}"'),
                                           encoding="utf-8")


def _append(project, relpath: str, text: str) -> None:
    """This test's regions block in place of the fixture's own."""
    set_regions(project / relpath, text)


def test_a_hong_kong_edition_replaces_the_fields_it_names(fixture_project):
    _append(fixture_project, TIP, HK_TIP)
    _region(fixture_project, "hk")
    library, diagnostics = load_library(fixture_project)
    assert not diagnostics.has_errors(), diagnostics.sorted()
    tip = library.item("tips", "answer-96110")
    assert tip.model.title.startswith("收到「#ADCC18222」") and "96110" not in tip.model.body
    assert tip.model.laws == [] and "elderly" in tip.model.audiences   # fields it does not name stay
    assert build_project(fixture_project, only=("tips",)).ok
    printed = re.sub(r"\s+", "", pdf_text(fixture_project / "build/zh-Hant/tips/answer-96110.pdf"))
    assert "防騙易18222" in printed and "96110" not in printed.split("法律原文")[0]


def test_the_mainland_edition_ignores_the_block(fixture_project):
    _append(fixture_project, TIP, HK_TIP)
    library, diagnostics = load_library(fixture_project)
    assert not diagnostics.has_errors()
    assert library.item("tips", "answer-96110").model.title == "接到96110来电一定要接听"
    assert not [d for d in check(fixture_project) if d.file == TIP and d.severity == "error"]


@pytest.mark.slow
def test_an_omitted_item_leaves_its_packs_and_is_not_built(fixture_project):
    _append(fixture_project, TIP, "regions:\n  tw:\n    omit: true\n")
    _region(fixture_project, "tw")
    library, diagnostics = load_library(fixture_project)
    assert not diagnostics.has_errors(), diagnostics.sorted()
    assert library.get("tips", "answer-96110") is None and ("tips", "answer-96110") in library.omitted
    result = build_project(fixture_project, only=("tips", "packs"))
    assert result.ok, result.failures
    assert not (fixture_project / "build/zh-Hant/tips/answer-96110.pdf").exists()
    pack = re.sub(r"\s+", "", pdf_text(fixture_project / "build/zh-Hant/packs/fixture.pdf"))
    assert "接到96110來電一定要接聽" not in pack and "測試用資料包" in pack


def test_a_field_the_kind_does_not_have_is_located_in_the_block(fixture_project):
    _append(fixture_project, TIP, "regions:\n  hk:\n    summary: 没有这个字段\n")
    _region(fixture_project, "hk")
    _, diagnostics = load_library(fixture_project)
    found = [d for d in diagnostics.sorted() if d.file == TIP and d.is_error]
    lines = (fixture_project / TIP).read_text(encoding="utf-8").splitlines()
    assert found and found[0].code == "region-overlay" and lines[found[0].line - 1].strip().startswith("summary:")
    assert "香港版" in found[0].message


def test_a_too_long_regional_title_is_located_in_the_block(fixture_project):
    _append(fixture_project, TIP, "regions:\n  hk:\n    title: " + "长" * 200 + "\n")
    _region(fixture_project, "hk")
    _, diagnostics = load_library(fixture_project)
    found = [d for d in diagnostics.sorted() if d.file == TIP and d.is_error]
    lines = (fixture_project / TIP).read_text(encoding="utf-8").splitlines()
    assert found and "长长长" in lines[found[0].line - 1] and lines[found[0].line - 1].startswith("    title:")


def test_region_errors_name_each_field_and_its_words(fixture_project):
    without_regions(fixture_project / TIP)
    _region(fixture_project, "hk")
    warned = [d for d in check(fixture_project) if d.code == "region-mainland-contact" and d.file == TIP]
    assert all(d.is_error for d in warned)
    fields = {d.message.split("下改写“")[1].split("”")[0] for d in warned}
    assert fields == {"title", "body"}
    assert all("regions.hk" in d.message for d in warned)
    assert any("“96110”“110”" in d.message or "“110”“96110”" in d.message for d in warned)


def test_the_editor_neither_shows_nor_drops_the_block(fixture_project):
    assert "regions" not in {field["key"] for field in form_for("tips")["fields"]}
    without_regions(fixture_project / TIP)
    original = (fixture_project / TIP).read_text(encoding="utf-8") + HK_TIP
    from outreach.preview.editor.forms import FORM_HIDDEN

    saved = merged_text(original, {"title": "新标题", "body": "正文", "audiences": ["public"], "review_by": "2099-12-31"},
                        keep=FORM_HIDDEN)
    assert "#ADCC18222" in saved and "title: 新标题" in saved


def test_mainland_lint_does_not_read_the_regional_text(fixture_project):
    _append(fixture_project, TIP, HK_TIP)
    assert not [d for d in check(fixture_project) if d.file == TIP and d.code == "unknown-hotline"]


def test_region_builds_keep_their_editions_apart(fixture_project):
    """The same file gives the Mainland and the Hong Kong text: the fingerprint follows the edition."""
    _append(fixture_project, TIP, HK_TIP)
    mainland, _ = load_library(fixture_project)
    _region(fixture_project, "hk")
    hk, _ = load_library(fixture_project)
    assert mainland.item("tips", "answer-96110").digest != hk.item("tips", "answer-96110").digest
    edit(fixture_project / TIP, "短讯不含链接", "短讯不会附有链接")
    again, _ = load_library(fixture_project)
    assert again.item("tips", "answer-96110").digest != hk.item("tips", "answer-96110").digest
