"""Where the files shipped inside the package live: the default theme, skeletons, the starter project."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
THEME_DIR = PACKAGE_DIR / "default_theme"
SKELETONS_DIR = PACKAGE_DIR / "skeletons"
STARTER_DIR = PACKAGE_DIR / "starter"
