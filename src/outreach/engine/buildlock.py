"""One build at a time per build directory (and manifest): an advisory lock on a file in it.

Two terminals, or the preview server's automatic rebuild plus a manual build, would otherwise
each load the manifest, build, and save their own copy, losing the other's records.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from pathlib import Path
from typing import Callable, Iterator

from outreach.core.errors import DiskError

WAITING_MESSAGE = "另一个生成正在进行，等待它完成…"


def lock_path(out_dir: Path, manifest_name: str) -> Path:
    return out_dir / f".outreach-lock-{manifest_name.removesuffix('.json')}"


@contextlib.contextmanager
def build_lock(out_dir: Path, manifest_name: str, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock of `out_dir`'s manifest for the body; says so once when it has to wait."""
    path = lock_path(out_dir, manifest_name)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM) or not path.exists():
            raise DiskError(describe_disk_error(exc, out_dir)) from None
        fd = os.open(path, os.O_RDONLY)  # a read-only build/ can still be read under the lock
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait(WAITING_MESSAGE)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


DISK_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.EIO}


def is_disk_error(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in DISK_ERRNOS


def describe_disk_error(exc: OSError, out_dir: Path, commit_pending: bool = False) -> str:
    reasons = {
        errno.ENOSPC: "磁盘空间已满", errno.EDQUOT: "超出磁盘配额", errno.EROFS: "文件系统是只读的",
        errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EIO: "磁盘读写出错",
    }
    reason = reasons.get(exc.errno or 0, exc.strerror or "写入失败")
    if commit_pending:
        return (f"无法写入输出目录 {out_dir}：{reason}。新文件已替换了一部分；请腾出空间或检查权限后"
                f"再运行 outreach build，它会先把这次替换做完，build/ 与清单始终一致。")
    return f"无法写入输出目录 {out_dir}：{reason}。上次生成的文件保持原样；请腾出空间或检查权限后重试。"
