"""Issue 29 item 8: loading the library again parses only the files whose bytes changed.

The editor loads the whole library on every pause in typing, with the edited text standing in
for its file. A file is parsed once per content: loading again gives the very same item, and
a broken file gives the same located problems; a changed file (on disk or the editor's text)
is parsed afresh.
"""

from __future__ import annotations

from conftest import write

from outreach.project.loader import load_library

SCENARIO = "content/scenarios/fake-loan.yaml"


def items_by_path(library) -> dict:
    return {item.path: item for item in library.all_items()}


def test_unchanged_files_are_parsed_once(project):
    first, problems = load_library(project)
    again, problems_again = load_library(project)
    assert first is not None and again is not None
    before, after = items_by_path(first), items_by_path(again)
    assert before.keys() == after.keys() and len(before) > 40
    assert all(after[path] is before[path] for path in before), "an unchanged file was parsed again"
    assert problems_again.sorted() == problems.sorted()


def test_the_edited_text_and_a_changed_file_are_parsed_afresh(project):
    library, _ = load_library(project)
    assert library is not None
    before = items_by_path(library)
    text = (project / SCENARIO).read_text(encoding="utf-8")
    edited = text.replace("title: ", "title: 当心", 1)
    overridden, _ = load_library(project, overrides={SCENARIO: edited.encode("utf-8")})
    assert overridden is not None
    after = items_by_path(overridden)
    assert after[SCENARIO] is not before[SCENARIO] and after[SCENARIO].model.title.startswith("当心")
    assert all(after[path] is before[path] for path in before if path != SCENARIO)

    (project / SCENARIO).write_text(edited, encoding="utf-8")
    saved, _ = load_library(project)
    assert saved is not None and saved.get("scenarios", "fake-loan").model.title.startswith("当心")


def test_a_broken_file_gives_the_same_located_problems_every_time(project):
    write(project, "content/scenarios/broken.yaml", """
        title: 坏文件
        category: 测试
        summary: [不闭合
        """)
    reports = []
    for _ in range(2):
        _, problems = load_library(project)
        reports.append([(d.file, d.line, d.column, d.code, d.message, d.severity) for d in problems.sorted()
                        if d.file == "content/scenarios/broken.yaml"])
    assert reports[0] and reports[0] == reports[1]
    assert all(line > 0 for _, line, *_ in reports[0])
    # The same bytes under another name: located in that file, not served from the first one's entry.
    (project / "content/scenarios/broken.yaml").rename(project / "content/scenarios/broken-two.yaml")
    _, problems = load_library(project)
    assert {d.file for d in problems if d.is_error} >= {"content/scenarios/broken-two.yaml"}
    assert "content/scenarios/broken.yaml" not in {d.file for d in problems}
