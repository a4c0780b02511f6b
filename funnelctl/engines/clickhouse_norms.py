"""engine: clickhouse for an activities source (the manager norms): the server counts, Python
grades.

1. The distinct raw managers and types (and a text duration's values) come back with
   their counts; Python cleans and maps them with the Polars reader's own expressions
   (clean_text, the type_values lookup, duration_state) on those few values.
2. The mapping goes back as array parameters, and the server returns one row per
   (manager, local date, kind) with its count, and the rejected rows per reason.
3. That small table becomes the Activities the Polars reader makes (the daily calls and
   meetings per manager-day, other types, short calls, usable rows per name), so the name
   matching, calendar, roster, teams and grading (audit/norms.py, metrics/norms.py) are
   the same code on both engines.

Rejected rows are counted per reason by the server; their line numbers are not fetched
(the rejects ledger gets no rows from this engine, as for event sources)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from funnelctl.config import Config, Source
from funnelctl.config.engine import CHDB
from funnelctl.config.norms import TypeValues
from funnelctl.engines.clickhouse import _copy, settings
from funnelctl.engines.clickhouse_activities import (
    Plan,
    _distinct,
    _pairs,
    distinct_values,
    manager_ids,
    plan_source,
    server_quality,
)
from funnelctl.engines.clickhouse_daily import daily_statement, read_daily
from funnelctl.engines.norms_sql import (
    CALL,
    CHANGED,
    DUR_CODES,
    MEETING,
    OTHER_BASE,
    REASONS,
    SHORT_CALL,
    Mapping,
    counts_sql,
    distinct_sql,
)
from funnelctl.errors import DataError
from funnelctl.io.activities import (
    DAILY,
    DAILY_SCHEMA,
    OTHER,
    ROWS,
    Activities,
    duration_state,
)
from funnelctl.io.rejects import REJECTS_SCHEMA
from funnelctl.io.values import clean_text, plausible
from funnelctl.report import SourceQuality


def map_values(plan: Plan, source: Source) -> tuple[Mapping, list[str], list[str]]:
    """(the mapping, manager names by id - 1, other types by code - OTHER_BASE), from the
    distinct values cleaned with the Polars reader's expressions."""
    markers = plan.markers
    type_values = source.type_values or TypeValues()
    one_type = type_values.type is not None
    pairs = distinct_values(plan, ["manager"] if one_type else ["manager", "type"])
    manager_pairs, names = manager_ids(_distinct(pairs, "manager"), markers)
    types = (pl.DataFrame({"v": [type_values.type]}) if one_type
             else _distinct(pairs, "type"))
    types = types.with_columns(clean=clean_text("v", markers)).with_columns(
        kind=pl.col("clean").str.to_lowercase().replace_strict(
            type_values.lookup(), default=OTHER, return_dtype=pl.String))
    others = sorted(types.filter(pl.col("kind") == OTHER)["clean"].drop_nulls().unique()
                    .to_list())
    codes = types.select(
        pl.when(pl.col("clean").is_null()).then(0)
        .when(pl.col("kind") == "call").then(CALL)
        .when(pl.col("kind") == "meeting").then(MEETING)
        .otherwise(pl.col("clean").replace_strict(
            others, list(range(OTHER_BASE, OTHER_BASE + len(others))), default=0,
            return_dtype=pl.Int64)))
    kinds = int(codes.item(0, 0)) if one_type else _pairs(types["v"], codes.to_series())
    durations = None
    header = plan.headers.get("duration")
    if source.min_call_seconds is not None and not plan.columns.is_numeric(header):
        values = _distinct(distinct_values(plan, ["duration"]), "duration")
        state = values.select(duration_state("v", pl.String, markers, source.min_call_seconds)
                              .replace_strict(DUR_CODES, return_dtype=pl.Int64))
        durations = _pairs(values["v"], state.to_series())
    mapping = Mapping(manager_pairs, kinds, durations)
    return mapping, names, others


def statement(plan: Plan, source: Source, config: Config, as_of: dt.date | None
              ) -> tuple[str, dict[str, str], list[str], list[str]]:
    """The counting statement, its parameters, the manager names and other types."""
    mapping, names, others = map_values(plan, source)
    params = _copy(plan.params)
    dates = plausible(as_of, config.timezone)
    bounds = (dates.start.date().isoformat(), dates.end.date().isoformat())
    sql = counts_sql(plan.columns, plan.headers, mapping, params, config.timezone, bounds,
                     plan.markers, source.min_call_seconds) + settings(plan.columns)
    return sql, params.values, names, others


def read_activities(name: str, source: Source, config: Config, as_of: dt.date | None
                    ) -> tuple[Activities, SourceQuality]:
    """The source's Activities (as io/activities.read_activities makes them, without the
    rejects' lines) and its quality entry without the notes (audit/norms.py adds them)."""
    plan = plan_source(name, source)
    if plan.shape == DAILY:
        return read_daily(plan, config, as_of)
    sql, values, names, others = statement(plan, source, config, as_of)
    rows = plan.conn.query(sql, values)
    table = pl.DataFrame(
        {"reason": [int(r["reason"]) for r in rows],
         "manager": [int(r["manager"]) for r in rows],
         "kind": [int(r["kind"]) for r in rows],
         "date": [r["date"] for r in rows], "n": [int(r["n"]) for r in rows]},
        schema={"reason": pl.Int64, "manager": pl.Int64, "kind": pl.Int64,
                "date": pl.String, "n": pl.Int64})
    return activities_from_counts(table, names, others, plan)


def activities_from_counts(table: pl.DataFrame, names: list[str], others: list[str],
                           plan: Plan) -> tuple[Activities, SourceQuality]:
    path = plan.described.path
    rows_read = int(table["n"].sum())
    if rows_read == 0:
        raise DataError(f"{path}: has a header but no data rows")
    if (table["reason"] == CHANGED).any():
        raise plan.conn.fail("the data changed while it was read (a value the first query "
                             "did not return); run the audit again")
    rejected = (table.filter(pl.col("reason") > 0).group_by("reason").agg(pl.col("n").sum())
                .with_columns(reason=pl.col("reason").replace_strict(
                    list(range(1, len(REASONS) + 1)), list(REASONS), return_dtype=pl.String))
                .sort(["n", "reason"], descending=[True, False]))
    reasons = dict(rejected.iter_rows())
    usable = table.filter(pl.col("reason") == 0).with_columns(
        manager=pl.col("manager").replace_strict(list(range(1, len(names) + 1)), names,
                                                 return_dtype=pl.String),
        date=pl.col("date").str.to_date())
    counted = usable.filter(pl.col("kind") != SHORT_CALL)
    n, kind = pl.col("n"), pl.col("kind")
    daily = (counted.group_by("manager", "date")
             .agg(calls=n.filter(kind == CALL).sum(), meetings=n.filter(kind == MEETING).sum())
             .cast(DAILY_SCHEMA))
    other = (counted.filter(kind >= OTHER_BASE)
             .with_columns(_type=(kind - OTHER_BASE).replace_strict(
                 list(range(len(others))), others, return_dtype=pl.String))
             .group_by("_type").agg(n.sum()).sort(["n", "_type"], descending=[True, False]))
    per_manager = counted.group_by("manager").agg(n.sum())
    short_calls = int(usable.filter(kind == SHORT_CALL)["n"].sum())
    if per_manager.height == 0:
        reason, count = next(iter(reasons.items()), ("short calls", short_calls))
        raise DataError(f"{path}: no usable rows: all {rows_read} were rejected, {count} for "
                        f"{reason} (source '{plan.described.name}')")
    activities = Activities(daily, pl.DataFrame(schema=REJECTS_SCHEMA), rows_read, ROWS,
                            dict(other.iter_rows()), dict(per_manager.iter_rows()),
                            short_calls)
    return activities, server_quality(plan, rows_read, reasons, ROWS)


def explain(name: str, source: Source, config: Config, as_of: dt.date | None) -> str:
    """The statements the norms run on this source, with their parameters (the distinct
    values are read, to build the mapping the counting statement binds)."""
    plan = plan_source(name, source)
    if plan.shape == DAILY:
        first = distinct_sql(plan.columns, [plan.headers["manager"]]) + settings(plan.columns)
        sql, values, _ = daily_statement(plan, config, as_of)
        return _explained(plan, source, first, sql, values)
    mapped = [plan.headers[c] for c in ("manager", "type") if c in plan.headers]
    first = distinct_sql(plan.columns, mapped) + settings(plan.columns)
    sql, values, _, _ = statement(plan, source, config, as_of)
    return _explained(plan, source, first, sql, values)


def _explained(plan: Plan, source: Source, first: str, sql: str, values: dict) -> str:
    where = plan.conn.where() if source.url != CHDB else "chdb (in process)"
    listed = "\n".join(f"--   {k} = {v}" for k, v in values.items())
    return (f"-- on {where}\n-- 1. the distinct managers and types, with their counts "
            f"(a text duration's values likewise):\n{first}\n-- 2. the counts per "
            f"manager, kind and local date, rejects per reason:\n{sql}\n"
            f"-- parameters:\n{listed}")
