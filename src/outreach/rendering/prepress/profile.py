"""The output ICC profile: which one, whether it is a CMYK press profile, what PDF/X calls it."""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from pathlib import Path

from outreach.project.iccprofile import icc_header_problem
from outreach.rendering.prepress.errors import PrepressError

# Installed by `make build` from Debian's libgs-common (Ghostscript's colour profiles, AGPL, freely
# redistributable): a SWOP-like coated offset profile, the stand-in until a shop names its own.
DEFAULT_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
DEFAULT_PACKAGE = "libgs-common"

# Characterised printing conditions of the ICC registry that a profile's description names:
# PDF/X then carries the registered identifier (a RIP knows it) besides the embedded profile.
_REGISTERED = (
    ("fogra39", "FOGRA39"), ("isocoated_v2", "FOGRA39"), ("iso coated v2", "FOGRA39"),
    ("fogra51", "FOGRA51"), ("pso coated v3", "FOGRA51"), ("fogra52", "FOGRA52"),
    ("fogra27", "FOGRA27"), ("fogra29", "FOGRA29"),
    ("japan color 2001 coated", "JC200103"), ("japancolor2001coated", "JC200103"),
    ("japan color 2011 coated", "JC2011"), ("japancolor2011coated", "JC2011"),
    ("gracol", "CGATS TR 006"), ("swop2006_coated3", "CGATS TR 003"), ("swop2006_coated5", "CGATS TR 005"),
)


@dataclass(frozen=True)
class OutputProfile:
    path: Path
    data: bytes
    description: str

    @property
    def condition_identifier(self) -> str:
        """OutputConditionIdentifier: a registered name when the description gives one away,
        else "Custom" (PDF/X-4 then relies on the embedded profile alone)."""
        text = self.description.lower()
        for needle, name in _REGISTERED:
            if needle in text:
                return name
        return "Custom"


def icc_problem(data: bytes) -> str | None:
    """Why these bytes are not a usable CMYK output ICC profile, in plain words; None if they are."""
    why = icc_header_problem(data)
    if why:
        return why
    try:
        from PIL import ImageCms

        ImageCms.ImageCmsProfile(io.BytesIO(data))
    except (OSError, ValueError, TypeError) as exc:
        return f"无法读取（文件可能已损坏：{exc}）"
    return None


@functools.lru_cache(maxsize=8)
def load_profile(path: Path | None) -> OutputProfile:
    """The profile at `path` (None: the default), checked; PrepressError with the fix otherwise."""
    chosen = path or DEFAULT_PROFILE
    try:
        data = chosen.read_bytes()
    except OSError:
        if path is None:
            raise PrepressError(f"找不到印刷用的 CMYK 颜色配置文件 {DEFAULT_PROFILE}。", fix=(
                f"请在项目目录运行 make build（会安装 {DEFAULT_PACKAGE}），或 apt-get install {DEFAULT_PACKAGE}，"
                "或在 outreach.toml 的 [print] output_profile 写印刷厂提供的配置文件。")) from None
        raise PrepressError(f"找不到颜色配置文件 {chosen}。", fix="请检查 outreach.toml 的 [print] output_profile。") from None
    why = icc_problem(data)
    if why:
        raise PrepressError(f"颜色配置文件 {chosen} {why}。",
                            fix="请向印刷厂要 CMYK 印刷配置文件（例如 FOGRA39、Japan Color 2001 Coated），"
                                "写在 outreach.toml 的 [print] output_profile。")
    return OutputProfile(chosen, data, _description(data) or chosen.stem)


def _description(data: bytes) -> str:
    from PIL import ImageCms

    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(data))
        return (profile.profile.profile_description or "").strip()
    except (OSError, ValueError, TypeError):
        return ""
