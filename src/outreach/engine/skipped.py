"""What a build left out because of errors in content, and what it kept of it in build/.

Light on imports on purpose: a no-op build reads these back from the manifest and must not
load the content models.
"""

from __future__ import annotations

from dataclasses import dataclass

from outreach.project.diagnostics import Diagnostic, Severity


@dataclass(frozen=True)
class SkippedItem:
    """One content file (or the station sheet) whose outputs this build did not update.

    `reasons` are the file's own errors, located; an item left out only because it uses a
    broken one (a pack listing a broken scenario) has none, and names those in `blocked_by`.
    `kept` are its outputs still in build/ and manifest.json from the last good build."""

    label: str                              # "诈骗类型 new-1", "资料包 fixture", "派出所站点表"
    file: str                               # project-relative, e.g. content/scenarios/new-1.yaml
    kind: str = ""                          # content kind ("scenarios"); "stations" for the sheet
    id: str = ""                            # the item's id; "" for the sheet
    reasons: tuple[Diagnostic, ...] = ()
    blocked_by: tuple[tuple[str, str], ...] = ()   # (label, file) of the broken items it uses
    kept: tuple[str, ...] = ()              # build-relative paths

    @property
    def where(self) -> str:
        """file:line:col of the first error (the file alone when it has none of its own)."""
        if not self.reasons:
            return self.file
        first = self.reasons[0]
        return f"{first.file}:{first.line}:{first.column or 1}" if first.line else first.file

    @property
    def messages(self) -> list[str]:
        """Every reason as one located line ("file:line:col 说明"), or why it waits for another item."""
        if not self.reasons:
            return [self.why()]
        return [f"{d.file}:{d.line}:{d.column or 1} {d.message}" if d.line else f"{d.file} {d.message}"
                for d in self.reasons]

    def why(self) -> str:
        """The reason in plain words, with the first error located."""
        if self.reasons:
            more = f"（共 {len(self.reasons)} 处错误）" if len(self.reasons) > 1 else ""
            return f"{self.where} {self.reasons[0].message.rstrip('。')}{more}"
        uses = "、".join(f"{label}（{file}）" for label, file in self.blocked_by)
        return f"用到的{uses}有错误"

    def outcome(self) -> str:
        if self.kind == "stations":
            return "有错误的行没有生成，其余派出所照常生成" + (
                f"；build/ 里保留上次成功生成的 {len(self.kept)} 个文件" if self.kept else "")
        if self.kept:
            return f"build/ 里保留的是上次成功生成的版本（{len(self.kept)} 个文件）"
        return "build/ 里没有它的文件"

    def describe(self) -> str:
        return f"{self.label}：{self.why()}；{self.outcome()}。"

    def to_dict(self) -> dict:
        return {"label": self.label, "file": self.file, "kind": self.kind, "id": self.id,
                "reasons": [d.to_dict() for d in self.reasons],
                "blocked_by": [list(b) for b in self.blocked_by], "kept": list(self.kept)}

    @classmethod
    def from_dict(cls, data: dict) -> "SkippedItem":
        reasons = tuple(Diagnostic(r["file"], r["line"], r["column"], Severity(r["severity"]), r["code"], r["message"])
                        for r in data.get("reasons", []))
        return cls(label=data["label"], file=data["file"], kind=data.get("kind", ""), id=data.get("id", ""),
                   reasons=reasons, blocked_by=tuple((b[0], b[1]) for b in data.get("blocked_by", [])),
                   kept=tuple(data.get("kept", [])))
