"""The renderer interface every output kind plugs into, and the per-worker render context."""

from __future__ import annotations

import abc
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from outreach.render.contract import TemplateContract
from outreach.core.errors import OutreachError
from outreach.renderers.target import Target

if TYPE_CHECKING:
    from outreach.project.library import Library
    from outreach.renderers.options import BuildOptions
    from outreach.render.theme import Theme


def output_prefix(locale: str) -> str:
    return "zh-Hant/" if locale == "zh-Hant" else ""


class RenderError(OutreachError):
    """A target cannot be built; the message is for the user, located when possible.
    `code` names the rule for `outreach check`, which reports the rules that need no layout."""

    def __init__(self, message: str, file: str = "", line: int = 0, code: str = "build") -> None:
        super().__init__(message, file, line)
        self.code = code


@dataclass(frozen=True)
class PackPart:
    """One printable part of a pack item (a PDF another target made), and how to print it."""

    path: str            # build-relative PDF
    title: str
    duplex: bool         # print on both sides
    copies: str          # suggested number of copies, in words
    cut: str = ""        # cutting instructions for cards
    target: str = ""     # the target that makes it ("" → the item's own target)
    in_pack: bool = True  # stitched into the pack PDF; False: printed on its own (a performer's sides)


@dataclass(frozen=True)
class RoleView:
    """How the preview page shows outputs of one role: a Chinese name and a kind of view —
    image (a picture), pdf (a link and a thumbnail of its first page), text (the text itself),
    page (an HTML page opened in its own tab) or file (a download)."""

    label: str
    show: str = "file"


@dataclass
class RenderResult:
    outputs: dict[str, bytes] = field(default_factory=dict)   # build-relative path → bytes
    warnings: list[str] = field(default_factory=list)


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

    @property
    def config(self):
        return self.library.config

    @property
    def locale(self) -> str:
        return self.options.locale or self.config.project.locale

    @property
    def output_prefix(self) -> str:
        """Traditional Chinese outputs live under build/zh-Hant/ beside the Simplified ones."""
        return output_prefix(self.locale)

    @functools.cached_property
    def hant_spec(self):
        from outreach.render.localize import project_spec

        return project_spec(self.config, self.library)

    def localize(self, text: str) -> str:
        from outreach.render.localize import to_locale

        return to_locale(text, self.locale, self.hant_spec)

    def output_path(self, relpath: str) -> Path:
        """Where an output of an earlier phase is now: staged by this build, or from a previous one."""
        relpath = self.output_prefix + relpath
        if self.stage_dir is not None and (self.stage_dir / relpath).is_file():
            return self.stage_dir / relpath
        return self.out_dir / relpath

    def read_output(self, relpath: str) -> bytes:
        """An output of an earlier phase (e.g. a poster PDF a pack stitches in)."""
        return self.output_path(relpath).read_bytes()


class Renderer(abc.ABC):
    """One output kind. `plan` runs in the main process, `render` in a worker."""

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""          # Chinese name for messages, e.g. "海报"
    phase: ClassVar[int] = 0           # later phases may read earlier phases' outputs
    version: ClassVar[str] = "1"       # bump when code changes what the output looks like
    config_sections: ClassVar[tuple[str, ...]] = ("project", "theme")
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
        return f"{self.kind}/{ref}"

    def pack_parts(self, ref: str, library: "Library") -> list[PackPart]:
        return []

    def pack_extras(self, ref: str, library: "Library") -> list[tuple[str, str]]:
        """(build-relative path, id of the target that makes it) of files that go only into the zip."""
        return []

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
