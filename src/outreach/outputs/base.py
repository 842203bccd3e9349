"""The renderer interface every output kind plugs into, and the per-worker render context."""

from __future__ import annotations

import abc
import fnmatch
import functools
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ClassVar

from outreach.buildspec.target import Target
from outreach.core.errors import OutreachError
from outreach.rendering.contract import TemplateContract

if TYPE_CHECKING:
    from pydantic import BaseModel

    from outreach.buildspec.options import BuildOptions
    from outreach.project.library import Library
    from outreach.rendering.theme import Theme


LOCALE_FOLDER = "zh-Hant/"
PRINT_FOLDER = "print/"       # print masters (build --print-ready) live beside the screen files
PRINT_ROLE = "-print"         # a print master's role is its screen file's role + "-print"


def output_prefix(locale: str, print_ready: bool = False) -> str:
    """Where a build's outputs go under build/: "", "zh-Hant/", "print/" or "zh-Hant/print/"."""
    return (LOCALE_FOLDER if locale == "zh-Hant" else "") + (PRINT_FOLDER if print_ready else "")


def variant_of(path: str) -> str:
    """The folder prefix (as output_prefix gives it) of a build-relative path or target id."""
    prefix = LOCALE_FOLDER if path.startswith(LOCALE_FOLDER) else ""
    return prefix + (PRINT_FOLDER if path[len(prefix):].startswith(PRINT_FOLDER) else "")


def print_sections(options: "BuildOptions") -> tuple[str, ...]:
    """Config sections a print build's targets also depend on (and their renderers may read):
    [print] changes print masters, never screen files."""
    return ("print",) if options.print_ready else ()


def role_of(path: str, patterns: tuple[tuple[str, str], ...]) -> str | None:
    """The role of a build-relative path (without the locale prefix): the first pattern that matches."""
    return next((role for pattern, role in patterns if fnmatch.fnmatchcase(path, pattern)), None)


def print_role(role: str) -> str:
    return role + PRINT_ROLE


def is_print_role(role: str) -> bool:
    return role.endswith(PRINT_ROLE)


def shared_reads(library):
    """A block whose reads of content items are not held against the rendering target's declared
    sources (engine/libraryreads.py): reads every target shares, which the planner puts in every
    fingerprint (the law names every page keeps unbroken, the quoted law the Traditional
    conversion leaves alone), or reads that cannot change this target's bytes because its
    dependencies' fingerprints cover them (running other kinds' plan() to find their outputs).
    Anything else read in such a block would go stale unseen."""
    import contextlib

    paused = getattr(library.items, "paused", None)   # a build's recording view
    return paused() if paused is not None else contextlib.nullcontext()


class RenderError(OutreachError):
    """A target cannot be built; the message is for the user, located when possible.
    `code` names the rule for `outreach check`, which reports the rules that need no layout."""

    def __init__(self, message: str, file: str = "", line: int = 0, code: str = "build", column: int = 0) -> None:
        super().__init__(message, file, line)
        self.code = code
        self.column = column


@dataclass(frozen=True)
class PackPart:
    """One printable part of a pack item (a PDF another target made), and how to print it."""

    path: str            # build-relative PDF
    title: str
    duplex: bool         # print on both sides (turned over on the long edge unless `flip` says short)
    copies: str          # suggested number of copies, in words
    cut: str = ""        # cutting instructions on an office printer (the screen build's sheet)
    target: str = ""     # the target that makes it ("" → the item's own target)
    in_pack: bool = True  # stitched into the pack PDF; False: printed on its own (a performer's sides)
    # For the print shop (打印说明 and 印刷清单 of a print build): the paper or card to use, what to
    # do after printing (cutting along the marks, folding), and the suggested quantity: `each`
    # copies per event, per participant or per member of staff (`per`), from [print] and the pack's audience.
    stock: str = "80–100 克双胶纸"
    finishing: str = "按裁切标记裁切至成品尺寸"
    per: str = "event"   # event | participant | staff
    each: float = 1.0
    # A file drawn smaller than the piece it prints (a banner longer than a PDF page may be,
    # 5.08 m): 10 means 1:10, and the paperwork gives the finished size, not the page's.
    scale: int = 1
    # How a duplex sheet turns over: "long" (portrait pages, the default) or "short" (a landscape
    # sheet whose back reads the same way up, such as a tri-fold leaflet).
    flip: str = "long"


SHOW_KINDS = ("image", "pdf", "text", "sms", "markdown", "page", "file", "article")


@dataclass(frozen=True)
class RoleView:
    """How outputs of one role are presented, declared by their renderer and read by the preview
    page, the editor's preview and packs (none of them knows another kind's file names).

    `show`: image (a picture), pdf (a link and a thumbnail of its first page), text (the text
    itself), sms (a text the editor counts as an SMS), markdown (a message the editor shows
    formatted), page (an HTML page opened in its own tab), article (an HTML fragment for the
    公众号 editor: the preview page shows it with a button that copies it as rich text) or file
    (a download); the preview page shows sms as text and markdown as a file. `order`: place among an item's outputs in the
    previews (lower first, then by path). `in_print_zip`: a pack holding the content item these
    outputs are made from puts them in its zip (listed in 打印说明 as files not to print) — for
    outputs not stitched into the pack PDF: pictures for WeChat, texts, H5 pages."""

    label: str
    show: str = "file"
    order: int = 0
    in_print_zip: bool = False

    def __post_init__(self) -> None:
        if self.show not in SHOW_KINDS:   # a plugin's typo would otherwise show as a bare link
            raise ValueError(f"RoleView.show must be one of {', '.join(SHOW_KINDS)}, not {self.show!r}")


@dataclass
class RenderResult:
    outputs: dict[str, bytes] = field(default_factory=dict)   # build-relative path → bytes
    warnings: list[str] = field(default_factory=list)
    # Outputs already in their final bytes (fonts finished, text in the build's script): the
    # worker writes them as they are. A zip holding them must hold exactly what build/ gets.
    finished: set[str] = field(default_factory=set)
    # 0-based pages of an output that are pages of another output the build inspected, as they
    # are (a station's copy of a pack shares the pack's body): the page check leaves them out.
    inspected: dict[str, set[int]] = field(default_factory=dict)


@dataclass
class RenderContext:
    """Everything a renderer needs inside a worker; built once per worker process."""

    root: Path
    library: "Library"
    options: "BuildOptions"
    theme: "Theme"
    out_dir: Path
    stage_dir: Path | None = None   # where this build's new outputs wait until the commit
    env: Any = None
    # While the worker records a render: the other targets' outputs it reads (build-relative,
    # with the prefix), held to the outputs of the target's deps.
    outputs_read: set[str] | None = None

    @property
    def config(self):
        return self.library.config

    @property
    def locale(self) -> str:
        return self.options.locale or self.config.project.locale

    @property
    def output_prefix(self) -> str:
        """Traditional Chinese outputs live under build/zh-Hant/ beside the Simplified ones, print
        masters under print/ beside the screen files."""
        return output_prefix(self.locale, self.options.print_ready)

    @property
    def print_ready(self) -> bool:
        """This build makes the print variant (print masters for a print shop)."""
        return self.options.print_ready

    @functools.cached_property
    def hant_spec(self):
        from outreach.rendering.localize import project_spec

        with self.shared_reads():   # the whole law library: in every zh-Hant fingerprint (planner)
            return project_spec(self.config, self.library)

    def shared_reads(self):
        """A block whose reads of content items every target shares (see shared_reads below)."""
        return shared_reads(self.library)

    def localize(self, text: str) -> str:
        from outreach.rendering.localize import to_locale

        return to_locale(text, self.locale, self.hant_spec)

    def output_path(self, relpath: str) -> Path:
        """Where an output of an earlier phase is now: staged by this build, or from a previous one."""
        relpath = self.output_prefix + relpath
        if self.outputs_read is not None:
            self.outputs_read.add(relpath)
        if self.stage_dir is not None and (self.stage_dir / relpath).is_file():
            return self.stage_dir / relpath
        return self.out_dir / relpath

    def read_output(self, relpath: str) -> bytes:
        """An output of an earlier phase (e.g. a poster PDF a pack stitches in)."""
        return self.output_path(relpath).read_bytes()


class Renderer(abc.ABC):
    """One output kind. `plan` runs in the main process, `render` in a worker."""

    name: ClassVar[str] = ""           # the output kind's id: its build folder and --only name
    label: ClassVar[str] = ""          # Chinese name for messages, e.g. "海报"
    phase: ClassVar[int] = 0           # later phases may read earlier phases' outputs
    version: ClassVar[str] = "1"       # bump when code changes what the output looks like
    config_sections: ClassVar[tuple[str, ...]] = ("project", "theme")
    # The kind's own [section] of outreach.toml (like a Sphinx extension's config values): its
    # pydantic model, every field with a default, is merged into the project config and the JSON
    # Schema (project/plugin_sections.py), validated with the same located messages, and read as
    # ctx.config.<section>. It joins config_sections: a change rebuilds this kind's targets only.
    config_section: ClassVar[str | None] = None
    config_model: ClassVar[type["BaseModel"] | None] = None
    templates_described: ClassVar[dict[str, str]] = {}  # template name → what it renders (for `templates list`)
    # What the code reads back from a template's output (page sizes, marker ids): checked when
    # rendering and by `outreach templates check`.
    template_contracts: ClassVar[tuple[TemplateContract, ...]] = ()
    batch_size: ClassVar[int] = 1      # >1: a worker gets several targets at once (see render_batch)
    pack_item: ClassVar[str | None] = None  # the pack item key this kind serves ("poster", "tip", ...)
    # (path pattern, role) for every output, first match wins; paths without the zh-Hant/ prefix.
    roles: ClassVar[tuple[tuple[str, str], ...]] = ()
    # How the preview shows each role (a role without an entry is listed as a file to open).
    role_views: ClassVar[dict[str, RoleView]] = {}
    # A kind with a print variant: `build --print-ready` plans it (plan() sees options.print_ready)
    # under print/, each output's role being its screen role + "-print"; kinds without one
    # (texts, feeds) are not built by a print build.
    printable: ClassVar[bool] = False
    # A kind made for each station (a sheet of contact stickers): planned only when station outputs
    # are on (--stations or [stations] enabled), like the station packs; when they are off, what an
    # earlier build left is kept while it still matches and removed with the station's when not.
    per_station: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.config_section and cls.config_section not in cls.config_sections:
            cls.config_sections = (*cls.config_sections, cls.config_section)

    def view(self, role: str) -> RoleView | None:
        """How the preview shows a role; a print master is shown like its screen file, so labelled
        (and never zipped as an extra: a print build's zip holds the print masters it stitches)."""
        if is_print_role(role):
            screen = self.role_views.get(role.removesuffix(PRINT_ROLE))
            return replace(screen, label=f"印刷版{screen.label}", in_print_zip=False) if screen else None
        return self.role_views.get(role)

    def output_view(self, path: str) -> tuple[str, RoleView | None]:
        """The role of one of this kind's outputs (a build-relative path without the locale and
        print folders) and how it is presented."""
        role = role_of(path, self.roles) or ""
        return role, self.view(role)

    def check(self, ctx: "RenderContext") -> list[RenderError]:
        """What a build of this kind would fail on that needs no layout (lengths, parts, bytes):
        `outreach check` runs it, so a passing check means a passing build but for page overflow."""
        return []

    @abc.abstractmethod
    def plan(self, library: "Library", options: "BuildOptions") -> list[Target]:
        """The targets this kind produces for the library (no rendering here)."""

    @abc.abstractmethod
    def render(self, target: Target, ctx: RenderContext) -> RenderResult:
        """Produce the target's outputs; raise RenderError for problems the user can fix."""

    # Pack support: a kind that can appear in packs says which target makes an item and
    # which of its files go into the pack PDF (in order) and which only into the zip.
    def target_id(self, ref: str) -> str:
        return f"{self.name}/{ref}"

    def pack_parts(self, ref: str, library: "Library") -> list[PackPart]:
        return []

    def pack_extras(self, ref: str, library: "Library") -> list[tuple[str, str]]:
        """(build-relative path, id of the target that makes it) of files that go only into the zip."""
        return []

    def pack_attachments(self, pack_id: str, library: "Library", print_ready: bool) -> list[PackPart]:
        """Files this kind makes for a whole pack (a roll-up banner, a tri-fold leaflet), each
        with the `target` that makes it: printed on their own, so the pack's zip holds them with
        their lines in 打印说明 and 印刷清单, after the pack's items. Only printable kinds are
        asked in a print build."""
        return []

    def station_attachments(self, station_id: str, library: "Library", print_ready: bool) -> list[PackPart]:
        """Files this kind makes for one station (a sheet of contact stickers), each with its
        `target`: the station's zip holds them with their lines in 打印说明 and 印刷清单."""
        return []

    def pack_copy(self, ref: str, part: PackPart, ctx: RenderContext) -> bytes | None:
        """The PDF a pack stitches in for `part`, when it must differ from the file the item's
        target wrote (a script without its own page numbers: the pack numbers every page);
        None: the file itself."""
        return None

    def render_batch(self, targets: list[Target], ctx: RenderContext) -> list[RenderResult | RenderError]:
        """Render several targets; a renderer may override this to share work between them."""
        results: list[RenderResult | RenderError] = []
        for target in targets:
            try:
                results.append(self.render(target, ctx))
            except RenderError as problem:
                results.append(problem)
        return results


class BatchRenderer(Renderer):
    """A renderer whose work happens in render_batch (to write a batch's PDFs together);
    rendering one target is a batch of one."""

    def render(self, target: Target, ctx: RenderContext) -> RenderResult:
        [result] = self.render_batch([target], ctx)
        if isinstance(result, RenderError):
            raise result
        return result

    @abc.abstractmethod
    def render_batch(self, targets: list[Target], ctx: RenderContext) -> list[RenderResult | RenderError]:
        """Results in the order of `targets`: a RenderResult, or the RenderError for that target."""


def failures_of(make, *args) -> list[RenderError]:
    """`make(*args)` run for its check only: the RenderError it raises, as a list (a kind's
    check() collects what its build would fail on without writing anything)."""
    try:
        make(*args)
    except RenderError as problem:
        return [problem]
    return []


def failures_per_item(ctx, makers: dict[str, Callable]) -> list[RenderError]:
    """failures_of(make, ctx, item id) for every item of each content folder in `makers`
    (folder → make), in folder order and then by id."""
    return [problem for folder, make in makers.items() for item_id in sorted(ctx.library.kind(folder))
            for problem in failures_of(make, ctx, item_id)]
