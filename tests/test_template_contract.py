"""The template contract and the theme's colours: what a volunteer's override may change and what it must keep."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import build_posters, edit, write
from PIL import Image

from outreach.core.packagedata import THEME_DIR
from outreach.project.config import ThemeSection
from outreach.rendering.compose import COMPOSE_VARIABLES

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{3,6}\b")
# Print-production colours, not theme colours: cut marks in registration black, QR codes
# black on white so every scanner reads them.
FIXED_COLOURS = {"quiz/cut-marks.html": {"#000"}, "poster.html": {"#000000", "#ffffff"},
                 "articles/long-image.html": {"#000000", "#ffffff"},
                 "leaflets/back.html": {"#000000", "#ffffff"}, "large/rollup.html": {"#000000", "#ffffff"},
                 "large/board-frame.html": {"#000000", "#ffffff"}}   # QR codes: black on white for scanners


def theme_files():
    for path in sorted(THEME_DIR.rglob("*")):
        if path.suffix in {".css", ".html"}:
            yield path.relative_to(THEME_DIR).as_posix(), path.read_text(encoding="utf-8")


def test_the_default_theme_has_no_colour_but_the_themes_variables():
    literals = {}
    for name, text in theme_files():
        text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)   # Jinja comments may mention colours
        found = set(HEX_COLOUR.findall(text)) - FIXED_COLOURS.get(name, set())
        found |= set(re.findall(r"rgba?\(", text))
        if found:
            literals[name] = sorted(found)
    assert literals == {}


def test_every_variable_the_theme_uses_is_set_from_outreach_toml():
    defined = set(ThemeSection().css_variables())
    used = {name for _, text in theme_files() for name in re.findall(r"var\((--[a-z-]+)[,)]", text)}
    # Besides the colours, only the two the build sets to compose a page (render.compose), which
    # the theme uses with a fallback so a page laid out as it comes needs neither.
    assert used and used <= defined | set(COMPOSE_VARIABLES), used - defined - set(COMPOSE_VARIABLES)
    for name in COMPOSE_VARIABLES:
        assert all(f"var({name})" not in text for _, text in theme_files()), name
    # primary_color → --primary, and every *_color setting becomes a variable
    assert ThemeSection().css_variables()["--primary"] == ThemeSection().primary_color
    assert len(defined) == len([f for f in ThemeSection.model_fields if f.endswith("_color")])


def test_a_colour_set_in_outreach_toml_reaches_the_printed_poster(mini_project):
    edit(mini_project / "outreach.toml", "[theme]\n", '[theme]\ndark_color = "#1f5fbf"\n')
    result = build_posters(mini_project)
    assert result.ok, result.failures
    image = Image.open(mini_project / "build/posters/fake-loan.png").convert("RGB")
    # The footer band (hotlines) is the dark colour: sample its left edge, near the bottom.
    r, g, b = image.getpixel((8, image.height - 40))
    assert abs(r - 0x1f) < 12 and abs(g - 0x5f) < 12 and abs(b - 0xbf) < 12, (r, g, b)


def outreach(cwd, *args):
    return subprocess.run([sys.executable, "-m", "outreach", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "LANG": "C.UTF-8",
                               "OUTREACH_TODAY": "2026-12-01"}, timeout=300)


def test_templates_check_names_a_misspelt_override(fixture_project):
    write(fixture_project, "templates/postr.html", '{% extends "!theme/poster.html" %}\n')
    run = outreach(fixture_project, "templates", "check")
    assert run.returncode == 0, run.stderr
    assert "templates/postr.html: warning[template-unused]" in run.stdout
    assert "您是不是想覆盖“poster.html”" in run.stdout


@pytest.mark.slow
def test_templates_check_renders_an_override_that_breaks_the_card_size(fixture_project):
    css = (THEME_DIR / "css/contact-card.css").read_text(encoding="utf-8")
    assert "size: 90mm 54mm" in css
    write(fixture_project, "templates/css/contact-card.css", css.replace("size: 90mm 54mm", "size: 85mm 54mm"))
    run = outreach(fixture_project, "templates", "check", "--help")
    assert "模板约定" in run.stdout
    run = outreach(fixture_project, "templates", "check")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "stations/contact-cards.html 须保持：页面 90×54 毫米" in run.stdout
    assert "第 1 页是 85×54 毫米，应为 90×54 毫米" in run.stderr
    assert "本项目覆盖了其中的：templates/css/contact-card.css" in run.stderr
    # Put right, the same check passes and says so.
    write(fixture_project, "templates/css/contact-card.css", css)
    run = outreach(fixture_project, "templates", "check")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "模板约定检查通过" in run.stdout


def test_templates_check_without_overrides_says_there_is_nothing_to_check(fixture_project):
    run = outreach(fixture_project, "templates", "check")
    assert run.returncode == 0 and "无需检查" in run.stdout
