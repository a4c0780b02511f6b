"""PostHog's unordered funnel, vectorised: stage k counts the entities that did any k of
the steps within the window, in any order.

An attempt may start at any step's event (an anchor, inside the period when there is
one); it holds the steps that have an event at or after the anchor and at most `window`
after it. For each step that is one forward as-of join of the anchors against the step's
sorted keys (the nearest event at or after the anchor), so no loop over rows; an entity's
depth is its best anchor's count. One event that matches two steps counts for both, as
in ordered funnels. The keys are window_funnel's (same entity = same pos >> B).
"""

from __future__ import annotations

import polars as pl

from funnelctl.metrics.window_funnel import ENTITY, POS, TICK, StepEvents

NEXT, TICK_NEXT = "_next", "_tick_next"


def unordered_funnel(events: StepEvents, window: int) -> pl.DataFrame:
    """One row per entity with an anchor: _entity (code), depth, time_2..time_n (null:
    with no order, there is no time from step 1)."""
    anchors, ranked, shift = events.anchors, events.ranked, events.shift
    window_ticks = min(window * events.ticks_per_second, events.span + 1)
    count = pl.zeros(anchors.height, pl.Int32, eager=True)
    for part in events.parts:
        right = part.select(pl.col(POS).alias(NEXT),
                            *([pl.col(TICK).alias(TICK_NEXT)] if ranked else []))
        joined = anchors.join_asof(right, left_on=POS, right_on=NEXT, strategy="forward",
                                   check_sortedness=False)
        if ranked:  # ranks say nothing of time: compare the real ticks, and the entity
            hit = ((pl.col(NEXT) // (1 << shift)) == (pl.col(POS) // (1 << shift))) & \
                (pl.col(TICK_NEXT) - pl.col(TICK) <= window_ticks)
        else:  # another entity's event lies more than a window ahead (see window_funnel)
            hit = pl.col(NEXT) - pl.col(POS) <= window_ticks
        count += joined.select(hit.fill_null(False).cast(pl.Int32)).to_series()
        del joined, right
    n = len(events.parts)
    per_anchor = anchors.select((pl.col(POS) // (1 << shift)).alias(ENTITY)) \
        .with_columns(count.alias("depth"))
    # Anchors are sorted by pos, so by entity: the groups come out in entity order.
    return per_anchor.group_by(ENTITY, maintain_order=True).agg(pl.col("depth").max()) \
        .with_columns(*[pl.lit(None, pl.Float64).alias(f"time_{k}") for k in range(2, n + 1)],
                      pl.col(ENTITY).set_sorted())
