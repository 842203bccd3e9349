"""Every render of a template has bounded time, loops and size, in any thread and for every command:
`check` and the editor too, not only `build` (issue 25, items 3 and 4)."""

from __future__ import annotations

import threading
import time

import pytest
from conftest import build_project, write
from limits import run_measured

from outreach.engine.precheck import check_project
from outreach.rendering import budget
from outreach.rendering.templating import TemplateProblem, make_environment, render_template
from outreach.rendering.theme import Theme

SMS = "templates/texts/sms.txt"
TRIPLE_LOOP = ("反诈提醒\n{% for i in range(10000) %}{% for j in range(10000) %}{% for k in range(10000) %}"
               "{% endfor %}{% endfor %}{% endfor %}\n")
# Under the loop cap, but each turn is slow: only the clock stops it.
SLOW_LOOP = "反诈提醒\n{% for i in range(10000) %}{{ range(10000)|map('string')|join|length }}{% endfor %}\n"


def set_build_limits(root, **values) -> None:
    config = root / "outreach.toml"
    lines = "".join(f"{key} = {value}\n" for key, value in values.items())
    config.write_text(config.read_text(encoding="utf-8") + "\n[build]\n" + lines, encoding="utf-8")


def assert_quick(measured, seconds: float = 30, peak_mb: float = 600) -> None:
    assert measured.seconds < seconds, f"took {measured.seconds:.1f} s"
    assert measured.peak_mb < peak_mb, f"peak {measured.peak_mb:.0f} MB"
    assert "Traceback" not in measured.stdout + measured.stderr and "内部错误" not in measured.stdout


# --- item 4: one step that would make a huge value is refused before it is made ---------------------

AUDIT_CASES = [
    ("{{ 'a'|center(300000000) }}", "center"),
    ("{{ 'a'|center(2500000000) }}", "center"),
    ("{{ '%300000000s'|format('a') }}", "格式化宽度"),
    ("{{ '{:>300000000}'.format('a') }}", "格式化宽度"),
    ("{{ '{0:>{1}}'.format('a', 300000000) }}", "格式化宽度"),
    ("{{ 'a'|indent(300000000) }}", "indent"),
    ("{{ ('a' * 1000000)|replace('a', 'x' * 300) }}", "replace"),
    ("{{ ('a' * 1000000).replace('a', 'x' * 300) }}", "replace"),
    ("{{ (['a' * 1000000] * 1000)|join }}", "join"),
    ("{{ ''.join(['a' * 1000000] * 1000) }}", "join"),
    ("{{ 'a'.ljust(300000000) }}", "ljust"),
    ("{{ 'a'.zfill(300000000) }}", "zfill"),
    ("{{ (1).to_bytes(1000000000, 'big') }}", "to_bytes"),
    ("{{ ('a' * 100000)|wordwrap(1, wrapstring='x' * 300) }}", "wordwrap"),
    ("{{ (['a' * 1000000] * 1000)|string }}", "string"),
    ("{{ ['a' * 1000000] * 1000 }}", "输出的值"),
    ("{{ (['a' * 1000000] * 1000)|tojson }}", "tojson"),
    ("{{ [1]|batch(1000000000, 'x')|list }}", "batch"),
    ("{{ [1]|slice(1000000000)|list }}", "slice"),
    ("{{ ('a' * 1000000).translate({97: 'x' * 1000}) }}", "translate"),
    ("{{ ('%s' * 1000) % ((['a' * 1000000] * 1000)|list) }}", "格式化结果"),
    ("{{ ('{0}' * 1000).format('a' * 1000000) }}", "格式化结果"),
    ("{{ lipsum(100000) }}", "lipsum"),
    ("{% set s = namespace(v='骗') %}{% for i in range(40) %}{% set s.v = s.v ~ s.v %}{% endfor %}", "拼接结果"),
    ("{{ ([range(10000)|list] * 100)|sum(start=[]) }}", "sum"),
]


@pytest.fixture
def env(mini_project):
    return make_environment(Theme(mini_project))


@pytest.mark.parametrize("payload, word", AUDIT_CASES)
def test_each_big_step_is_refused_before_it_is_made(mini_project, env, payload, word):
    write(mini_project, "templates/t.txt", "第一行\n" + payload + "\n")
    started = time.perf_counter()
    with pytest.raises(TemplateProblem) as info:
        render_template(env, "t.txt", {}, "测试")
    assert time.perf_counter() - started < 2
    assert (info.value.file, info.value.line) == ("templates/t.txt", 2)
    assert word in info.value.message and "过大" in info.value.message, info.value.message


@pytest.mark.slow
@pytest.mark.parametrize("payload", [case for case, _ in AUDIT_CASES[:8]])
def test_check_refuses_the_audit_cases_quickly_with_little_memory(mini_project, payload):
    write(mini_project, SMS, "反诈提醒：\n" + payload + "\n")
    measured = run_measured(["check"], mini_project)
    assert measured.returncode == 1, measured.stdout
    assert f"{SMS}:2:" in measured.stdout and "过大" in measured.stdout
    assert_quick(measured, seconds=20, peak_mb=400)


def test_ordinary_use_of_the_same_filters_and_methods_still_works(mini_project, env):
    write(mini_project, "templates/t.txt",
          "{{ '标题'|center(10) }}|{{ '%05d'|format(42) }}|{{ '{:>6}'.format('反诈') }}|{{ 'a\nb'|indent(2) }}|"
          "{{ '转账'|replace('转', '汇') }}|{{ ['110', '96110']|join('、') }}|{{ '1'.zfill(3) }}|"
          "{{ ('x' * 100)|wordwrap(40) }}|{{ [[1], [2]]|sum(start=[]) }}|{{ '甲' ~ 1 ~ '乙' }}|"
          "{{ [1, 2, 3]|batch(2, 0)|list }}|{{ {'a': [1, 2]}|tojson }}|{{ range(3)|list }}|{{ '%s：%s' % ('甲', '乙') }}")
    text = render_template(env, "t.txt", {}, "测试")
    assert text == ("    标题    |00042|    反诈|a\n  b|汇账|110、96110|001|" + "x" * 40 + "\n" + "x" * 40 + "\n" + "x" * 20 +
                    "|[1, 2]|甲1乙|[[1, 2], [3, 0]]|{\"a\": [1, 2]}|[0, 1, 2]|甲：乙")


@pytest.mark.parametrize("payload, name", [
    ("{{ ('[' * 1000000)|markdown }}", "markdown"),
    ("{{ ('*a' * 500000)|plain }}", "plain"),
    ("{{ ('a' * 1000000)|wordwrap(1) }}", "wordwrap"),
    ("{{ ('x' * 1000000)|qr }}", "qr"),
])
def test_filters_that_slow_down_on_long_crafted_text_refuse_it_at_once(mini_project, env, payload, name):
    """One filter call cannot be interrupted by the time budget (Markdown on a million “[” took 34 s)."""
    write(mini_project, "templates/t.txt", payload)
    started = time.perf_counter()
    with pytest.raises(TemplateProblem) as info:
        render_template(env, "t.txt", {}, "测试")
    assert time.perf_counter() - started < 1
    assert f"过滤器 {name} 的输入过长" in info.value.message


# --- item 3: loops that would run for ever stop, with a location, in every command and thread ------

def test_check_stops_a_triple_loop_in_the_sms_template(mini_project):
    write(mini_project, SMS, TRIPLE_LOOP)
    measured = run_measured(["check"], mini_project)
    assert measured.returncode == 1
    assert f"{SMS}:2:" in measured.stdout and "循环的总次数超过上限" in measured.stdout, measured.stdout
    assert_quick(measured, seconds=30)


def test_check_stops_a_slow_loop_at_the_build_time_limit(mini_project):
    set_build_limits(mini_project, target_timeout=2)
    write(mini_project, SMS, SLOW_LOOP)
    measured = run_measured(["check"], mini_project)
    assert measured.returncode == 1
    assert f"{SMS}:2:" in measured.stdout and "用时超过上限（2 秒）" in measured.stdout, measured.stdout
    assert "target_timeout" in measured.stdout
    assert_quick(measured, seconds=30)


def test_check_has_the_build_memory_limit(mini_project):
    set_build_limits(mini_project, memory_limit_mb=300)
    grow = ("{% set ns = namespace(kept=[]) %}{% for i in range(99) %}{% set ns.kept = ns.kept + ['𠀀' * 1000000] %}"
            "{% endfor %}{{ ns.kept|length }}")
    write(mini_project, SMS, grow)
    measured = run_measured(["check"], mini_project)
    assert measured.returncode == 1
    assert "内存超过上限（300 MB）" in measured.stdout and "memory_limit_mb" in measured.stdout, measured.stdout
    assert_quick(measured, seconds=30, peak_mb=900)


def run_in_thread(function, *args):
    """Run `function` in a worker thread, as the editor and the preview server do."""
    outcome: dict = {}

    def target():
        started = time.perf_counter()
        try:
            outcome["value"] = function(*args)
        except BaseException as exc:
            outcome["error"] = exc
        outcome["seconds"] = time.perf_counter() - started

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the render in the worker thread never stopped"
    return outcome


def test_check_in_a_worker_thread_stops_a_triple_loop(mini_project):
    write(mini_project, SMS, TRIPLE_LOOP)
    outcome = run_in_thread(check_project, mini_project)
    problems = [d for d in outcome["value"].errors if d.file == SMS]
    assert problems and problems[0].line == 2 and "循环的总次数超过上限" in problems[0].message
    assert outcome["seconds"] < 20


def test_check_in_a_worker_thread_keeps_the_time_limit(mini_project):
    set_build_limits(mini_project, target_timeout=2)
    write(mini_project, SMS, SLOW_LOOP)
    outcome = run_in_thread(check_project, mini_project)
    problems = [d for d in outcome["value"].errors if d.file == SMS]
    assert problems and problems[0].line == 2 and "用时超过上限（2 秒）" in problems[0].message
    assert outcome["seconds"] < 15


def test_render_budget_stops_a_render_in_any_thread(mini_project, env):
    write(mini_project, "templates/t.txt", SLOW_LOOP)

    def render():
        with budget.render_budget(1):
            return render_template(env, "t.txt", {}, "预览")

    outcome = run_in_thread(render)
    problem = outcome["error"]
    assert isinstance(problem, TemplateProblem) and (problem.file, problem.line) == ("templates/t.txt", 2)
    assert "渲染预览时用时超过上限（1 秒）" in problem.message
    assert 0.9 < outcome["seconds"] < 5


def test_a_render_outside_any_budget_has_the_default_one(mini_project, env, monkeypatch):
    monkeypatch.setattr(budget, "DEFAULT_RENDER_SECONDS", 1.0)
    write(mini_project, "templates/t.txt", SLOW_LOOP)
    outcome = run_in_thread(render_template, env, "t.txt", {}, "预览")
    assert isinstance(outcome["error"], TemplateProblem) and "用时超过上限（1 秒）" in outcome["error"].message
    assert outcome["seconds"] < 5


def test_huge_output_from_a_loop_is_stopped(mini_project, env):
    write(mini_project, "templates/t.txt", "{% set big = '骗' * 1000000 %}\n{% for i in range(100) %}{{ big }}{% endfor %}")
    with pytest.raises(TemplateProblem) as info:
        render_template(env, "t.txt", {}, "测试")
    assert "生成的文字超过上限" in info.value.message and info.value.file == "templates/t.txt"


def test_exponential_macro_stops_at_the_deadline(mini_project, env):
    write(mini_project, "templates/t.txt", "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}\n"
                                           "{{ f(40) }}")
    started = time.perf_counter()
    with budget.render_budget(1), pytest.raises(TemplateProblem) as info:
        render_template(env, "t.txt", {}, "测试")
    assert time.perf_counter() - started < 5
    assert info.value.file == "templates/t.txt" and "用时超过上限" in info.value.message


def test_self_calling_macro_is_located(mini_project, env):
    write(mini_project, "templates/t.txt", "{% macro f() %}{{ f() }}{% endmacro %}\n{{ f() }}")
    with pytest.raises(TemplateProblem) as info:
        render_template(env, "t.txt", {}, "测试")
    assert info.value.file == "templates/t.txt" and "太深" in info.value.message


def test_loop_length_of_a_list_does_not_copy_it(mini_project, env):
    write(mini_project, "templates/t.txt", "{% for x in items %}{{ loop.index }}/{{ loop.length }} {% endfor %}")
    assert render_template(env, "t.txt", {"items": ["甲", "乙"]}, "测试") == "1/2 2/2 "


def test_build_of_texts_is_bounded_too(mini_project):
    set_build_limits(mini_project, target_timeout=2)
    write(mini_project, SMS, TRIPLE_LOOP)
    result = build_project(mini_project, only=("texts",))
    assert not result.ok
    assert all(f.file == SMS and f.line == 2 and "循环的总次数超过上限" in f.message for f in result.failures)
