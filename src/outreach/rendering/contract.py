"""The template contract: what the Python side relies on in a template's output.

A volunteer's override can change anything about how a page looks, but a few things are
read back by the code: the page size a card is imposed at (contact cards 10-up at 90×54 mm,
talk cards at A6, two side by side on A4), and the marker elements a sheet of quiz cards is measured by. Each
renderer declares these for its templates (`template_contracts`); the render checks them, and
`outreach templates check` reports them for the overrides in templates/. docs/templates.md,
"模板约定", lists them for people.
"""

from __future__ import annotations

from dataclasses import dataclass

from outreach.rendering.units import PX_PER_MM

SIZE_TOLERANCE_MM = 0.5


@dataclass(frozen=True)
class TemplateContract:
    template: str                          # e.g. "stations/contact-cards.html"
    page_mm: tuple[float, float] | None = None   # (width, height) every page must have
    anchors: tuple[str, ...] = ()          # element ids, with {n} for each numbered item
    why: str = ""                          # what breaks without it (shown in messages)

    def describe(self) -> str:
        parts = []
        if self.page_mm:
            parts.append(f"页面 {self.page_mm[0]:g}×{self.page_mm[1]:g} 毫米")
        if self.anchors:
            parts.append("元素 " + "、".join(f'id="{a.replace("{n}", "N")}"' for a in self.anchors))
        return "，".join(parts)


def page_size_problem(document, contract: TemplateContract) -> str | None:
    """Why the laid-out pages do not have the size the contract fixes, or None."""
    if contract.page_mm is None or not document.pages:
        return None
    want_w, want_h = contract.page_mm
    for number, page in enumerate(document.pages, start=1):
        width, height = page.width / PX_PER_MM, page.height / PX_PER_MM
        if abs(width - want_w) > SIZE_TOLERANCE_MM or abs(height - want_h) > SIZE_TOLERANCE_MM:
            return (f"模板 {contract.template} 的第 {number} 页是 {width:.0f}×{height:.0f} 毫米，应为 "
                    f"{want_w:g}×{want_h:g} 毫米（{contract.why}）。请保留 @page {{ size: {want_w:g}mm {want_h:g}mm; }}，"
                    "见 docs/templates.md 的“模板约定”。")
    return None


def missing_anchors(document, contract: TemplateContract, numbers: list[int]) -> list[str]:
    """The contract's element ids the laid-out document lacks, for items numbered `numbers`."""
    present = {name for page in document.pages for name in page.anchors}
    wanted = [a.replace("{n}", str(n)) if "{n}" in a else a for n in numbers for a in contract.anchors]
    return [name for name in dict.fromkeys(wanted) if name not in present]
