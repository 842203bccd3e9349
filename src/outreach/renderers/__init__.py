"""The registry of output kinds. Each kind is an output folder under build/."""

from __future__ import annotations

from outreach.renderers.base import Renderer, RenderContext, RenderError, RenderResult


# The output kinds, by folder name. Kept as plain names so the CLI can validate `--only`
# without importing any renderer module.
KINDS = ("posters", "texts", "quiz", "tips", "scripts", "packs", "stations")


def all_renderers() -> dict[str, Renderer]:
    """Every built-in renderer by kind, in build order (imported lazily: no WeasyPrint here)."""
    from outreach.renderers.poster import PosterRenderer
    from outreach.renderers.quiz import QuizRenderer
    from outreach.renderers.packs import PackRenderer
    from outreach.renderers.stations import StationsRenderer
    from outreach.renderers.scripts import ScriptRenderer
    from outreach.renderers.texts import TextsRenderer
    from outreach.renderers.tips import TipsRenderer

    renderers: list[Renderer] = [PosterRenderer(), TextsRenderer(), QuizRenderer(), TipsRenderer(), ScriptRenderer(),
                                 PackRenderer(), StationsRenderer()]
    return {r.kind: r for r in sorted(renderers, key=lambda r: r.phase)}


__all__ = ["Renderer", "RenderContext", "RenderError", "RenderResult", "all_renderers", "KINDS"]
