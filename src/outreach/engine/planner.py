"""Turn the library into the list of targets to build, each with its fingerprint."""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from outreach.buildspec.options import BuildOptions
from outreach.buildspec.target import Target, fingerprint, tool_versions
from outreach.core.errors import OutreachError
from outreach.outputs.base import output_prefix, print_role, print_sections
from outreach.outputs.registry import all_renderers
from outreach.project.library import Library
from outreach.project.stations import station_digest
from outreach.rendering.localize import law_names
from outreach.rendering.templating import make_environment, template_closure
from outreach.rendering.theme import Theme


class PlanError(OutreachError):
    pass


@dataclass
class Plan:
    library: Library
    targets: list[Target]                    # what this run renders, in dependency order
    all_targets: list[Target]                # every target of every enabled kind, all shards
    owned: set[str] = field(default_factory=set)   # targets whose outputs this run commits
    selected_kinds: set[str] = field(default_factory=set)
    partial: bool = False                    # --only or --shard: not the whole build
    # Where this build's outputs go: "zh-Hant/" for a Traditional Chinese build, "print/" (or
    # "zh-Hant/print/") for print masters; it owns only the targets under it (engine.build).
    prefix: str = ""
    # Station targets as they would be, planned only to tell whether station outputs an earlier
    # `--stations` build left in build/ still match (this build does not make them).
    dormant: list[Target] | None = None     # None: not asked for
    source_digests: dict[str, str] = field(default_factory=dict)   # source → digest, for the manifest


def station_kinds() -> set[str]:
    """The kinds made per station: the station packs and every `per_station` kind."""
    return {k for k, r in all_renderers().items() if k == "stations" or r.per_station}


def enabled_kinds(options: BuildOptions, library: Library) -> list[str]:
    """Every kind this project builds (per-station kinds only when asked for; a print build, the
    kinds that have a print variant)."""
    stations = options.stations if options.stations is not None else library.config.stations.enabled
    per_station = station_kinds()
    return [k for k, r in all_renderers().items()
            if (k not in per_station or stations) and (r.printable or not options.print_ready)]


def selected_kinds(options: BuildOptions, library: Library) -> list[str]:
    kinds = enabled_kinds(options, library)
    renderers = all_renderers()
    unprintable = [k for k in options.only if options.print_ready and k in renderers and not renderers[k].printable]
    if unprintable:   # silence would look like a build that made them
        raise PlanError(f"--only {'、'.join(unprintable)}：这类素材没有印刷版，--print-ready 只生成交给印刷厂的 PDF。"
                        "请去掉 --print-ready 生成它们。")
    if options.only:
        off = [k for k in options.only if k in all_renderers() and k not in kinds]
        if off:   # asked for by name, yet switched off: building nothing in silence would mislead
            raise PlanError(f"--only {'、'.join(off)}：派出所资料没有打开。请加 --stations，"
                            "或在 outreach.toml 里设 [stations] enabled = true。")
        return [k for k in kinds if k in options.only]
    return kinds


def in_shard(target_id: str, shard: tuple[int, int] | None) -> bool:
    """A stable 1/N slice by target id (crc32 is the same on every machine and Python)."""
    if shard is None:
        return True
    index, count = shard
    return zlib.crc32(target_id.encode("utf-8")) % count == index - 1


def plan_build(root: Path, library: Library, options: BuildOptions, dormant_stations: bool = False) -> Plan:
    """`dormant_stations`: also fingerprint the station targets when stations are off (the
    library must then hold the station sheet)."""
    renderers = all_renderers()
    kinds = enabled_kinds(options, library)
    # A per-station kind's targets are dependencies of the station packs: planned dormant with them.
    dormant_kinds = sorted(k for k in station_kinds() if k not in kinds and (renderers[k].printable or not options.print_ready)
                           ) if dormant_stations and "stations" not in kinds else []
    chosen = selected_kinds(options, library)
    theme = Theme(root)
    env = make_environment(theme)
    versions = tool_versions()
    sources = {item.path: item.digest for item in library.all_items()}
    if library.stations_path:
        sources[library.stations_path] = library.stations_digest or ""
        # Each station's row is its own source: editing one row rebuilds one station.
        sources.update({f"{library.stations_path}#{s.id}": station_digest(s) for s in library.stations})
    assets = theme.asset_digest() + _logo_digest(root, library)
    locale = options.locale or library.config.project.locale
    prefix = output_prefix(locale, options.print_ready)
    option_identity = options.output_identity() | {"locale": locale,
                                                   "hant": _hant_identity(library) if locale == "zh-Hant" else None,
                                                   "pdf": library.config.pdf.model_dump(mode="json"),
                                                   # Every law's names: each page keeps them unbroken
                                                   # (read by every render, RenderContext.shared_reads).
                                                   "law_names": law_names(library)}
    if options.print_ready:   # the shop's colour profile is a file: its bytes, not only its name
        option_identity["output_profile"] = _profile_digest(root, library)
    closures: dict[str, dict[str, str]] = {}
    references: dict[str, tuple[str | None, ...]] = {}

    def template_digests(names: tuple[str, ...]) -> dict[str, str]:
        digests: dict[str, str] = {}
        for name in names:
            if name not in closures:
                closures[name] = {n: theme.file_digest(n) for n in template_closure(env, name, references)}
            digests.update(closures[name])
        return digests

    all_targets: list[Target] = []
    dormant: list[Target] = []
    by_id: dict[str, Target] = {}
    owners: dict[str, str] = {}
    for kind in sorted([*kinds, *dormant_kinds], key=lambda k: renderers[k].phase):
        renderer = renderers[kind]
        # lint, typography: the spacing rule and the unsplittable terms every template's text
        # follows (pdf and hant are build options);
        # print: how print masters are made, in a print build only (screen files never read it).
        config_sections = {name: _section_identity(library.config, name)
                           for name in ("lint", "typography", *renderer.config_sections, *print_sections(options))
                           if hasattr(library.config, name)}
        for target in renderer.plan(library, options):
            _apply_prefix(target, prefix)
            _assign_roles(target, renderer, prefix, options.print_ready)
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
            (dormant if kind in dormant_kinds else all_targets).append(target)
    for target in by_id.values():
        target.readable = tuple(sorted({path for dep in target.deps if dep in by_id for path in by_id[dep].outputs}))
    # This run owns the selected kinds' targets in its shard; it also renders what they
    # need (a pack needs its posters) but, in a shard, commits only what it owns, so the
    # shards' outputs never overlap and together are the full build.
    owned = {t.id for t in all_targets if t.renderer in chosen and in_shard(t.id, options.shard)}
    if not options.shard:
        owned = _with_dependencies(owned, by_id)
    needed = _with_dependencies(owned, by_id)
    targets = [t for t in all_targets if t.id in needed]
    return Plan(library=library, targets=targets, all_targets=all_targets, owned=owned, selected_kinds=set(chosen),
                partial=bool(options.only) or options.shard is not None, prefix=prefix,
                dormant=dormant if dormant_kinds else None,
                source_digests=sources)


# Settings that choose which targets a build makes, not what any of them contains: turning
# station outputs on or off must not make the station packs already built look outdated.
_NOT_IN_OUTPUTS = {"stations": ("enabled",)}


def _section_identity(config, name: str) -> dict:
    data = getattr(config, name).model_dump(mode="json")
    for key in _NOT_IN_OUTPUTS.get(name, ()):
        data.pop(key, None)
    return data


def _assign_roles(target: Target, renderer, prefix: str, print_ready: bool) -> None:
    """Each output's role from the renderer's table; a print master's is its screen role + "-print"."""
    from outreach.engine.roles import role_of

    for output in target.outputs:
        role = role_of(output.removeprefix(prefix), renderer.roles)
        if role is None:   # a renderer's table is incomplete: a programming error, said plainly
            raise PlanError(f"内部错误：输出类型“{renderer.name}”的文件 {output} 没有声明用途（roles）。")
        target.roles[output] = print_role(role) if print_ready else role


def _apply_prefix(target: Target, prefix: str) -> None:
    """Put a Traditional Chinese build's targets (ids, files, dependencies) under zh-Hant/, a
    print build's under print/ (both: zh-Hant/print/)."""
    if prefix:
        target.id = prefix + target.id
        target.outputs = tuple(prefix + o for o in target.outputs)
        target.deps = tuple(prefix + d for d in target.deps)


def _with_dependencies(ids: set[str], by_id: dict[str, Target]) -> set[str]:
    result = set(ids)
    pending = list(ids)
    while pending:
        for dep in by_id[pending.pop()].deps:
            if dep in by_id and dep not in result:
                result.add(dep)
                pending.append(dep)
    return result


def _profile_digest(root: Path, library: Library) -> str:
    profile = library.config.print.output_profile
    if not profile:
        return ""
    path = root / profile
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"


def _logo_digest(root: Path, library: Library) -> str:
    logo = library.config.theme.logo
    if not logo:
        return ""
    path = root / logo
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"


def _hant_identity(library) -> str:
    """Everything the Traditional conversion depends on (region, phrases, names, quoted law),
    so changing any of it rebuilds the Traditional outputs."""
    import hashlib

    from outreach.rendering.localize import project_spec

    spec = project_spec(library.config, library)
    return hashlib.sha256(repr((spec, library.config.project.region)).encode("utf-8")).hexdigest()
