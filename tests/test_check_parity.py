"""`outreach check` runs the build's rules that need no layout: when check passes, the texts build."""

from __future__ import annotations

import pytest
from conftest import build_project, edit

from outreach.engine.precheck import check_project


def check(root):
    return check_project(root).sorted()

SCENARIO = "content/scenarios/fake-loan.yaml"


def codes(root) -> list[tuple[str, str]]:
    return [(d.file, d.code) for d in check(root)]


def test_an_sms_over_its_parts_fails_check_as_it_fails_the_build(fixture_project):
    long_sms = "反诈提醒：放款前要你先交保证金、解冻费的贷款都是诈骗，请到正规银行办理。" * 5
    edit(fixture_project / SCENARIO, "quote: ", f"sms: {long_sms}\nquote: ")
    [found] = check(fixture_project)
    assert (found.file, found.code, found.is_error) == (SCENARIO, "sms-too-long", True)
    assert found.line == 5 and "超过上限 2 条" in found.message   # the sms: line
    result = build_project(fixture_project, only=("texts",))
    # The build fails that SMS (in its texts and in feed.json) with the same message.
    assert {(f.file, f.line, f.message) for f in result.failures} == {(found.file, found.line, found.message)}


def test_a_group_post_over_the_platform_bytes_fails_check(fixture_project):
    long_story = "个体户张某急需周转，点开短信里的低息贷款App申请五万元，对方要他先交解冻费。" * 40
    edit(fixture_project / SCENARIO, "story: |-\n", f"story: |-\n  {long_story}\n")
    assert codes(fixture_project) == [(SCENARIO, "text-too-long")]
    [diagnostic] = check(fixture_project)
    assert "超过平台上限 2048 字节" in diagnostic.message
    assert not build_project(fixture_project, only=("texts",)).ok


def test_when_check_passes_the_texts_build(fixture_project):
    assert check(fixture_project) == []
    result = build_project(fixture_project, only=("texts",))
    assert result.ok and result.built


@pytest.mark.slow
def test_check_render_adds_the_layout_rules(mini_project):
    import subprocess
    import sys

    story = "个体户张某急需周转，点开短信里的低息贷款App申请五万元，对方要他先交解冻费。" * 6
    edit(mini_project / SCENARIO, "story: |-\n", f"story: |-\n  {story}\n")
    run = [sys.executable, "-m", "outreach", "check"]
    plain = subprocess.run(run, cwd=mini_project, capture_output=True, text=True)
    assert plain.returncode == 0, plain.stdout + plain.stderr   # no layout: a long story fits its limits
    rendered = subprocess.run([*run, "--render"], cwd=mini_project, capture_output=True, text=True)
    assert rendered.returncode == 1
    assert f"{SCENARIO}: error[build] 海报 fake-loan：内容超出一页约" in rendered.stderr
