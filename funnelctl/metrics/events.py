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
from funnelctl.config.events import Condition, Operators, PropertyValue, alternatives
from funnelctl.io.values import EDGES
from funnelctl.metrics.distinct_funnel import distinct_funnel
from funnelctl.metrics.funnel import DEPTH
from funnelctl.metrics.funnel_steps import EXCLUDED, steps_funnel
from funnelctl.metrics.step_rules import step_rules, uses_steps
from funnelctl.metrics.strict_modes import strict_funnel
from funnelctl.metrics.unordered_funnel import unordered_funnel
from funnelctl.metrics.window_funnel import ENTITY, SRC, StepEvents, step_events, window_funnel

# The modes that stop an entity's walk at an event (strict_modes.py).
STOPPING = frozenset({"strict_order", "strict_deduplication"})


def event_names(funnel: Funnel) -> list[str]:
    return sorted({name for stage in (*funnel.stages, *funnel.exclude)
                   for name in stage.values()})


def property_columns(funnel: Funnel) -> list[str]:
    return sorted({column for stage in (*funnel.stages, *funnel.exclude)
                   for column in stage.where_columns()})


def step_condition(stage: Stage, schema: pl.Schema) -> pl.Expr:
    """The event is one of the stage's names and passes `where`: every property of one
    alternative (a mapping) matches, for any alternative of a list."""
    names = stage.values()
    condition = (pl.col("event") == names[0]) if len(names) == 1 else \
        pl.col("event").is_in(names)
    options = [pl.all_horizontal([_property_matches(column, test, schema[column])
                                  for column, test in alternative.items()])
               for alternative in alternatives(stage.where) if alternative]
    if options:
        condition &= pl.any_horizontal(options) if len(options) > 1 else options[0]
    return condition


def _property_matches(column: str, test: Condition, dtype: pl.DataType) -> pl.Expr:
    """Never null: a missing value fails every test but `!=`, `not in` and `absent`."""
    if isinstance(test, Operators):
        return pl.all_horizontal([_operator(column, op, operand, dtype)
                                  for op, operand in test.given().items()])
    return _is_in(column, test if isinstance(test, list) else [test], dtype)


def _is_in(column: str, values: list[PropertyValue], dtype: pl.DataType) -> pl.Expr:
    numeric = dtype.is_numeric() and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    if numeric:
        return pl.col(column).is_in(values).fill_null(False)
    # Compare as text, so `where: {plan: 2}` also finds "2" in a CSV column.
    texts = [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
    return pl.col(column).cast(pl.String).is_in(texts).fill_null(False)


def _operator(column: str, op: str, operand, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(column)
    if op in ("=", "in"):
        return _is_in(column, operand if op == "in" else [operand], dtype)
    if op in ("!=", "not", "not in"):
        return ~_is_in(column, operand if op == "not in" else [operand], dtype)
    if op in ("present", "absent"):
        missing = col.is_null() | (col.cast(pl.String).str.strip_chars(EDGES) == "") \
            if dtype == pl.String else col.is_null()
        return (~missing if (op == "present") == operand else missing).fill_null(False)
    if op == "contains":  # taken literally, whatever the text holds
        return col.cast(pl.String).str.to_lowercase().str.contains(
            operand.lower(), literal=True).fill_null(False)
    if op == "regex":
        return col.cast(pl.String).str.contains(operand).fill_null(False)
    # Numeric comparisons; text that is no number (or a missing value) fails them.
    number = col.cast(pl.Float64, strict=False)
    compare = {">": number > operand, ">=": number >= operand, "<": number < operand,
               "<=": number <= operand}[op]
    return compare.fill_null(False)


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
        return _empty(frame, len(funnel.stages), carried_columns(funnel))
    steps = [first_time(step) if stage.first_time else step
             for stage, step in ((s, step_condition(s, frame.schema)) for s in funnel.stages)]
    in_period = pl.col("ts").is_between(period[0], period[1], closed="left") \
        if period is not None else None
    modes = funnel.order_modes()
    if "unordered" in modes:  # an attempt starts at any step, inside the period
        anchor = pl.any_horizontal(steps)
        return step_events(frame, steps, funnel.window_seconds(), (),
                           anchor if in_period is None else anchor & in_period)
    if in_period is not None:
        steps[0] &= in_period
    steps += [step_condition(exclusion, frame.schema) for exclusion in funnel.exclude]
    return step_events(frame, steps, funnel.window_seconds(), carried_columns(funnel),
                       others="strict_order" in modes,
                       rows=shared_steps(funnel) if "distinct_events" in modes and
                       shares_events(funnel) else None)


def shares_events(funnel: Funnel) -> bool:
    """Whether one event can match two stages (two stages name the same event). When
    none can, every chain's events are different ones: distinct_events is `default`."""
    names = [name for stage in funnel.stages for name in set(stage.values())]
    return len(names) != len(set(names))


def shared_steps(funnel: Funnel) -> list[bool]:
    """Per stage, whether another stage names one of its events (exclusions: no)."""
    names = [set(stage.values()) for stage in funnel.stages]
    return [any(mine & other for j, other in enumerate(names) if j != i)
            for i, mine in enumerate(names)] + [False] * len(funnel.exclude)


def carried_columns(funnel: Funnel) -> tuple[str, ...]:
    """The step-1 event's columns the result keeps: the breakdowns, and its ts for the
    trend's cohorts (the chain's start, the same event the breakdowns come from)."""
    return tuple(dict.fromkeys([*funnel.breakdown, *(["ts"] if funnel.trend else [])]))


def first_time(condition: pl.Expr) -> pl.Expr:
    """Only the entity's first event that meets the condition (all data read, before any
    period: a first time is the first ever)."""
    return condition & (pl.col("ts") == pl.col("ts").filter(condition).min().over("entity_id"))


def entities(prepared: StepEvents | pl.DataFrame, funnel: Funnel) -> pl.DataFrame:
    if isinstance(prepared, pl.DataFrame):
        return prepared
    carried = prepared.carried
    ids = prepared.entity_ids
    modes = funnel.order_modes()
    if "unordered" in modes:
        per_entity = unordered_funnel(prepared, funnel.window_seconds())
        return per_entity.select(ids.gather(per_entity[ENTITY]).alias("entity_id"),
                                 pl.col("depth").alias(DEPTH), pl.selectors.starts_with("time_"))
    within = [s.within_seconds() for s in funnel.stages[1:]]
    if uses_steps(funnel):  # exclusions or optional steps: funnel_steps.py
        per_entity = steps_funnel(prepared, step_rules(funnel), keep_src=bool(carried.width))
    elif "distinct_events" in modes and shares_events(funnel):
        per_entity = distinct_funnel(prepared, funnel.window_seconds(), bool(carried.width),
                                     within)
    elif modes & STOPPING:
        per_entity = strict_funnel(prepared, funnel.window_seconds(), modes,
                                   bool(carried.width), within)
    else:
        per_entity = window_funnel(prepared, funnel.window_seconds(),
                                   keep_src=bool(carried.width), within=within,
                                   strict_increase="strict_increase" in modes, gaps=True)
    out = per_entity.select(
        ids.gather(per_entity[ENTITY]).alias("entity_id"),
        pl.col("depth").alias(DEPTH),
        *[pl.col(f"time_{k}").cast(pl.Float64) for k in range(2, len(funnel.stages) + 1)],
        # The time from the step before: where the walk says which reach a step extended.
        *[pl.col(f"gap_{k}").cast(pl.Float64) for k in range(2, len(funnel.stages) + 1)
          if f"gap_{k}" in per_entity.columns],
        *([EXCLUDED] if EXCLUDED in per_entity.columns else []),
    )
    return out.hstack(carried[per_entity[SRC]]) if carried.width else out


def _empty(frame: pl.DataFrame, n: int, carry: tuple[str, ...]) -> pl.DataFrame:
    return pl.DataFrame(schema={
        "entity_id": frame.schema["entity_id"], DEPTH: pl.Int32,
        **{f"time_{k}": pl.Float64 for k in range(2, n + 1)},
        **{f"gap_{k}": pl.Float64 for k in range(2, n + 1)},
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
