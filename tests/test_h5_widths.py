"""The H5 quiz page on phones 320–430 px wide, with 1–4 hotlines: no sideways scrolling, nothing
past the screen's edge, no clipped text, each hotline's number on one line with its label — in
real headless Chromium (issue 27, item 2)."""

from __future__ import annotations

import pytest
from conftest import build_project
from layoutsettings import COUNTY_FOUR, FORMATS, LONG_UNIT, LONGEST_FOUR, LONGEST_UNIT, configure

WIDTHS = (320, 360, 390, 430)

# Every element's box against the viewport, and text cut off by its box.
LAYOUT_PROBLEMS = """(width) => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > width) problems.push(`scrollWidth ${root.scrollWidth} > ${width}`);
  for (const element of document.querySelectorAll("body *")) {
    const style = getComputedStyle(element);
    if (style.display === "none" || style.visibility === "hidden" || element.closest("[hidden]")) continue;
    const box = element.getBoundingClientRect();
    if (!box.width && !box.height) continue;
    const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") +
                 (element.className && typeof element.className === "string" ? "." + element.className : "");
    if (box.right > width + 0.5 || box.left < -0.5)
      problems.push(`${name} [${Math.round(box.left)}, ${Math.round(box.right)}]: ${element.textContent.trim().slice(0, 30)}`);
    if (style.overflowX !== "visible" && element.scrollWidth > element.clientWidth + 1 && element.tagName !== "TEXTAREA")
      problems.push(`${name} clips its text (${element.scrollWidth} > ${element.clientWidth})`);
  }
  for (const number of document.querySelectorAll(".hotlines .number")) {
    const lines = number.getClientRects().length;
    const height = number.getBoundingClientRect().height;
    if (lines !== 1 || height > 1.6 * parseFloat(getComputedStyle(number).fontSize))
      problems.push(`number broken over lines: ${number.textContent}`);
    const unit = number.closest("a");
    if (!unit || !unit.querySelector("small")) problems.push(`number without its label: ${number.textContent}`);
  }
  return problems;
}"""

SETS = {
    "one": ([FORMATS["short"]], "示例市公安局示例分局"),
    "three-landline": ([FORMATS["short"], FORMATS["short5"], FORMATS["landline"]], LONG_UNIT),
    "county-four": (COUNTY_FOUR, LONG_UNIT),
    "longest-four": (LONGEST_FOUR, LONGEST_UNIT),
}


@pytest.fixture(scope="module", params=sorted(SETS))
def quiz_page(request, tmp_path_factory):
    import shutil

    from conftest import FIXTURE_PROJECT

    root = tmp_path_factory.mktemp("h5widths") / request.param
    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    hotlines, unit = SETS[request.param]
    configure(root, hotlines=hotlines, organisation=unit)
    result = build_project(root, only=("quiz",))
    assert result.ok, [f.message for f in result.failures]
    return root / "build/quiz/basics/index.html"


@pytest.fixture(scope="module")
def macau_page(tmp_path_factory):
    import shutil

    from conftest import FIXTURE_PROJECT

    root = tmp_path_factory.mktemp("h5macau") / "mo"
    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    configure(root, region="mo")
    assert build_project(root, only=("quiz",)).ok
    return root / "build/zh-Hant/quiz/basics/index.html"


def _screens(browser, path, width: int) -> dict[str, list[str]]:
    """The layout problems of each screen a participant sees: the start, a question with its
    feedback, the result."""
    context = browser.new_context(viewport={"width": width, "height": 700})
    try:
        page = context.new_page()
        page.goto(path.resolve().as_uri())
        found = {"start": page.evaluate(LAYOUT_PROBLEMS, width)}
        page.locator("#start-button").click()
        questions = 0
        while page.locator("#question").is_visible():
            page.locator("#choices button").first.click()
            if page.locator("#submit-button").is_visible():
                page.locator("#submit-button").click()
            if questions == 0:
                found["feedback"] = page.evaluate(LAYOUT_PROBLEMS, width)
            page.locator("#next-button").click()
            questions += 1
        found["result"] = page.evaluate(LAYOUT_PROBLEMS, width)
        return {screen: problems for screen, problems in found.items() if problems}
    finally:
        context.close()


@pytest.mark.slow
@pytest.mark.parametrize("width", WIDTHS)
def test_quiz_page_fits_phones_with_one_to_four_hotlines(browser, quiz_page, width):
    assert _screens(browser, quiz_page, width) == {}


@pytest.mark.slow
@pytest.mark.parametrize("width", (320, 360))
def test_quiz_page_fits_phones_with_the_macau_profile(browser, macau_page, width):
    assert _screens(browser, macau_page, width) == {}
