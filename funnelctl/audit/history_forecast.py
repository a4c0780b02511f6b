"""The forecast and plan of a funnel over a stage history: each deal's latest state (its
current stage, amount, currency, expected close, and when it closed) from its entries,
then the same probabilities, forecast, overdue deals and plan as a deals funnel."""

from __future__ import annotations

import datetime as dt

import polars as pl

from funnelctl.audit.forecast import forecast_and_plan, history_stuck, reference_day, snoozes
from funnelctl.config import Config, Funnel
from funnelctl.metrics.forecast import stage_probabilities
from funnelctl.metrics.funnel import DEPTH, OUTCOME
from funnelctl.metrics.history import ORDER, ROLE
from funnelctl.report import Finding, FunnelResult


def latest_state(entries: pl.DataFrame, deals: pl.DataFrame, n: int) -> pl.DataFrame:
    """`deals` (metrics.history.deal_outcomes: DEPTH is the furthest stage entered, what
    the probabilities count) with, for the forecast: an open deal's DEPTH set to the stage
    of its latest stage entry (a deal that moved back is forecast where it is now), and
    closed_at, a closed deal's last entry (the win or the loss)."""
    last = (entries.filter(pl.col(ROLE).is_not_null()).group_by("deal_id", maintain_order=True)
            .agg(pl.col(ORDER).filter(pl.col(ROLE) == "stage").last().alias("_current"),
                 pl.col("entered_at").last().alias("_last_at")))
    is_open = pl.col(OUTCOME) == "open"
    return (deals.join(last, on="deal_id", how="left")
            .with_columns(
                pl.when(is_open & pl.col("_current").is_not_null())
                .then(pl.col("_current").clip(upper_bound=n).cast(deals.schema[DEPTH]))
                .otherwise(pl.col(DEPTH)).alias(DEPTH),
                pl.when(~is_open).then(pl.col("_last_at")).alias("closed_at"))
            .drop("_current", "_last_at"))


def history_forward_view(config: Config, funnel: Funnel, result: FunnelResult,
                         entries: pl.DataFrame, every_deal: pl.DataFrame,
                         moment: dt.datetime) -> list[Finding]:
    """Stuck deals, then probabilities learned from the history (won / closed among the
    deals that entered a stage or one beyond it), the forecast of the open deals as they
    stand now, overdue deals and the plan, over all of the history's deals."""
    found = history_stuck(config, funnel, result, entries, moment)
    day = reference_day(moment)
    active, _ = snoozes(funnel, every_deal, day)
    probabilities = stage_probabilities(every_deal, funnel)
    for stage_result, probability in zip(result.stages, probabilities):
        stage_result.probability = probability
    frame = latest_state(entries, every_deal, len(funnel.stages))
    if "expected_close" in frame.columns:  # a date in a history: a time, as in a snapshot
        frame = frame.with_columns(pl.col("expected_close").cast(pl.Datetime("us")))
    return found + forecast_and_plan(config, funnel, frame, result, day, active,
                                     result.snoozed, probabilities)
