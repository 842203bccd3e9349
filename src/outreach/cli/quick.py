"""`outreach build` with nothing to build, answered before the command line loads.

Loading the Typer application and the config models it imports costs about 0.2 s, more than
the no-op build itself. For the common forms of `outreach build` this module reads the
arguments, asks the build engine whether the build would be a no-op (engine.build.noop_build:
the same decision, made by the same code under the same lock) and, when it would, prints what
`outreach build` prints for it. Anything else — other options, help, an error to report,
something to build — goes to the full command line, which decides again.
"""

from __future__ import annotations

import sys
from pathlib import Path

LOCALES = ("zh-Hans", "zh-Hant")


def quick_build(args: list[str]) -> int | None:
    """The exit code when `args` asked for a build with nothing to do (its output printed),
    None when the full command line must run."""
    parsed = _parse(args)
    if parsed is None:
        return None
    project, quiet, options = parsed
    root = _project_root(project)
    if root is None:
        return None
    from outreach.buildspec.options import BuildOptions
    from outreach.engine.build import noop_build
    from outreach.outputs.registry import renderer_names

    try:
        known = renderer_names()
    except Exception:
        return None   # a broken install: the full command line says what is wrong
    if any(kind not in known for kind in options["only"]):
        return None
    try:
        result = noop_build(root, BuildOptions(**options))
    except KeyboardInterrupt:
        print("\n已中断：build/ 保持上次生成完成时的样子，本次未完成的部分已丢弃。", file=sys.stderr)
        from outreach.core.errors import EXIT_INTERRUPTED

        return EXIT_INTERRUPTED
    if result is None:
        return None
    from outreach.engine.report import skipped_lines

    # As cli/build_commands.py report_build prints a no-op (which has no diagnostics, warnings,
    # failures or notices: nothing was checked or built).
    for line in skipped_lines(result):
        print(line, file=sys.stderr)
    if not quiet:
        print(f"没有变化，无需重新生成（{result.seconds:.2f} 秒）。")
    return 1 if result.skipped else 0


def _parse(args: list[str]) -> tuple[str | None, bool, dict] | None:
    """(-C folder, --quiet, BuildOptions arguments) of `[-C 目录] build [选项]` with options among
    --only, -j/--jobs, --print-ready, --stations/--no-stations, --locale and -q/--quiet, as the
    full command line would read them; None for anything else."""
    project = None
    rest = list(args)
    while rest and rest[0] != "build":
        name, value, rest = _option(rest, ("-C", "--project"))
        if name is None or value is None:
            return None
        project = value
    if not rest:
        return None
    rest = rest[1:]
    quiet = False
    only: list[str] = []
    options: dict = {"jobs": 0, "print_ready": False, "stations": None, "locale": None}
    while rest:
        head = rest[0]
        if head in ("-q", "--quiet"):
            quiet, rest = True, rest[1:]
        elif head == "--print-ready":
            options["print_ready"], rest = True, rest[1:]
        elif head in ("--stations", "--no-stations"):
            options["stations"], rest = head == "--stations", rest[1:]
        else:
            name, value, rest = _option(rest, ("--only", "-j", "--jobs", "--locale"))
            if name is None or value is None:
                return None
            if name == "--only":
                only.append(value)
            elif name == "--locale":
                if value not in LOCALES:
                    return None
                options["locale"] = value
            else:
                if not (value.isascii() and value.isdigit()):
                    return None
                options["jobs"] = int(value)
    # The options the full command builds with (cli/build_commands.py), the others at their defaults there.
    return project, quiet, {"only": tuple(only), **options, "clean": False, "shuffle_seed": None, "shard": None,
                            "executor": "process", "scheduler": None}


def _option(args: list[str], names: tuple[str, ...]) -> tuple[str | None, str | None, list[str]]:
    """A leading option that takes a value (`--only 海报`, `--only=海报`): its name, its value
    and the arguments after it; (None, None, args) when the first argument is none of `names`."""
    head = args[0]
    for name in names:
        if head == name:
            return (name, args[1], args[2:]) if len(args) > 1 and not args[1].startswith("-") else (name, None, [])
        if name.startswith("--") and head.startswith(name + "="):
            return name, head[len(name) + 1:], args[1:]
    return None, None, args


def _project_root(chosen: str | None) -> Path | None:
    """The project folder as cli/app.py project_root finds it; None where it would report a problem."""
    from outreach.project.projectroot import CONFIG_NAME, find_project_root

    if chosen is not None:
        folder = Path(chosen)
        return folder.resolve() if (folder / CONFIG_NAME).is_file() else None
    return find_project_root(Path.cwd())
