"""A plain-Python event funnel with exclusion steps and optional steps, written from the
definitions in docs/event-funnels.md, one entity and one event at a time: the reference
the vectorised funnel (funnelctl/metrics/funnel_steps.py) is fuzzed against."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass


@dataclass
class Outcome:
    depth: int  # the deepest step reached (1-based)
    reached: set[int]  # the steps the attempt that counts reached (1-based)
    excluded: bool


def reference_steps(rows: list[tuple], steps: list[set[str]], window: int,
                    optional: list[bool] | None = None,
                    exclusions: list[tuple[set[str], int, int]] = (),
                    strict_increase: bool = False,
                    within: list[int | None] | None = None) -> dict[str, Outcome]:
    """rows: (entity, event, t); steps: each step's event names; exclusions: (names,
    a, b) with 1-based steps a < b. entity -> Outcome, for entities that reached step 1."""
    n = len(steps)
    optional = optional or [False] * n
    per_entity = defaultdict(list)
    excluded_at = defaultdict(lambda: defaultdict(list))
    for entity, event, t, *_ in rows:
        per_entity[entity] += [(t, k) for k, names in enumerate(steps) if event in names]
        for x, (names, _, _) in enumerate(exclusions):
            if event in names:
                excluded_at[entity][x].append(t)
    out = {}
    for entity, events in per_entity.items():
        outcome = _walk(sorted(events), n, window, optional, exclusions,
                        excluded_at[entity], strict_increase, within)
        if outcome is not None:
            out[str(entity)] = outcome
    return out


def _walk(events, n, window, optional, exclusions, excluded_at, strict_increase, within):
    """The walk of windowFunnel: events in (time, step) order; latest[k] is the latest
    attempt that reached step k, as (order, chain), chain = each step's event time (None:
    an optional step it skipped); order = the (time, step) at which it reached k."""
    latest = [None] * n
    reaches = []  # (k, chain) of every reach
    for t, k in events:
        if k == 0:
            chain = [t] + [None] * (n - 1)
        else:
            # The attempt to extend: the latest to reach the step before, or any step back
            # to the last required one when the steps in between are optional.
            back = k - 1
            while optional[back]:
                back -= 1
            candidates = [latest[j] for j in range(back, k) if latest[j] is not None]
            if not candidates:
                continue
            (before, _), prior = max(candidates)
            ok = t <= prior[0] + window
            if within and within[k] is not None:
                ok = ok and t - before <= within[k]
            if strict_increase:
                ok = ok and before < t
            # An exclusion between step a and this step b: an excluded event strictly
            # between the attempt's step-a event and this one, and the attempt stops.
            for x, (_, a, b) in enumerate(exclusions):
                if b - 1 == k and any(prior[a - 1] < u < t for u in excluded_at[x]):
                    ok = False
            if not ok:
                continue
            chain = list(prior)
            chain[k] = t
        latest[k] = ((t, k), chain)
        reaches.append((k, chain))
    if not reaches:
        return None
    depth = max(k for k, _ in reaches)

    def spoiled(chain):  # reached a, not b: an excluded event after a, within the window
        return any(a - 1 <= depth < b - 1 and
                   any(chain[a - 1] < u <= chain[0] + window for u in excluded_at[x])
                   for x, (_, a, b) in enumerate(exclusions))

    excluded = all(spoiled(chain) for k, chain in reaches if k == depth)
    # The attempt that counts: the first to reach the deepest step; an optional step
    # counts when that attempt did it.
    counted = next(chain for k, chain in reaches if k == depth)
    reached = {k + 1 for k in range(depth + 1) if not optional[k] or counted[k] is not None}
    return Outcome(depth + 1, reached, excluded)
