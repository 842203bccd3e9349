"""Is build/ up to date for the texts about to be posted?

`post` sends what build/ holds. After an edit without `outreach build` that would be the old
text — and the ledger, keyed by content, would even call it "already sent". So before
posting, the text targets are planned from the current content, config and templates, and
their fingerprints compared with the manifest's (the same test `build` uses to skip work).
"""

from __future__ import annotations

from pathlib import Path

from outreach.core.errors import OutreachError
from outreach.engine.manifest import load_committed


class StaleBuild(OutreachError):
    """build/ does not match the content; the message says what to run."""


def stale_texts(root: Path, out_dir: Path, paths: set[str]) -> list[str]:
    """The posted files (build-relative) whose content, config or templates changed since the
    last build. Raises StaleBuild when the content cannot even be loaded."""
    from outreach.buildspec.options import BuildOptions
    from outreach.engine.planner import plan_build
    from outreach.project.loader import load_library

    library, diagnostics = load_library(root, stations=False)
    if library is None or diagnostics.has_errors():
        raise StaleBuild("内容或 outreach.toml 有错误：请先运行 outreach check 改好，再运行 outreach build，然后再发送。")
    recorded = load_committed(out_dir).targets
    owners = {}
    # Texts are made by the screen build only (a --print-ready build makes print masters beside them).
    plan = plan_build(root, library, BuildOptions(only=("texts",)))
    stale = set()
    for target in plan.targets:
        posted = paths & set(target.outputs)
        if not posted:
            continue
        owners.update(dict.fromkeys(posted, target.id))
        if recorded.get(target.id, {}).get("fingerprint") != target.fingerprint:
            stale |= posted
    # A posted file no text target makes any more: its scenario was deleted or renamed.
    return sorted(stale | (paths - owners.keys()))


def refuse_stale(root: Path, out_dir: Path, paths: set[str]) -> None:
    """Raise StaleBuild when any of the files about to be posted is older than the content."""
    stale = stale_texts(root, out_dir, paths)
    if stale:
        shown = "、".join(stale[:5]) + ("等" if len(stale) > 5 else "")
        raise StaleBuild(f"内容、配置或模板在上次生成之后改过，build/ 里的 {shown} 还是旧的："
                         "请先运行 outreach build，再发送。")
