"""`outreach doctor`: is this machine ready to build? Each check says how to fix it."""

from __future__ import annotations

import ctypes
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

APT_FIX = "apt-get update && apt-get install -y fonts-noto-cjk libharfbuzz-subset0 libgs-common（或在项目目录运行 make build）"


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def python_check() -> Check:
    ok = sys.version_info >= (3, 11)
    return Check("Python", ok, f"{platform.python_version()}（{sys.executable}）", "" if ok else "需要 Python 3.11 或更新版本")


def package_checks() -> list[Check]:
    from outreach.core.installed import runtime_requirements

    checks = []
    names = runtime_requirements("outreach")   # from the package metadata, not a list kept by hand
    if not names:
        return [Check("Python 包 outreach", False, "没有安装信息", "在项目目录运行 make build 重新安装")]
    for name in names:
        try:
            checks.append(Check(f"Python 包 {name}", True, metadata.version(name)))
        except metadata.PackageNotFoundError:
            checks.append(Check(f"Python 包 {name}", False, "未安装", "在项目目录运行 make build 重新安装"))
    return checks


def cjk_font_check() -> Check:
    if not shutil.which("fc-list"):
        return Check("中文字体", False, "找不到 fontconfig（fc-list）", APT_FIX)
    result = subprocess.run(["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True, timeout=30)
    families = sorted({line.split(",")[0].strip() for line in result.stdout.splitlines() if line.strip()})
    if not families:
        return Check("中文字体", False, "fontconfig 找不到任何简体中文字体，海报会显示成方框", APT_FIX)
    preferred = [f for f in families if "CJK" in f or "Source Han" in f]
    shown = "、".join((preferred or families)[:3])
    return Check("中文字体", True, f"{shown} 等 {len(families)} 种")


def harfbuzz_subset_check() -> Check:
    for name in ("libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib", "libharfbuzz-subset-0.dll"):
        try:
            ctypes.CDLL(name)
            return Check("字体子集化（libharfbuzz-subset0）", True, f"{name} 可用，每页中文约 0.2 秒")
        except OSError:
            continue
    return Check("字体子集化（libharfbuzz-subset0）", False,
                 "不可用：WeasyPrint 将用纯 Python 子集化中文字体，每页约 13 秒（慢约 60 倍）", APT_FIX)


def build_dir_check(root: Path | None) -> Check:
    if root is None:
        return Check("输出目录", True, "不在项目目录中，跳过")
    from outreach.core.errors import ProjectSetupError
    from outreach.project.outputdir import output_dir

    try:
        out = output_dir(root)
    except ProjectSetupError as exc:
        return Check("输出目录", False, str(exc), "在 outreach.toml 的 [build] output_dir 写项目里的相对路径，例如 build")
    target = out if out.exists() else out.parent
    ok = os.access(target, os.W_OK)
    return Check("输出目录", ok, f"{out}（{'可写' if ok else '不可写'}）", "" if ok else f"检查 {target} 的权限")


def print_profile_check(root: Path | None) -> Check:
    """The CMYK profile print masters are converted to: the project's [print] output_profile, else the default."""
    from outreach.rendering.prepress import DEFAULT_PROFILE, PrepressError, load_profile

    name = "印刷颜色配置文件"
    configured = None
    if root is not None:
        from outreach.project.config import load_config

        config, _ = load_config(root)
        if config is not None and config.print.output_profile:
            configured = root / config.print.output_profile
    try:
        profile = load_profile(configured)
    except PrepressError as exc:
        fix = ("apt-get install -y libgs-common（或在项目目录运行 make build）" if configured is None
               else "检查 outreach.toml 的 [print] output_profile")
        return Check(name, False, exc.message, fix)
    source = "[print] output_profile" if configured is not None else f"默认，{DEFAULT_PROFILE}"
    return Check(name, True, f"{profile.description}（{source}；输出条件 {profile.condition_identifier}）")


def run_checks(root: Path | None) -> list[Check]:
    return [python_check(), *package_checks(), cjk_font_check(), harfbuzz_subset_check(), print_profile_check(root),
            build_dir_check(root)]
