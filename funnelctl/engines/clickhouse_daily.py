"""engine: clickhouse for an activities source of daily totals (manager, date, calls,
meetings): the server checks and sums each manager's day, as io/activities.py _read_daily
does on Polars (a missing count is 0; a count must be a whole number, 0 .. MAX_PER_DAY;
a manager's day may repeat and its rows add up). The distinct managers, and a text count
column's distinct values, are read in Python with the Polars reader's own expressions."""

from __future__ import annotations

import datetime as dt

import polars as pl

from funnelctl.config import Config
from funnelctl.config.norms import MAX_PER_DAY
from funnelctl.engines.clickhouse import _copy, settings
from funnelctl.engines.clickhouse_activities import (
    Plan,
    _distinct,
    distinct_values,
    manager_ids,
    server_quality,
)
from funnelctl.engines.norms_sql import daily_reasons, daily_sql
from funnelctl.errors import DataError
from funnelctl.io.activities import DAILY, DAILY_SCHEMA, Activities, _count
from funnelctl.io.rejects import REJECTS_SCHEMA
from funnelctl.io.values import clean_text, plausible
from funnelctl.report import SourceQuality

COUNTS = ("calls", "meetings")


def text_counts(plan: Plan, name: str) -> tuple[list[str], list[float | None], list[int]]:
    """A text count column's distinct values: (raw, the number read, 1 if given)."""
    values = _distinct(distinct_values(plan, [name]), name).filter(pl.col("v").is_not_null())
    read = values.select(
        number=_count("v", pl.String, plan.markers),
        given=clean_text("v", plan.markers).is_not_null().cast(pl.Int64))
    return values["v"].to_list(), read["number"].to_list(), read["given"].to_list()


def daily_statement(plan: Plan, config: Config, as_of: dt.date | None
                    ) -> tuple[str, dict[str, str], list[str]]:
    managers, names = manager_ids(_distinct(distinct_values(plan, ["manager"]), "manager"),
                                  plan.markers)
    counts = {c: None if plan.columns.is_numeric(plan.headers[c]) else text_counts(plan, c)
              for c in COUNTS if c in plan.headers}
    params = _copy(plan.params)
    dates = plausible(as_of, config.timezone)
    bounds = (dates.start.date().isoformat(), dates.end.date().isoformat())
    sql = daily_sql(plan.columns, plan.headers, managers, counts, params, config.timezone,
                    bounds, plan.markers, MAX_PER_DAY) + settings(plan.columns)
    return sql, params.values, names


def read_daily(plan: Plan, config: Config, as_of: dt.date | None
               ) -> tuple[Activities, SourceQuality]:
    sql, values, names = daily_statement(plan, config, as_of)
    rows = plan.conn.query(sql, values)
    present = [c for c in COUNTS if c in plan.headers]
    table = pl.DataFrame(
        {"reason": [int(r["reason"]) for r in rows],
         "manager": [int(r["manager"]) for r in rows], "date": [r["date"] for r in rows],
         "n": [int(r["n"]) for r in rows],
         **{c: [float(r[c]) for r in rows] for c in present}},
        schema={"reason": pl.Int64, "manager": pl.Int64, "date": pl.String, "n": pl.Int64,
                **dict.fromkeys(present, pl.Float64)})
    path = plan.described.path
    rows_read = int(table["n"].sum())
    if rows_read == 0:
        raise DataError(f"{path}: has a header but no data rows")
    texts = daily_reasons(present, MAX_PER_DAY)
    rejected = (table.filter(pl.col("reason") > 0).group_by("reason").agg(pl.col("n").sum())
                .with_columns(reason=pl.col("reason").replace_strict(
                    list(range(1, len(texts) + 1)), texts, return_dtype=pl.String))
                .sort(["n", "reason"], descending=[True, False]))
    reasons = dict(rejected.iter_rows())
    if sum(reasons.values()) == rows_read:
        reason, count = next(iter(reasons.items()))
        raise DataError(f"{path}: no usable rows: all {rows_read} were rejected, {count} for "
                        f"{reason} (source '{plan.described.name}')")
    usable = table.filter(pl.col("reason") == 0).with_columns(
        manager=pl.col("manager").replace_strict(list(range(1, len(names) + 1)), names,
                                                 return_dtype=pl.String),
        date=pl.col("date").str.to_date(),
        **{c: pl.lit(0.0) for c in COUNTS if c not in present})
    daily = (usable.group_by("manager", "date")
             .agg(pl.col("calls").sum(), pl.col("meetings").sum()).cast(DAILY_SCHEMA))
    per_manager = usable.group_by("manager").agg(pl.col("n").sum())
    activities = Activities(daily, pl.DataFrame(schema=REJECTS_SCHEMA), rows_read, DAILY,
                            rows_per_manager=dict(per_manager.iter_rows()))
    return activities, server_quality(plan, rows_read, reasons, DAILY)
