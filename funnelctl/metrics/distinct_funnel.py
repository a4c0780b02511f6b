"""order: distinct_events (PostHog's counting): each step needs its own event, at the same
instant as the step before it or later; vectorised in Polars. It is ClickHouse's
windowFunnel mode strict_once (which the tests compare it with).

An entity reaches step k when k different events, one per step 1..k, have non-decreasing
times, all within the window of the step-1 event (and within each step's `within:` of the
one before). A step event therefore extends either a chain that reached the step before
at an earlier instant (the latest such reach: it has the latest start and time, as in
window_funnel), or one that reached it at the same instant by other events. Only the
second needs to know which events a chain used, and only at an instant where the step
before has a reach: there ("tied") each reach carries the rows it used at that instant,
and a step event may extend it if it is not one of them. Elsewhere a step is one as-of
join, as in window_funnel. At one instant at most n events of a step can matter (a chain
uses one per step), so each step keeps n there and the combinations stay few.
"""

from __future__ import annotations

import polars as pl

from funnelctl.metrics.window_funnel import (
    POS,
    REACH,
    ROW,
    SRC,
    START,
    TICK,
    TICK_REACH,
    TICK_START,
    StepEvents,
    _depths,
    _first_per_entity,
)

USED, PREV = "_used", "_prev"


def distinct_funnel(events: StepEvents, window: int, keep_src: bool,
                    within: list[int | None] | None = None) -> pl.DataFrame:
    """window_funnel's result (see there) when each step needs its own event."""
    parts, ranked, per_s, shift = events.parts, events.ranked, events.ticks_per_second, \
        events.shift
    n, cap = len(parts), events.span + 1
    window_ticks = min(window * per_s, cap)
    within = within or [None] * (n - 1)
    tick = pl.col(TICK if ranked else POS)
    ticks = [TICK] if ranked else []
    record = [POS, *ticks, START, *([TICK_START] if ranked else []), *([SRC] if keep_src else [])]
    first = parts[0]
    untied = first.select(POS, *ticks, pl.col(POS).alias(START),
                          *([pl.col(TICK).alias(TICK_START)] if ranked else []),
                          *([pl.int_range(pl.len(), dtype=pl.UInt32).alias(SRC)] if keep_src
                            else []), ROW)
    tied = untied.clear().with_columns(pl.lit([], pl.List(pl.UInt32)).alias(USED))
    best = untied.select(record)
    firsts = [_first_per_entity(best, POS, events, False, keep_src, 1)]
    for k in range(2, n + 1):
        right = best.rename({POS: REACH, **({TICK: TICK_REACH} if ranked else {})})
        limit = within[k - 2]
        ok = ((pl.col(POS) // (1 << shift)) == (pl.col(START) // (1 << shift))) & \
            (tick - pl.col(TICK_START if ranked else START) <= window_ticks)
        if limit is not None:
            ok &= tick - pl.col(TICK_REACH if ranked else REACH) <= min(limit * per_s, cap)
        joined = parts[k - 1].join_asof(right, left_on=POS, right_on=REACH,
                                        strategy="backward", check_sortedness=False)
        at_reach = pl.col(REACH) == pl.col(POS)
        new_untied = joined.filter(~at_reach & ok).select(*record, ROW)
        events_tied = _at_most(joined.filter(at_reach).select(POS, *ticks, ROW), n)
        if events_tied.height:
            # A chain from an earlier instant: the latest reach strictly before.
            earlier = events_tied.with_columns((pl.col(POS) - 1).alias(PREV)).join_asof(
                right, left_on=PREV, right_on=REACH, strategy="backward",
                check_sortedness=False).filter(ok).select(
                    *record, ROW, pl.concat_list(ROW).alias(USED))
            # A chain that reached the step before at this instant, by other events.
            places = events_tied.select(POS).unique()
            before = pl.concat([
                _at_most(untied.join(places, on=POS, how="semi"), n).select(
                    POS, START, *([TICK_START] if ranked else []),
                    *([SRC] if keep_src else []), pl.concat_list(ROW).alias(USED)),
                tied.select(POS, START, *([TICK_START] if ranked else []),
                            *([SRC] if keep_src else []), USED)])
            same = events_tied.join(before, on=POS).filter(
                ~pl.col(USED).list.contains(pl.col(ROW))).select(
                    *record, ROW, pl.concat_list(USED, ROW).list.sort().alias(USED))
            # Per instant and set of rows used, the latest start; the best first.
            new_tied = pl.concat([earlier, same]).sort(
                [POS, START], descending=[False, True]).unique(
                [POS, USED], keep="first", maintain_order=True)
            best = new_untied.select(record).merge_sorted(
                new_tied.unique(POS, keep="first", maintain_order=True).select(record), POS)
        else:
            new_tied = tied.clear()
            best = new_untied.select(record)
        untied, tied = new_untied, new_tied
        del joined, right
        firsts.append(_first_per_entity(best, POS, events, True, keep_src, k))
    return _depths(firsts, keep_src)


def _at_most(rows: pl.DataFrame, n: int) -> pl.DataFrame:
    """The first n rows of each key (sorted by POS): a chain uses at most one event of a
    step per instant, so n of them always leave one free."""
    index = pl.int_range(pl.len(), dtype=pl.Int64)
    start = pl.when(pl.col(POS) != pl.col(POS).shift(1).fill_null(-1)).then(index) \
        .forward_fill()
    return rows.filter(index - start < n)
