"""The YAML slips people really make, each named at its own line and column, and nothing else said about them."""

from __future__ import annotations

from conftest import build_project, check, edit

SCENARIO = "content/scenarios/fake-loan.yaml"


def problems(root) -> list[tuple[str, int, int, str]]:
    return [(d.file, d.line, d.column, d.code) for d in check(root)]


def line_of(root, text: str) -> int:
    lines = (root / SCENARIO).read_text(encoding="utf-8").split("\n")
    return next(number for number, line in enumerate(lines, start=1) if text in line)


def test_a_full_width_colon_is_named_on_its_own_line(fixture_project):
    edit(fixture_project / SCENARIO, "quote: ", "quote：")
    line = line_of(fixture_project, "quote：")
    # One problem: the pack that lists this scenario is not blamed for it too.
    assert problems(fixture_project) == [(SCENARIO, line, 6, "yaml-fullwidth-colon")]
    [diagnostic] = check(fixture_project)
    assert "全角冒号“：”" in diagnostic.message and "半角“:”" in diagnostic.message


def test_a_full_width_colon_on_the_last_line_points_at_that_line(fixture_project):
    path = fixture_project / SCENARIO
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(text + "\nkicker：防范贷款诈骗\n", encoding="utf-8")
    last = len(text.split("\n")) + 1
    assert problems(fixture_project) == [(SCENARIO, last, 7, "yaml-fullwidth-colon")]


def test_a_list_item_indented_too_far_is_not_merged_in_silence(fixture_project):
    edit(fixture_project / SCENARIO, "\n  - 凡是放款前", "\n    - 凡是放款前")
    line = line_of(fixture_project, "    - 凡是放款前")
    assert problems(fixture_project) == [(SCENARIO, line, 5, "yaml-merged-item")]
    [diagnostic] = check(fixture_project)
    assert "多缩进了 2 格，被并进了上一条" in diagnostic.message
    result = build_project(fixture_project, only=("posters", "texts"))
    assert result.diagnostics.has_errors()
    assert not [target for target in result.built if target.endswith("/fake-loan")]   # never built with the item merged


def test_a_field_indented_wrongly_gets_indentation_advice(fixture_project):
    edit(fixture_project / SCENARIO, "\ncategory: ", "\n category: ")
    line = line_of(fixture_project, " category: ")
    assert problems(fixture_project) == [(SCENARIO, line, 2, "yaml-indent")]
    [diagnostic] = check(fixture_project)
    assert "多缩进了 1 格" in diagnostic.message and "左对齐" in diagnostic.message
    assert "全角" not in diagnostic.message


def test_a_broken_file_is_not_also_reported_as_missing_where_it_is_used(fixture_project):
    # A value error (not a syntax error): the file fails to load, the pack still lists it.
    edit(fixture_project / SCENARIO, "review_by: 2099-12-31", "review_by: 2099-13-31")
    found = problems(fixture_project)
    assert [code for *_, code in found] == ["bad-date"]
    assert all(file == SCENARIO for file, *_ in found)
    # A reference to something that really does not exist is still reported.
    edit(fixture_project / "content/packs/fixture.yaml", "poster: impersonating-police", "poster: impersonating-polise")
    assert "missing-ref" in [code for *_, code in problems(fixture_project)]


def test_text_that_merely_contains_a_dash_is_left_alone(fixture_project):
    edit(fixture_project / SCENARIO, "summary: ", "summary: 第一段\n  接着写 - 这不是列表，")
    assert problems(fixture_project) == []
