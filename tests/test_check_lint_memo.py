"""Issue 29 item 8: the domain lint looks again only at items that changed.

`outreach check` and the editor (on every pause in typing) lint the whole library; the checks
that read one item and the settings are kept per item and content, so the second lint of a
library in which one item changed reads that one item's texts. Results are the same as a
fresh lint's: a problem typed in appears, one removed goes, and a changed setting counts.
"""

from __future__ import annotations

import datetime as dt

import pytest

from outreach.checks import lint
from outreach.project.loader import load_library

SCENARIO = "content/scenarios/fake-loan.yaml"


@pytest.fixture
def scanned(monkeypatch) -> list[str]:
    """The texts the personal-data scan reads."""
    seen: list[str] = []
    original = lint.find_personal_data

    def counted(text, fictional):
        seen.append(text)
        return original(text, fictional)

    monkeypatch.setattr(lint, "find_personal_data", counted)
    lint._ITEM_PROBLEMS.clear()   # other tests in this process linted the same starter files
    return seen


def fresh_lint(library, today=None) -> list[tuple]:
    lint._ITEM_PROBLEMS.clear()
    return shown(lint.lint_library(library, today))


def shown(problems) -> list[tuple]:
    return sorted((d.file, d.line, d.column, d.code, d.message, d.severity) for d in problems)


def test_a_second_lint_reads_only_the_changed_item(project, scanned):
    library, _ = load_library(project)
    lint.lint_library(library)
    assert len(scanned) > 200
    text = (project / SCENARIO).read_text(encoding="utf-8")
    edited, _ = load_library(project, overrides={SCENARIO: text.replace("title: ", "title: 联系 13812345678 ", 1).encode()})
    scanned.clear()
    found = shown(lint.lint_library(edited))
    assert scanned and all(t in {s for _, s in lint.prose_strings(edited.get("scenarios", "fake-loan").raw)}
                           for t in scanned), "only the edited item's texts are read again"
    assert ("pii-mobile", SCENARIO) in {(code, file) for file, _, _, code, _, _ in found}
    scanned.clear()   # typed back: the first result again, nothing read
    again = shown(lint.lint_library(library))
    assert scanned == []
    assert found == fresh_lint(edited) and again == fresh_lint(library)


def test_the_date_and_settings_are_part_of_what_is_kept(project):
    library, _ = load_library(project)
    today = shown(lint.lint_library(library))
    later = shown(lint.lint_library(library, dt.date(2100, 1, 1)))
    assert "review-overdue" in {problem[3] for problem in later}
    assert later != today and later == fresh_lint(library, dt.date(2100, 1, 1))

    text = (project / SCENARIO).read_text(encoding="utf-8")
    (project / SCENARIO).write_text(text.replace("title: ", "title: 联系 13812345678 ", 1), encoding="utf-8")
    listed, _ = load_library(project)
    assert "pii-mobile" in {problem[3] for problem in shown(lint.lint_library(listed))}
    config = project / "outreach.toml"   # the number declared fictional: the same item, linted again
    config.write_text(config.read_text(encoding="utf-8").replace("fictional_numbers = []",
                                                                 'fictional_numbers = ["13812345678"]'), encoding="utf-8")
    declared, _ = load_library(project)
    assert declared.get("scenarios", "fake-loan") is listed.get("scenarios", "fake-loan")
    kept = shown(lint.lint_library(declared))
    assert "pii-mobile" not in {problem[3] for problem in kept} and kept == fresh_lint(declared)
