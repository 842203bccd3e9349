"""A third-party output kind, added by another package through the `outreach.outputs`
entry-point group, builds without any change to outreach."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.slow   # builds or servers in most tests (README, 测试)


PLUGIN = '''
from outreach.buildspec.target import Target
from outreach.outputs.base import Renderer, RenderResult


class BookmarkRenderer(Renderer):
    """A reading bookmark per scenario: its title and the unit, as plain text."""

    name = "bookmarks"
    label = "书签"
    config_sections = ("project",)
    roles = (("bookmarks/*.txt", "bookmark-text"),)

    def plan(self, library, options):
        return [Target(id=f"bookmarks/{scenario_id}", renderer=self.name, outputs=(f"bookmarks/{scenario_id}.txt",),
                       sources=(item.path,), label=f"书签 {scenario_id}")
                for scenario_id, item in sorted(library.kind("scenarios").items())]

    def render(self, target, ctx):
        scenario_id = target.id.rsplit("/", 1)[-1]
        title = ctx.library.get("scenarios", scenario_id).model.title
        text = f"{title}｜{ctx.config.project.organisation}\\n"
        return RenderResult(outputs={target.outputs[0]: ctx.localize(text).encode("utf-8")})
'''


def install_plugin(site) -> None:
    """The files `pip install --target site` would write for a tiny plugin package."""
    (site / "outreach_bookmarks").mkdir(parents=True)
    (site / "outreach_bookmarks/__init__.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    info = site / "outreach_bookmarks-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: outreach-bookmarks\nVersion: 0.1\n"
                                   "Requires-Dist: outreach\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[outreach.outputs]\nbookmarks = outreach_bookmarks:BookmarkRenderer\n",
                                           encoding="utf-8")
    (info / "RECORD").write_text("", encoding="utf-8")


def outreach(root, site, *args):
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, "-m", "outreach", *args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)


def test_a_third_party_kind_builds_through_the_entry_point_group(fixture_project, tmp_path):
    site = tmp_path / "site"
    install_plugin(site)
    help_text = outreach(fixture_project, site, "build", "--help").stdout
    assert "bookmarks" in help_text                     # --only choices come from the registry
    built = outreach(fixture_project, site, "build", "-q", "--only", "bookmarks", "--only", "texts")
    assert built.returncode == 0, built.stderr
    assert (fixture_project / "build/bookmarks/fake-loan.txt").read_text(encoding="utf-8") == \
        "虚假网络贷款诈骗｜示例市公安局示例分局\n"
    outputs = json.loads((fixture_project / "build/manifest.json").read_text(encoding="utf-8"))["outputs"]
    assert {e["path"]: e["role"] for e in outputs}["bookmarks/fake-loan.txt"] == "bookmark-text"
    # Without the plugin on the path the kind is unknown again, and says so.
    plain = subprocess.run([sys.executable, "-m", "outreach", "build", "--only", "bookmarks"], cwd=fixture_project,
                           capture_output=True, text=True, timeout=300)
    assert plain.returncode == 2 and "不认识的类别 bookmarks" in plain.stderr


SHORT_BATCH = PLUGIN + '''

class ShortBatchRenderer(BookmarkRenderer):
    """A broken plugin: its batch answers for every target but the last."""

    def render_batch(self, targets, ctx):
        return super().render_batch(targets, ctx)[:-1]
'''


def test_a_renderer_that_answers_for_fewer_targets_fails_the_build_every_time(fixture_project, tmp_path):
    """Issue 29, item 1: never "生成 14 个 … 失败 0 个" and then "没有变化" with files missing."""
    site = tmp_path / "site"
    install_plugin(site)
    (site / "outreach_bookmarks/__init__.py").write_text(textwrap.dedent(SHORT_BATCH), encoding="utf-8")
    entry_points = site / "outreach_bookmarks-0.1.dist-info/entry_points.txt"
    entry_points.write_text("[outreach.outputs]\nbookmarks = outreach_bookmarks:ShortBatchRenderer\n", encoding="utf-8")
    for _ in range(2):   # the second build must not call the lost target unchanged
        built = outreach(fixture_project, site, "build", "--only", "bookmarks", "-j", "1")
        assert built.returncode != 0, built.stdout
        assert "只交回了" in built.stdout + built.stderr
    assert not (fixture_project / "build/bookmarks").exists() or not list((fixture_project / "build/bookmarks").iterdir())


PEEKING = PLUGIN + '''

class PeekingRenderer(BookmarkRenderer):
    """A careless plugin: every bookmark also shows a tip's title, and no target says it reads the tip."""

    def render(self, target, ctx):
        result = super().render(target, ctx)
        tip = ctx.library.item("tips", "answer-96110").model.title
        [(path, data)] = result.outputs.items()
        result.outputs[path] = data + f"{tip}\\n".encode("utf-8")
        return result


class DeclaringRenderer(PeekingRenderer):
    """The same bookmarks, each target declaring the tip it reads."""

    def plan(self, library, options):
        tip = library.item("tips", "answer-96110").path
        targets = super().plan(library, options)
        for target in targets:
            target.sources = (*target.sources, tip)
        return targets
'''


def use_plugin(site, source: str, entry: str) -> None:
    (site / "outreach_bookmarks/__init__.py").write_text(textwrap.dedent(source), encoding="utf-8")
    entry_points = site / "outreach_bookmarks-0.1.dist-info/entry_points.txt"
    entry_points.write_text(f"[outreach.outputs]\nbookmarks = outreach_bookmarks:{entry}\n", encoding="utf-8")


def test_a_render_that_reads_an_undeclared_item_fails_instead_of_going_stale(fixture_project, tmp_path):
    """Issue 29, item 2: a renderer reading a tip its targets do not list used to build, and after
    the tip changed the next build said "没有变化" and kept the old title. Now the first build
    fails that target, naming the kind, the target and the file, every time."""
    site = tmp_path / "site"
    install_plugin(site)
    use_plugin(site, PEEKING, "PeekingRenderer")
    for _ in range(2):
        built = outreach(fixture_project, site, "build", "--only", "bookmarks", "-j", "1")
        assert built.returncode != 0, built.stdout
        said = built.stdout + built.stderr
        assert "输出类型“bookmarks”生成“书签 fake-loan”时读取了 content/tips/answer-96110.yaml" in said, said
        assert "sources" in said
        assert not (fixture_project / "build/bookmarks/fake-loan.txt").exists()

    # Declared, it builds, and editing the tip rebuilds the bookmarks with the new title.
    use_plugin(site, PEEKING, "DeclaringRenderer")
    assert outreach(fixture_project, site, "build", "-q", "--only", "bookmarks", "-j", "1").returncode == 0
    bookmark = fixture_project / "build/bookmarks/fake-loan.txt"
    tip = fixture_project / "content/tips/answer-96110.yaml"
    old_title = bookmark.read_text(encoding="utf-8").splitlines()[1]
    tip.write_text(tip.read_text(encoding="utf-8").replace(old_title, "接到96110来电请务必接听"), encoding="utf-8")
    rebuilt = outreach(fixture_project, site, "build", "--only", "bookmarks", "-j", "1")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert bookmark.read_text(encoding="utf-8").splitlines()[1] == "接到96110来电请务必接听"


SIZING = PLUGIN + '''

class SizingRenderer(BookmarkRenderer):
    """A careless plugin: each bookmark gives the size of the scenario's poster PDF, but its
    targets do not depend on the posters."""

    phase = 1

    def render(self, target, ctx):
        result = super().render(target, ctx)
        scenario_id = target.id.rsplit("/", 1)[-1]
        size = len(ctx.read_output(f"posters/{scenario_id}.pdf"))
        [(path, data)] = result.outputs.items()
        result.outputs[path] = data + f"海报 {size} 字节\\n".encode("utf-8")
        return result


class DependingRenderer(SizingRenderer):
    """The same bookmarks, each depending on its poster."""

    def plan(self, library, options):
        targets = super().plan(library, options)
        for target in targets:
            target.deps = (f"posters/{target.id.rsplit('/', 1)[-1]}",)
        return targets
'''


def test_a_render_that_reads_another_targets_output_without_depending_on_it_fails(fixture_project, tmp_path):
    """Reads of other targets' files are held to the deps like reads of content to the sources:
    a bookmark that reads a poster it does not depend on would keep the old size after the
    poster changed."""
    site = tmp_path / "site"
    install_plugin(site)
    use_plugin(site, SIZING, "SizingRenderer")
    built = outreach(fixture_project, site, "build", "--only", "posters", "--only", "bookmarks", "-j", "1")
    said = built.stdout + built.stderr
    assert built.returncode != 0, said
    assert "输出类型“bookmarks”生成“书签 fake-loan”时读取了 posters/fake-loan.pdf" in said and "deps" in said, said
    assert not (fixture_project / "build/bookmarks/fake-loan.txt").exists()

    use_plugin(site, SIZING, "DependingRenderer")
    built = outreach(fixture_project, site, "build", "-q", "--only", "bookmarks", "-j", "1")
    assert built.returncode == 0, built.stdout + built.stderr
    size = (fixture_project / "build/posters/fake-loan.pdf").stat().st_size
    assert f"海报 {size} 字节" in (fixture_project / "build/bookmarks/fake-loan.txt").read_text(encoding="utf-8")


GREETINGS = '''
from pydantic import BaseModel, ConfigDict, Field

from outreach.outputs.base import Renderer, RenderResult, RoleView
from outreach.buildspec.target import Target


class GreetingSettings(BaseModel):
    model_config = ConfigDict(title="问候卡")

    text: str = Field("您好", max_length=20, description="问候语")
    copies: int = Field(1, ge=1, le=10, description="份数")


class GreetingRenderer(Renderer):
    """A greeting card per scenario, worded by the plugin's own [greetings] section."""

    name = "greetings"
    label = "问候卡"
    config_section = "greetings"
    config_model = GreetingSettings
    config_sections = ("project",)
    roles = (("greetings/*.txt", "greeting-text"),)
    role_views = {"greeting-text": RoleView("问候语", "text", in_print_zip=True)}

    def plan(self, library, options):
        return [Target(id=f"greetings/{scenario_id}", renderer=self.name, outputs=(f"greetings/{scenario_id}.txt",),
                       sources=(item.path,), label=f"问候卡 {scenario_id}")
                for scenario_id, item in sorted(library.kind("scenarios").items())]

    def render(self, target, ctx):
        scenario_id = target.id.rsplit("/", 1)[-1]
        title = ctx.library.get("scenarios", scenario_id).model.title
        text = f"{ctx.config.greetings.text}｜{title}\\n" * ctx.config.greetings.copies
        return RenderResult(outputs={target.outputs[0]: ctx.localize(text).encode("utf-8")})
'''


def test_a_plugin_brings_its_own_config_section_and_presentation(fixture_project, tmp_path, monkeypatch):
    """Issue 29, item 4: [greetings] validates with located messages and is in the JSON Schema; changing
    it rebuilds that kind only (and the pack that zips its file); its role is shown as the plugin says
    in the preview page and the editor, and goes into the pack's zip."""
    import zipfile

    from editorserver import serving

    site = tmp_path / "site"
    install_plugin(site)
    (site / "outreach_bookmarks/__init__.py").write_text(textwrap.dedent(GREETINGS), encoding="utf-8")
    (site / "outreach_bookmarks-0.1.dist-info/entry_points.txt").write_text(
        "[outreach.outputs]\ngreetings = outreach_bookmarks:GreetingRenderer\n", encoding="utf-8")
    config = fixture_project / "outreach.toml"
    original = config.read_text(encoding="utf-8")
    line = len(original.splitlines()) + 3   # after a blank line and the [greetings] header

    config.write_text(original + '\n[greetings]\ntxt = "平安是福"\n', encoding="utf-8")
    wrong = outreach(fixture_project, site, "check")
    assert wrong.returncode != 0
    assert f"outreach.toml:{line}:1" in wrong.stdout + wrong.stderr, wrong.stdout + wrong.stderr
    assert "[greetings]（问候卡）里" in wrong.stdout + wrong.stderr and "“text”" in wrong.stdout + wrong.stderr
    config.write_text(original + '\n[greetings]\ntext = "平安是福"\ncopies = "两份"\n', encoding="utf-8")
    typed = outreach(fixture_project, site, "check")
    assert f"outreach.toml:{line + 1}:1" in typed.stdout + typed.stderr and "应为整数" in typed.stdout + typed.stderr

    config.write_text(original + '\n[greetings]\ntext = "平安是福"\n', encoding="utf-8")
    assert outreach(fixture_project, site, "check").returncode == 0
    assert outreach(fixture_project, site, "schema").returncode == 0
    schema = json.loads((fixture_project / "build/schema/config.json").read_text(encoding="utf-8"))
    # pydantic 2.7 wraps a reference with a default in allOf; later versions give it directly.
    section = schema["properties"]["greetings"]
    ref = section.get("$ref") or next(part["$ref"] for part in section.get("allOf", []) if "$ref" in part)
    greetings = schema["$defs"][ref.rsplit("/", 1)[-1]]
    assert greetings["properties"]["text"]["type"] == "string" and greetings["additionalProperties"] is False

    built = outreach(fixture_project, site, "build", "-q")
    assert built.returncode == 0, built.stdout + built.stderr
    assert (fixture_project / "build/greetings/fake-loan.txt").read_text(encoding="utf-8") == "平安是福｜虚假网络贷款诈骗\n"
    with zipfile.ZipFile(fixture_project / "build/packs/fixture.zip") as pack:   # the pack holds the fake-loan poster
        assert pack.read("fixture/greetings/fake-loan.txt").decode("utf-8") == "平安是福｜虚假网络贷款诈骗\n"
        assert "greetings/fake-loan.txt" in pack.read("fixture/打印说明.txt").decode("utf-8-sig")
        assert "fixture/greetings/fake-customer-service.txt" not in pack.namelist()   # not in the pack

    def fingerprints() -> dict[str, str]:
        manifest = json.loads((fixture_project / "build/manifest.json").read_text(encoding="utf-8"))
        return {target: entry["fingerprint"] for target, entry in manifest["targets"].items()}

    before = fingerprints()
    config.write_text(original + '\n[greetings]\ntext = "出入平安"\n', encoding="utf-8")
    assert outreach(fixture_project, site, "build", "-q").returncode == 0
    after = fingerprints()
    changed = {target for target in before if before[target] != after.get(target)}
    assert changed == {t for t in before if t.startswith("greetings/")} | {"packs/fixture"}

    monkeypatch.setenv("PYTHONPATH", str(site))
    with serving(fixture_project) as server:
        page = server.get_bytes("")[1].decode("utf-8")
        assert "<h2>问候卡</h2>" in page
        assert ('<div class="output text" data-role="greeting-text"><span class="role">问候语</span>'
                '<p>出入平安｜虚假网络贷款诈骗</p>') in page
        values = server.item("scenarios", "fake-loan")["values"]
        status, answer = server.post("edit/api/check", {"kind": "scenarios", "id": "fake-loan", "values": values,
                                                         "preview": True})
        assert status == 200 and {"type": "text", "label": "greetings/fake-loan.txt",
                                  "text": "出入平安｜虚假网络贷款诈骗\n"} in answer["preview"]


SAVING = PLUGIN + '''

class SavingRenderer(BookmarkRenderer):
    """Stands in for a save in the editor during a build: rendering the first bookmark edits
    another scenario's title on disk, after every process has read the content."""

    def render(self, target, ctx):
        from pathlib import Path

        other = Path(ctx.root) / "content/scenarios/impersonating-police.yaml"
        text = other.read_text(encoding="utf-8")
        if "（已更新）" not in text:   # the file as a person edits it, not through the library
            import re

            other.write_text(re.sub(r"^(title: .*)$", r"\\1（已更新）", text, count=1, flags=re.M), encoding="utf-8")
        return super().render(target, ctx)
'''


def test_a_file_changed_during_a_build_is_built_again_by_the_next(fixture_project, tmp_path):
    """A save while a build reads the project: the main process can plan with one version and a
    worker render another, and the manifest then called a stale file up to date (the editor
    matched the save to a build that had not rendered it). The build notices the change, keeps
    what it rendered, and leaves every target it built to the next build, which renders the
    saved text."""
    site = tmp_path / "site"
    install_plugin(site)
    use_plugin(site, SAVING, "SavingRenderer")
    first = outreach(fixture_project, site, "build", "--only", "bookmarks", "-j", "2")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "生成期间项目里有文件被修改" in first.stdout + first.stderr
    manifest = json.loads((fixture_project / "build/manifest.json").read_text(encoding="utf-8"))
    built_first = {t for t in manifest["targets"] if t.startswith("bookmarks/")}
    assert built_first and all(manifest["targets"][t]["fingerprint"] == "" for t in built_first)
    assert manifest["inputs"] == ""

    use_plugin(site, PLUGIN, "BookmarkRenderer")
    second = outreach(fixture_project, site, "build", "--only", "bookmarks", "-j", "2")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "生成期间" not in second.stdout + second.stderr
    assert f"生成 {len(built_first)} 个" in second.stdout, second.stdout
    bookmark = (fixture_project / "build/bookmarks/impersonating-police.txt").read_text(encoding="utf-8")
    assert "（已更新）" in bookmark
    third = outreach(fixture_project, site, "build", "--only", "bookmarks", "-j", "2")
    assert third.returncode == 0 and "没有变化" in third.stdout, third.stdout
