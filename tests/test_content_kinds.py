"""Content kinds come from one registry (project/kinds.py): a kind added through it — by a
plugin's `outreach.kinds` entry point, or by `registry.register` — is loaded, listed, given a
JSON Schema, offered by the editor and accepted in packs, and no other module names a kind."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from outreach.project.kinds import KIND_MODELS, PACK_ITEMS, ContentKind, KindError, registry
from outreach.project.loader import load_library
from outreach.project.models import Model

SRC = Path(__file__).resolve().parents[1] / "src" / "outreach"

PLUGIN = '''
from pydantic import Field

from outreach.project.kinds import ContentKind
from outreach.project.models import Model


class Notice(Model):
    """通知（例如停水、停电时提醒防范冒充客服）。"""

    title: str = Field(description="标题", min_length=1, max_length=40)
    body: str = Field(description="正文", min_length=1, max_length=500)


NOTICES = ContentKind("notices", "notice", "通知", Notice, pack_item="notice", pack_label="通知", order=80)
'''

NOTICE = "title: 停水期间谨防冒充客服\nbody: 停水通知不会要求您点链接缴费。\n"
PACK = ("title: 社区资料包\naudience: public\nitems:\n"
        "  - poster: fake-loan\n  - notice: water-cut\n")


def install_plugin(site: Path) -> None:
    """The files `pip install --target site` would write for a package adding one content kind."""
    (site / "outreach_notices").mkdir(parents=True)
    (site / "outreach_notices/__init__.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    info = site / "outreach_notices-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: outreach-notices\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[outreach.kinds]\nnotices = outreach_notices:NOTICES\n", encoding="utf-8")
    (info / "RECORD").write_text("", encoding="utf-8")


def with_notices(root: Path) -> Path:
    (root / "content/notices").mkdir()
    (root / "content/notices/water-cut.yaml").write_text(NOTICE, encoding="utf-8")
    (root / "content/packs").mkdir(exist_ok=True)
    (root / "content/packs/community.yaml").write_text(PACK, encoding="utf-8")
    return root


def outreach(root: Path, site: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, "-m", "outreach", *args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def plugin_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    install_plugin(site)
    return site


@pytest.mark.slow
def test_a_plugin_kind_is_listed_checked_and_given_a_schema(mini_project, plugin_site, tmp_path):
    root = with_notices(mini_project)
    help_text = outreach(root, plugin_site, "list", "--help").stdout
    assert "notices（通知）" in help_text and "scenarios（诈骗类型）" in help_text
    listed = outreach(root, plugin_site, "list", "notices")
    assert listed.returncode == 0, listed.stderr
    assert "water-cut  停水期间谨防冒充客服" in listed.stdout and "共 1 项" in listed.stdout

    checked = outreach(root, plugin_site, "check", "--format", "json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert not any("notices" in p["file"] for p in json.loads(checked.stdout))   # the folder is known, not "unknown-path"

    schemas = tmp_path / "schema"
    written = outreach(root, plugin_site, "schema", "-o", str(schemas))
    assert written.returncode == 0, written.stderr
    notice = json.loads((schemas / "notice.json").read_text(encoding="utf-8"))
    assert set(notice["properties"]) == {"title", "body"} and notice["additionalProperties"] is False
    pack = json.loads((schemas / "pack.json").read_text(encoding="utf-8"))
    assert "notice" in pack["$defs"]["PackItem"]["properties"]

    # A pack naming a notice that does not exist is a located reference error, in the kind's own label.
    (root / "content/packs/community.yaml").write_text(PACK.replace("water-cut", "water-cutt"), encoding="utf-8")
    broken = outreach(root, plugin_site, "check")
    assert broken.returncode == 1
    assert "content/packs/community.yaml:5:13: error[missing-ref] 引用的通知“water-cutt”不存在。您是不是想写“water-cut”？" \
        in broken.stdout

    # Without the plugin the folder is not a kind, and check says so instead of reading it.
    plain = subprocess.run([sys.executable, "-m", "outreach", "check"], cwd=root, capture_output=True, text=True,
                           timeout=300)
    assert "不认识的目录“notices”" in plain.stdout


@pytest.mark.slow
def test_a_plugin_kind_is_in_the_editor_and_its_pack_picker(mini_project, plugin_site, monkeypatch):
    from editorserver import serving

    root = with_notices(mini_project)
    monkeypatch.setenv("PYTHONPATH", str(plugin_site))
    with serving(root) as server:
        status, listing = server.get("edit/api/items")
        assert status == 200, listing
        kinds = {k["kind"]: k for k in listing["kinds"]}
        assert kinds["notices"]["label"] == "通知" and kinds["notices"]["can_create"] is False
        assert [i["id"] for i in kinds["notices"]["items"]] == ["water-cut"]
        assert list(kinds)[:2] == ["scenarios", "tips"] and list(kinds)[-1] == "notices"   # the registry's order

        notice = server.item("notices", "water-cut")
        assert [f["key"] for f in notice["form"]["fields"]] == ["title", "body"]
        assert notice["values"]["title"] == "停水期间谨防冒充客服" and notice["reviewable"] is False

        pack = server.item("packs", "community")
        picker = next(f for f in pack["form"]["fields"] if f["key"] == "items")["node"]["item"]
        assert ["notice", "通知", "notices"] in picker["items"]      # the page's script reads this, not a copy
        assert pack["choices"]["items"]["notices"] == [["water-cut", "停水期间谨防冒充客服"]]


@pytest.mark.slow
def test_a_pack_with_a_kind_no_renderer_prints_fails_by_name(mini_project, plugin_site):
    """A kind can be listed in a pack before any output kind can print it: the pack is valid
    content, and building it says which item cannot be printed yet (the build never drops it)."""
    root = with_notices(mini_project)
    built = outreach(root, plugin_site, "build", "-q", "--only", "posters", "--only", "packs")
    assert built.returncode == 1
    assert "资料包里的通知“water-cut”还不能生成（缺少对应的渲染器）" in built.stdout + built.stderr


@pytest.fixture
def notices():
    class Notice(Model):
        """通知。"""

        title: str
        poster: str | None = None

    kind = registry.register(ContentKind("notices", "notice", "通知", Notice, pack_item="notice", pack_label="通知",
                                         creatable=False, references=lambda m: [("scenarios", m.poster, ("poster",))]
                                         if m.poster else []))
    try:
        yield kind
    finally:
        registry.unregister("notices")


def test_registering_a_kind_in_process_reaches_every_table(mini_project, notices):
    from outreach.preview.editor.forms import form_for, kind_labels
    from outreach.project.library import references
    from outreach.project.schema import build_schemas

    assert KIND_MODELS["notices"] is notices.model and PACK_ITEMS["notice"] == ("notices", "通知")
    assert kind_labels()["notices"] == "通知" and form_for("notices")["fields"][0]["key"] == "title"
    assert "notice" in build_schemas()["pack"]["$defs"]["PackItem"]["properties"]

    root = with_notices(mini_project)
    (root / "content/notices/water-cut.yaml").write_text("title: 停水\nposter: fake-loann\n", encoding="utf-8")
    library, diagnostics = load_library(root, stations=False)
    assert library is not None and library.notices["water-cut"].title == "停水"   # the typed view of any kind
    assert references(library.item("notices", "water-cut")) == [("scenarios", "fake-loann")]
    # A kind without checks of its own has the references it declares checked.
    assert [(d.code, d.line) for d in diagnostics.errors] == [("missing-ref", 2)]
    pack = library.item("packs", "community")
    assert [entry.key for entry in pack.model.items] == ["poster", "notice"]
    assert references(pack) == [("scenarios", "fake-loan"), ("notices", "water-cut")]


def test_registry_refuses_a_clash():
    class Other(Model):
        title: str

    with pytest.raises(KindError, match="中文名“诈骗类型”已被内容类别 scenarios 使用"):
        registry.register(ContentKind("cases", "case", "诈骗类型", Other))
    with pytest.raises(KindError, match="目录名“Bad Folder”"):
        registry.register(ContentKind("Bad Folder", "bad", "坏", Other))
    assert "cases" not in registry


# --- no other module names a content kind ---------------------------------------------------

# Where a kind may be named: the registry, and files that are content or templates.
ALLOWED = {"project/kinds.py"}
ALLOWED_DIRS = ("skeletons/", "default_theme/", "starter/")
# Calls whose first argument is a content kind (library.kind("tips"), store.files("laws"), …).
KIND_CALLS = {"kind", "item", "get", "models", "files", "existing", "path_of", "publishable", "status", "parse_item",
              "register_parser", "discover"}


def _field_names() -> set[str]:
    """Field names of the built-in models: `laws` and `tips` are also fields (a scenario's laws,
    a newsletter's tips), which a field path may name."""
    return {name for kind in registry for name in registry.model(kind.folder).model_fields}


def _output_kinds() -> set[str]:
    """Output kinds' names (the `outreach.outputs` entry points): each is also the kind's folder
    under build/ and its config section, so `packs/x.pdf`, a renderer's `kind = "scripts"` or a
    config section "scripts" name an output, fixed by its entry point, not a content kind."""
    from outreach.outputs.registry import renderer_names

    return set(renderer_names())


def kind_names_in(source: str, folders: set[str], fields: set[str],
                  outputs: frozenset[str] | set[str] = frozenset()) -> list[tuple[int, str]]:
    """(line, text) of every string in Python `source` that names a content kind: a kind's folder
    as a whole string, a path under it (`scenarios/x.yaml`, `content/tips/`), or a field name that
    is also a folder used where a kind is meant (first argument of library.kind(), compared with a kind).
    A folder that is also an output kind's name is read like a field name, and a path under it
    names a content kind only under content/ (`packs/x.pdf` is under build/)."""
    tree = ast.parse(source)
    # Prose for people (docstrings, a field's description in the schema) may say where files go.
    prose = {id(node.body[0].value) for node in ast.walk(tree)
             if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
             and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    prose.update(id(keyword.value) for keyword in ast.walk(tree)
                 if isinstance(keyword, ast.keyword) and keyword.arg == "description")
    kind_positions: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in KIND_CALLS:
                kind_positions.add(id(node.args[0]))
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(s, ast.Attribute) and s.attr == "kind" or isinstance(s, ast.Name) and s.id == "kind"
                   for s in sides):
                kind_positions.update(id(s) for s in sides)
                kind_positions.update(id(e) for s in sides if isinstance(s, (ast.Tuple, ast.Set, ast.List)) for e in s.elts)

    def alternatives(names: set[str]) -> str:
        return "|".join(map(re.escape, sorted(names)))

    path_like = re.compile(rf"content/({alternatives(folders)})/" +
                           (rf"|^({alternatives(folders - outputs)})/" if folders - outputs else ""))
    fields = fields | outputs
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in prose:
            continue
        text = node.value
        if text in folders and (text not in fields or id(node) in kind_positions) or path_like.search(text):
            found.append((node.lineno, text))
    return found


def test_the_checker_finds_kind_names():
    folders, fields = set(registry.folders()), _field_names()
    source = ('x = library.kind("tips")\ny = item.kind == "packs"\nz = f"content/scenarios/{a}"\n'
              'w = ("laws", 0, "law")\nv = {"quizzes": 1}\n')
    assert kind_names_in(source, folders, fields) == [(1, "tips"), (2, "packs"), (3, "content/scenarios/"),
                                                      (5, "quizzes")]
    # An output kind's own name and folder (build/packs/) are not the content kind of the same name.
    source = ('class R:\n    kind = "packs"\n    roles = (("packs/*.pdf", "pack-pdf"),)\n'
              'p = library.item("packs", x)\nq = "content/packs/a.yaml"\nr = "scenarios/x.yaml"\n')
    assert sorted(kind_names_in(source, folders, fields, {"packs", "posters"})) == [
        (4, "packs"), (5, "content/packs/a.yaml"), (6, "scenarios/x.yaml")]


def test_no_module_but_the_registry_names_a_content_kind():
    folders, fields, outputs = set(registry.folders()), _field_names(), _output_kinds()
    found = []
    for path in sorted(SRC.rglob("*.py")):
        relpath = path.relative_to(SRC).as_posix()
        if relpath in ALLOWED or relpath.startswith(ALLOWED_DIRS):
            continue
        found += [f"{relpath}:{line}: {text!r}" for line, text in kind_names_in(path.read_text(encoding="utf-8"),
                                                                             folders, fields, outputs)]
    script = (SRC / "preview/static/editor.js").read_text(encoding="utf-8")
    quoted = re.compile(rf"""["'`]({'|'.join(sorted(folders))})["'`/]""")
    found += [f"preview/static/editor.js:{script.count(chr(10), 0, m.start()) + 1}: {m.group(0)}"
              for m in quoted.finditer(script)]
    assert found == []
