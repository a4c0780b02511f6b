"""windowFunnel's walk with exclusion steps and optional steps, vectorised in Polars.

The definitions are in docs/event-funnels.md ("Exclusion steps", "Optional steps"); the
walk is window_funnel.py's (one backward as-of join per step against the reaches of the
step before), with three changes:

- Optional steps: a step's events extend the latest reach of any step since the last
  required one (the steps in between are optional): one as-of join per such step, the
  later reach kept; of reaches at the same instant the higher step counts as the later,
  as the walk meets them. Across those steps the chain starts still only grow (each
  reach of an optional step descends from a reach of the required step before it), so
  the latest reach is also the one whose window reaches furthest.
- Exclusions `between: [a, b]`: every reach carries the position of its chain's step-a
  event (`_a<x>`). A step-b event whose chain has an exclusion event strictly between
  that position and its own does not reach step b (the spoiled attempt goes no further).
  An exclusion event's keys are a sorted column; "the first one after the step-a event"
  is a binary search (search_sorted), so no loop over rows.
- A reach of a step from a up to b - 1 is *spoiled* when the first exclusion event after
  its step-a event lies within the window of its step-1 event. An entity whose every
  reach of its deepest step is spoiled is excluded (the `excluded` column).

Per step, the first reach of each entity gives the times and the breakdown source, as in
window_funnel; the entity's depth is the highest step it reached. Each reach carries the
optional steps its chain did (bits of `_opt`); an optional step counts for an entity when
the chain of its first reach of its deepest step did it (`time_k` null otherwise).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import polars as pl

from funnelctl.metrics.window_funnel import (
    ENTITY,
    POS,
    REACH,
    SRC,
    START,
    TICK,
    TICK_REACH,
    TICK_START,
    StepEvents,
    joined_firsts,
)

GAP, OPT = "_gap", "_opt"
EXCLUDED = "excluded"
NO_EVENT = 2**63 - 1  # after every key: "no exclusion event after this one"


@dataclass
class StepRules:
    """What the walk needs of the funnel: steps 0-based."""

    window: int  # seconds
    within: list[int | None]  # per step (index 0 unused): seconds after the step before
    optional: list[bool]
    exclusions: list[tuple[int, int]]  # (a, b) step indexes, a < b
    strict_increase: bool = False


def steps_funnel(events: StepEvents, rules: StepRules, keep_src: bool = False) -> pl.DataFrame:
    """One row per entity that reached step 1: _entity, depth, time_k (k >= 2, null when
    step k was not reached), _src with keep_src, and `excluded` when there are exclusions.

    events.parts: the funnel's steps, then one frame of keys per exclusion."""
    n = len(rules.optional)
    parts, ranked, per_s = events.parts, events.ranked, events.ticks_per_second
    window_ticks = min(rules.window * per_s, events.span + 1)
    marks = [_exclusion_marks(p, ranked) for p in parts[n:]]
    del parts[n:]
    starts = {x: f"_a{x}" for x, (a, _) in enumerate(rules.exclusions)}
    first = parts[0].select(pl.col(POS), pl.col(POS).alias(START),
                            *([pl.col(TICK), pl.col(TICK).alias(TICK_START)] if ranked else []),
                            *([pl.int_range(pl.len(), dtype=pl.UInt32).alias(SRC)]
                              if keep_src else []),
                            *[pl.col(POS).alias(starts[x]) for x, (a, _) in
                              enumerate(rules.exclusions) if a == 0],
                            *([pl.lit(0, pl.Int64).alias(OPT)] if any(rules.optional) else []))
    parts[0] = None
    reaches: dict[int, pl.DataFrame] = {0: first}
    with ThreadPoolExecutor(max_workers=1) as pool:
        firsts = [pool.submit(_per_entity, first, events, rules, marks, 0, window_ticks,
                              keep_src)]
        for k in range(1, n):
            back = _required_before(rules.optional, k)
            joined = _latest_reach(parts[k], [reaches[j] for j in range(back, k)], ranked)
            parts[k] = None
            tick = pl.col(TICK if ranked else POS)
            since_start = tick - pl.col(TICK_START if ranked else START)
            since_reach = tick - pl.col(TICK_REACH if ranked else REACH)
            keep = since_start <= window_ticks
            if ranked:
                keep &= (pl.col(POS) // (1 << events.shift)) == \
                    (pl.col(START) // (1 << events.shift))
            if rules.within[k] is not None:
                keep &= since_reach <= min(rules.within[k] * per_s, events.span + 1)
            if rules.strict_increase:
                keep &= since_reach > 0
            reached = joined.filter(keep).with_columns(since_reach.alias(GAP)) \
                .drop(REACH, TICK_REACH, strict=False)
            del joined
            if rules.optional[k]:  # the optional steps this chain did, as bits
                reached = reached.with_columns(pl.col(OPT) | (1 << k))
            for x, (a, b) in enumerate(rules.exclusions):
                if a == k:
                    reached = reached.with_columns(pl.col(POS).alias(starts[x]))
                if b == k:  # an exclusion event between step a and here: no reach
                    after = _next_after(marks[x], reached[starts[x]])[0]
                    reached = reached.filter(after >= reached[POS])
            reaches[k] = reached
            if not rules.optional[k]:  # later steps look back no further than this one
                for j in [j for j in reaches if j < k]:
                    del reaches[j]
            firsts.append(pool.submit(_per_entity, reached, events, rules, marks, k,
                                      window_ticks, keep_src))
        firsts = [future.result() for future in firsts]
    del reaches
    return _entities(firsts, rules, keep_src)


def _required_before(optional: list[bool], k: int) -> int:
    """The last required step before step k (step 0 is always required)."""
    j = k - 1
    while optional[j]:
        j -= 1
    return j


def _latest_reach(events: pl.DataFrame, frames: list[pl.DataFrame], ranked: bool
                  ) -> pl.DataFrame:
    """Each event with the latest reach at or before it among frames (the reaches of the
    steps back to the last required one, lowest step first): its columns, REACH (and
    TICK_REACH) its own position. At one position the higher step's reach is the later
    (the walk's order). One sorted as-of join per frame, no sort of their union."""
    renamed = {POS: REACH, **({TICK: TICK_REACH} if ranked else {})}
    joins = [events.join_asof(f.drop(GAP, strict=False).rename(renamed), left_on=POS,
                              right_on=REACH, strategy="backward", check_sortedness=False)
             for f in frames]
    out = joins[0]
    for later in joins[1:]:  # the join keeps the left rows in order: columns line up
        columns = [c for c in later.columns if c not in events.columns]
        take = later[REACH].is_not_null() & (out[REACH].is_null() | (later[REACH] >= out[REACH]))
        out = out.with_columns([
            (pl.when(take).then(later[c]).otherwise(out[c]) if c in out.columns
             else pl.when(take).then(later[c])).alias(c) for c in columns])
    return out


def _exclusion_marks(part: pl.DataFrame, ranked: bool) -> tuple[pl.Series, pl.Series | None]:
    """An exclusion's sorted keys (and real ticks), each with a sentinel past the end."""
    keys = part[POS].append(pl.Series([NO_EVENT], dtype=pl.Int64))
    ticks = part[TICK].append(pl.Series([NO_EVENT], dtype=pl.Int64)) if ranked else None
    return keys, ticks


def _next_after(marks: tuple[pl.Series, pl.Series | None], positions: pl.Series
                ) -> tuple[pl.Series, pl.Series | None]:
    """The key (and ticks) of the first exclusion event strictly after each position."""
    keys, ticks = marks
    index = keys.search_sorted(positions, side="right")
    return keys.gather(index), ticks.gather(index) if ticks is not None else None


def _spoiled(reached: pl.DataFrame, events: StepEvents, rules: StepRules, marks: list,
             k: int, window_ticks: int) -> pl.Series | None:
    """Per reach of step k: an exclusion with a <= k < b has an event after the chain's
    step-a event and within the window of its step-1 event. None when no exclusion
    spans step k."""
    spoiled = None
    for x, (a, b) in enumerate(rules.exclusions):
        if not a <= k < b:
            continue
        after, after_tick = _next_after(marks[x], reached[f"_a{x}"])
        if events.ranked:
            hit = ((after // (1 << events.shift)) == (reached[START] // (1 << events.shift))) \
                & ((after_tick - reached[TICK_START]) <= window_ticks)
        else:  # another entity's event lies more than a window ahead (see window_funnel)
            hit = (after - reached[START]) <= window_ticks
        spoiled = hit if spoiled is None else spoiled | hit
    return spoiled


def _per_entity(reached: pl.DataFrame, events: StepEvents, rules: StepRules, marks: list,
                k: int, window_ticks: int, keep_src: bool) -> pl.DataFrame:
    """The first reach of each entity at step k (times, src) and, where an exclusion spans
    the step, whether any of its reaches is unspoiled (CLEAN)."""
    entity = pl.col(POS) // (1 << events.shift)
    columns = [entity.alias(ENTITY)]
    if k:
        elapsed = (pl.col(TICK) - pl.col(TICK_START)) if events.ranked else \
            (pl.col(POS) - pl.col(START))
        columns.append((elapsed / events.ticks_per_second).alias(f"time_{k + 1}"))
        # From the reach this one extended (the step before, or a step back over optional
        # ones), for the time to convert from the step before.
        columns.append((pl.col(GAP) / events.ticks_per_second).alias(f"gap_{k + 1}"))
    if keep_src:
        columns.append(pl.col(SRC).alias(f"src_{k + 1}"))
    if any(rules.optional):
        columns.append(pl.col(OPT).alias(f"opt_{k + 1}"))
    is_first = entity.diff().fill_null(1) != 0  # rows are sorted by pos: entity-major
    out = reached.filter(is_first).select(columns).with_columns(pl.col(ENTITY).set_sorted())
    spoiled = _spoiled(reached, events, rules, marks, k, window_ticks)
    if spoiled is None:
        return out
    clean = reached.select(entity.alias(ENTITY)).filter(~spoiled)
    clean = clean.filter(pl.col(ENTITY).diff().fill_null(1) != 0).select(
        pl.col(ENTITY).set_sorted(), pl.lit(True).alias(f"clean_{k + 1}"))
    return out.join(clean, on=ENTITY, how="left")


def _entities(firsts: list[pl.DataFrame], rules: StepRules, keep_src: bool) -> pl.DataFrame:
    n = len(firsts)
    out = joined_firsts(firsts)
    depth = pl.lit(1, pl.Int32)
    for k in range(2, n + 1):  # the highest step reached
        depth = pl.when(pl.col(f"time_{k}").is_not_null()).then(pl.lit(k, pl.Int32)) \
            .otherwise(depth)
    # The optional steps of the attempt that counts: the chain by which the entity first
    # reached its deepest step (as for the breakdown values); elsewhere it skipped them.
    done = pl.coalesce([f"opt_{k}" for k in range(n, 0, -1)]) if any(rules.optional) \
        else None

    def counted(column: str, k: int) -> pl.Expr:
        if not rules.optional[k - 1]:
            return pl.col(column)
        return pl.when((done // (1 << (k - 1))) % 2 == 1).then(pl.col(column)).alias(column)

    columns = [pl.col(ENTITY), depth.alias("depth"),
               *[counted(c, k) for k in range(2, n + 1) for c in (f"time_{k}", f"gap_{k}")]]
    if keep_src:
        columns.append(pl.coalesce([f"src_{k}" for k in range(n, 0, -1)]).alias(SRC))
    if rules.exclusions:
        excluded = pl.lit(False)
        for k in range(1, n + 1):  # every reach of the deepest step spoiled
            if f"clean_{k}" in out.columns:
                excluded |= (depth == k) & ~pl.col(f"clean_{k}").fill_null(False)
        columns.append(excluded.alias(EXCLUDED))
    return out.select(columns)
