"""build/manifest.json: every output with its hash, size, sources and fingerprint."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from outreach.core.errors import OutreachError
from outreach.core.fsutil import atomic_write

MANIFEST_NAME = "manifest.json"


def manifest_name(shard: tuple[int, int] | None) -> str:
    """Each shard keeps its own manifest so shards can share one build tree; `outreach
    manifest merge` combines them."""
    return MANIFEST_NAME if shard is None else f"manifest-shard-{shard[0]}-of-{shard[1]}.json"
MANIFEST_VERSION = 2   # 2: each output has a role and a media type


@dataclass
class Manifest:
    inputs: str = ""                                     # digest of every input file + options
    targets: dict[str, dict] = field(default_factory=dict)  # target id → {renderer, fingerprint, outputs, sources}
    outputs: dict[str, dict] = field(default_factory=dict)  # output path → {sha256, size, target, sources, fingerprint}
    tool: str = ""
    # Content left out for its errors (engine/skipped.py SkippedItem.to_dict): a no-op build
    # repeats them instead of saying "nothing changed" over content that cannot be built.
    skipped: list[dict] = field(default_factory=list)

    @classmethod
    def load(cls, out_dir: Path, name: str = MANIFEST_NAME) -> "Manifest":
        path = out_dir / name
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
            return cls()
        outputs = {entry["path"]: {k: v for k, v in entry.items() if k != "path"}
                   for entry in data.get("outputs", []) if isinstance(entry, dict) and isinstance(entry.get("path"), str)}
        listed = data.get("skipped")
        skipped = [entry for entry in listed if isinstance(entry, dict)] if isinstance(listed, list) else []
        return cls(inputs=data.get("inputs", ""), targets=data.get("targets", {}), outputs=outputs,
                   tool=data.get("tool", ""), skipped=skipped)

    def record(self, target_id: str, renderer: str, fingerprint: str, sources: list[str],
               written: dict[str, dict], roles: dict[str, str] | None = None,
               digests: dict[str, str] | None = None) -> None:
        """`digests`: each source's content digest, so a later build can say which one changed."""
        from outreach.engine.roles import media_type

        self.forget(target_id)
        self.targets[target_id] = {"renderer": renderer, "fingerprint": fingerprint,
                                   "outputs": sorted(written), "sources": sorted(sources)}
        if digests:
            self.targets[target_id]["source_digests"] = {s: digests.get(s, "") for s in sorted(sources)}
        for path, info in written.items():
            self.outputs[path] = {"sha256": info["sha256"], "size": info["size"], "target": target_id,
                                  "role": (roles or {}).get(path, ""), "media_type": media_type(path),
                                  "sources": sorted(sources), "fingerprint": fingerprint}

    def by_role(self, prefix: str = "") -> dict[str, list[str]]:
        """Output paths in one folder ("" Simplified, "zh-Hant/"; print masters only under
        "print/" or "zh-Hant/print/", so `post` never picks one), grouped by role."""
        from outreach.outputs.base import variant_of

        grouped: dict[str, list[str]] = {}
        for path in sorted(self.outputs):
            if variant_of(path) == prefix:
                grouped.setdefault(self.outputs[path].get("role", ""), []).append(path)
        return grouped

    def with_role(self, role: str, prefix: str = "") -> list[str]:
        return self.by_role(prefix).get(role, [])

    def unsettle(self, target_id: str) -> None:
        """Keep a target's outputs but record them as of no known inputs: the next build renders
        the target again (its fingerprint matches nothing)."""
        entry = self.targets.get(target_id)
        if entry is None:
            return
        entry["fingerprint"] = ""
        for path in entry.get("outputs", []):
            if path in self.outputs:
                self.outputs[path]["fingerprint"] = ""

    def forget(self, target_id: str) -> list[str]:
        """Drop a target; returns the output paths it had."""
        old = self.targets.pop(target_id, None)
        paths = list(old.get("outputs", [])) if old else []
        for path in paths:
            self.outputs.pop(path, None)
        return paths

    def to_json(self) -> str:
        data = {
            "version": MANIFEST_VERSION,
            "tool": self.tool,
            "inputs": self.inputs,
            "outputs": [{"path": path, **self.outputs[path]} for path in sorted(self.outputs)],
            "targets": {key: self.targets[key] for key in sorted(self.targets)},
        }
        if self.skipped:
            data["skipped"] = self.skipped
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n"

    def save(self, out_dir: Path, name: str = MANIFEST_NAME) -> None:
        atomic_write(out_dir / name, self.to_json())

    def outputs_present(self, out_dir: Path) -> bool:
        """Every recorded output still exists with its recorded size (cheap stat, no hashing)."""
        for path, info in self.outputs.items():
            try:
                if (out_dir / path).stat().st_size != info["size"]:
                    return False
            except OSError:
                return False
        return True


def load_committed(out_dir: Path, name: str = MANIFEST_NAME) -> Manifest:
    """The manifest as the last build committed it. A commit that was interrupted half-way is
    finished first (under the build lock), so the manifest and the files agree."""
    from outreach.engine.journal import journal_path, recover

    if journal_path(out_dir, name).exists():
        from outreach.engine.buildlock import build_lock

        with build_lock(out_dir, name):
            recover(out_dir, name)
    return Manifest.load(out_dir, name)


class MergeConflict(OutreachError):
    """Two manifests disagree about one output."""


def merge_manifests(paths: list[Path]) -> Manifest:
    merged = Manifest()
    seen: dict[str, Path] = {}
    for path in paths:
        part = load_committed(path.parent, path.name)
        if not part.outputs and not part.targets:
            raise MergeConflict(f"{path} 不是有效的构建清单。")
        for output, info in part.outputs.items():
            known = merged.outputs.get(output)
            if known is not None and known["sha256"] != info["sha256"]:
                raise MergeConflict(f"{output} 在 {seen[output]} 和 {path} 里的内容不同。")
            merged.outputs[output] = info
            seen[output] = path
        merged.targets.update(part.targets)
        merged.tool = part.tool or merged.tool
        known_skipped = {entry.get("file") for entry in merged.skipped}
        merged.skipped += [entry for entry in part.skipped if entry.get("file") not in known_skipped]
    return merged
