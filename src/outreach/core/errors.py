"""The base of every error outreach reports to people in plain Chinese, with the exit code it means."""

from __future__ import annotations

# Exit codes (documented in README, "退出码"): 0 success, 1 problems in the content or failed
# targets, 2 wrong command-line use or project set-up, 70 internal error, 74 the disk refused
# a write (full, read-only, no permission), 75 another build holds the lock, 130 interrupted.
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_IO = 74
EXIT_BUSY = 75
EXIT_INTERRUPTED = 130


class OutreachError(Exception):
    """A problem the user can act on: every error outreach raises for people derives from this,
    and the command line catches it in one place. `message` says what is wrong (Chinese),
    `file`/`line` where (when known), `fix` what to do; `str(error)` is the whole text."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, message: str = "", file: str = "", line: int = 0, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.fix = fix

    def __str__(self) -> str:
        text = str(self.args[0]) if self.args else self.message
        return f"{text}{self.fix}" if self.fix else text


class ProjectSetupError(OutreachError):
    """The project itself cannot be used as configured (e.g. an output directory outside it)."""

    exit_code = EXIT_USAGE


class DiskError(OutreachError):
    """Writing to the build directory failed: disk full, read-only file system, no permission."""

    exit_code = EXIT_IO
