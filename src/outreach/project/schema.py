"""JSON Schema files for editors: autocomplete and red underlines while typing YAML."""

from __future__ import annotations

import json
from pathlib import Path

from outreach.core.fsutil import atomic_write
from outreach.project.config import config_model, load_config
from outreach.project.kinds import registry


def build_schemas(audiences: dict[str, str] | None = None) -> dict[str, dict]:
    schemas: dict[str, dict] = {}
    for kind in registry:
        schema = registry.model(kind.folder).model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        if audiences:
            _restrict_audiences(schema, audiences)
        schemas[kind.name] = schema
    config = config_model().model_json_schema()   # with the sections output kinds bring
    config["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schemas["config"] = config
    return schemas


def _restrict_audiences(node, audiences: dict[str, str]) -> None:
    """Offer the project's audience vocabulary as an enum wherever an audience is expected."""
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict):
            for key in ("audiences", "audience"):
                prop = properties.get(key)
                if isinstance(prop, dict):
                    target = prop.get("items", prop)
                    target["enum"] = list(audiences)
                    target["description"] = "受众：" + "、".join(f"{k}={v}" for k, v in audiences.items())
        for value in node.values():
            _restrict_audiences(value, audiences)
    elif isinstance(node, list):
        for value in node:
            _restrict_audiences(value, audiences)


def write_schemas(root: Path, output: Path | None = None) -> list[Path]:
    config, _ = load_config(root)
    audiences = config.project.audiences if config else None
    target = output or (root / (config.build.output_dir if config else "build") / "schema")
    written = []
    for name, schema in build_schemas(audiences).items():
        path = target / f"{name}.json"
        atomic_write(path, json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written
