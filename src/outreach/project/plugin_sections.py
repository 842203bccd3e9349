"""[sections] of outreach.toml that output kinds bring (a renderer's `config_section` and
`config_model`), like a Sphinx extension's `add_config_value`.

The config is validated here, two layers below the renderer registry, so the declarations are
read the way the registry reads them: from the `outreach.outputs` entry points, importing each
registered class by name (a plugin lookup, not an import of outputs/ by this package). Only two
class attributes are read; nothing is instantiated.
"""

from __future__ import annotations

import functools
import importlib
import re
from typing import Any

from pydantic import BaseModel

from outreach.core.errors import OutreachError

GROUP = "outreach.outputs"   # the renderer registry's entry-point group (outputs/registry.py)
_SECTION_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


@functools.lru_cache(maxsize=1)
def declared_sections() -> tuple[tuple[str, type[BaseModel], str], ...]:
    """(section, model, its Chinese name) of every installed renderer that brings a section, in
    section order."""
    from outreach.core.installed import entry_points

    found: dict[str, tuple[type[BaseModel], str, str]] = {}
    for kind, target in entry_points(GROUP).items():
        cls = _renderer_class(kind, target)
        section = getattr(cls, "config_section", None)
        if not section:
            continue
        model = getattr(cls, "config_model", None)
        _check(kind, target, section, model)
        if section in found and found[section][0] is not model:
            raise OutreachError(f"输出类型“{kind}”（{target}）和“{found[section][2]}”都声明了设置段 [{section}]："
                                "一个设置段只能属于一种输出。请把这个问题反馈给插件的作者。")
        # Named in messages and the JSON Schema by the model's title (ConfigDict(title="短信")), else after the kind.
        label = model.model_config.get("title") or f"{getattr(cls, 'label', '') or kind}的设置"   # type: ignore[union-attr]
        found[section] = (model, label, kind)   # type: ignore[assignment]
    return tuple((section, model, label) for section, (model, label, _kind) in sorted(found.items()))


def _renderer_class(kind: str, target: str) -> Any:
    module_name, _, attribute = target.partition(":")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise OutreachError(f"输出类型“{kind}”的渲染器 {target} 无法加载：{exc}。"
                            "请检查提供它的插件是否装好。") from None


def _check(kind: str, target: str, section: str, model: Any) -> None:
    """A declaration that would break every project (not just one that uses the section) is the
    plugin's bug: say so once, in words its user can pass on."""
    where = f"输出类型“{kind}”（{target}）声明的设置段 [{section}]"
    if not isinstance(section, str) or not _SECTION_NAME.fullmatch(section):
        raise OutreachError(f"{where}名称不对：只能用小写字母、数字和下划线，以字母开头。请把这个问题反馈给插件的作者。")
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise OutreachError(f"{where}没有给出设置的模型（config_model，一个 pydantic 模型）。请把这个问题反馈给插件的作者。")
    missing = [name for name, field in model.model_fields.items() if field.is_required()]
    if missing:
        raise OutreachError(f"{where}的 {'、'.join(missing)} 没有默认值：没写这一段的项目也要能用。"
                            "请把这个问题反馈给插件的作者。")


def strict(model: type[BaseModel]) -> type[BaseModel]:
    """The model as the project config holds its sections: unknown keys refused (a typo is an
    error located in outreach.toml, not a setting silently ignored) and read-only."""
    config = model.model_config
    if config.get("extra") == "forbid" and config.get("frozen"):
        return model
    return type(model.__name__, (model,), {"model_config": {**config, "extra": "forbid", "frozen": True},
                                           "__module__": model.__module__, "__doc__": model.__doc__})
