"""`outreach templates check`: do the overrides in templates/ still keep the template contract?

Static problems come first (syntax, encoding, a file that overrides nothing, usually a typo
in its name); then the contracts (rendering/contract.py) of every template an override reaches
are listed, and the output kinds they belong to are rendered so the render-time checks of
page sizes and marker ids run on the real overrides.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from outreach.outputs.registry import all_renderers
from outreach.project.diagnostics import Diagnostics, warning
from outreach.rendering.contract import TemplateContract
from outreach.rendering.templating import check_templates, make_environment, template_closure
from outreach.rendering.theme import PROJECT_TEMPLATES, Theme


@dataclass
class TemplateReport:
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    overrides: list[str] = field(default_factory=list)
    contracts: list[tuple[str, TemplateContract]] = field(default_factory=list)  # (output kind, contract)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted({kind for kind, _ in self.contracts}))


def check_overrides(root: Path) -> TemplateReport:
    theme = Theme(root)
    report = TemplateReport()
    report.diagnostics.extend(check_templates(theme))
    report.overrides = [name for name in theme.project_names() if name.lower() != "readme.md"]
    if not report.overrides:
        return report
    env = make_environment(theme)
    builtin = set(theme.builtin_names())
    referenced: set[str] = set()
    for name in report.overrides:
        referenced |= template_closure(env, name) - {name}
    for name in report.overrides:
        if name not in builtin and name not in referenced:
            report.diagnostics.add(warning(f"{PROJECT_TEMPLATES}/{name}", 0, 0, "template-unused",
                                           f"这个文件不覆盖任何内置模板，也没有被其它模板引用，不会生效。{_hint(name, builtin)}"))
    for kind, renderer in sorted(all_renderers().items()):
        for contract in renderer.template_contracts:
            if any(theme.is_overridden(name) for name in template_closure(env, contract.template)):
                report.contracts.append((kind, contract))
    return report


def _hint(name: str, builtin: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(builtin), n=1, cutoff=0.6)
    if close:
        return f"您是不是想覆盖“{close[0]}”？"
    return "用 outreach templates list 查看可以覆盖的模板名称。"
