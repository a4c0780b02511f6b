"""Stage probabilities and the weighted forecast of the open pipeline.

Probability of stage k, learned: among the closed deals of the funnel (all of the data,
not only the period's cohort: it is a historical rate) that reached stage k, the share
that was won. Won deals passed every stage; a lost deal counts at the stages up to the
one it was lost at; a lost deal whose loss stage is unknown is left out (as it is of the
stage conversions). Open deals are never in the denominator: their outcome is unknown.
A `probability:` on the stage replaces the learned one.

Forecast: every open deal of the funnel (its current stage is k) is worth amount x p(k),
grouped by the month of its expected close and by currency (amounts in different
currencies are never added up). Open deals whose expected close is before the as-of day
are overdue: their own row, and a finding unless snoozed.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from funnelctl.config import Funnel
from funnelctl.metrics.funnel import DEPTH, OUTCOME
from funnelctl.report_forecast import (
    LIST_LIMIT,
    Forecast,
    ForecastRow,
    ListedDeal,
    Overdue,
    StageProbability,
)

CURRENCY = "currency"
EXPECTED = "expected_close"
WEIGHT = "_p"


def stage_probabilities(frame: pl.DataFrame, funnel: Funnel) -> list[StageProbability]:
    """One probability per stage of the funnel, from `frame` (depth and outcome per deal)."""
    n = len(funnel.stages)
    closed = frame.filter(pl.col(OUTCOME).is_in(["won", "lost"]) & (pl.col(DEPTH) >= 1))
    counts = closed.select(
        (pl.col(OUTCOME) == "won").sum().alias("won"),
        *[(pl.col(DEPTH) >= k).sum().alias(f"reached_{k}") for k in range(1, n + 1)],
    ).row(0, named=True)
    return probabilities_from_counts(counts, funnel)


def probabilities_from_counts(counts: dict, funnel: Funnel) -> list[StageProbability]:
    """The stage probabilities from the counts of the closed deals: won, and reached_k
    (closed deals at depth >= k): any engine's aggregates."""
    out = []
    for k, stage in enumerate(funnel.stages, 1):
        if stage.probability is not None:
            out.append(StageProbability(probability=stage.probability, source="config"))
            continue
        reached, won = int(counts[f"reached_{k}"] or 0), int(counts["won"] or 0)
        out.append(StageProbability(
            probability=won / reached if reached else None, source="data", won=won,
            closed=reached, small_sample=reached < funnel.stage_min_sample(stage)))
    return out


def weighted(frame: pl.DataFrame, probabilities: list[StageProbability]) -> pl.DataFrame:
    """The open deals of `frame` at a funnel stage, with their stage's probability."""
    p = {k: s.probability for k, s in enumerate(probabilities, 1)}
    return frame.filter((pl.col(OUTCOME) == "open") & (pl.col(DEPTH) >= 1)).with_columns(
        pl.col(DEPTH).replace_strict(p, default=None, return_dtype=pl.Float64).alias(WEIGHT))


def forecast(frame: pl.DataFrame, funnel: Funnel, probabilities: list[StageProbability],
             as_of: dt.date, snoozed: set[str] | frozenset = frozenset()) -> Forecast:
    """The weighted open pipeline per expected close month and currency, and the overdue
    deals (expected close before `as_of`, not snoozed), oldest expected close first."""
    open_deals = weighted(frame, probabilities)
    currency = (pl.col(CURRENCY).fill_null("") if CURRENCY in open_deals.columns
                else pl.lit("")).alias(CURRENCY)
    day = pl.col(EXPECTED).dt.date() if EXPECTED in open_deals.columns else pl.lit(None, pl.Date)
    bucket = (pl.when(day.is_null()).then(pl.lit("no_date"))
              .when(day < as_of).then(pl.lit("overdue")).otherwise(pl.lit("month")))
    rows_frame = open_deals.with_columns(
        currency, bucket.alias("_bucket"),
        pl.when(day >= as_of).then(day.dt.strftime("%Y-%m")).alias("_month"),
        (pl.col("amount") * pl.col(WEIGHT)).alias("_weighted"),
        day.alias("_day"))
    grouped = (rows_frame.group_by("_bucket", "_month", CURRENCY)
               .agg(pl.len().alias("deals"), pl.col("amount").sum().alias("amount"),
                    pl.col("_weighted").sum().alias("weighted"),
                    (pl.col(WEIGHT).is_null() & pl.col("amount").is_not_null()).any()
                    .alias("_unweighted"))
               .with_columns(pl.col("_bucket").replace_strict(
                   {"overdue": 0, "month": 1, "no_date": 2}, return_dtype=pl.Int8).alias("_rank"))
               .sort("_rank", "_month", CURRENCY, nulls_last=True))
    rows = [ForecastRow(month=r["_month"], bucket=r["_bucket"], currency=r[CURRENCY] or None,
                        deals=r["deals"], amount=float(r["amount"] or 0.0),
                        weighted=None if r["_unweighted"] else float(r["weighted"] or 0.0))
            for r in grouped.iter_rows(named=True)]
    late = rows_frame.filter((pl.col("_bucket") == "overdue")
                             & ~pl.col("deal_id").cast(pl.String).is_in(list(snoozed)))
    amounts = dict(late.group_by(CURRENCY).agg(pl.col("amount").sum()).sort(CURRENCY)
                   .iter_rows())
    names = {k: s.name for k, s in enumerate(funnel.stages, 1)}
    listed = [ListedDeal(deal_id=str(r["deal_id"]), stage=names[r[DEPTH]],
                         manager=r.get("manager"), amount=r["amount"],
                         currency=r[CURRENCY] or None, days=float((as_of - r["_day"]).days),
                         expected_close=r["_day"])
              for r in late.sort("_day", "deal_id").head(LIST_LIMIT).iter_rows(named=True)]
    currencies = sorted({r.currency for r in rows if r.currency})
    return Forecast(as_of=as_of, rows=rows, open_deals=open_deals.height,
                    without_amount=open_deals.filter(pl.col("amount").is_null()).height
                    if "amount" in open_deals.columns else open_deals.height,
                    overdue=Overdue(deals=late.height,
                                    amounts={k: float(v or 0.0) for k, v in amounts.items()},
                                    listed=listed, by_manager=per_manager(late)),
                    currencies=currencies)


def per_manager(deals: pl.DataFrame) -> dict[str, int]:
    """manager -> deals (deals with no manager left out), for the scorecard."""
    if "manager" not in deals.columns:
        return {}
    return dict(deals.filter(pl.col("manager").is_not_null()).group_by("manager").len()
                .sort("manager").iter_rows())
