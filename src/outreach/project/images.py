"""Is this file a picture that prints? One answer for `[theme] logo` and the editor's logo upload.

A file that only looks like a picture is worse than none: a PNG whose header is sound but whose
pixel data is cut short passes a header check and prints as a black square on every poster,
and a path that names the station sheet (`content/stations.csv`) was silently left off. So the
picture is decoded completely, once per version of the file.
"""

from __future__ import annotations

import contextlib
import io
import threading
from functools import lru_cache
from pathlib import Path
from typing import Iterator

# Formats WeasyPrint draws and print shops take. SVG keeps a vector emblem sharp at any size.
PICTURE_FORMATS = ("PNG", "JPEG", "SVG")
FORMAT_NAMES = {"PNG": "PNG", "JPEG": "JPG", "SVG": "SVG"}
MAX_PICTURE_BYTES = 10 * 1024 * 1024
# A logo printed 8 mm high needs a few hundred pixels; far more is a decompression bomb.
MAX_PICTURE_PIXELS = 40_000_000
_SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"


class PictureProblem(ValueError):
    """Why the bytes are not a usable picture, in plain words (no full stop)."""


def picture_format(data: bytes, formats: tuple[str, ...] = PICTURE_FORMATS) -> tuple[str, tuple[int, int] | None]:
    """The format of a picture that decodes completely, and its size in pixels (None for SVG).

    Raises PictureProblem for anything else: not a picture, a format not in `formats`, a
    damaged or truncated file."""
    if len(data) > MAX_PICTURE_BYTES:
        raise PictureProblem(f"文件太大（{len(data) // 1024 // 1024} MB），标志图片不能超过 {MAX_PICTURE_BYTES // 1024 // 1024} MB")
    allowed = "、".join(FORMAT_NAMES[f] for f in formats)
    if "SVG" in formats and _looks_like_svg(data):
        _check_svg(data)
        return "SVG", None
    from PIL import Image, UnidentifiedImageError

    broken = (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, size = image.format or "", image.size
    except (UnidentifiedImageError, *broken):
        raise PictureProblem(f"它不是能识别的图片（应为 {allowed} 格式）") from None
    if kind not in formats:
        raise PictureProblem(f"它是 {kind} 格式的图片，标志只能用 {allowed} 格式")
    if size[0] * size[1] > MAX_PICTURE_PIXELS:
        raise PictureProblem(f"图片尺寸（{size[0]}×{size[1]} 像素）太大，标志用不了这么大的图片")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()   # structure and checksums
        with _strict_loading(), Image.open(io.BytesIO(data)) as image:
            image.load()     # every pixel decoded: data cut short or damaged stops here
    except broken:
        raise PictureProblem("图片文件已损坏或不完整（图像数据读不出来，印出来会是黑块或空白）") from None
    return kind, size


_STRICT = threading.Lock()


@contextlib.contextmanager
def _strict_loading() -> Iterator[None]:
    """Pillow refuses truncated pixel data, even in a process that imported WeasyPrint (which
    switches Pillow to accepting it, process-wide, and a cut-off logo then loads as a black square)."""
    from PIL import ImageFile

    with _STRICT:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg"))


def _check_svg(data: bytes) -> None:
    import xml.etree.ElementTree as ElementTree

    try:
        # expat (2.4.1 and later) refuses entity-expansion bombs.
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        raise PictureProblem("这个 SVG 文件已损坏或不完整（不是有效的 XML）") from None
    if root.tag not in ("svg", _SVG_NAMESPACE + "svg"):
        raise PictureProblem("它是 XML 文件，但不是 SVG 图片")


def file_picture_problem(path: Path) -> str | None:
    """Why the file at `path` is not a usable picture, or None. Decoded once per version of the file."""
    stat = path.stat()
    if stat.st_size > MAX_PICTURE_BYTES:
        return f"文件太大（{stat.st_size // 1024 // 1024} MB），标志图片不能超过 {MAX_PICTURE_BYTES // 1024 // 1024} MB"
    return _cached_problem(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _cached_problem(path: str, _mtime_ns: int, _size: int) -> str | None:
    try:
        picture_format(Path(path).read_bytes())
    except PictureProblem as problem:
        return str(problem)
    except OSError:
        return "文件读不出来"
    return None
