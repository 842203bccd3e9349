"""The content kinds: the one place a kind of content (a folder under content/) is named.

Everything else that lists kinds — the loader, the library's tables, reference checks, the
pack item table, `outreach list` and `outreach new`, the JSON Schema files, the editor and
its JavaScript — reads them from `registry`. Like Sphinx's component registry, there is one
door: `registry.register(kind)`. The built-in kinds go through it below; another package
adds a kind through the `outreach.kinds` entry-point group (name = folder,
value = "module:attribute" of a ContentKind), read the first time the registry is asked.
"""

from __future__ import annotations

import functools
import importlib
import re
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import Field, create_model

from outreach.core.errors import OutreachError
from outreach.project.diagnostics import Diagnostic
from outreach.project.models import (
    ItemId,
    Law,
    Model,
    Newsletter,
    PackBase,
    PackItemBase,
    Quiz,
    Scenario,
    Script,
    Tip,
)
from outreach.project.yamlsource import SourceFile

GROUP = "outreach.kinds"
YAML_SUFFIXES = (".yaml", ".yml")
_FOLDER = re.compile(r"[a-z][a-z0-9-]{0,39}\Z")

# A parser for a file form other than YAML (Markdown scripts): bytes and the project-relative
# path in; data shaped like the YAML form, its source positions and problems out.
Parser = Callable[[bytes, str], tuple[Any, "SourceFile | None", "list[Diagnostic]"]]
# A reference one item makes to another: (kind folder, id, where in the file it is written).
Reference = tuple[str, str, tuple]


class KindError(OutreachError):
    """A content kind that cannot be registered (a plugin's mistake); the message says why."""


@dataclass(frozen=True)
class ContentKind:
    """One kind of content.

    folder     its folder under content/ and its id everywhere ("scenarios")
    name       the singular: `outreach new <name>`, the schema file <name>.json ("scenario")
    label      the one Chinese name users see, in the CLI, messages and the editor ("诈骗类型")
    model      the pydantic model a file is validated with; or `build_model`, for a model that
               depends on the other kinds (a pack's items)
    creatable  `outreach new` and the editor's 新建 make one from `skeleton`
    reviewable carries a review status; packs and posting leave out what is not reviewed
    pack_item  the key a pack's `items:` entry uses for it ("poster"), and `pack_label`, what
               the pack calls the printed item ("海报"); None: not a pack item
    order      where the editor lists it (staff think of scenarios first)
    parsers    (suffix, parser) for file forms besides YAML (Markdown scripts)
    references the items an item names (kind, id, field path): what it cannot be built without
    describe   extra columns of `outreach list`
    """

    folder: str
    name: str
    label: str
    model: type[Model] | None = None
    build_model: Callable[[KindRegistry], type[Model]] | None = None
    creatable: bool = False
    reviewable: bool = False
    pack_item: str | None = None
    pack_label: str | None = None
    order: int = 100
    skeleton: str | None = None
    parsers: tuple[tuple[str, Parser], ...] = ()
    references: Callable[[Any], Iterable[Reference]] | None = None
    describe: Callable[[Any], dict[str, Any]] | None = None

    @property
    def suffixes(self) -> tuple[str, ...]:
        return YAML_SUFFIXES + tuple(suffix for suffix, _ in self.parsers)

    def parser(self, suffix: str) -> Parser | None:
        return next((parse for known, parse in self.parsers if known == suffix.lower()), None)

    @property
    def skeleton_name(self) -> str:
        """The skeleton file `outreach new` fills in: a name in the package's skeletons/ or an absolute path."""
        return self.skeleton or f"{self.name}.yaml"

    def refs(self, model: Any) -> list[Reference]:
        return list(self.references(model)) if self.references else []


class KindRegistry:
    """The registered content kinds. Reading it loads the `outreach.kinds` plugins once."""

    def __init__(self) -> None:
        self._kinds: dict[str, ContentKind] = {}
        self._plugins_loaded = False
        self.version = 0   # bumped by every change: derived models and tables are rebuilt

    def register(self, kind: ContentKind, replace: bool = False) -> ContentKind:
        """Add `kind`; refused (KindError) when it clashes with one already registered."""
        problems = []
        if not _FOLDER.match(kind.folder):
            problems.append(f"目录名“{kind.folder}”只能用小写字母、数字和连字符，以字母开头")
        if (kind.model is None) == (kind.build_model is None):
            problems.append("必须给出 model 或 build_model 中的一个")
        if (kind.pack_item is None) != (kind.pack_label is None):
            problems.append("pack_item 和 pack_label 要一起给出")
        for other in self._kinds.values():
            if other.folder == kind.folder and replace:
                continue
            for what, mine, theirs in (("目录名", kind.folder, other.folder), ("单数名", kind.name, other.name),
                                       ("中文名", kind.label, other.label), ("资料包项目名", kind.pack_item, other.pack_item)):
                if mine is not None and mine == theirs:
                    problems.append(f"{what}“{mine}”已被内容类别 {other.folder} 使用")
        if problems:
            raise KindError(f"内容类别“{kind.folder}”无法注册：{'；'.join(problems)}。")
        self._kinds[kind.folder] = kind
        self.version += 1
        return kind

    def unregister(self, folder: str) -> None:
        if self._kinds.pop(folder, None) is not None:
            self.version += 1

    def load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        from outreach.core.installed import entry_points

        for folder, target in entry_points(GROUP).items():
            module_name, _, attribute = target.partition(":")
            try:
                kind = getattr(importlib.import_module(module_name), attribute)
            except (ImportError, AttributeError) as exc:
                raise KindError(f"内容类别“{folder}”（{target}）无法加载：{exc}。请检查提供它的插件是否装好。") from None
            if not isinstance(kind, ContentKind) or kind.folder != folder:
                raise KindError(f"内容类别“{folder}”注册的 {target} 不是目录名为 {folder} 的 ContentKind。")
            if folder not in self._kinds:   # a plugin cannot replace a built-in kind
                self.register(kind)

    # --- reading ------------------------------------------------------------------------

    def _all(self) -> dict[str, ContentKind]:
        self.load_plugins()
        return self._kinds

    def __iter__(self) -> Iterator[ContentKind]:
        """Every kind, in the editor's order."""
        return iter(sorted(self._all().values(), key=lambda k: (k.order, k.folder)))

    def __contains__(self, folder: object) -> bool:
        return folder in self._all()

    def __getitem__(self, folder: str) -> ContentKind:
        return self._all()[folder]

    def get(self, folder: str) -> ContentKind | None:
        return self._all().get(folder)

    def folders(self) -> list[str]:
        return [kind.folder for kind in self]

    def named(self, name: str) -> ContentKind | None:
        """The kind `outreach new` calls `name` (the singular)."""
        return next((kind for kind in self if kind.name == name), None)

    def pack_kinds(self) -> list[ContentKind]:
        return [kind for kind in self if kind.pack_item]

    def pack_item(self, key: str) -> ContentKind:
        return next(kind for kind in self if kind.pack_item == key)

    def model(self, folder: str) -> type[Model]:
        return _model(self, folder, self.version)


@functools.lru_cache(maxsize=64)
def _model(registry: KindRegistry, folder: str, version: int) -> type[Model]:
    # Keyed on the version: a kind registered later (a test, a plugin) rebuilds pack models
    # once, and the same class is handed out until then (pickle and isinstance rely on it).
    kind = registry[folder]
    if kind.model is not None:
        return kind.model
    assert kind.build_model is not None
    return kind.build_model(registry)


class _Table(Mapping):
    """A read-only table derived from the registry, always current (older modules import these)."""

    def __init__(self, build: Callable[[KindRegistry], dict]) -> None:
        self._build = build

    def _data(self) -> dict:
        return self._build(registry)

    def __getitem__(self, key):
        return self._data()[key]

    def __iter__(self):
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())

    def __repr__(self) -> str:
        return repr(self._data())


registry = KindRegistry()

KIND_MODELS: Mapping[str, type[Model]] = _Table(lambda r: {k.folder: r.model(k.folder) for k in r})
KIND_LABELS: Mapping[str, str] = _Table(lambda r: {k.folder: k.label for k in r})
SCHEMA_NAMES: Mapping[str, str] = _Table(lambda r: {k.folder: k.name for k in r})
# pack item key → (the kind it names, what the pack calls it)
PACK_ITEMS: Mapping[str, tuple[str, str]] = _Table(
    lambda r: {k.pack_item: (k.folder, k.pack_label) for k in r.pack_kinds()})


def pack_model(of: KindRegistry) -> type[Model]:
    """A pack's model: an item is one of the registered pack items (`poster: fake-loan`)."""
    fields: dict[str, Any] = {
        kind.pack_item: (ItemId | None, Field(None, description=f"{kind.pack_label}：{kind.label}的编号"))
        for kind in of.pack_kinds() if kind.pack_item}
    item = create_model("PackItem", __base__=PackItemBase, __module__=__name__, **fields)
    return create_model("Pack", __base__=PackBase, __module__=__name__, __doc__=PackBase.__doc__,
                        items=(list[item], Field(min_length=1, max_length=100,  # type: ignore[valid-type]
                                                 description="素材（按顺序）")))


def __getattr__(name: str) -> Any:
    # Pack and PackItem are built from the registry; pickle finds them here by name.
    if name == "Pack":
        return registry.model(PACKS.folder)
    if name == "PackItem":
        return typing.get_args(registry.model(PACKS.folder).model_fields["items"].annotation)[0]
    raise AttributeError(name)


# --- the built-in kinds ---------------------------------------------------------------------

def _law_refs(model: Any) -> Iterator[Reference]:
    for index, ref in enumerate(model.laws):
        yield LAWS.folder, ref.law, ("laws", index, "law")


def _quiz_refs(model: Any) -> Iterator[Reference]:
    for index, question in enumerate(model.questions):
        if question.scenario:
            yield SCENARIOS.folder, question.scenario, ("questions", index, "scenario")


def _script_refs(model: Any) -> Iterator[Reference]:
    if model.scenario:
        yield SCENARIOS.folder, model.scenario, ("scenario",)


def _pack_refs(model: Any) -> Iterator[Reference]:
    for index, entry in enumerate(model.items):
        yield registry.pack_item(entry.key).folder, entry.ref, ("items", index, entry.key)


def _newsletter_refs(model: Any) -> Iterator[Reference]:
    for index, scenario in enumerate(model.focus):
        yield SCENARIOS.folder, scenario, ("focus", index)
    for index, tip in enumerate(model.tips):
        yield TIPS.folder, tip, ("tips", index)


def _newsletter_row(model: Any) -> dict[str, Any]:
    return {"title": model.title or f"{NEWSLETTERS.label} {model.date.isoformat()}"}


def _markdown_script(raw: bytes, relpath: str):
    # Imported on first use: markdown-it is only needed when a project has Markdown scripts.
    from outreach.project.scriptmd import parse_markdown_script

    return parse_markdown_script(raw, relpath)


SCENARIOS = registry.register(ContentKind(
    "scenarios", "scenario", "诈骗类型", Scenario, creatable=True, reviewable=True,
    pack_item="poster", pack_label="海报", order=10, references=_law_refs))
TIPS = registry.register(ContentKind(
    "tips", "tip", "小贴士", Tip, creatable=True, reviewable=True,
    pack_item="tip", pack_label="法律小贴士", order=20, references=_law_refs))
LAWS = registry.register(ContentKind(
    "laws", "law", "法律法规", Law, order=30, describe=lambda m: {"articles": [a.key for a in m.articles]}))
QUIZZES = registry.register(ContentKind(
    "quizzes", "quiz", "问答题库", Quiz, creatable=True, reviewable=True,
    pack_item="quiz", pack_label="有奖问答", order=40, references=_quiz_refs,
    describe=lambda m: {"questions": len(m.questions)}))
SCRIPTS = registry.register(ContentKind(
    "scripts", "script", "节目脚本", Script, creatable=True, reviewable=True,
    pack_item="script", pack_label="节目脚本", order=50, parsers=((".md", _markdown_script),),
    references=_script_refs))
PACKS = registry.register(ContentKind(
    "packs", "pack", "资料包", build_model=pack_model, creatable=True, order=60, references=_pack_refs,
    describe=lambda m: {"items": len(m.items)}))
NEWSLETTERS = registry.register(ContentKind(
    "newsletters", "newsletter", "警务手机报", Newsletter, reviewable=True, order=70, references=_newsletter_refs,
    describe=_newsletter_row))
