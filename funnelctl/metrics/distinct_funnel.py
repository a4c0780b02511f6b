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

from concurrent.futures import ThreadPoolExecutor

import polars as pl

from funnelctl.metrics.window_funnel import (
    GAP,
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

USED, CROWDED, ROW_REACH, EARLIER = "_used", "_crowded", "_row_reach", "_earlier"


def distinct_funnel(events: StepEvents, window: int, keep_src: bool,
                    within: list[int | None] | None = None) -> pl.DataFrame:
    """window_funnel's result (see there) when each step needs its own event.

    Each step's reaches come in two kinds: singles, by a chain that used one event (ROW)
    at the reach's instant, and multis (rare), by one that used several (USED). `best`
    holds the latest start at each instant, with its row and whether another event could
    serve there (CROWDED: two singles at the instant, or a multi)."""
    parts, ranked, per_s, shift = events.parts, events.ranked, events.ticks_per_second, \
        events.shift
    n, cap = len(parts), events.span + 1
    window_ticks = min(window * per_s, cap)
    within = within or [None] * (n - 1)
    tick = pl.col(TICK if ranked else POS)
    ticks = [TICK] if ranked else []
    chain = [START, *([TICK_START] if ranked else []), *([SRC] if keep_src else [])]
    record = [POS, *ticks, *chain]
    singles = parts[0].select(POS, *ticks, pl.col(POS).alias(START),
                              *([pl.col(TICK).alias(TICK_START)] if ranked else []),
                              *([pl.int_range(pl.len(), dtype=pl.UInt32).alias(SRC)]
                                if keep_src else []), ROW)
    # The reach's columns as the next step's join names them (best's own name -> that).
    reached_from = {POS: REACH, **({TICK: TICK_REACH} if ranked else {}),
                    **{c: c for c in chain}}
    reached = list(reached_from.values())
    multis = _no_multis(singles, record)
    best = _best(singles, multis, record, reached_from)
    pool = ThreadPoolExecutor(max_workers=1)  # first reaches beside the next step's join
    firsts = [pool.submit(_first_per_entity, best, POS, events, False, keep_src, 1)]
    for k in range(2, n + 1):
        right = best.rename({POS: REACH, ROW: ROW_REACH, **({TICK: TICK_REACH} if ranked else {})})
        joined = parts[k - 1].join_asof(right, left_on=POS, right_on=REACH,
                                        strategy="backward", check_sortedness=False)
        at = pl.col(REACH) == pl.col(POS)
        # A chain that reached the step before at this instant by other events: only
        # where another event than this one reached it there.
        # (A null ROW is an event no other step matches: never the reach's own.)
        other = (pl.col(ROW) != pl.col(ROW_REACH)).fill_null(True) | pl.col(CROWDED)
        crowd = _at_most(joined.lazy().filter(at & other).select(POS, *ticks, ROW).collect(),
                         n)
        if joined.select(at.any()).item():
            # At a tied instant, a chain from an earlier one: the previous instant's reach.
            joined = joined.with_columns(
                pl.when(at).then(pl.col(EARLIER + c)).otherwise(pl.col(c)).alias(c)
                for c in reached)
        # Unranked, another entity's chain lies more than a window behind (window_funnel).
        ok = tick - pl.col(TICK_START if ranked else START) <= window_ticks
        if ranked:
            ok &= (pl.col(POS) // (1 << shift)) == (pl.col(START) // (1 << shift))
        limit = within[k - 2]
        if limit is not None:
            ok &= tick - pl.col(TICK_REACH if ranked else REACH) <= min(limit * per_s, cap)
        reach_tick = pl.col(TICK_REACH if ranked else REACH)
        new_singles = joined.filter(ok).select(*record, ROW, (tick - reach_tick).alias(GAP))
        new_multis = _no_multis(new_singles, record)
        if crowd.height:
            places = crowd.select(POS).unique()
            before = pl.concat([
                _at_most(singles.join(places, on=POS, how="semi"), n).select(
                    POS, *chain, pl.concat_list(ROW).alias(USED)),
                multis.join(places, on=POS, how="semi").select(POS, *chain, USED)])
            unused = pl.col(ROW).is_null() | ~pl.col(USED).list.contains(pl.col(ROW))
            same = crowd.join(before, on=POS).filter(unused).select(
                *record, pl.concat_list(USED, ROW).list.sort().alias(USED),
                pl.lit(0, pl.Int64).alias(GAP))  # from a reach at the same instant
            # Per instant and set of events used, the latest start; the best first.
            new_multis = same.sort([POS, START], descending=[False, True]).unique(
                [POS, USED], keep="first", maintain_order=True)
        singles, multis = new_singles, new_multis
        best = _best(singles, multis, record, reached_from)
        del joined, right, crowd
        firsts.append(pool.submit(_first_per_entity, best, POS, events, True, keep_src, k))
    with pool:
        return _depths([future.result() for future in firsts], keep_src)


def _no_multis(singles: pl.DataFrame, record: list[str]) -> pl.DataFrame:
    return singles.select(record).clear().with_columns(pl.lit([], pl.List(pl.UInt32))
                                                       .alias(USED))


def _best(singles: pl.DataFrame, multis: pl.DataFrame, record: list[str],
          reached_from: dict[str, str]) -> pl.DataFrame:
    """The reaches at each instant with the latest start there, their row, CROWDED, and
    the previous instant's reach (EARLIER + column, as the step after names it); sorted
    by POS. Singles at one instant share their start (the same reach before it); a multi
    starts no earlier than them (they come from the latest reach before it), so where
    there is one it replaces theirs."""
    key = pl.col(POS)
    first = (key != key.shift(1)).fill_null(True)
    gap = [GAP] if GAP in singles.columns else []  # (step 1 has none)
    best = singles.select(*record, ROW, (~first | (key == key.shift(-1)).fill_null(False))
                          .alias(CROWDED), *gap)
    if multis.height:
        top = multis.unique(POS, keep="first", maintain_order=True)
        low = best[POS].search_sorted(top[POS], side="left")
        many = best[POS].search_sorted(top[POS], side="right") - low
        if (many > 0).all():
            # Usually each such instant has singles too: their reach is replaced in place.
            rows = top.with_columns(low.alias("_low"), many.alias("_many")).select(
                (pl.col("_low").repeat_by("_many").explode()
                 + pl.int_ranges(0, "_many").explode()).alias("_i"),
                *[pl.col(c).repeat_by("_many").explode() for c in [*record[1:], *gap]])
            best = best.with_columns(
                best[c].scatter(rows["_i"], rows[c]) for c in [*record[1:], *gap]
            ).with_columns(best[CROWDED].scatter(rows["_i"], True))
        else:
            best = best.filter(~key.is_in(top[POS].implode())).merge_sorted(
                top.select(*record, pl.lit(None, pl.UInt32).alias(ROW),
                           pl.lit(True).alias(CROWDED), *gap), POS)
    # The previous instant's reach, for every row of an instant.
    return best.with_columns(pl.when(first).then(pl.col(mine).shift(1)).forward_fill()
                             .alias(EARLIER + theirs) for mine, theirs in reached_from.items())


def _at_most(rows: pl.DataFrame, n: int) -> pl.DataFrame:
    """The first n rows of each key (sorted by POS): a chain uses at most one event of a
    step per instant, so n of them always leave one free."""
    index = pl.int_range(pl.len(), dtype=pl.Int64)
    start = pl.when(pl.col(POS) != pl.col(POS).shift(1).fill_null(-1)).then(index) \
        .forward_fill()
    return rows.filter(index - start < n)
