"""Cutting a build's targets into batches for the workers."""

from __future__ import annotations

from outreach.outputs.registry import all_renderers


def chunks(targets, workers: int) -> list[list]:
    """Group targets by renderer into batches that keep every worker busy.

    A renderer with batch_size > 1 shares work inside a batch (fonts are subset once
    per batch); batches are cut so each worker still gets its share: as few batches as the
    batch size allows, made a multiple of the workers and of even sizes (21 posters on two
    workers in batches of at most 8: 6+5+5+5, each worker 11 or 10; cut 8+8+5, one worker
    rendered 13 while the other waited).
    """
    groups: dict[str, list] = {}
    for target in targets:
        groups.setdefault(target.renderer, []).append(target)
    batches: list[list] = []
    renderers = all_renderers()
    for kind, group in groups.items():
        count = -(-len(group) // max(renderers[kind].batch_size, 1))
        count = min(-(-count // max(workers, 1)) * max(workers, 1), len(group))
        size, larger = divmod(len(group), count)
        start = 0
        for index in range(count):
            end = start + size + (index < larger)
            batches.append(group[start:end])
            start = end
    return batches
