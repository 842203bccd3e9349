"""`outreach check`: everything a build would reject that needs no layout.

Content (loading, references, the domain lint), the project's templates, and the build rules
each output kind declares in its `check`.

Without them a CI that runs `check` stays green on content the build then rejects (an SMS
over its parts, a newsletter over the platform's bytes). They run in this process on the
loaded library and write nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from outreach.buildspec.options import BuildOptions
from outreach.checks.lint import lint_library
from outreach.engine.limits import RenderTimeout, check_limits
from outreach.outputs.base import RenderContext, RenderError
from outreach.outputs.registry import all_renderers
from outreach.project.diagnostics import Diagnostic, Diagnostics, error
from outreach.project.library import Library
from outreach.project.loader import load_library
from outreach.project.outputdir import output_dir
from outreach.rendering.templating import check_templates
from outreach.rendering.theme import Theme


def check_project(root: Path, overrides: Mapping[str, bytes] | None = None,
                  library_out: list[Library] | None = None) -> Diagnostics:
    """Every problem `check` reports. `overrides`: files to check as if they had these bytes
    (see load_library); `library_out` receives the loaded library for a caller that renders it."""
    library, diagnostics = load_library(root, overrides=overrides)
    if library is not None and library_out is not None:
        library_out.append(library)
    if library is not None:
        diagnostics.extend(lint_library(library))
    diagnostics.extend(check_templates(Theme(root)))
    if library is not None and not diagnostics.has_errors():
        # Only on content that loaded cleanly: rendering broken content would only repeat its errors.
        diagnostics.extend(build_rule_problems(root, library))
    return diagnostics


def build_rule_problems(root: Path, library: Library) -> list[Diagnostic]:
    """The build rules of every output kind, each kind's renders under the build's per-target
    limits ([build] target_timeout, memory_limit_mb): a template that loops for ever or makes a
    huge text fails `check` with a located message, as it fails the build."""
    ctx = RenderContext(root=root, library=library, options=BuildOptions(), theme=Theme(root), out_dir=output_dir(root))
    limits = library.config.build
    problems: list[Diagnostic] = []
    for _kind, renderer in sorted(all_renderers().items()):
        try:
            with check_limits(limits.target_timeout, limits.memory_limit_mb):
                failures = renderer.check(ctx)
        except RenderError as failure:   # a template problem the texts cannot get past
            failures = [failure]
        except (RenderTimeout, MemoryError) as exc:
            failures = [RenderError(_over_limit(renderer.label, exc, limits), "outreach.toml", 0)]
        problems.extend(error(f.file or "outreach.toml", f.line, (f.column or 1) if f.line else 0, f.code, f.message)
                        for f in failures)
    return problems


def _over_limit(label: str, exc: BaseException, limits) -> str:
    if isinstance(exc, RenderTimeout):
        return (f"检查{label}时用时超过上限（{limits.target_timeout:g} 秒），已停止。可能是模板里的循环太大，或内容过长；"
                f"确实需要更久时，可在 outreach.toml 的 [build] target_timeout 调高上限。")
    return (f"检查{label}时占用的内存超过上限（{limits.memory_limit_mb} MB），已停止。可能是模板里生成了过大的文字或列表；"
            f"确实需要更多内存时，可在 outreach.toml 的 [build] memory_limit_mb 调高上限。")
