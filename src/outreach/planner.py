"""Turn the library into the list of targets to build, each with its fingerprint."""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from outreach.library import Library
from outreach.options import BuildOptions
from outreach.plan import Target, fingerprint, tool_versions
from outreach.renderers import all_renderers
from outreach.templating import make_environment, template_closure
from outreach.theme import Theme


class PlanError(Exception):
    pass


@dataclass
class Plan:
    library: Library
    targets: list[Target]                    # what this run builds (selected kinds, this shard)
    all_targets: list[Target]                # every target of the selected kinds, all shards
    selected_kinds: set[str] = field(default_factory=set)
    partial: bool = False                    # --only or --shard: not the whole build


def selected_kinds(options: BuildOptions, library: Library) -> list[str]:
    kinds = list(all_renderers())
    if options.only:
        return [k for k in kinds if k in options.only]
    return kinds


def in_shard(target_id: str, shard: tuple[int, int] | None) -> bool:
    """A stable 1/N slice by target id (crc32 is the same on every machine and Python)."""
    if shard is None:
        return True
    index, count = shard
    return zlib.crc32(target_id.encode("utf-8")) % count == index - 1


def plan_build(root: Path, library: Library, options: BuildOptions) -> Plan:
    renderers = all_renderers()
    kinds = selected_kinds(options, library)
    theme = Theme(root)
    env = make_environment(theme)
    versions = tool_versions()
    sources = {item.path: item.digest for item in library.all_items()}
    if library.stations_path:
        sources[library.stations_path] = library.stations_digest or ""
    assets = theme.asset_digest() + _logo_digest(root, library)
    option_identity = options.output_identity() | {"locale": options.locale or library.config.project.locale}
    closures: dict[str, dict[str, str]] = {}

    def template_digests(names: tuple[str, ...]) -> dict[str, str]:
        digests: dict[str, str] = {}
        for name in names:
            if name not in closures:
                closures[name] = {n: theme.file_digest(n) for n in template_closure(env, name)}
            digests.update(closures[name])
        return digests

    all_targets: list[Target] = []
    by_id: dict[str, Target] = {}
    owners: dict[str, str] = {}
    for kind in sorted(kinds, key=lambda k: renderers[k].phase):
        renderer = renderers[kind]
        config_sections = {name: getattr(library.config, name).model_dump(mode="json")
                           for name in renderer.config_sections if hasattr(library.config, name)}
        for target in renderer.plan(library, options):
            for output in target.outputs:
                if output in owners:
                    raise PlanError(f"两个目标要写同一个文件 {output}：{owners[output]} 和 {target.id}。")
                owners[output] = target.id
            target.fingerprint = fingerprint(
                target, renderer_version=renderer.version, config_sections=config_sections,
                source_digests=sources, template_digests=template_digests(target.templates),
                asset_digest=assets, options=option_identity,
                dep_fingerprints={d: by_id[d].fingerprint for d in target.deps if d in by_id},
                versions=versions)
            by_id[target.id] = target
            all_targets.append(target)
    targets = [t for t in all_targets if in_shard(t.id, options.shard)]
    return Plan(library=library, targets=targets, all_targets=all_targets, selected_kinds=set(kinds),
                partial=bool(options.only) or options.shard is not None)


def _logo_digest(root: Path, library: Library) -> str:
    logo = library.config.theme.logo
    if not logo:
        return ""
    path = root / logo
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
