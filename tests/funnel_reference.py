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


def mode_levels(rows: list[tuple], steps: list[set[str]], window: int, modes: set[str],
                within: list[int | None] | None = None) -> dict[str, int]:
    """ClickHouse's windowFunnel walk with its modes (strict_order, strict_deduplication,
    allow_reentry, strict_increase), as its documentation and source state the rules,
    plus `within:`. An event of no step is kept as step 0 (it matters to strict_order)."""
    strict_order = bool(modes & {"strict_order", "allow_reentry"})
    per_entity = defaultdict(list)
    for entity, event, t, *_ in rows:
        per_entity[entity] += [(t, k + 1) for k, names in enumerate(steps) if event in names] \
            or [(t, 0)]
    out = {}
    for entity, events in per_entity.items():
        reach = [None] * len(steps)
        started = False
        for t, index in sorted(events):
            k = index - 1
            if k < 0:  # an event of no step ends a strict order once step 1 happened
                if strict_order and started:
                    break
                continue
            if k == 0:
                reach[0], started = (t, t), True
                continue
            if "strict_deduplication" in modes and reach[k] is not None:
                break  # a repeat of a step already reached
            if strict_order and started and reach[k - 1] is None:
                if "allow_reentry" in modes:
                    continue  # a step before its turn is skipped
                break
            if reach[k - 1] is None:
                continue
            start, before = reach[k - 1]
            ok = t <= start + window
            if within and within[k] is not None:
                ok = ok and t - before <= within[k]
            if "strict_increase" in modes:
                ok = ok and before < t
            if ok:
                reach[k] = (start, t)
        level = sum(r is not None for r in reach)
        if level:
            out[str(entity)] = level
    return out


def distinct_reference(rows: list[tuple], steps: list, window: int,
                       within: list[int | None] | None = None,
                       period: tuple | None = None) -> dict[str, int]:
    """README's distinct_events: an entity reaches step k when k different events, one
    for each of steps 1..k, have non-decreasing times, each within `window` of the step-1
    event (inside the period, [a, b), when given) and within its step's `within` of the
    event before. steps: a set of event names, or a predicate of (event, page), per step.
    An exhaustive search over the chains (remembering, per state, only the events used at
    the latest instant: the only ones a later step could reuse)."""
    tests = [s if callable(s) else (lambda names: lambda e, p: e in names)(s) for s in steps]
    per_entity = defaultdict(list)
    for entity, event, t, *rest in rows:
        page = rest[0] if rest else ""
        per_entity[entity].append((t, {k for k, test in enumerate(tests) if test(event, page)}))
    out = {}
    n = len(steps)
    for entity, events in per_entity.items():
        seen: set = set()
        best = 0

        def search(level, start, last, used):
            nonlocal best
            best = max(best, level)
            key = (level, start, last, frozenset(i for i in used if events[i][0] == last))
            if best == n or key in seen:
                return
            seen.add(key)
            limit = within[level] if within else None
            for i, (t, ks) in enumerate(events):
                if level in ks and i not in used and last <= t <= start + window and \
                        (limit is None or t - last <= limit):
                    search(level + 1, start, t, used | {i})

        for i, (t, ks) in enumerate(events):
            if 0 in ks and (period is None or period[0] <= t < period[1]):
                search(1, t, t, {i})
        if best:
            out[str(entity)] = best
    return out
