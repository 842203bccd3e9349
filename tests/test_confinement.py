"""Nothing outside the project (or hidden in it) reaches an output: templates, resources, content, build dir."""

from __future__ import annotations

import json
import os
import socket
import time

import pikepdf
import pytest
from conftest import build_posters, check, located, pdf_text, write

SECRET = "OUTREACH_TEST_SECRET_9f3a"

INCLUDING_POSTER = """\
{% extends "!theme/poster.html" %}
{% block body %}{{ super() }}<p class="laws">{% include "partials/extra.html" %}</p>{% endblock %}
"""


def every_output_text(root) -> str:
    """All text a reader could extract from every PDF, plus every text output, of the build."""
    parts = []
    for path in (root / "build").rglob("*"):
        if path.suffix == ".pdf":
            parts.append(pdf_text(path))
        elif path.suffix in (".txt", ".md", ".json", ".html"):
            parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


@pytest.fixture
def secret_env(monkeypatch):
    monkeypatch.setenv("OUTREACH_WEBHOOK_KEY", SECRET)


@pytest.mark.parametrize("target", ["/proc/self/environ", "/etc/passwd"])
def test_included_template_linking_out_of_the_project_is_refused(mini_project, secret_env, target):
    write(mini_project, "templates/poster.html", INCLUDING_POSTER)
    (mini_project / "templates/partials").mkdir()
    os.symlink(target, mini_project / "templates/partials/extra.html")
    result = build_posters(mini_project)
    assert not result.built and len(result.failures) == 2
    failure = result.failures[0]
    assert failure.file == "templates/poster.html" and failure.line == 2
    assert "templates/partials/extra.html" in failure.message and "链接" in failure.message
    assert target not in failure.message  # names the link, never where it points
    assert SECRET not in every_output_text(mini_project) and "root:x:0" not in every_output_text(mini_project)


def test_directory_link_out_of_templates_is_refused(mini_project):
    os.symlink("/", mini_project / "templates/outside")
    write(mini_project, "templates/poster.html", INCLUDING_POSTER.replace("partials/extra.html", "outside/etc/passwd"))
    result = build_posters(mini_project)
    assert len(result.failures) == 2 and "链接" in result.failures[0].message
    assert not (mini_project / "build/posters/fake-loan.pdf").exists()


def test_templates_directory_linking_out_is_refused(mini_project, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "poster.html").write_text("<p>来自项目外</p>", encoding="utf-8")
    (mini_project / "templates").rmdir()
    os.symlink(outside, mini_project / "templates")
    result = build_posters(mini_project)
    assert len(result.failures) == 2 and "项目外" in result.failures[0].message


def test_link_inside_templates_is_fine(mini_project):
    write(mini_project, "templates/partials/real.html", "本所自定义说明")
    os.symlink("real.html", mini_project / "templates/partials/extra.html")
    write(mini_project, "templates/poster.html", INCLUDING_POSTER)
    assert build_posters(mini_project).ok
    assert "本所自定义说明" in pdf_text(mini_project / "build/posters/fake-loan.pdf")


@pytest.mark.parametrize("href", ["../.env", "../.git/config", "../.outreach/ledger.sqlite", "../outreach.toml"])
def test_pdf_attachments_are_refused(mini_project, href):
    write(mini_project, ".env", f"OUTREACH_WECOM_URL=https://qyapi.weixin.qq.com/send?key={SECRET}\n")
    write(mini_project, ".git/config", f"[remote]\nurl = https://user:{SECRET}@example.com/repo\n")
    write(mini_project, ".outreach/ledger.sqlite", SECRET)
    write(mini_project, "templates/poster.html",
          '{% extends "!theme/poster.html" %}\n'
          '{% block title %}x{% endblock %}'
          '{% block body %}' f'<link rel="attachment" href="{href}">' '{{ super() }}{% endblock %}\n')
    result = build_posters(mini_project)
    assert len(result.failures) == 2 and not result.built
    assert "附件" in result.failures[0].message and result.failures[0].file == "templates/poster.html"
    assert not list((mini_project / "build").rglob("*.pdf"))


def test_anchor_attachments_are_refused(mini_project):
    write(mini_project, ".env", SECRET)
    write(mini_project, "templates/poster.html",
          '{% extends "!theme/poster.html" %}\n'
          '{% block body %}<a rel="attachment" href="../.env">附件</a>{{ super() }}{% endblock %}\n')
    result = build_posters(mini_project)
    assert len(result.failures) == 2 and "附件" in result.failures[0].message


def test_no_built_pdf_carries_embedded_files(mini_project):
    assert build_posters(mini_project).ok
    for path in (mini_project / "build").rglob("*.pdf"):
        with pikepdf.open(path) as pdf:
            assert not pdf.attachments
            assert "/EmbeddedFiles" not in pdf.Root.get("/Names", {})


@pytest.mark.parametrize("src", ["../.env", "../content/laws/criminal-law.yaml"])
def test_resources_outside_templates_or_hidden_are_refused(mini_project, src):
    write(mini_project, ".env", SECRET)
    write(mini_project, "templates/poster.html",
          '{% extends "!theme/poster.html" %}\n'
          f'{{% block body %}}<img src="{src}">{{{{ super() }}}}{{% endblock %}}\n')
    result = build_posters(mini_project)
    assert result.ok
    assert any(src.split("/")[-1] in message and "拒绝" in message for _, message in result.warnings)


def test_content_link_out_of_the_project_is_refused_naming_only_the_link(mini_project, tmp_path):
    secret = tmp_path / "shadow.yaml"
    secret.write_text(f"root: {SECRET}\nother: [\n", encoding="utf-8")
    os.symlink(secret, mini_project / "content/scenarios/x.yaml")
    os.symlink("/etc/passwd", mini_project / "content/scenarios/y.yaml")
    diagnostics = check(mini_project)
    found = {d.file: d for d in diagnostics if d.code == "outside-project"}
    assert set(found) == {"content/scenarios/x.yaml", "content/scenarios/y.yaml"}
    text = "\n".join(d.format() for d in diagnostics)
    assert SECRET not in text and "root:x:0" not in text and str(secret) not in text and "/etc/passwd" not in text


def test_content_link_inside_the_project_is_read(mini_project):
    original = mini_project / "content/scenarios/fake-loan.yaml"
    moved = mini_project / "content/scenarios/shared"
    moved.mkdir()
    original.rename(moved / "fake-loan-source.yaml")
    os.symlink(moved / "fake-loan-source.yaml", mini_project / "content/scenarios/fake-loan.yaml")
    assert not [d for d in check(mini_project) if d.code == "outside-project"]


def test_station_sheet_link_out_is_refused(mini_project, tmp_path):
    (tmp_path / "people.csv").write_text(f"id,name,phone\nx,{SECRET},110\n", encoding="utf-8")
    os.symlink(tmp_path / "people.csv", mini_project / "content/stations.csv")
    diagnostics = check(mini_project)
    assert [d.code for d in diagnostics if d.file == "content/stations.csv"] == ["outside-project"]
    assert SECRET not in "\n".join(d.format() for d in diagnostics)


def set_output_dir(root, value: str) -> int:
    """Point [build] output_dir at `value`; returns the line it is on."""
    config = root / "outreach.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + f'\n[build]\noutput_dir = "{value}"\n', encoding="utf-8")
    return len(text.splitlines()) + 3


@pytest.mark.parametrize("value", ["../out", "/tmp/outreach-out", "build/../..", ".hidden", "content", "."])
def test_output_dir_must_stay_inside_the_project(mini_project, value):
    line = set_output_dir(mini_project, value)
    problems = located(check(mini_project, lint=False), "outreach.toml")
    assert (line, 1, "bad-path") in problems
    result = build_posters(mini_project)
    assert not result.ok and not result.built
    assert not (mini_project.parent / "out").exists() and not (mini_project.parent / "manifest.json").exists()


def test_output_dir_that_is_a_link_is_refused(mini_project, tmp_path):
    os.symlink(tmp_path, mini_project / "out")
    line = set_output_dir(mini_project, "out")
    assert (line, 1, "bad-path") in located(check(mini_project, lint=False), "outreach.toml")


def test_nested_output_dir_inside_the_project_works(mini_project):
    set_output_dir(mini_project, "output/posters")
    assert build_posters(mini_project).ok
    assert (mini_project / "output/posters/manifest.json").is_file()


def test_sweep_deletes_only_what_builds_marked_as_theirs(mini_project):
    out = mini_project / "build"
    out.mkdir()
    old = time.time() - 3600
    unrelated = [out / "notes.tmp", out / ".draft.tmp", out / ".staging-not-ours"]
    unrelated[0].write_text("员工的笔记", encoding="utf-8")
    unrelated[1].write_text("草稿", encoding="utf-8")
    unrelated[2].mkdir()
    dead = out / ".staging-dead"
    dead.mkdir()
    (dead / ".outreach-owner.json").write_text(json.dumps(
        {"marker": "outreach staging directory", "pid": 2 ** 22 + 7, "start": 1, "host": socket.gethostname()}))
    live = out / ".staging-live"
    live.mkdir()
    from outreach.engine.staging import process_start_time

    (live / ".outreach-owner.json").write_text(json.dumps(
        {"marker": "outreach staging directory", "pid": os.getpid(), "start": process_start_time(os.getpid()),
         "host": socket.gethostname()}))
    for path in [*unrelated, dead, live]:
        os.utime(path, (old, old))
    assert build_posters(mini_project).ok
    assert all(path.exists() for path in unrelated), "a build deleted files it did not create"
    assert live.exists(), "a live build's staging directory was deleted"
    assert not dead.exists()
    leftovers = {p.name for p in out.glob(".staging-*")}
    assert leftovers == {".staging-not-ours", ".staging-live"}
