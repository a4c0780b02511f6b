"""Event funnels: steps matched by event name (and properties), then windowFunnel per entity.

The result is one row per entity that reached step 1 (inside the period, when there is
one): its depth, the seconds from step 1 to each later step it reached, and the breakdown
columns of the step-1 event that began its deepest chain. `summarise` turns that into the
report, exactly as for deal funnels.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from funnelctl.config import Funnel, Stage
from funnelctl.config.events import PropertyValue
from funnelctl.metrics.funnel import DEPTH
from funnelctl.metrics.window_funnel import ENTITY, SRC, StepEvents, step_events, window_funnel


def event_names(funnel: Funnel) -> list[str]:
    return sorted({name for stage in funnel.stages for name in stage.values()})


def property_columns(funnel: Funnel) -> list[str]:
    return sorted({column for stage in funnel.stages for column in stage.where})


def step_condition(stage: Stage, schema: pl.Schema) -> pl.Expr:
    """The event is one of the stage's names and has every property in `where`."""
    names = stage.values()
    condition = (pl.col("event") == names[0]) if len(names) == 1 else \
        pl.col("event").is_in(names)
    for column, wanted in stage.where.items():
        condition &= _property_matches(column, wanted, schema[column])
    return condition


def _property_matches(column: str, wanted: PropertyValue | list[PropertyValue],
                      dtype: pl.DataType) -> pl.Expr:
    values = wanted if isinstance(wanted, list) else [wanted]
    numeric = dtype.is_numeric() and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    if numeric:
        return pl.col(column).is_in(values)
    # Compare as text, so `where: {plan: 2}` also finds "2" in a CSV column.
    texts = [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
    return pl.col(column).cast(pl.String).is_in(texts).fill_null(False)


def funnel_entities(frame: pl.DataFrame, funnel: Funnel, period: tuple | None = None
                    ) -> pl.DataFrame:
    """One row per entity reaching step 1: entity_id, depth, time_2..time_n, breakdowns.

    period: (start, end) instants (end exclusive) that a step-1 event must fall in.
    """
    return entities(prepare(frame, funnel, period), funnel)


def prepare(frame: pl.DataFrame, funnel: Funnel, period: tuple | None = None
            ) -> StepEvents | pl.DataFrame:
    """The funnel's events, keyed and sorted per step: all it needs of the canonical frame
    (which the caller may drop afterwards). An empty result for an empty frame."""
    if frame.height == 0:
        return _empty(frame, len(funnel.stages), tuple(funnel.breakdown))
    steps = [step_condition(stage, frame.schema) for stage in funnel.stages]
    if period is not None:
        steps[0] &= pl.col("ts").is_between(period[0], period[1], closed="left")
    return step_events(frame, steps, funnel.window_seconds(), tuple(funnel.breakdown))


def entities(prepared: StepEvents | pl.DataFrame, funnel: Funnel) -> pl.DataFrame:
    if isinstance(prepared, pl.DataFrame):
        return prepared
    carried = prepared.carried
    ids = prepared.entity_ids
    per_entity = window_funnel(prepared, funnel.window_seconds(), keep_src=bool(carried.width))
    out = per_entity.select(
        ids.gather(per_entity[ENTITY]).alias("entity_id"),
        pl.col("depth").alias(DEPTH),
        *[pl.col(f"time_{k}").cast(pl.Float64) for k in range(2, len(funnel.stages) + 1)],
    )
    return out.hstack(carried[per_entity[SRC]]) if carried.width else out


def _empty(frame: pl.DataFrame, n: int, carry: tuple[str, ...]) -> pl.DataFrame:
    return pl.DataFrame(schema={
        "entity_id": frame.schema["entity_id"], DEPTH: pl.Int32,
        **{f"time_{k}": pl.Float64 for k in range(2, n + 1)},
        **{c: frame.schema[c] for c in carry},
    })


def period_bounds(start: dt.date | None, end: dt.date | None, timezone: str) -> tuple | None:
    """Local calendar dates -> [start midnight, day after end midnight) as UTC instants."""
    if start is None or end is None:
        return None
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(timezone)
    first = dt.datetime.combine(start, dt.time(), zone).astimezone(dt.timezone.utc)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone)
    return first, after.astimezone(dt.timezone.utc)
