"""The renderer interface every output kind plugs into, and the per-worker render context."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from outreach.plan import Target

if TYPE_CHECKING:
    from outreach.library import Library
    from outreach.options import BuildOptions
    from outreach.theme import Theme


class RenderError(Exception):
    """A target cannot be built; the message is for the user, located when possible."""

    def __init__(self, message: str, file: str = "", line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line


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

    def output_path(self, relpath: str) -> Path:
        """Where an output of an earlier phase is now: staged by this build, or from a previous one."""
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
    batch_size: ClassVar[int] = 1      # >1: a worker gets several targets at once (see render_batch)

    @abc.abstractmethod
    def plan(self, library: "Library", options: "BuildOptions") -> list[Target]:
        """The targets this kind produces for the library (no rendering here)."""

    @abc.abstractmethod
    def render(self, target: Target, ctx: RenderContext) -> RenderResult:
        """Produce the target's outputs; raise RenderError for problems the user can fix."""

    def render_batch(self, targets: list[Target], ctx: RenderContext) -> list[RenderResult | RenderError]:
        """Render several targets; a renderer may override this to share work between them."""
        results: list[RenderResult | RenderError] = []
        for target in targets:
            try:
                results.append(self.render(target, ctx))
            except RenderError as problem:
                results.append(problem)
        return results
