"""Cutting a build's targets into batches for the workers."""

from __future__ import annotations

from outreach.outputs.registry import all_renderers


def chunks(targets, workers: int) -> list[list]:
    """Group targets by renderer into batches that keep every worker busy.

    A renderer with batch_size > 1 shares work inside a batch (fonts are subset once
    per batch); batches are cut so each worker still gets its share.
    """
    groups: dict[str, list] = {}
    for target in targets:
        groups.setdefault(target.renderer, []).append(target)
    batches: list[list] = []
    renderers = all_renderers()
    for kind, group in groups.items():
        size = max(1, min(renderers[kind].batch_size, -(-len(group) // max(workers, 1))))
        batches.extend(group[i:i + size] for i in range(0, len(group), size))
    return batches
