"""Templates never read hidden files or the project itself: `.env`, `.git/config`, `templates -> .`."""

from __future__ import annotations

import os

import pytest
from conftest import build_posters, write
from limits import run_measured
from test_confinement import every_output_text

from outreach.rendering.templating import check_templates
from outreach.rendering.theme import TemplateRefused, Theme

SECRET = "OUTREACH_TEST_SECRET_5c1d"

INCLUDING_POSTER = """\
{% extends "!theme/poster.html" %}
{% block body %}{{ super() }}<p class="laws">{% include "NAME" %}</p>{% endblock %}
"""


@pytest.fixture
def secrets(mini_project):
    """The project's own secrets, and copies a volunteer might have left inside templates/."""
    write(mini_project, ".env", f"OUTREACH_WECOM_URL=https://qyapi.weixin.qq.com/send?key={SECRET}\n")
    write(mini_project, ".git/config", f"[remote]\nurl = https://user:{SECRET}@example.com/repo\n")
    write(mini_project, "templates/.env", f"KEY={SECRET}\n")
    write(mini_project, "templates/.git/config", f"url = {SECRET}\n")
    write(mini_project, "templates/partials/.private.html", SECRET)
    return mini_project


def assert_refused(root, line: int = 2, word: str = "隐藏") -> None:
    result = build_posters(root)
    assert not result.built and len(result.failures) == 2, result.failures
    for failure in result.failures:
        assert (failure.file, failure.line) == ("templates/poster.html", line), failure
        assert word in failure.message and SECRET not in failure.message
    assert SECRET not in every_output_text(root)


@pytest.mark.parametrize("name", [".env", ".git/config", "partials/.private.html", "./.env", "partials/../.env",
                                  "!theme/.env"])
def test_include_of_a_hidden_file_is_refused(secrets, name):
    write(secrets, "templates/poster.html", INCLUDING_POSTER.replace("NAME", name))
    assert_refused(secrets, word="隐藏" if ".." not in name else "..")


@pytest.mark.parametrize("statement", ['{% import ".git/config" as git %}', '{% from ".env" import key %}'])
def test_import_of_a_hidden_file_is_refused(secrets, statement):
    write(secrets, "templates/poster.html", '{% extends "!theme/poster.html" %}\n' + statement + "\n")
    assert_refused(secrets)


def test_extends_of_a_hidden_file_is_refused(secrets):
    write(secrets, "templates/.base.html", "<p>" + SECRET + "</p>")
    write(secrets, "templates/poster.html", '{# 基于隐藏的底版 #}\n{% extends ".base.html" %}\n')
    assert_refused(secrets)


def test_link_inside_templates_to_a_hidden_file_is_refused(secrets):
    os.symlink("../.git/config", secrets / "templates/partials/extra.html")
    write(secrets, "templates/poster.html", INCLUDING_POSTER.replace("NAME", "partials/extra.html"))
    assert_refused(secrets, word="隐藏")
    assert "partials/extra.html" not in Theme(secrets).project_names()


def test_theme_refuses_hidden_names_in_every_form(secrets):
    theme = Theme(secrets)
    for name in (".env", ".git/config", "partials/.private.html", "!theme/.env", "css/.x/poster.css"):
        with pytest.raises(TemplateRefused):
            theme.locate(name)
        assert theme.find(name) is None and theme.file_digest(name) == ""
    assert not [n for n in theme.project_names() if "." in n.split("/")[0][:1]]


@pytest.fixture
def templates_is_the_project(mini_project):
    """`templates -> .`: the project directory itself under the templates name."""
    (mini_project / "templates").rmdir()
    os.symlink(".", mini_project / "templates")
    write(mini_project, ".env", f"KEY={SECRET}\n")
    return mini_project


def test_templates_linking_to_the_project_itself_is_refused(templates_is_the_project):
    root = templates_is_the_project
    write(root, "poster.html", INCLUDING_POSTER.replace("NAME", "content/laws/criminal-law.yaml"))
    assert_refused_link = build_posters(root)
    assert not assert_refused_link.built and len(assert_refused_link.failures) == 2
    assert all("项目目录本身" in f.message for f in assert_refused_link.failures)
    assert not list((root / "build").rglob("*.pdf"))
    theme = Theme(root)
    assert theme.search_path == [theme.builtin_dir]   # no CSS, image or font is read through the link
    assert theme.project_names() == []
    [problem] = check_templates(theme)
    assert (problem.file, problem.code) == ("templates", "template-refused") and "项目目录本身" in problem.message


def test_templates_linking_to_the_project_is_refused_by_check_too(templates_is_the_project):
    root = templates_is_the_project
    (root / "texts").mkdir()
    write(root, "texts/sms.txt", '{% include ".env" %}\n')
    measured = run_measured(["check"], root)
    assert measured.returncode == 1 and "template-refused" in measured.stdout and "项目目录本身" in measured.stdout
    assert SECRET not in measured.stdout + measured.stderr


def test_hidden_include_in_a_text_template_is_located_by_check(secrets):
    write(secrets, "templates/texts/sms.txt", '反诈提醒：\n{% include ".env" %}\n')
    measured = run_measured(["check"], secrets)
    assert measured.returncode == 1 and "templates/texts/sms.txt:2" in measured.stdout, measured.stdout
    assert "隐藏" in measured.stdout and SECRET not in measured.stdout + measured.stderr


def test_templates_linking_to_a_hidden_folder_is_refused(mini_project):
    write(mini_project, ".git/poster.html", "<p>" + SECRET + "</p>")
    (mini_project / "templates").rmdir()
    os.symlink(".git", mini_project / "templates")
    result = build_posters(mini_project)
    assert not result.built and all("隐藏目录" in f.message for f in result.failures)
    assert Theme(mini_project).search_path == [Theme(mini_project).builtin_dir]


def test_image_linked_to_a_deep_hidden_folder_inside_templates_is_refused(mini_project):
    from PIL import Image

    hidden = mini_project / "templates/.private/a/b"
    hidden.mkdir(parents=True)
    Image.new("RGB", (20, 20), "red").save(hidden / "logo.png")
    os.symlink(".private/a/b/logo.png", mini_project / "templates/logo.png")
    write(mini_project, "templates/poster.html",
          '{% extends "!theme/poster.html" %}\n'
          f'{{% block body %}}<img src="{(mini_project / "templates/logo.png").as_uri()}">{{{{ super() }}}}{{% endblock %}}\n')
    result = build_posters(mini_project)
    assert result.ok
    assert any("logo.png" in message and "隐藏" in message for _, message in result.warnings), result.warnings


def test_a_theme_installed_under_a_hidden_folder_is_still_read(tmp_path):
    """pip installs the built-in theme under .venv/: only names below the theme folder count."""
    from outreach.rendering.pdf import SafeFetcher

    theme = tmp_path / ".venv/site-packages/outreach/default_theme"
    (theme / "css").mkdir(parents=True)
    (theme / "css/poster.css").write_text("h1 { color: red }", encoding="utf-8")
    (theme / "css/.secret.css").write_text(SECRET, encoding="utf-8")
    warnings: list[str] = []
    fetcher = SafeFetcher([theme], "poster.html", warnings)
    assert fetcher.fetch((theme / "css/poster.css").as_uri()).read() == b"h1 { color: red }"
    with pytest.raises(ValueError):
        fetcher.fetch((theme / "css/.secret.css").as_uri())
    assert len(warnings) == 1 and "隐藏" in warnings[0]
