"""ClickHouse's `windowFunnel(window)`, vectorised in Polars: who reached which step, when.

ClickHouse sorts an entity's matching events by (timestamp, step) — an event matching
several steps counts once for each — and walks them keeping, for each step k, the start
(step-1 time) of the latest chain that reached k. A step-k event extends the chain of
step k-1 when it is no later than that chain's start + window (inclusive); a step-1 event
starts a new chain without forgetting the depth reached. Along the walk those starts only
grow, so "the latest chain that reached k-1 before this event" is an as-of (backward)
lookup among the step-(k-1) reaches: one sorted join per step, no loop over rows.

Each step's events are sorted by one packed int64, pos = entity code << B | tick, where
tick is the time since the first event in the coarsest unit that keeps every timestamp
apart (s, ms or µs, as a DateTime64 counts its ticks).
With 2**B > range + window, `pos - start <= window` checks the window and also rules out
another entity's chain, which lies at least 2**B - range behind; a window longer than
the range is no limit, so it is capped there and any window costs at most one bit. When
entity count x tick range still does not fit 62 bits (µs over years, millions of
entities), tick is the rank of the timestamp among the distinct ones instead, the real
ticks ride along in a second column for the window tests, and the entity is compared
explicitly (pos >> B on both sides).

Memory: only the funnel's events are keyed (8 bytes each, 16 with real ticks), and each
step's reaches are dropped as soon as the next step's are known; what is kept is one row
per entity.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import polars as pl

POS, START, SRC, ENTITY = "_pos", "_start", "_src", "_entity"
TICK, TICK_START, REACH, TICK_REACH = "_tick", "_tick_start", "_reach", "_tick_reach"
RANK, ROW, GAP = "_rank", "_row", "_gap"
US_PER = {"s": 1_000_000, "ms": 1_000, "us": 1}
KEY_BITS = 62


class OffsetIds:
    """entity code -> id for integer ids coded as id - low (duck-types Series.gather)."""

    def __init__(self, low: int, dtype: pl.DataType) -> None:
        self.low, self.dtype = low, dtype

    def gather(self, codes: pl.Series) -> pl.Series:
        return (codes + self.low).cast(self.dtype)


@dataclass
class StepEvents:
    """Each step's events as sorted pos keys; step 1 also has the carried columns."""

    parts: list[pl.DataFrame]
    carried: pl.DataFrame  # the carried columns of the step-1 events, in pos order
    shift: int  # B: entity code = pos >> B
    entity_ids: pl.Series | OffsetIds  # entity code -> entity_id
    ticks_per_second: int = 1  # what one tick of the key (or of TICK) is
    ranked: bool = False  # pos holds a time rank; the real ticks are in TICK
    span: int = 0  # ticks from the first to the last event (a window past it is endless)
    anchors: pl.DataFrame | None = None  # unordered funnels: where attempts may start
    others: pl.DataFrame | None = None  # strict_order: the keys of events of no step


def step_events(frame: pl.DataFrame, steps: list[pl.Expr], window: int,
                carry: tuple[str, ...] = (), anchor: pl.Expr | None = None,
                others: bool = False, rows: list[bool] | None = None) -> StepEvents:
    """frame: entity_id, ts (+ the columns `steps` and `carry` use); steps: one boolean
    expression per funnel step; carry: columns of the step-1 event to keep; anchor: the
    events an unordered attempt may start at (their sorted keys go to `anchors`);
    others: also the sorted keys of the events no step matches (`others`); rows: per
    step, whether its part holds each event's row number (ROW, the same in every step it
    matches), or a null ROW (no other step can match its events)."""
    code, entity_ids, top_code = entity_codes(frame["entity_id"])
    unit, lo, span = tick_unit(frame)
    per_tick = US_PER[unit]
    ticks = ((pl.col("ts").dt.epoch("us") - lo) // per_tick) if per_tick > 1 else \
        (pl.col("ts").dt.epoch("us") - lo)
    # With 2**B > span + window, another entity's chain lies more than a window behind:
    # the window check alone keeps entities apart. Capped at the span, it costs one bit.
    reach = span + min(window * 1_000_000 // per_tick, span + 1)
    ranked = top_code.bit_length() + reach.bit_length() > KEY_BITS
    if ranked:  # the order of distinct timestamps is all the key needs
        # Ranked over the whole frame, before the steps' filters: one order for all steps.
        frame = frame.with_columns(ticks.alias(TICK)).with_columns(
            (pl.col(TICK).rank("dense").cast(pl.Int64) - 1).alias(RANK))
        order, shift = pl.col(RANK), int(frame[RANK].max()).bit_length()
        extra = [pl.col(TICK)]
    else:
        order, shift, extra = ticks, reach.bit_length(), []
    pos = (code * (1 << shift) + order).alias(POS)
    lazy = frame.lazy()
    row = [[pl.col(ROW)] if numbered else [pl.lit(None, pl.UInt32).alias(ROW)]
           for numbered in rows] if rows else [[]] * len(steps)
    if rows and any(rows):
        lazy = lazy.with_row_index(ROW)
    # The filters run before the sort; a lone key column sorts without a gather.
    queries = [lazy.filter(step).select(pos, *extra, *row[k]).sort(POS)
               if extra or (rows and rows[k]) else
               lazy.filter(step).select(pos.sort(), *row[k])
               for k, step in enumerate(steps) if k]
    first = lazy.filter(steps[0]).select(pos, *extra, *row[0], *carry)
    queries.insert(0, first.sort(POS) if carry or extra or (rows and rows[0]) else
                   first.select(pl.col(POS).sort(), *row[0]))
    if anchor is not None:
        queries.append(lazy.filter(anchor).select(pos, *extra).sort(POS))
    if others:
        queries.append(lazy.filter(~pl.any_horizontal(steps)).select(pos.sort()))
    parts = pl.collect_all(queries)
    other_keys = parts.pop() if others else None
    anchors = parts.pop() if anchor is not None else None
    carried = parts[0].select(carry)
    parts[0] = parts[0].select(POS, *extra, *([ROW] if rows else []))
    return StepEvents(parts, carried, shift, entity_ids, 1_000_000 // per_tick, ranked,
                      int(span), anchors, other_keys)


def tick_unit(frame: pl.DataFrame) -> tuple[str, int, int]:
    """The coarsest of s, ms, µs that every timestamp is a whole number of, the first
    timestamp (µs since 1970) and the span in that unit: one pass over ts."""
    us = pl.col("ts").dt.epoch("us")
    # Streamed: the remainders are never a whole column in memory.
    lo, hi, sub_s, sub_ms = frame.lazy().select(
        us.min().alias("lo"), us.max().alias("hi"), (us % 1_000_000 != 0).any().alias("s"),
        (us % 1_000 != 0).any().alias("ms")).collect(engine="streaming").row(0)
    unit = "us" if sub_ms else "ms" if sub_s else "s"
    return unit, int(lo or 0), int((hi or 0) - (lo or 0)) // US_PER[unit]


def entity_codes(ids: pl.Series) -> tuple[pl.Expr, pl.Series | OffsetIds, int]:
    """An expression for small non-negative int64 codes of entity_id, the ids by code, and
    the largest code.

    Integer ids in a narrow range are their own codes (minus the smallest); anything
    else (strings, ids spread over the whole int64 range) is numbered densely.
    """
    if ids.dtype.is_integer() and ids.len():
        low, high = int(ids.min()), int(ids.max())
        if high - low < (1 << 32):
            code = pl.col("entity_id").cast(pl.Int64) - low
            return code, OffsetIds(low, ids.dtype), high - low
    unique = ids.unique()
    numbers = pl.int_range(unique.len(), eager=True, dtype=pl.Int64)
    return pl.col("entity_id").replace_strict(unique, numbers), unique, unique.len()


def window_funnel(events: StepEvents, window: int, keep_src: bool = False,
                  within: list[int | None] | None = None,
                  strict_increase: bool = False, first_reaches: bool = False,
                  gaps: bool = False) -> pl.DataFrame:
    """One row per entity that reached step 1: _entity (code), depth, time_k (k >= 2: the
    seconds from step 1 to step k the first time it reached step k) and, with keep_src,
    _src: the step-1 row of the chain by which it first reached its deepest step.

    window: seconds; within: per step k >= 2 (index k - 2), the seconds it may come after
    the step before, or None; strict_increase: ClickHouse's mode of that name (the
    reach a step extends must be strictly earlier); gaps: also gap_k, the seconds from
    the reach of step k - 1 that the first reach of step k extended. Consumes
    events.parts (each step's keys are freed once the next step's are known).
    first_reaches: instead, the entity's first reach of each step k: pos_k (its key),
    time_k and src_k (with keep_src), null when not reached (for the modes that stop the
    walk: strict_modes.py).
    """
    parts, ranked, per_s = events.parts, events.ranked, events.ticks_per_second
    # A limit longer than the data is endless: capped, the tick arithmetic cannot overflow.
    cap = events.span + 1
    window_ticks = min(window * per_s, cap)
    within = within or [None] * (len(parts) - 1)
    same_entity = (pl.col(POS) // (1 << events.shift)) == (pl.col(START) // (1 << events.shift))
    tick = pl.col(TICK if ranked else POS)
    in_window = tick - pl.col(TICK_START if ranked else START) <= window_ticks
    first = parts.pop(0).select(pl.col(POS).alias(START),
                                *([pl.col(TICK).alias(TICK_START)] if ranked else []),
                                *_src(keep_src))
    # Each step's first reaches are picked out on a second thread (Polars releases the
    # GIL) while this one joins the next step: both cores busy, ~30% faster here.
    with ThreadPoolExecutor(max_workers=1) as pool:
        firsts = [pool.submit(_first_per_entity, first, START, events, False, keep_src, 1,
                              first_reaches)]
        previous, key = first, START
        for k in range(2, len(parts) + 2):
            # The latest reach of the previous step at or before each event (a tie in
            # time puts the earlier step first, as ClickHouse does), then the checks:
            # the same entity, within the window of the chain's step-1 event, and within
            # the step's own limit of the reach before it.
            limit = within[k - 2]
            right, right_key, reach, reach_tick = _reaches(
                previous, key, ranked, limit is not None or strict_increase or gaps)
            joined = parts.pop(0).join_asof(right, left_on=POS, right_on=right_key,
                                            strategy="backward", check_sortedness=False)
            keep = (same_entity & in_window) if ranked else in_window
            since_reach = tick - pl.col(reach_tick if ranked else reach)
            if limit is not None:
                keep &= since_reach <= min(limit * per_s, cap)
            if strict_increase:  # the latest reach is the one compared, as ClickHouse does
                keep &= since_reach > 0
            previous = joined.filter(keep).select(POS, *([TICK, TICK_START] if ranked else []),
                                                  START, *_src(keep_src, carried=True),
                                                  *([since_reach.alias(GAP)] if gaps else []))
            key = POS
            del joined, right
            firsts.append(pool.submit(_first_per_entity, previous, POS, events, True,
                                      keep_src, k, first_reaches))
        firsts = [future.result() for future in firsts]
    del previous
    return joined_firsts(firsts) if first_reaches else _depths(firsts, keep_src)


def _reaches(previous: pl.DataFrame, key: str, ranked: bool, need_reach: bool
             ) -> tuple[pl.DataFrame, str, str, str]:
    """The previous step's reaches as the right side of the as-of join, its key, and
    the columns that hold each reach's own position and ticks after the join.

    Keyed on POS like the left side, the join keeps one key column (the event's); a step
    with a `within` limit (or strict_increase) needs the reach's own position too, so it
    is renamed first."""
    if key == START:  # step 1's reaches are its events: the reach is the chain's start
        return previous, START, START, TICK_START
    previous = previous.drop(GAP, strict=False)  # the step before's own gaps are not needed
    if not need_reach:
        return previous.drop(TICK, strict=False), POS, POS, TICK
    right = previous.rename({POS: REACH, **({TICK: TICK_REACH} if ranked else {})})
    return right, REACH, REACH, TICK_REACH


def joined_firsts(firsts: list[pl.DataFrame]) -> pl.DataFrame:
    """Each step's first reaches side by side, one row per entity that reached step 1."""
    out = firsts[0]
    for frame in firsts[1:]:
        out = out.join(frame, on=ENTITY, how="left")
    return out


def _depths(firsts: list[pl.DataFrame], keep_src: bool) -> pl.DataFrame:
    out = joined_firsts(firsts)
    n = len(firsts)
    deeper = [pl.col(f"time_{k}").is_not_null().cast(pl.Int32) for k in range(2, n + 1)]
    src = [pl.coalesce([f"src_{k}" for k in range(n, 0, -1)]).alias(SRC)] if keep_src else []
    return out.select(
        ENTITY,
        (pl.lit(1, pl.Int32) + pl.sum_horizontal(deeper) if deeper
         else pl.lit(1, pl.Int32)).alias("depth"),
        *[f"time_{k}" for k in range(2, n + 1)],
        *[f"gap_{k}" for k in range(2, n + 1) if f"gap_{k}" in out.columns],
        *src,
    )


def _src(keep: bool, carried: bool = False) -> list[pl.Expr]:
    if not keep:
        return []
    return [pl.col(SRC)] if carried else [pl.int_range(pl.len(), dtype=pl.UInt32).alias(SRC)]


def _first_per_entity(reaches: pl.DataFrame, key: str, events: StepEvents,
                      timed: bool, keep_src: bool, k: int, keep_pos: bool = False
                      ) -> pl.DataFrame:
    """The first reach of each entity (rows are sorted by key, so entity-major)."""
    entity = pl.col(key) // (1 << events.shift)
    columns = [entity.alias(ENTITY), *([pl.col(key).alias(f"pos_{k}")] if keep_pos else [])]
    if timed:
        elapsed = (pl.col(TICK) - pl.col(TICK_START)) if events.ranked else \
            (pl.col(key) - pl.col(START))
        columns.append((elapsed / events.ticks_per_second).alias(f"time_{k}"))
        if GAP in reaches.columns:
            columns.append((pl.col(GAP) / events.ticks_per_second).alias(f"gap_{k}"))
    if keep_src:
        columns.append(pl.col(SRC).alias(f"src_{k}"))
    is_first = entity.diff().fill_null(1) != 0
    # Sorted by entity (pos is): saying so lets the joins on it merge instead of hash.
    return reaches.filter(is_first).select(columns).with_columns(pl.col(ENTITY).set_sorted())
