"""Is a file a CMYK press (output) ICC profile? Read from the profile's header, no colour engine."""

from __future__ import annotations

from pathlib import Path


def icc_header_problem(data: bytes) -> str | None:
    """Why these bytes are not a CMYK output ICC profile, in plain words; None if they are."""
    if len(data) < 132 or data[36:40] != b"acsp":
        return "不是 ICC 颜色配置文件（.icc/.icm）"
    colour_space, device_class = data[16:20], data[12:16]
    if colour_space != b"CMYK":
        shown = colour_space.decode("latin-1").strip() or "未知"
        return f"是 {shown} 颜色配置文件，印刷需要 CMYK（四色）输出配置文件"
    if device_class != b"prtr":
        return "是 CMYK 配置文件，但不是输出（印刷）类型，不能用作印刷条件"
    return None


def icc_file_problem(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            header = handle.read(132)
    except OSError:
        return "无法读取"
    return icc_header_problem(header)
