"""Review status: print packs and posting use reviewed content only, and say what they left out."""

from __future__ import annotations

import pytest
from conftest import build_project, check, edit, pdf_text

from outreach.project.config import load_config
from outreach.publish.messages import SelectionError
from outreach.publish.sender import post

pytestmark = pytest.mark.slow   # builds or servers in most tests (README, 测试)


DRAFT = "status: 草稿\n"
APPROVED = "status: 已审核\nreviewed_by: 李警官（虚构）\nreviewed_on: 2026-11-20\n"


def mark(root, scenario: str, block: str) -> None:
    edit(root / f"content/scenarios/{scenario}.yaml", "review_by:", f"{block}review_by:")


def run_post(root, include_drafts=False):
    config, problems = load_config(root)
    assert config is not None, problems
    said: list[str] = []
    report = post(root, root / "build", config, "group", None, [], False, said.append, include_drafts=include_drafts)
    return report, said


def test_content_without_a_status_keeps_working_and_approval_names_who_and_when(fixture_project):
    assert check(fixture_project) == []
    edit(fixture_project / "content/scenarios/fake-loan.yaml", "review_by:", "status: 已审核\nreview_by:")
    [problem] = check(fixture_project)
    assert (problem.code, problem.file) == ("review-incomplete", "content/scenarios/fake-loan.yaml")
    assert "reviewed_by" in problem.message and "reviewed_on" in problem.message
    edit(fixture_project / "content/scenarios/fake-loan.yaml", "status: 已审核\n", APPROVED)
    assert check(fixture_project) == []


def test_a_pack_leaves_out_a_draft_and_says_so(fixture_project):
    mark(fixture_project, "impersonating-police", DRAFT)
    result = build_project(fixture_project, only=("posters", "tips", "quiz", "scripts", "packs"))
    assert result.ok, result.failures
    [warning] = [message for label, message in result.warnings if "未审核" in message]
    assert "海报“冒充公检法诈骗”（草稿）" in warning
    text = pdf_text(fixture_project / "build/packs/fixture.pdf")
    # The poster's own slogan is gone from the pack; the other poster is in it.
    assert "放款前先交钱" in text and "公检法从不电话要你转账" not in text
    # A setting lets drafts into packs; the pack is rebuilt because [review] is part of its fingerprint.
    edit(fixture_project / "outreach.toml", "[sms]\n", "[review]\ninclude_drafts = true\n\n[sms]\n")
    again = build_project(fixture_project, only=("posters", "tips", "quiz", "scripts", "packs"))
    assert "packs/fixture" in again.built
    assert "公检法从不电话要你转账" in pdf_text(fixture_project / "build/packs/fixture.pdf")


def test_post_sends_reviewed_messages_only_unless_drafts_are_included(posting, bot):
    mark(posting, "card-renting", "status: 待审核\n")
    assert build_project(posting, only=("texts",)).ok
    report, said = run_post(posting)
    assert [m.item for m in report.sent] == ["fake-loan"]
    assert any("未审核，没有发送：card-renting（待审核）" in line for line in said)
    report, _ = run_post(posting, include_drafts=True)
    assert [m.item for m in report.sent] == ["card-renting"]   # fake-loan was sent already


def test_a_project_whose_default_is_draft_posts_nothing_without_approval(posting, bot):
    edit(posting / "outreach.toml", "[sms]\n", '[review]\ndefault_status = "草稿"\n\n[sms]\n')
    assert build_project(posting, only=("texts",)).ok
    with pytest.raises(SelectionError, match="都还没有审核"):
        run_post(posting)
    assert bot.bodies() == []
