"""Cold builds without repeated work (issue 29, item 7): each page read once by the page
inspector, in the bytes the build writes; the no-op answer without the heavy imports."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import build_project, write

import outreach.rendering.pageinspect as pageinspect


@pytest.mark.slow
@pytest.mark.parametrize("print_ready", [False, True])
def test_each_poster_and_tip_page_is_inspected_once_in_its_final_bytes(fixture_project, monkeypatch, print_ready):
    seen: list[tuple[str, str]] = []     # (name, sha256 of the bytes read)
    pages: list[str] = []
    inspect_terms, inspect_page = pageinspect.inspect_pdf_terms, pageinspect._inspect_page

    def reading(source, name, term_sets, skip=()):
        seen.append((name, hashlib.sha256(source).hexdigest()))
        return inspect_terms(source, name, term_sets, skip)

    def page(page, textpage, number, file, term_sets):
        pages.append(file)
        return inspect_page(page, textpage, number, file, term_sets)

    monkeypatch.setattr(pageinspect, "inspect_pdf_terms", reading)
    monkeypatch.setattr(pageinspect, "_inspect_page", page)
    result = build_project(fixture_project, only=("posters", "tips"), print_ready=print_ready)
    assert result.ok, [f.message for f in result.failures]

    outputs = json.loads((fixture_project / "build/manifest.json").read_text(encoding="utf-8"))["outputs"]
    pdfs = {entry["path"]: entry["sha256"] for entry in outputs if entry["path"].endswith(".pdf")}
    assert len(pdfs) == 4   # three posters and a tip sheet, one page each
    # One reading of each file, of exactly the bytes written (fonts finished), and nothing else read.
    assert sorted(seen) == sorted(pdfs.items())
    assert sorted(pages) == sorted(pdfs)


@pytest.mark.slow
def test_a_poster_template_that_puts_text_over_text_still_fails_the_build(fixture_project):
    # The layout check now reads the finished file (once): it still fails the poster, at the template.
    write(fixture_project, "templates/poster.html",
          '{% extends "!theme/poster.html" %}{% block style %}{{ super() }} '
          '.summary { margin-top: -25mm; }{% endblock %}')
    result = build_project(fixture_project, only=("posters",))
    assert result.failures and all(f.file == "templates/poster.html" for f in result.failures)
    assert all("版面有问题" in f.message and "毫米" in f.message for f in result.failures)
    assert not list((fixture_project / "build").glob("posters/*.pdf"))


# --- the no-op answer, before the command line loads -----------------------------------------------

def _quick(root: Path, **options):
    from outreach.buildspec.options import BuildOptions
    from outreach.engine.build import noop_build

    return noop_build(root, BuildOptions(**options))


def _agree(root: Path, **options):
    """The quick answer, then the full build's, for the same state: they must say the same."""
    quick = _quick(root, **options)
    full = build_project(root, **options)
    assert (quick is not None) == full.noop, (quick, full.built, full.failures)
    if quick is not None:
        assert (quick.unchanged, quick.skipped, quick.out_dir) == (full.unchanged, full.skipped, full.out_dir)
    return full


def test_the_quick_noop_answer_is_the_full_builds(mini_project):
    root = mini_project
    assert not _agree(root, only=("texts",)).noop                  # nothing built yet
    assert _agree(root, only=("texts",)).noop
    assert _agree(root, only=("texts",), jobs=2).noop              # -j changes nothing built
    assert not _agree(root, only=("texts",), print_ready=True).noop   # other options, other outputs
    scenario = root / "content/scenarios/fake-loan.yaml"
    scenario.write_text(scenario.read_text(encoding="utf-8").replace("title: ", "title: 新", 1), encoding="utf-8")
    assert not _agree(root, only=("texts",)).noop                  # content changed
    assert _agree(root, only=("texts",)).noop
    next((root / "build/texts").rglob("*.txt")).unlink()
    assert not _agree(root, only=("texts",)).noop                  # an output gone
    write(root, "templates/texts/sms.txt", "{{ scenario.title }")  # a template: part of the inputs
    broken = _agree(root, only=("texts",))
    assert not broken.noop
    (root / "templates/texts/sms.txt").unlink()
    assert not _agree(root, only=("texts",)).noop
    # Content with an error is left out; a no-op says so again (the replayed record), in both.
    scenario.write_text(scenario.read_text(encoding="utf-8") + "\nsigns: 不是列表\n", encoding="utf-8")
    assert _agree(root, only=("texts",)).skipped
    again = _agree(root, only=("texts",))
    assert again.noop and again.skipped
    assert _quick(root, only=("texts",), clean=True) is None       # --clean always builds


def test_the_quick_answer_leaves_a_busy_build_folder_to_the_full_build(mini_project):
    from outreach.engine.buildlock import build_lock

    assert build_project(mini_project, only=("texts",)).ok
    assert _quick(mini_project, only=("texts",)) is not None
    with build_lock(mini_project / "build", "manifest.json"):
        assert _quick(mini_project, only=("texts",)) is None        # build() waits for it and says so


def _cli(root: Path, args: list[str], full: bool) -> subprocess.CompletedProcess:
    code = ("import sys; sys.argv = ['outreach', *sys.argv[1:]]\n"
            + ("from outreach.cli.commands import main\n" if full else "from outreach.cli import main\n")
            + "try:\n    main()\nfinally:\n"
            "    print(sorted({m.split('.')[0] for m in sys.modules} & {'typer', 'pydantic', 'weasyprint', 'yaml',"
            " 'jinja2'}), file=sys.stderr)\n")
    return subprocess.run([sys.executable, "-c", code, *args], cwd=root, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("args", [pytest.param(["build"], marks=pytest.mark.slow), ["build", "-q", "--only", "texts"],
                                  ["build", "--only=texts", "-j", "2"]])
def test_outreach_build_with_nothing_to_do_answers_without_loading_the_command_line(mini_project, args):
    scenario = mini_project / "content/scenarios/fake-loan.yaml"
    scenario.write_text(scenario.read_text(encoding="utf-8") + "\nsigns: 不是列表\n", encoding="utf-8")
    _cli(mini_project, args, full=True)    # built (one scenario left out for its error)
    quick, full = _cli(mini_project, args, full=False), _cli(mini_project, args, full=True)
    seconds = re.compile(r"[0-9.]+ 秒")
    assert quick.returncode == full.returncode == 1   # the left-out scenario fails the build, as before
    assert seconds.sub("", quick.stdout) == seconds.sub("", full.stdout)
    assert quick.stderr.splitlines()[:-1] == full.stderr.splitlines()[:-1]
    assert "fake-loan" in quick.stderr
    if "-q" not in args:
        assert "没有变化" in quick.stdout
    assert quick.stderr.splitlines()[-1] == "[]"      # no Typer, pydantic, WeasyPrint, YAML or Jinja
    assert "typer" in full.stderr.splitlines()[-1]


@pytest.mark.slow
def test_other_commands_and_builds_with_work_go_to_the_full_command_line(mini_project):
    first = _cli(mini_project, ["build", "--only", "texts"], full=False)
    assert first.returncode == 0 and "完成：生成" in first.stdout and "typer" in first.stderr.splitlines()[-1]
    for args in (["build", "--only", "nothing"], ["build", "--clean", "--only", "texts"], ["--version"],
                 ["build", "-j", "-1"], ["build", "--locale", "fr"], ["check"]):
        run = _cli(mini_project, args, full=False)
        assert "typer" in run.stderr.splitlines()[-1], args
    assert "不认识的类别" in _cli(mini_project, ["build", "--only", "nothing"], full=False).stderr


def test_batches_give_every_worker_an_even_share():
    from types import SimpleNamespace

    from outreach.engine.executors.batches import chunks

    posters = [SimpleNamespace(renderer="posters", id=f"posters/{n}") for n in range(21)]
    sizes = [len(batch) for batch in chunks(posters, 2)]
    # At most 8 a batch (posters.batch_size), in a multiple of two batches of even sizes: the two
    # workers render 11 and 10 posters (cut 8+8+5, one rendered 13 while the other waited).
    assert sizes == [6, 5, 5, 5]
    assert [t.id for batch in chunks(posters, 2) for t in batch] == [t.id for t in posters]
    assert [len(batch) for batch in chunks(posters[:3], 2)] == [2, 1]
    assert [len(batch) for batch in chunks(posters, 1)] == [7, 7, 7]
