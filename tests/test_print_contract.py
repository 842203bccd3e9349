"""The print contract end to end: every print master of the starter library passes
`outreach preflight`, and a template that breaks the contract fails the print build (and so
never reaches a print shop) with a located message."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import build_project, copy_built, write


def preflight(root, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "outreach", "preflight", *args], cwd=root, capture_output=True,
                          text=True, timeout=600)


@pytest.mark.slow
@pytest.mark.bad_pages   # the starter's print masters are checked by preflight here, slug and all
def test_every_starter_print_master_passes_preflight(built_starter_print, tmp_path):
    root = copy_built(built_starter_print, tmp_path / "starter")   # Simplified print masters already built
    for locale in (None, "zh-Hant"):
        result = build_project(root, print_ready=True, stations=True, locale=locale, jobs=2)
        assert result.ok, [f"{f.label}: {f.message}" for f in result.failures][:5]
    checked = preflight(root)
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-2000:]
    assert "0 个不通过" in checked.stdout
    assert (root / "build/zh-Hant/print/posters").is_dir() and any((root / "build/print/stations").iterdir())


@pytest.mark.slow
def test_a_template_with_five_point_text_fails_the_print_build(mini_project):
    write(mini_project, "templates/poster.html", """
        {% extends "!theme/poster.html" %}
        {% block style %}{{ super() }} p, li { font-size: 5pt !important; }{% endblock %}
        """)
    assert build_project(mini_project, only=("posters",)).ok   # a screen file is not a print master
    result = build_project(mini_project, only=("posters",), print_ready=True)
    assert not result.ok
    messages = " ".join(f.message for f in result.failures)
    assert "磅" in messages and "毫米" in messages and "5" in messages, messages


def test_a_card_without_bleed_fails_the_print_build(fixture_project):
    write(fixture_project, "templates/quiz/cards.html", """
        {% extends "!theme/quiz/cards.html" %}
        {% block style %}{{ super() }}
        .print-ready .card { box-shadow: inset 0 0 0 3mm #ffffff !important; }
        {% endblock %}
        """)
    result = build_project(fixture_project, only=("quiz",), print_ready=True)
    failed = [f for f in result.failures if "cards.pdf" in f.message]
    assert failed and "出血" in failed[0].message and "毫米" in failed[0].message, \
        [f"{f.target}: {f.message}" for f in result.failures]
