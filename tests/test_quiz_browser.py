"""The offline H5 quiz page, driven in real headless Chromium (Debian's, via Playwright)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import REPO, build_project


@pytest.fixture(scope="module")
def quiz_page(built_starter) -> Path:
    return built_starter / "build/quiz/community-basics/index.html"


def open_page(browser, path: Path, width: int = 375, height: int = 740):
    """A fresh page whose every request except the file itself is recorded and refused."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    url = path.resolve().as_uri()
    stray: list[str] = []

    def guard(route):
        if route.request.url == url:
            route.continue_()
        else:
            stray.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(url)
    return context, page, stray


def quiz_data(page) -> dict:
    return json.loads(page.locator("#quiz-data").text_content())


def answer(page, question: dict, correctly: bool) -> None:
    if question["kind"] == "truefalse":
        options = ["对", "错"]
    else:
        options = [c["letter"] for c in question["choices"]]
    wanted = question["answer"] if correctly else [next(o for o in options if o not in question["answer"])]
    for letter in wanted:
        page.locator(f'#choices button[data-letter="{letter}"]').click()
    if question["kind"] == "multiple":
        page.locator("#submit-button").click()


@pytest.mark.slow
def test_answer_every_question_offline(browser, quiz_page):
    context, page, stray = open_page(browser, quiz_page)
    data = quiz_data(page)
    questions = data["questions"]
    assert len(questions) == 16
    page.get_by_role("button", name="开始答题").click()
    expected_score = 0
    for index, question in enumerate(questions):
        assert page.locator("#progress").text_content() == f"第{index + 1}/16题"  # the starter project writes no space between Chinese and digits
        assert page.locator("#question-text").text_content() == question["question"]
        correctly = index % 3 != 1
        expected_score += correctly
        answer(page, question, correctly)
        feedback = page.locator("#feedback")
        assert ("回答正确" if correctly else "回答错误") in feedback.text_content()
        assert question["explanation"] in feedback.text_content()
        if not correctly:
            assert "正确答案：" + "".join(question["answer"]) in feedback.text_content()
        next_button = page.locator("#next-button")
        assert next_button.is_visible() and next_button.evaluate("b => b === document.activeElement")
        next_button.click()
    assert page.locator("#score").text_content() == f"答对{expected_score}/16题"
    share = page.locator("#share-text").input_value()
    assert f"{expected_score}/16" in share and "110" in share and "96110" in share
    assert "110" in page.locator(".hotlines").text_content()
    assert stray == []
    assert context.cookies() == [] and page.evaluate("document.cookie") == ""
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    context.close()


def test_keyboard_only(browser, quiz_page):
    context, page, stray = open_page(browser, quiz_page)
    first = quiz_data(page)["questions"][0]
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "start-button"
    page.keyboard.press("Enter")
    # Focus moves to the first choice; tab to the right one and press Space.
    letters = [c["letter"] for c in first["choices"]] or ["对", "错"]
    for _ in range(letters.index(first["answer"][0])):
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert "回答正确" in page.locator("#feedback").text_content()
    assert page.evaluate("document.activeElement.id") == "next-button"
    page.keyboard.press("Enter")
    assert page.locator("#progress").text_content() == "第2/16题"
    assert stray == []
    context.close()


def test_multiple_choice_needs_submit(browser, quiz_page):
    context, page, _ = open_page(browser, quiz_page)
    questions = quiz_data(page)["questions"]
    page.get_by_role("button", name="开始答题").click()
    for question in questions:
        if question["kind"] == "multiple":
            break
        answer(page, question, True)
        page.locator("#next-button").click()
    submit = page.locator("#submit-button")
    assert submit.is_visible() and submit.is_disabled()
    button = page.locator(f'#choices button[data-letter="{question["answer"][0]}"]')
    button.click()
    assert button.get_attribute("aria-pressed") == "true" and submit.is_enabled()
    context.close()


def contrast(rgb_a: str, rgb_b: str) -> float:
    def luminance(css: str) -> float:
        values = [int(v) / 255 for v in css[css.index("(") + 1:css.index(")")].split(",")[:3]]
        linear = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in values]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(rgb_a), luminance(rgb_b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_phone_layout_tap_targets_contrast_and_screenshot(browser, quiz_page, tmp_path):
    context, page, stray = open_page(browser, quiz_page, width=375)
    page.get_by_role("button", name="开始答题").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    heights = page.locator("#choices button").evaluate_all("bs => bs.map(b => b.getBoundingClientRect().height)")
    assert heights and min(heights) >= 48
    for selector in ("#choices button", "#question-text", ".top h1", "#start-button, #next-button, .primary"):
        colours = page.locator(selector).first.evaluate(
            "e => { const s = getComputedStyle(e); let b = e; let bg = s.backgroundColor;"
            " while (bg === 'rgba(0, 0, 0, 0)' && b.parentElement) { b = b.parentElement; bg = getComputedStyle(b).backgroundColor; }"
            " return [s.color, bg === 'rgba(0, 0, 0, 0)' ? 'rgb(255, 255, 255)' : bg]; }")
        assert contrast(*colours) >= 4.5, (selector, colours)
    answer(page, quiz_data(page)["questions"][0], True)
    # Kept outside the repository; set OUTREACH_ARTIFACTS to keep a copy to look at.
    shot = Path(os.environ.get("OUTREACH_ARTIFACTS", tmp_path)) / "quiz-375.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert stray == []
    context.close()


def test_desktop_width(browser, quiz_page):
    context, page, _ = open_page(browser, quiz_page, width=1280, height=900)
    width = page.locator("body").evaluate("b => b.getBoundingClientRect().width")
    assert width <= 720
    context.close()


def test_page_is_self_contained(quiz_page):
    html = quiz_page.read_text(encoding="utf-8")
    assert "default-src 'none'" in html
    for needle in ("http://", "https://", "<link", "src=", "@import", "localStorage", "document.cookie"):
        assert needle not in html.replace("http://www.w3.org", ""), needle


# --- Traditional Chinese and the Content-Security-Policy ---------------------------------------------

@pytest.fixture(scope="module")
def small_quiz(tmp_path_factory):
    """outreach.toml, laws, scenarios and one quiz set: quick to build in both scripts."""
    root = tmp_path_factory.mktemp("h5-small") / "proj"
    (root / "content/quizzes").mkdir(parents=True)
    shutil.copy(REPO / "outreach.toml", root / "outreach.toml")
    for kind in ("laws", "scenarios"):
        shutil.copytree(REPO / "content" / kind, root / "content" / kind)
    shutil.copy(REPO / "content/quizzes/community-basics.yaml", root / "content/quizzes/community-basics.yaml")
    result = build_project(root, only=("quiz",), locale="zh-Hant")
    assert result.ok, (result.failures, [d.format() for d in result.diagnostics])
    assert build_project(root, only=("quiz",)).ok
    return root


@pytest.mark.slow
def test_traditional_page_shows_traditional_questions(browser, small_quiz):
    from outreach.project.loader import load_library
    from outreach.rendering.localize import to_locale

    page_path = small_quiz / "build/zh-Hant/quiz/community-basics/index.html"
    html = page_path.read_text(encoding="utf-8")
    data_block = html[html.index('id="quiz-data"'):]
    data_block = data_block[:data_block.index("</script>")]
    assert "\\u" not in data_block  # Chinese is kept as characters, so the conversion reached it
    library, _ = load_library(small_quiz, stations=False)
    first = library.quizzes["community-basics"].questions[0].question
    expected = to_locale(first, "zh-Hant")
    assert expected != first
    context, page, stray = open_page(browser, page_path)
    page.get_by_role("button", name="開始答題").click()
    assert page.locator("#question-text").text_content() == expected
    assert page.locator("#progress").text_content().startswith("第1/")
    assert stray == []
    context.close()


def test_policy_lets_only_the_page_own_script_run(browser, small_quiz, tmp_path):
    from outreach.rendering.csp import inline_script_hashes

    for relpath in ("quiz/community-basics/index.html", "zh-Hant/quiz/community-basics/index.html"):
        html = (small_quiz / "build" / relpath).read_text(encoding="utf-8")
        policy = html[html.index("Content-Security-Policy"):].split('content="', 1)[1].split('"', 1)[0]
        assert "unsafe-inline" not in policy.split("style-src")[0] + policy.split("script-src", 1)[1]
        script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src "))
        assert script_src.split()[1:] == inline_script_hashes(html) and len(inline_script_hashes(html)) == 1
    # A script injected into the page (say, by a tampered copy) is refused; the page's own still runs.
    tampered = tmp_path / "index.html"
    tampered.write_text(html.replace("</main>", "<script>window.injected = 1;</script></main>"), encoding="utf-8")
    context, page, stray = open_page(browser, tampered)
    page.get_by_role("button", name="開始答題").click()
    assert page.locator("#question-text").text_content()
    assert page.evaluate("typeof window.injected") == "undefined"
    context.close()
