"""ClickHouse's windowFunnel modes that stop the walk: strict_order, allow_reentry and
strict_deduplication, vectorised over window_funnel's reaches.

ClickHouse walks an entity's events in (time, step) order (an event of no step, kept only
with strict_order, sorts before the steps at its instant) and, in these modes, stops at
the first event that breaks a rule, returning the depth reached before it:
- strict_deduplication: an event of step k >= 2 when step k is already reached;
- strict_order: an event of no step after the first step-1 event, or (without
  allow_reentry, which skips such events) an event of step k >= 2 after the first step-1
  event while step k - 1 is not yet reached.
Until that event the walk is the default one, so the default reaches say where it is:
each rule's first breaking event is one binary search per step (the step's keys are
sorted) from the entity's first reach of a step, and the walk stops at the earliest of
them. The depth is then the steps whose first reach comes before that event.
"""

from __future__ import annotations

import polars as pl

from funnelctl.metrics.window_funnel import ENTITY, POS, SRC, StepEvents, window_funnel

# An event's place in the walk: (pos, 2 * step + copy), step 0 for an event of no step;
# copy 1 marks the repeat of a step-k event at the same instant as its first reach.
STOP, STOP_RANK = "_stop", "_stop_rank"


def strict_funnel(events: StepEvents, window: int, modes: frozenset[str], keep_src: bool,
                  within: list[int | None] | None = None) -> pl.DataFrame:
    """window_funnel's result (see there) under `modes` (a set of ClickHouse's)."""
    parts, others, shift = list(events.parts), events.others, events.shift
    first = window_funnel(events, window, keep_src, within, "strict_increase" in modes,
                          first_reaches=True, gaps=True)
    n = len(parts)
    entity = first[ENTITY]
    stops: list[tuple[pl.Series, int]] = []  # (pos of the breaking event or null, rank)
    if "strict_order" in modes:
        # An event of no step after the first step-1 event (at its instant it comes first).
        stops.append((_next(others[POS], first["pos_1"], "right", entity, shift), 0))
    for k in range(2, n + 1):
        keys = parts[k - 1][POS]
        if "strict_deduplication" in modes:  # the step-k event after its first reach
            reach = first[f"pos_{k}"]
            at = keys.search_sorted(reach.fill_null(0), side="left") + 1
            stops.append((_gather(keys, at, reach.is_not_null(), entity, shift), 2 * k + 1))
        if "strict_order" in modes and "allow_reentry" not in modes:
            # The first step-k event from step 1 on breaks the order if step k - 1 is
            # reached after it (or never); a later one cannot if that one does not.
            event = _next(keys, first["pos_1"], "left", entity, shift)
            before = first[f"pos_{k - 1}"]
            stops.append((_early(event, before), 2 * k))
    return _cut(first, stops, n, keep_src)


def _early(event: pl.Series, before: pl.Series) -> pl.Series:
    """event where the previous step's first reach is missing or later, else null."""
    return pl.select(pl.when(before.is_null() | (event < before)).then(event)).to_series()


def _next(keys: pl.Series, after: pl.Series, side: str, entity: pl.Series,
          shift: int) -> pl.Series:
    """The first key at (side="left") or after (side="right") `after`, if the entity's."""
    return _gather(keys, keys.search_sorted(after, side=side), after.is_not_null(), entity,
                   shift)


def _gather(keys: pl.Series, at: pl.Series, valid: pl.Series, entity: pl.Series,
            shift: int) -> pl.Series:
    inside = at < keys.len()
    found = keys.gather(at.clip(0, max(keys.len() - 1, 0))) if keys.len() else \
        pl.Series(POS, [None] * at.len(), pl.Int64)
    return pl.select(pl.when(valid & inside & ((found // (1 << shift)) == entity))
                     .then(found)).to_series()


def _cut(first: pl.DataFrame, stops: list[tuple[pl.Series, int]], n: int,
         keep_src: bool) -> pl.DataFrame:
    """Depth = the steps first reached before the earliest stop; their times (from step
    1 and from the step before) and the step-1 row of the deepest one's chain."""
    frame = first.with_columns([s.alias(f"_s{i}") for i, (s, _) in enumerate(stops)])
    stop = pl.min_horizontal([pl.col(f"_s{i}") for i in range(len(stops))]) if stops else \
        pl.lit(None, pl.Int64)
    frame = frame.with_columns(stop.alias(STOP))
    rank = pl.min_horizontal([pl.when(pl.col(f"_s{i}") == pl.col(STOP)).then(r)
                              for i, (_, r) in enumerate(stops)]) if stops else pl.lit(None)
    frame = frame.with_columns(rank.alias(STOP_RANK))
    stop_pos, stop_rank = pl.col(STOP), pl.col(STOP_RANK)

    def counted(k: int) -> pl.Expr:
        reach = pl.col(f"pos_{k}")
        return reach.is_not_null() & (stop_pos.is_null() | (reach < stop_pos) | (
            (reach == stop_pos) & (2 * k < stop_rank)))

    depth = pl.sum_horizontal([counted(k).cast(pl.Int32) for k in range(1, n + 1)])
    frame = frame.with_columns(depth.cast(pl.Int32).alias("depth"))
    src = [pl.coalesce([pl.when(pl.col("depth") == k).then(pl.col(f"src_{k}"))
                        for k in range(n, 0, -1)]).alias(SRC)] if keep_src else []
    return frame.select(
        ENTITY, "depth",
        *[pl.when(pl.col("depth") >= k).then(pl.col(f"{c}_{k}")).alias(f"{c}_{k}")
          for c in ("time", "gap") for k in range(2, n + 1)],
        *src,
    )
