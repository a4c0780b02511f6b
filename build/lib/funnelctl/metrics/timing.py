"""Time in each stage and stuck deals, from classified stage-history entries.

Time in stage k, for one deal: from its entry into k to its next entry into any other
stage (the next stage, won, lost, a step back, or a value outside the funnel), summed
over re-entries. A deal still in k has no exit yet and is left out of the times (it
shows up in the stuck-deal count instead). Per stage: median and 90th percentile in days.

Stuck deals: open deals whose current stage, as of a reference moment, has `max_days`
and was entered more than `max_days` before that moment.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from funnelctl.config import Funnel
from funnelctl.metrics.history import ORDER, ROLE

DAYS = "days"
SECONDS_PER_DAY = 86400.0


def _days(expr: pl.Expr) -> pl.Expr:
    return expr.dt.total_seconds() / SECONDS_PER_DAY


def time_in_stage(entries: pl.DataFrame, n_stages: int) -> dict[int, dict]:
    """{stage index: {median_days, p90_days, deals}} for stages some deal has left."""
    exits = entries.with_columns(
        pl.col("entered_at").shift(-1).over("deal_id").alias("_left_at"))
    per_deal = (
        exits.filter((pl.col(ROLE) == "stage") & pl.col("_left_at").is_not_null())
        .group_by("deal_id", ORDER)
        .agg(_days(pl.col("_left_at") - pl.col("entered_at")).sum().alias(DAYS))
    )
    per_stage = per_deal.group_by(ORDER).agg(
        pl.col(DAYS).median().alias("median_days"),
        pl.col(DAYS).quantile(0.9, interpolation="linear").alias("p90_days"),
        pl.len().alias("deals"),
    )
    return {row[ORDER]: {k: row[k] for k in ("median_days", "p90_days", "deals")}
            for row in per_stage.iter_rows(named=True) if 1 <= row[ORDER] <= n_stages}


def stuck_deals(entries: pl.DataFrame, funnel: Funnel, moment: dt.datetime) -> dict[int, dict]:
    """{stage index: {stuck, oldest_days}} for stages with max_days, as of `moment`."""
    limits = {i: s.max_days for i, s in enumerate(funnel.stages, 1) if s.max_days}
    if not limits:
        return {}
    current = (entries.filter(pl.col("entered_at") < moment)
               .group_by("deal_id").agg(pl.col(ROLE, ORDER, "entered_at").last()))
    waiting = current.filter(pl.col(ROLE) == "stage").with_columns(
        _days(pl.lit(moment) - pl.col("entered_at")).alias(DAYS),
        pl.col(ORDER).replace_strict(limits, default=None, return_dtype=pl.Float64)
        .alias("_limit"),
    )
    stuck = waiting.filter(pl.col(DAYS) > pl.col("_limit")).group_by(ORDER).agg(
        pl.len().alias("stuck"), pl.col(DAYS).max().alias("oldest_days"))
    found = {row[ORDER]: row for row in stuck.iter_rows(named=True)}
    return {i: {"stuck": int(found[i]["stuck"]) if i in found else 0,
                "oldest_days": found[i]["oldest_days"] if i in found else None}
            for i in limits}
