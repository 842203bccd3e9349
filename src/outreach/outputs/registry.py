"""The registry of output kinds: the `outreach.outputs` entry-point group.

Every output kind — the built-in ones included — is registered in a package's metadata
(pyproject.toml, [project.entry-points."outreach.outputs"], name = "module:Class"), so
another package can add a kind without touching outreach. The kind's name is its output
folder under build/. Names are read from the metadata without importing any renderer
(the CLI validates `--only` with them); renderers are imported when a build plans.
"""

from __future__ import annotations

import functools
import importlib

from outreach.core.errors import OutreachError
from outreach.outputs.base import RenderContext, Renderer, RenderError, RenderResult

GROUP = "outreach.outputs"


@functools.lru_cache(maxsize=1)
def registered() -> dict[str, str]:
    """kind → "module:Class" (the first registration of a name on sys.path wins)."""
    from outreach.core.installed import entry_points

    found = entry_points(GROUP)
    if not found:
        raise OutreachError("找不到任何输出类型（outreach.outputs 注册信息）：outreach 可能没有正确安装，"
                            "请运行 make install（或 pip install -e .）。")
    return found


def renderer_names() -> list[str]:
    return list(registered())


@functools.lru_cache(maxsize=1)
def _renderer_classes() -> tuple[type, ...]:
    classes = []
    for kind, target in registered().items():
        module_name, _, attribute = target.partition(":")
        try:
            cls = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as exc:
            raise OutreachError(f"输出类型“{kind}”的渲染器 {target} 无法加载：{exc}。"
                                "请检查提供它的插件是否装好。") from None
        if getattr(cls, "name", None) != kind:
            raise OutreachError(f"输出类型“{kind}”注册的渲染器 {target} 的 name 是“{getattr(cls, 'name', '')}”："
                                "两者必须相同（它就是 build/ 下的目录名）。")
        classes.append(cls)
    return tuple(classes)


def all_renderers() -> dict[str, Renderer]:
    """Every registered renderer by kind, in build order: by phase, then by name (installers
    do not keep the order entry points were declared in)."""
    renderers = [cls() for cls in _renderer_classes()]
    return {r.name: r for r in sorted(renderers, key=lambda r: (r.phase, r.name))}


__all__ = ["Renderer", "RenderContext", "RenderError", "RenderResult", "all_renderers", "renderer_names", "GROUP"]
