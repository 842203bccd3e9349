"""Every article a text cites is in its law box, and the starter's legal claims match the rules
in force (issue 28, items 1–5)."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, located, write

from outreach.checks.lawcites import citations
from outreach.checks.lint import lint_library
from outreach.project.loader import load_library

REL = "content/tips/cites.yaml"


def tip(project: Path, body: str, laws: str = "") -> list:
    write(project, REL, f"title: 引用法条\nbody: {body}\naudiences: [public]\nreview_by: 2099-12-31\n{laws}")
    library, diagnostics = load_library(project)
    assert not diagnostics.has_errors(), diagnostics.sorted()
    return [found for found in located(lint_library(library), REL) if found[2].startswith("law-")]


def test_an_article_cited_in_the_body_but_not_listed_is_an_error(project):
    assert tip(project, "违反的，处罚款（反电信网络诈骗法第四十四条）。") == [(2, 7, "law-not-listed")]


def test_a_listed_article_passes(project):
    laws = "laws:\n  - law: anti-telecom-fraud\n    article: \"44\"\n"
    assert tip(project, "违反的，处罚款（反电信网络诈骗法第四十四条）。", laws) == []


def test_a_list_of_articles_is_each_checked(project):
    laws = "laws:\n  - law: anti-telecom-fraud\n    article: \"31\"\n"
    assert tip(project, "可限制卡和账户功能（反电信网络诈骗法第三十一、四十四条）。", laws) == [(2, 7, "law-not-listed")]


def test_a_bare_article_refers_to_the_law_named_before_it(project):
    library, _ = load_library(project)
    found = list(citations("构成帮信罪（刑法第二百八十七条之二）。同时掩饰犯罪所得的（第三百一十二条）", library))
    assert [(c.law, c.key) for c in found] == [("criminal-law", "287之二"), ("criminal-law", "312")]


def test_an_article_of_a_law_the_library_does_not_hold_is_not_taken_for_another(project):
    library, _ = load_library(project)
    found = list(citations("刑法第二百六十六条；情节轻微的，依照治安管理处罚法第五十八条处罚", library))
    assert [(c.law, c.key) for c in found] == [("criminal-law", "266")]


def test_an_article_the_law_file_does_not_hold_is_a_warning_naming_the_file(project):
    write(project, REL, "title: 引用法条\nbody: 见刑法第一百条。\naudiences: [public]\nreview_by: 2099-12-31\n")
    library, _ = load_library(project)
    messages = [d for d in lint_library(library) if d.code == "law-article-missing"]
    assert len(messages) == 1 and "content/laws/criminal-law.yaml" in messages[0].message
    assert messages[0].severity.value == "warning"


def test_every_starter_text_lists_the_articles_it_cites():
    library, diagnostics = load_library(REPO)
    assert not diagnostics.has_errors()
    assert [d.format() for d in lint_library(library) if d.code.startswith("law-")] == []


def _starter_text(*relpaths: str) -> str:
    return "\n".join((REPO / "content" / relpath).read_text(encoding="utf-8") for relpath in relpaths)


def test_card_supply_is_fraud_complicity_only_with_conspiracy_or_stable_cooperation():
    """The 2025 两高一部 opinion narrowed the 2016 rule: knowing is not enough (item 1)."""
    texts = _starter_text("scenarios/card-renting.yaml", "tips/card-renting-crime.yaml", "tips/help-crime-liability.yaml")
    for line in texts.splitlines():
        if ("共犯" in line or "共同犯罪" in line) and "诈骗罪" in line and not line.lstrip().startswith("#"):
            assert "事先通谋" in line, line


def test_the_card_renting_case_and_quiz_stay_within_the_thresholds():
    """Selling two of one's own cards is below the 2025 opinion's thresholds: penalty and
    惩戒, not prosecution; selling one phone card is not 帮信罪 (item 2)."""
    story = _starter_text("scenarios/card-renting.yaml").split("story:")[1].split("laws:")[0]
    assert "刑事责任" not in story and "罚款" in story
    campus = _starter_text("quizzes/campus.yaml")
    assert "以下哪些行为可能构成帮信罪" not in campus


def test_the_500000_threshold_is_fixed_not_a_range():
    """法释〔2011〕7号 第一条 gives ranges only for the first two thresholds (item 3)."""
    body = _starter_text("tips/fraud-crime-penalty.yaml")
    assert "五十万元的幅度" not in body and "“数额特别巨大”为五十万元以上" in body


def test_no_text_says_the_police_never_handle_cases_by_phone():
    """Police do phone people (回访, 劝阻): what they never do is ask for a transfer (item 5)."""
    places = [REPO / "README.md", *sorted((REPO / "content").rglob("*.y*ml")),
              *sorted((REPO / "tests" / "fixtures").rglob("*.y*ml"))]
    wrong = [str(path.relative_to(REPO)) for path in places
             if any(claim in path.read_text(encoding="utf-8") for claim in ("电话办案", "办案不会通过电话"))]
    assert wrong == []
