"""A plain-Python event funnel written from the README's definitions, one entity at a
time: the reference for what ClickHouse has no mode for (`within:`), checked itself
against chdb where it does (tests/test_event_modes.py)."""

from __future__ import annotations

from collections import defaultdict


def reference_levels(rows: list[tuple], steps: list[set[str]], window: int,
                     within: list[int | None] | None = None,
                     strict_increase: bool = False) -> dict[str, int]:
    """rows: (entity, event, t); steps: the event names of each step; window and within
    (per step, index 0 unused) in the unit of t. entity -> level, level 0 left out."""
    per_entity = defaultdict(list)
    for entity, event, t, *_ in rows:
        per_entity[entity] += [(t, k) for k, names in enumerate(steps) if event in names]
    out = {}
    for entity, events in per_entity.items():
        level = _walk(sorted(events), len(steps), window, within, strict_increase)
        if level:
            out[str(entity)] = level
    return out


def _walk(events, n, window, within, strict_increase):
    """The walk of ClickHouse's windowFunnel: events in (time, step) order; for each step
    the (start, time) of the latest attempt that reached it."""
    reach = [None] * n
    for t, k in events:
        if k == 0:
            reach[0] = (t, t)
            continue
        if reach[k - 1] is None:
            continue
        start, before = reach[k - 1]
        ok = t <= start + window
        if within and within[k] is not None:
            ok = ok and t - before <= within[k]
        if strict_increase:
            ok = ok and before < t
        if ok:
            reach[k] = (start, t)
    return max((k + 1 for k in range(n) if reach[k] is not None), default=0)


def unordered_reference(rows: list[tuple], steps: list[set[str]], window: int,
                        period: tuple | None = None) -> dict[str, int]:
    """The README's definition: an entity's level is the most steps that have an event in
    [t, t + window] for t the time of one of its step events (inside the period, [a, b),
    when given)."""
    per_entity = defaultdict(list)
    for entity, event, t, *_ in rows:
        per_entity[entity] += [(t, k) for k, names in enumerate(steps) if event in names]
    out = {}
    for entity, events in per_entity.items():
        anchors = [t for t, _ in events if period is None or period[0] <= t < period[1]]
        best = max((len({k for u, k in events if t <= u <= t + window}) for t in anchors),
                   default=0)
        if best:
            out[str(entity)] = best
    return out
