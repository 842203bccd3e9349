"""Where a project's build goes: `[build] output_dir`, read before (and without) validating the config.

The CLI, doctor, the preview and `post` all need the build directory, including when the
config has errors elsewhere; reading it here keeps them from importing the build engine.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from outreach.core.errors import ProjectSetupError
from outreach.core.safepath import output_dir_problem


def output_dir(root: Path) -> Path:
    """The build directory from outreach.toml, read without validating the whole config.

    Raises ProjectSetupError when it would lead outside the project."""
    name = raw_config(root).get("build", {}).get("output_dir", "build")
    if not isinstance(name, str):
        name = "build"  # the config check reports the wrong type with its location
    problem = output_dir_problem(name, root)
    if problem:
        raise ProjectSetupError(f"outreach.toml 的 [build] output_dir 不可用：{problem}")
    return root / name


def raw_config(root: Path) -> dict:
    """outreach.toml as plain data, or {} when it is missing or not TOML (the config check says why)."""
    try:
        return tomllib.loads((root / "outreach.toml").read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return {}
