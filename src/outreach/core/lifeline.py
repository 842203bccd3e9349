"""Worker processes die with the build that started them.

A build killed with SIGKILL cannot stop its workers; left alone they keep rendering for a
dead parent and, having been forked, keep its build lock open so the next build waits for
ever. On Linux the kernel delivers a signal to a process whose parent dies
(PR_SET_PDEATHSIG); elsewhere a watchdog thread notices the parent is gone.
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading
import time

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Call first thing in a child process; `parent_pid` is the pid the parent had."""
    if not _ask_kernel():
        threading.Thread(target=_watch, args=(parent_pid,), name="outreach-lifeline", daemon=True).start()
    # The parent may have died before the request above was made.
    if os.getppid() != parent_pid:
        os._exit(1)


def _ask_kernel() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os._exit(1)
