"""Issue 28, "Missing for 2026": the starter library's new scam types, signs and tools, and the
elderly items' wording. Each test fails on the content before the issue and passes now."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO, assert_pages_clean, pdf_pages

from outreach.project.loader import load_library

NEW_SCENARIOS = {
    "flight-refund": "机票",
    "fake-teacher-group-fee": "老师",
    "overseas-job": "境外",
    "sextortion": "录屏",
    "etc-refund-sms": "ETC",
    "fan-scam-minors": "追星",
}


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def library():
    library, diagnostics = load_library(REPO)
    assert library is not None and not diagnostics.has_errors(), [d.format() for d in diagnostics]
    return library


@pytest.fixture(scope="module")
def starter_build(built_starter) -> Path:
    """The starter library's build (posters, tips and texts among it), shared by the test run."""
    return built_starter / "build"


# --- item 1: the new scam types ------------------------------------------------------------------

@pytest.mark.parametrize("scenario_id", sorted(NEW_SCENARIOS))
def test_each_new_scenario_exists_and_loads(library, scenario_id):
    assert (REPO / f"content/scenarios/{scenario_id}.yaml").is_file()
    scenario = library.scenarios[scenario_id]
    assert NEW_SCENARIOS[scenario_id] in scenario.title
    assert scenario.signs and scenario.advice and scenario.story
    assert str(scenario.review_by) == "2027-06-30"
    source = (REPO / f"content/scenarios/{scenario_id}.yaml").read_text(encoding="utf-8")
    assert "# 核验记录（2026-12）" in source      # names its sources


def test_the_new_scenarios_speak_to_the_right_readers(library):
    assert "parent" in library.scenarios["fake-teacher-group-fee"].audiences
    assert {"student", "parent"} <= set(library.scenarios["fan-scam-minors"].audiences)
    assert "student" in library.scenarios["sextortion"].audiences


def test_the_flight_refund_scam_is_not_called_a_top_ten_type():
    text = (REPO / "content/scenarios/flight-refund.yaml").read_text(encoding="utf-8")
    prose = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert "十大" not in prose


def test_the_sextortion_poster_uses_plain_words_for_students():
    text = (REPO / "content/scenarios/sextortion.yaml").read_text(encoding="utf-8")
    for word in ("裸", "色情", "性"):
        assert word not in text, word


@pytest.mark.slow
@pytest.mark.parametrize("scenario_id", sorted(NEW_SCENARIOS))
def test_each_new_poster_is_one_clean_page_with_its_texts(starter_build, scenario_id, library):
    poster = starter_build / f"posters/{scenario_id}.pdf"
    pages = pdf_pages(poster)
    assert len(pages) == 1
    assert flat(library.scenarios[scenario_id].title) in flat(pages[0])
    for suffix in (".sms.txt", ".txt", ".wecom.md"):
        assert (starter_build / f"texts/{scenario_id}{suffix}").stat().st_size > 0
    assert_pages_clean(starter_build / "posters")


# --- item 2: fake customer service, new signs ----------------------------------------------------

def test_fake_customer_service_warns_about_baiwan_baozhang_and_nfc(library, starter_build):
    scenario = library.scenarios["fake-customer-service"]
    signs, advice = "".join(scenario.signs), "".join(scenario.advice)
    assert "百万保障" in signs and "百万保障" in advice and "免费" in advice
    assert "碰一碰" in signs and "碰一碰" in advice and "NFC" in advice
    pages = pdf_pages(starter_build / "posters/fake-customer-service.pdf")
    assert len(pages) == 1 and "百万保障" in flat(pages[0]) and "碰一碰" in flat(pages[0])


# --- item 3: the tools tip -----------------------------------------------------------------------

def test_the_tools_tip_names_the_official_services(library, starter_build):
    tip = library.tips["anti-fraud-tools"]
    body = tip.body
    for name in ("境外来电提醒服务", "一证通查", "互联网账号", "反诈名片", "国家反诈中心", "来电预警"):
        assert name in body, name
    assert "跨境来电提醒" not in body          # not the service's name
    assert "工信微报" in body
    assert "elderly" in tip.audiences
    pages = pdf_pages(starter_build / "tips/anti-fraud-tools.pdf")
    assert len(pages) == 1 and "反诈名片" in flat(pages[0])
    assert_pages_clean(starter_build / "tips")


# --- item 4: elderly readers are addressed with 您 -----------------------------------------------

def _reader_fields(item) -> dict[str, str]:
    fields = {}
    for name in ("summary", "quote", "body"):
        value = getattr(item, name, None)
        if value:
            fields[name] = value
    for name in ("signs", "advice"):
        for index, line in enumerate(getattr(item, name, None) or []):
            fields[f"{name}[{index}]"] = line
    return fields


def test_no_elderly_item_says_ni_to_the_reader(library):
    wrong = []
    for kind in ("scenarios", "tips"):
        for item_id, item in getattr(library, kind).items():
            if "elderly" not in item.audiences:
                continue
            wrong += [f"{kind}/{item_id} {field}: {text}" for field, text in _reader_fields(item).items() if "你" in text]
    assert wrong == []


def test_elderly_packs_quizzes_and_performances_say_nin(library):
    wrong = []
    for pack_id, pack in library.packs.items():
        if pack.audience != "elderly":
            continue
        for item in pack.items:
            if item.key == "quiz":
                for q in library.quizzes[item.ref].questions:
                    texts = [q.question, q.explanation, *q.choices]
                    wrong += [f"{pack_id}: quiz {item.ref} {q.id}" for t in texts if "你" in t]
            elif item.key == "script":
                script = library.scripts[item.ref]
                if script.form in ("三句半", "快板"):       # performed to the audience, not a dialogue
                    for scene in script.scenes:
                        wrong += [f"{pack_id}: script {item.ref}: {line.text}" for line in scene.lines
                                  if getattr(line, "text", None) and "你" in line.text]
    assert wrong == []


# --- item 4: the newsletter's tips section and 房产证 -------------------------------------------

def test_the_newsletter_does_not_call_its_practical_tips_legal(starter_build):
    for suffix in ("txt", "md"):
        text = (starter_build / f"texts/newsletter-2026-11-20.{suffix}").read_text(encoding="utf-8")
        assert "法律小贴士" not in text, suffix


def test_fangchanzheng_is_explained_at_its_first_mention():
    wrong = []
    for path in sorted((REPO / "content").rglob("*")):
        if path.suffix not in (".yaml", ".yml", ".md"):
            continue
        text = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                         if not line.lstrip().startswith("#"))
        at = text.find("房产证")
        if at >= 0 and not text.startswith("房产证（不动产权证书）", at):
            wrong.append(str(path.relative_to(REPO)))
    assert wrong == []
    assert "房产证（不动产权证书）" in (REPO / "content/scenarios/elderly-care-fraud.yaml").read_text(encoding="utf-8")


# --- item 5: packs and quizzes -------------------------------------------------------------------

def test_the_new_scenarios_are_in_packs_and_quizzes(library):
    in_packs = {item.ref for pack in library.packs.values() for item in pack.items if item.key == "poster"}
    assert {"sextortion", "overseas-job", "fan-scam-minors", "etc-refund-sms"} <= in_packs
    assert "anti-fraud-tools" in {item.ref for item in library.packs["elderly"].items if item.key == "tip"}
    asked = [q for quiz in library.quizzes.values() for q in quiz.questions if q.scenario in NEW_SCENARIOS]
    assert 2 <= len(asked) <= 4
    # Each answer agrees with its poster: the right choice repeats the scenario's advice.
    for q in asked:
        if q.kind == "truefalse":
            assert q.answer is False and "不" in q.explanation
        else:
            [right] = [q.choices["ABCDEFGH".index(letter)] for letter in q.answer_letters]
            scenario = library.scenarios[q.scenario]
            words = {right[i:i + 2] for i in range(len(right) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", right[i:i + 2])}
            advice = "".join([*scenario.advice, scenario.summary, scenario.quote or ""])
            assert any(w in advice for w in words), (q.id, right)


def test_a_tip_without_law_is_not_labelled_legal(starter_build):
    """The tools tip quotes no law: its page says 防范小贴士; a tip with a law box keeps 法律小贴士."""
    tools = pdf_pages(starter_build / "tips/anti-fraud-tools.pdf")[0]
    legal = pdf_pages(starter_build / "tips/card-renting-crime.pdf")[0]
    assert "防范小贴士" in tools and "法律小贴士" not in tools
    assert "法律小贴士" in legal
