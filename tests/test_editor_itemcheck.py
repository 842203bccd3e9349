"""Issue 29 item 8: the editor checks the edited item on every pause in typing, quickly, and
reports exactly what `outreach check` reports about that file.

The editor's check (workbench.check_values, as the API calls it) is compared with check_project
on the same text written to disk, on a copy of the starter library: a build rule found through
another item (a pack's deck, at the scenario's line), an SMS over its parts, personal data and
typography, a reference to an article the law file lacks, and nothing wrong. The other files'
errors (the page's "errors elsewhere") are counted the same. Speed: only what the edited item
can affect is rendered again; the rest is kept until one of its files changes.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Callable

import pytest

from outreach.engine.precheck import check_project
from outreach.preview.editor.api import EditorApi
from outreach.preview.editor.params import ItemQuery
from outreach.preview.editor.workbench import Checked, check_values


def item_values(root: Path, kind: str, item_id: str) -> dict:
    """The form's values, as the page receives them when the item is opened."""
    api = EditorApi(root, root.parent / "scratch")
    return json.loads(api.item(ItemQuery(kind=kind, id=item_id)).body)["values"]


def editor_check(root: Path, kind: str, item_id: str, values: dict, change: Callable[[dict], None]) -> Checked:
    """What the editor checks when the user has made `change` to the form (the API's check)."""
    relpath = f"content/{kind}/{item_id}.yaml"
    values = copy.deepcopy(values)
    change(values)
    return check_values(root, relpath, (root / relpath).read_text(encoding="utf-8"), kind, values)


def check_on_disk(root: Path, relpath: str, text: str) -> tuple[list[tuple], int]:
    """`outreach check` with the editor's text saved: the problems about the file, and the errors elsewhere."""
    path = root / relpath
    original = path.read_bytes()
    path.write_text(text, encoding="utf-8")
    try:
        found = check_project(root).sorted()
    finally:
        path.write_bytes(original)
    return ([(d.severity.value, d.code, d.line, d.column, d.message) for d in found if d.file == relpath],
            sum(d.is_error for d in found if d.file != relpath))


def shown(checked: Checked) -> list[tuple]:
    return sorted((p["severity"], p["code"], p["line"], p["column"], p["message"]) for p in checked.problems)


def long_sign(values: dict) -> None:
    values["signs"] = ["对方视频里的亲友要您转账" * 16]


def long_advice(values: dict) -> None:
    values["advice"][0] = "贷款请到正规银行或持牌金融机构办理，" * 5


def phone_in_title(values: dict) -> None:
    values["title"] = "当心虚假网贷 联系 13812345678"


def missing_article(values: dict) -> None:
    values["laws"] = [{"law": "criminal-law", "article": "9999"}]


def long_question(values: dict) -> None:
    values["questions"][0]["question"] = "班级群里有人发“兼职刷单，日结三百元”的广告，说只要垫付一点钱就能返利，" * 5 + "你应该？"


# (kind, id, change, a code the editor must show, whether the build rules run: no load or lint errors)
CASES = {
    "deck-through-a-pack": ("scenarios", "ai-deepfake", long_sign, "deck-too-long", True),
    "sms-over-its-parts": ("scenarios", "fake-loan", long_advice, "sms-too-long", True),
    "personal-data-and-typography": ("scenarios", "fake-loan", phone_in_title, "pii-mobile", False),
    "missing-law-article": ("scenarios", "fake-loan", missing_article, None, False),
    "quiz-in-a-deck": ("quizzes", "campus", long_question, "deck-too-long", True),
    "nothing-wrong": ("scenarios", "fake-loan", lambda values: None, None, True),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_editor_reports_what_check_reports_about_the_file(project, case):
    kind, item_id, change, expected, build_rules = CASES[case]
    relpath = f"content/{kind}/{item_id}.yaml"
    values = item_values(project, kind, item_id)
    # An error in a file the edited one does not touch: counted as an error elsewhere.
    other = project / "content/scenarios/fake-investment.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace("\nsummary:", "\nsms: " + "凡是让您先转账的投资都是诈骗。" * 12
                                                                  + "\nsummary:", 1), encoding="utf-8")
    for _ in range(2):   # the second time with the untouched files' problems kept from the first
        checked = editor_check(project, kind, item_id, values, change)
        problems, elsewhere = check_on_disk(project, relpath, checked.text)
        assert shown(checked) == sorted(problems)
        assert checked.elsewhere == elsewhere
    # Load and lint errors come first: the build rules (the other file's SMS among them) wait for them.
    assert (elsewhere >= 1) == build_rules
    if expected:
        assert expected in {p["code"] for p in checked.problems}
    assert checked.errors or case == "nothing-wrong"


def test_only_what_the_edit_can_affect_is_rendered_again(project, monkeypatch):
    from outreach.outputs import articles

    rendered: list[str] = []
    original = articles.scenario_article

    def counted(ctx, scenario_id):
        rendered.append(scenario_id)
        return original(ctx, scenario_id)

    values = item_values(project, "scenarios", "fake-loan")
    monkeypatch.setattr(articles, "scenario_article", counted)
    editor_check(project, "scenarios", "fake-loan", values, lambda values: values.update(title="当心虚假网贷"))
    assert "ai-deepfake" in rendered   # the first check renders everything once
    rendered.clear()
    checked = editor_check(project, "scenarios", "fake-loan", values, lambda values: values.update(title="网贷先交钱，必是诈骗"))
    assert checked.errors == 0 and "fake-loan" in rendered
    # ai-deepfake neither uses fake-loan nor is used by what uses it (the campus pack and quiz).
    assert "ai-deepfake" not in rendered

    # An untouched file changed on disk (another program, or a save): its problems are checked again.
    other = project / "content/scenarios/ai-deepfake.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace("\nsummary:", "\nsms: " + "视频借钱先核实。" * 30
                                                                  + "\nsummary:", 1), encoding="utf-8")
    rendered.clear()
    checked = editor_check(project, "scenarios", "fake-loan", values, lambda values: values.update(title="网贷先交钱，必是诈骗"))
    assert "ai-deepfake" in rendered and checked.elsewhere == 1
