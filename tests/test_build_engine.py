"""The build engine: incremental by content fingerprint, atomic, parallel, with a manifest."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from conftest import REPO, build_posters, build_project, edit, pdf_text, write

from outreach.buildspec.options import BuildOptions
from outreach.engine.planner import PlanError, plan_build


def overflow_poster(root) -> None:
    """Six more long signs (each within the field limits) push the fake-loan poster past one page."""
    sign = "  - " + "很长很长的识别要点，用来把海报撑到第二页，测试溢出检查是否生效。" * 3 + "\n"
    edit(root / "content/scenarios/fake-loan.yaml", "signs:\n", "signs:\n" + sign * 6)


def built_ids(result) -> list[str]:
    return sorted(result.built)


def test_cold_build_then_noop(mini_project):
    first = build_posters(mini_project)
    assert first.ok, first.failures
    assert built_ids(first) == ["posters/card-renting", "posters/fake-loan"]
    second = build_posters(mini_project)
    assert second.noop and second.built == []


def test_manifest_lists_every_output_with_hash_size_sources(mini_project):
    build_posters(mini_project)
    out = mini_project / "build"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    paths = [entry["path"] for entry in manifest["outputs"]]
    assert paths == sorted(paths) == ["posters/card-renting.pdf", "posters/card-renting.png",
                                      "posters/fake-loan.pdf", "posters/fake-loan.png"]
    for entry in manifest["outputs"]:
        data = (out / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size"] == len(data)
        assert len(entry["fingerprint"]) == 64
    loan = next(e for e in manifest["outputs"] if e["path"] == "posters/fake-loan.pdf")
    assert loan["sources"] == ["content/laws/criminal-law.yaml", "content/scenarios/fake-loan.yaml"]


def test_content_change_rebuilds_only_that_scenario(mini_project):
    build_posters(mini_project)
    edit(mini_project / "content/scenarios/fake-loan.yaml", "title: 虚假网络贷款诈骗", "title: 虚假贷款诈骗")
    result = build_posters(mini_project)
    assert built_ids(result) == ["posters/fake-loan"]
    assert result.unchanged == ["posters/card-renting"]


def test_comment_only_change_rebuilds_nothing(mini_project):
    build_posters(mini_project)
    path = mini_project / "content/scenarios/fake-loan.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# 只是注释\n", encoding="utf-8")
    result = build_posters(mini_project)
    assert not result.noop and result.built == []


def test_referenced_law_change_rebuilds_citing_posters(mini_project):
    build_posters(mini_project)
    # card-renting cites the anti-fraud law; fake-loan does not.
    edit(mini_project / "content/laws/anti-telecom-fraud.yaml", "诈骗公私财物的行为。", "骗取公私财物的行为。")
    assert built_ids(build_posters(mini_project)) == ["posters/card-renting"]


def test_a_law_name_change_rebuilds_every_page(mini_project):
    """Every page keeps every law's names unbroken (typesetting reads them from the whole library,
    RenderContext.shared_reads): a new short name may break differently on a page citing nothing."""
    build_posters(mini_project)
    edit(mini_project / "content/laws/anti-telecom-fraud.yaml", "short: 反电信网络诈骗法", "short: 反电诈法")
    assert built_ids(build_posters(mini_project)) == ["posters/card-renting", "posters/fake-loan"]


@pytest.mark.slow
def test_included_template_change_rebuilds_posters(mini_project):
    build_posters(mini_project)
    write(mini_project, "templates/partials/hotlines.html",
          (REPO / "src/outreach/default_theme/partials/hotlines.html").read_text(encoding="utf-8") + "<!-- 改 -->\n")
    assert built_ids(build_posters(mini_project)) == ["posters/card-renting", "posters/fake-loan"]


@pytest.mark.slow
def test_stylesheet_change_rebuilds_posters(mini_project):
    build_posters(mini_project)
    write(mini_project, "templates/css/poster.css",
          (REPO / "src/outreach/default_theme/css/poster.css").read_text(encoding="utf-8") + "\n.laws { color: #000; }\n")
    assert len(build_posters(mini_project).built) == 2


@pytest.mark.slow
def test_relevant_config_change_rebuilds_irrelevant_does_not(mini_project):
    build_posters(mini_project)
    config = mini_project / "outreach.toml"
    edit(config, "max_parts = 2", "max_parts = 3")  # [sms]: posters do not use it
    assert build_posters(mini_project).built == []
    edit(config, 'primary_color = "#c8102e"', 'primary_color = "#b00020"')
    assert len(build_posters(mini_project).built) == 2


@pytest.mark.slow
def test_print_ready_option_is_part_of_the_fingerprint(mini_project):
    build_posters(mini_project)
    assert len(build_posters(mini_project, print_ready=True).built) == 2


def test_removed_scenario_deletes_its_outputs(mini_project):
    build_posters(mini_project)
    (mini_project / "content/scenarios/card-renting.yaml").unlink()
    result = build_posters(mini_project)
    assert sorted(result.removed) == ["posters/card-renting.pdf", "posters/card-renting.png"]
    assert not (mini_project / "build/posters/card-renting.pdf").exists()
    manifest = json.loads((mini_project / "build/manifest.json").read_text(encoding="utf-8"))
    assert all("card-renting" not in e["path"] for e in manifest["outputs"])


@pytest.mark.slow
def test_deleted_output_is_rebuilt(mini_project):
    build_posters(mini_project)
    (mini_project / "build/posters/fake-loan.png").unlink()
    assert built_ids(build_posters(mini_project)) == ["posters/fake-loan"]


@pytest.mark.slow
def test_clean_rebuilds_everything(mini_project):
    build_posters(mini_project)
    result = build_posters(mini_project, clean=True)
    assert len(result.built) == 2 and len(result.removed) == 4


def test_only_builds_selected_kinds(mini_project):
    result = build_project(mini_project, only=("texts",))
    assert sorted(result.built) == ["texts/card-renting", "texts/fake-loan", "texts/feed"]
    assert not (mini_project / "build/posters").exists()


def test_content_errors_leave_out_only_the_broken_file(mini_project):
    write(mini_project, "content/scenarios/broken.yaml", "title: [\n")
    result = build_posters(mini_project)
    assert result.diagnostics.has_errors() and not result.ok
    assert built_ids(result) == ["posters/card-renting", "posters/fake-loan"]
    assert [(item.file, item.reasons[0].code) for item in result.skipped] == [("content/scenarios/broken.yaml", "yaml-syntax")]
    assert not (mini_project / "build/posters/broken.pdf").exists()


def test_failing_target_does_not_stop_the_others(mini_project):
    overflow_poster(mini_project)
    result = build_posters(mini_project)
    assert built_ids(result) == ["posters/card-renting"]
    [failure] = result.failures
    assert failure.file == "content/scenarios/fake-loan.yaml"
    assert "超出一页约" in failure.message and "毫米" in failure.message
    assert not (mini_project / "build/posters/fake-loan.pdf").exists()


@pytest.mark.slow
def test_failed_target_keeps_previous_output(mini_project):
    build_posters(mini_project)
    before = (mini_project / "build/posters/fake-loan.pdf").read_bytes()
    overflow_poster(mini_project)
    result = build_posters(mini_project)
    assert result.failures
    assert (mini_project / "build/posters/fake-loan.pdf").read_bytes() == before
    # The failed target is retried next time rather than being treated as up to date.
    assert build_posters(mini_project).failures


def test_missing_glyph_is_reported(mini_project):
    # Found when the content is loaded now (located in the file); the poster is left out, the other built.
    edit(mini_project / "content/scenarios/fake-loan.yaml", "title: 虚假网络贷款诈骗", "title: 虚假网络贷款诈骗\ue000")
    result = build_posters(mini_project)
    [item] = result.skipped
    assert "U+E000" in item.why() and "方框" in item.why() and result.built == ["posters/card-renting"]


def test_two_targets_writing_one_file_are_refused(mini_project, monkeypatch):
    from outreach.engine import planner
    from outreach.outputs.posters import PosterRenderer

    class Twin(PosterRenderer):
        name = "twin"

        def plan(self, library, options):
            targets = super().plan(library, options)
            for target in targets:
                target.id = "twin/" + target.id
                target.renderer = self.name
            return targets

    monkeypatch.setattr(planner, "all_renderers", lambda: {"posters": PosterRenderer(), "twin": Twin()})
    from outreach.project.loader import load_library

    library, _ = load_library(mini_project)
    with pytest.raises(PlanError, match="两个目标要写同一个文件"):
        plan_build(mini_project, library, BuildOptions())


@pytest.mark.slow
def test_parallel_build_matches_sequential(mini_project, tmp_path):
    """Workers batch posters (fonts subset once per batch); the files are the same, byte for byte
    (tests/test_reproducible.py checks every kind, shards too)."""
    import shutil

    import pypdfium2 as pdfium

    other = tmp_path / "other"
    shutil.copytree(mini_project, other)
    build_posters(mini_project, jobs=1)
    build_posters(other, jobs=2)
    for name in ("fake-loan", "card-renting"):
        texts = []
        for root in (mini_project, other):
            document = pdfium.PdfDocument((root / "build/posters" / f"{name}.pdf").read_bytes())
            texts.append([document[i].get_textpage().get_text_range() for i in range(len(document))])
            document.close()
        assert texts[0] == texts[1] and len(texts[0]) == 1
        for suffix in (".pdf", ".png"):
            path = f"build/posters/{name}{suffix}"
            assert (mini_project / path).read_bytes() == (other / path).read_bytes(), path


@pytest.mark.slow
def test_same_batch_gives_identical_bytes(mini_project, tmp_path):
    import shutil

    other = tmp_path / "again"
    shutil.copytree(mini_project, other)
    build_posters(mini_project, jobs=1)
    build_posters(other, jobs=1)
    for path in (mini_project / "build/posters").iterdir():
        assert path.read_bytes() == (other / "build/posters" / path.name).read_bytes(), path.name


@pytest.mark.slow
def test_noop_rebuild_does_not_import_weasyprint(mini_project):
    build_project(mini_project)
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from outreach.engine.build import build\n"
        "from outreach.buildspec.options import BuildOptions\n"
        f"result = build(Path({str(mini_project)!r}), BuildOptions())\n"
        "print(result.noop, 'weasyprint' in sys.modules, 'outreach.project.models' in sys.modules)\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert output == ["True", "False", "False"]


@pytest.mark.slow
def test_killed_build_leaves_previous_outputs_and_recovers(project):
    """kill -9 in the middle of a build: build/ is exactly as before; the next build completes."""
    run = [sys.executable, "-m", "outreach", "build", "-q", "--only", "posters"]
    subprocess.run(run, cwd=project, check=True)
    out = project / "build"
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    edit(project / "outreach.toml", 'primary_color = "#c8102e"', 'primary_color = "#a0001c"')
    process = subprocess.Popen(run + ["-j", "2"], cwd=project, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and process.poll() is None:
        staged = [p for d in out.glob(".staging-*") for p in d.rglob("*.pdf")]
        if len(staged) >= 3:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the build finished before it could be interrupted"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
             if p.is_file() and not p.relative_to(out).as_posix().startswith(".staging-")}
    assert after == before
    subprocess.run(run, cwd=project, check=True)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["outputs"]) == 2 * len(list((project / "content/scenarios").glob("*.yaml")))   # PDF and PNG
    for entry in manifest["outputs"]:
        assert hashlib.sha256((out / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
    assert all(p.read_bytes() != before[p.relative_to(out).as_posix()] for p in (out / "posters").glob("*.png"))


@pytest.mark.slow
def test_cli_plain_progress_when_not_a_terminal(mini_project):
    result = subprocess.run([sys.executable, "-m", "outreach", "build", "-j", "1"], cwd=mini_project,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # Two scenarios: a poster, texts, an article and its long image each, and the feed.
    assert lines[0] == "需要生成 9 个目标。"
    assert re.fullmatch(r"\[1/9\] 完成 (海报|文字|公众号文章|长图) \S+（\d+\.\d 秒）", lines[1])
    assert lines[-1].startswith("完成：生成 9 个")
    again = subprocess.run([sys.executable, "-m", "outreach", "build"], cwd=mini_project, capture_output=True, text=True)
    assert again.stdout.startswith("没有变化")
    quiet = subprocess.run([sys.executable, "-m", "outreach", "build", "--quiet", "--clean"], cwd=mini_project,
                           capture_output=True, text=True)
    assert quiet.returncode == 0 and quiet.stdout == ""


@pytest.mark.slow
def test_cli_build_failure_exit_code_and_location(mini_project):
    overflow_poster(mini_project)
    result = subprocess.run([sys.executable, "-m", "outreach", "build", "-q"], cwd=mini_project, capture_output=True, text=True)
    assert result.returncode == 1
    assert "content/scenarios/fake-loan.yaml: error[build] 海报 fake-loan：" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_cli_noop_does_not_import_weasyprint(mini_project):
    subprocess.run([sys.executable, "-m", "outreach", "build", "-q"], cwd=mini_project, check=True)
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "outreach", "build"], cwd=mini_project,
                            capture_output=True, text=True, check=True)
    assert result.stdout.startswith("没有变化")
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "weasyprint" not in imported and "jinja2" not in imported


def test_errors_that_stop_the_build_with_a_pool_return_promptly(mini_project):
    edit(mini_project / "outreach.toml", 'primary_color = "#c8102e"', 'primary_color = "红色"')
    started = time.perf_counter()
    result = build_posters(mini_project, jobs=2)
    assert result.fatal and result.fatal[0].file == "outreach.toml" and not result.built
    assert time.perf_counter() - started < 5


@pytest.mark.slow
def test_only_then_full_build_reuses_the_selected_targets(mini_project):
    build_project(mini_project, only=("posters",))
    result = build_project(mini_project)
    assert not [t for t in result.built if t.startswith("posters/")]
    assert sorted(result.unchanged) == ["posters/card-renting", "posters/fake-loan"]


def test_outputs_can_never_be_written_outside_build(tmp_path):
    from outreach.buildspec.target import Target
    from outreach.engine.worker import write_outputs
    from outreach.outputs.base import RenderError

    target = Target(id="evil", renderer="posters", outputs=("../escape.txt",))
    with pytest.raises(RenderError, match="不在输出目录内"):
        write_outputs(tmp_path / "build", target, {"../escape.txt": b"x"})
    assert not (tmp_path / "escape.txt").exists()
    undeclared = Target(id="t", renderer="posters", outputs=("a.txt",))
    with pytest.raises(RenderError, match="不符"):
        write_outputs(tmp_path / "build", undeclared, {"b.txt": b"x"})


@pytest.mark.slow
def test_build_reports_errors_but_leaves_style_warnings_to_check(mini_project):
    from conftest import check

    edit(mini_project / "content/scenarios/fake-loan.yaml", "title: 虚假网络贷款诈骗", "title: 虚假网贷 App诈骗")
    assert [d.code for d in check(mini_project) if d.file.endswith("fake-loan.yaml")] == ["typography-space"]
    result = build_posters(mini_project)
    assert result.ok and len(result.diagnostics) == 0


@pytest.mark.slow
def test_a_pack_cover_rebuilds_when_the_feed_date_it_shows_changes(fixture_project):
    # The fixture pack has no date of its own: its cover shows [feed] published.
    assert build_project(fixture_project, only=("posters", "tips", "quiz", "scripts", "packs")).ok
    edit(fixture_project / "outreach.toml", "published = 2026-11-20", "published = 2026-11-25")
    rebuilt = build_project(fixture_project, only=("posters", "tips", "quiz", "scripts", "packs"))
    assert rebuilt.ok and "packs/fixture" in rebuilt.built
    assert not [t for t in rebuilt.built if t.startswith(("posters/", "tips/", "quiz/", "scripts/"))]
    assert "2026年11月25日" in pdf_text(fixture_project / "build/packs/fixture.pdf")


def test_a_renderer_reading_an_undeclared_config_section_fails_loudly(mini_project, monkeypatch):
    from outreach.outputs.posters import PosterRenderer

    monkeypatch.setattr(PosterRenderer, "config_sections", ("project", "theme"))   # forgets [posters]
    result = build_project(mini_project, only=("posters",))
    assert not result.ok and all("[posters]" in f.message and "config_sections" in f.message for f in result.failures)


def test_fingerprints_cover_every_installed_rendering_dependency():
    from outreach.buildspec.target import tool_versions

    versions = tool_versions()
    # Direct requirements and what they run on (pydyf writes WeasyPrint's PDF bytes).
    for name in ("weasyprint", "pydyf", "pillow", "pikepdf", "opencc-purepy", "fonttools", "jinja2", "tinycss2"):
        assert versions.get(name), name
    assert "pytest" not in versions   # test-only extras are not part of outputs


@pytest.mark.slow
def test_stations_on_or_off_leaves_the_other_targets_alone(fixture_project):
    assert build_project(fixture_project, only=("posters", "texts")).ok
    with_stations = build_project(fixture_project, only=("posters", "texts"), stations=True)
    assert with_stations.ok and not with_stations.built      # same fingerprints: nothing re-rendered
    refused = build_project(fixture_project, only=("stations",))
    assert not refused.ok and "--stations" in refused.failures[0].message and not refused.built


@pytest.mark.slow
def test_every_output_has_a_role_and_media_type_in_the_manifest(fixture_project):
    import json

    assert build_project(fixture_project, stations=True).ok
    outputs = json.loads((fixture_project / "build/manifest.json").read_text(encoding="utf-8"))["outputs"]
    roles = {entry["path"]: (entry["role"], entry["media_type"]) for entry in outputs}
    assert all(role for role, _ in roles.values())
    assert roles["posters/fake-loan.png"] == ("poster-png", "image/png")
    assert roles["texts/fake-loan.sms.txt"] == ("sms", "text/plain; charset=utf-8")
    assert roles["texts/fake-loan.wecom.md"][0] == "group-markdown" and roles["feed.json"][0] == "feed"
    assert roles["quiz/basics/index.html"] == ("quiz-h5", "text/html; charset=utf-8")
    assert roles["stations/test-east/contact-cards.pdf"] == ("contact-cards", "application/pdf")
    assert roles["packs/fixture.zip"][0] == "pack-zip"


def test_pack_items_are_one_table():
    from outreach.outputs.registry import all_renderers
    from outreach.project.kinds import PACK_ITEMS, PackItem

    assert set(PackItem.model_fields) == set(PACK_ITEMS)
    served = {r.pack_item for r in all_renderers().values() if r.pack_item}
    assert served == set(PACK_ITEMS)      # every pack item has a renderer and no renderer serves an unknown one


def test_build_jobs_setting_is_used_unless_j_is_given(mini_project):
    from outreach.engine.build import with_configured_jobs

    assert with_configured_jobs(mini_project, BuildOptions()).jobs == 0          # one per core
    config = mini_project / "outreach.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[build]\njobs = 1\n", encoding="utf-8")
    assert with_configured_jobs(mini_project, BuildOptions()).workers() == 1
    assert with_configured_jobs(mini_project, BuildOptions(jobs=3)).jobs == 3    # -j wins


def test_library_reads_are_recorded_through_every_accessor(mini_project):
    """The recording view stands in for Library.items, so every accessor records what it reads;
    a shared_reads block (law names every page protects, other kinds' plans) records nothing."""
    from outreach.engine.libraryreads import recording
    from outreach.outputs.base import shared_reads
    from outreach.project.loader import load_library

    library, _ = load_library(mini_project)
    law = "content/laws/anti-telecom-fraud.yaml"
    with recording(library) as view:
        library.item("scenarios", "fake-loan")
        assert library.get("tips", "nothing") is None and "card-renting" in library.kind("scenarios")
        assert view.read == {"content/scenarios/fake-loan.yaml"}    # an id looked up, not listed
        with shared_reads(library):
            assert library.laws and list(library.all_items())
        assert view.read == {"content/scenarios/fake-loan.yaml"}
        assert library.laws["anti-telecom-fraud"].short                # a typed view lists the kind
    assert law in view.read and len(view.read) == 1 + len(library.kind("laws"))
    assert isinstance(library.items, dict)                               # the real store is back


def test_a_change_saved_while_the_build_takes_its_digest_is_reported_by_that_build(mini_project):
    """The editor matches a save to the first build whose reading began after it (serve's
    reporter.reading). A save landing just after that moment but before the build read its
    inputs went into this build; the build must then give a later reading time, or the editor
    waits for the next build, finds it has nothing to do and says "没有变化" (found in CI)."""
    from outreach.buildspec.options import BuildOptions
    from outreach.engine.build import SilentReporter, build

    assert build_project(mini_project, only=("posters",)).ok
    scenario = mini_project / "content/scenarios/fake-loan.yaml"

    class SavingReporter(SilentReporter):
        def __init__(self) -> None:
            self.readings: list[float] = []
            self.saved_at = 0.0

        def reading(self) -> None:
            self.readings.append(time.time())
            if not self.saved_at:   # the editor saves right after the build began reading
                time.sleep(0.01)
                edit(scenario, "title: 虚假网络贷款诈骗", "title: 虚假贷款骗局")
                self.saved_at = time.time()

    reporter = SavingReporter()
    result = build(mini_project, BuildOptions(only=("posters",), jobs=1), reporter)
    assert result.ok and not result.noop
    assert reporter.readings[-1] >= reporter.saved_at          # this build reports the save
    assert "虚假贷款骗局" in pdf_text(mini_project / "build/posters/fake-loan.pdf")
    assert build_project(mini_project, only=("posters",)).noop  # and the next has nothing to do
