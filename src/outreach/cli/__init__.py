"""The `outreach` command line: thin commands over the library modules (outreach.cli.commands).

`outreach build` with nothing to build is answered before the command line loads (quick.py):
a no-op build takes less time than importing Typer and the config models.
"""

from __future__ import annotations

import sys

from outreach import __version__


def main() -> None:
    from outreach.cli.quick import quick_build

    code = quick_build(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from outreach.cli.commands import main as run

    run()


def __getattr__(name: str):
    if name == "app":   # the Typer application, loaded on first use
        from outreach.cli.commands import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["app", "main", "__version__"]
