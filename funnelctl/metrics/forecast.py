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


def to_cents(total: float | None) -> float:
    """A sum of amounts rounded to cents. Float addition is not associative and polars
    sums groups in no fixed order (a sort before a sum is optimised away), so the last
    digits of a sum would vary from run to run; cents are the same every run."""
    return round(float(total or 0.0), 2)


def stage_probabilities(frame: pl.DataFrame, funnel: Funnel) -> list[StageProbability]:
    """One probability per stage of the funnel, from `frame` (depth and outcome per deal)."""
    n = len(funnel.stages)
    # Lazily: the filter reads the two columns, the other columns of the deals are not copied.
    closed = frame.lazy().filter(pl.col(OUTCOME).is_in(["won", "lost"]))
    known = pl.col(DEPTH) >= 1
    counts = closed.select(
        ((pl.col(OUTCOME) == "won") & known).sum().alias("won"),
        ((pl.col(OUTCOME) == "lost") & ~known.fill_null(False)).sum().alias("unknown_lost"),
        *[(pl.col(DEPTH) >= k).sum().alias(f"reached_{k}") for k in range(1, n + 1)],
    ).collect().row(0, named=True)
    return probabilities_from_counts(counts, funnel)


def probabilities_from_counts(counts: dict, funnel: Funnel) -> list[StageProbability]:
    """The stage probabilities from the counts of the closed deals: won, and reached_k
    (closed deals at depth >= k), unknown_lost (lost deals at no known stage): any
    engine's aggregates. A lost deal at an unknown stage may have reached any stage, so
    the share without it is the highest the data allows and the share with it at every
    stage the lowest; both are kept, and the renderers show the range."""
    out = []
    unknown = int(counts.get("unknown_lost") or 0)
    for k, stage in enumerate(funnel.stages, 1):
        if stage.probability is not None:
            out.append(StageProbability(probability=stage.probability, source="config"))
            continue
        reached, won = int(counts[f"reached_{k}"] or 0), int(counts["won"] or 0)
        out.append(StageProbability(
            probability=won / reached if reached else None, source="data", won=won,
            closed=reached, small_sample=reached < funnel.stage_min_sample(stage),
            unknown_lost=unknown))
    return out


def weighted(frame: pl.DataFrame | pl.LazyFrame, probabilities: list[StageProbability]
             ) -> pl.DataFrame | pl.LazyFrame:
    """The open deals of `frame` at a funnel stage, with their stage's probability."""
    # Taken by position from the stages' probabilities (depth 1..n; place 0 unused): a
    # lookup a third of replace_strict's cost over the open deals of a big export.
    by_depth = pl.Series([None, *(s.probability for s in probabilities)], dtype=pl.Float64)
    return frame.filter((pl.col(OUTCOME) == "open") & (pl.col(DEPTH) >= 1)).with_columns(
        pl.lit(by_depth).gather(pl.col(DEPTH)).alias(WEIGHT))


# The forecast's rows in order: the overdue deals, each month from the as-of day on, the
# deals without an expected close.
BUCKETS = {0: "overdue", 1: "month", 2: "no_date"}


def open_pipeline(frame: pl.DataFrame, probabilities: list[StageProbability], as_of: dt.date,
                  snoozed: set[str] | frozenset = frozenset()) -> pl.DataFrame:
    """The open deals at a funnel stage with the numbers the forecast reads (id, depth,
    amount, currency, `_day` of the expected close, `_held` when snoozed, `_rank` of its
    bucket, their stage's probability): taken once, without the text columns but the
    manager (the overdue deals per manager are counted from them); the plan's pipeline
    reads the same rows by `_day`."""
    columns = frame.columns
    keep = ["manager"] if "manager" in columns else []
    day = pl.col(EXPECTED).dt.date() if EXPECTED in columns else pl.lit(None, pl.Date)
    rank = (pl.when(pl.col("_day").is_null()).then(2).when(pl.col("_day") < as_of).then(0)
            .otherwise(1).cast(pl.Int8))
    return (weighted(frame.lazy().select("deal_id", DEPTH, OUTCOME, "amount",
                                         _currency(columns), day.alias("_day"),
                                         _held(snoozed).alias("_held"), *keep),
                     probabilities)
            .with_columns(rank.alias("_rank")).drop(OUTCOME).collect())


def forecast(frame: pl.DataFrame, funnel: Funnel, probabilities: list[StageProbability],
             as_of: dt.date, snoozed: set[str] | frozenset = frozenset(),
             open_deals: pl.DataFrame | None = None) -> Forecast:
    """The weighted open pipeline per expected close month and currency, and the overdue
    deals (expected close before `as_of`, not snoozed), oldest expected close first.

    The open deals' numbers are taken once (open_pipeline; `open_deals` when the caller
    has them already); the small results are collected together from them; the months
    are written as text on the grouped rows, and only the overdue deals of the earliest
    days are sorted for the list."""
    columns = frame.columns
    if open_deals is None:
        open_deals = open_pipeline(frame, probabilities, as_of, snoozed)
    open_deals = open_deals.lazy()
    # Per day first, then the days' rows per month: the month is worked out on the
    # grouped days (a few hundred), not on every open deal.
    per_day = (open_deals.group_by("_rank", "_day", CURRENCY)
               .agg(pl.len().alias("deals"), pl.col("amount").sum().alias("amount"),
                    (pl.col("amount") * pl.col(WEIGHT)).sum().alias("weighted"),
                    (pl.col(WEIGHT).is_null() & pl.col("amount").is_not_null()).any()
                    .alias("_unweighted")))
    grouped = (per_day.group_by(
        "_rank", pl.when(pl.col("_rank") == 1).then(pl.col("_day").dt.month_start())
        .alias("_month"), CURRENCY)
        .agg(pl.col("deals", "amount", "weighted").sum(), pl.col("_unweighted").any())
        .sort("_rank", "_month", CURRENCY, nulls_last=True))
    late = open_deals.filter((pl.col("_rank") == 0) & ~pl.col("_held"))
    queries = [grouped,
               open_deals.select(pl.len().alias("deals"),
                                 pl.col("amount").null_count().alias("without_amount")),
               late.group_by(CURRENCY).agg(pl.col("amount").sum(), pl.len().alias("deals"))
               .sort(CURRENCY),
               # The listed deals are among those of the LIST_LIMIT earliest days.
               late.select(pl.col("_day").bottom_k(LIST_LIMIT).max()),
               _per_manager(late, "manager" in columns)]
    grouped, counts, amounts, last_day, managers = pl.collect_all(queries)
    listed = _earliest(late, last_day.item())
    return forecast_from(grouped, counts.row(0), amounts, listed, managers, funnel, as_of)


def _currency(columns: list[str]) -> pl.Expr:
    """A deal's currency code, "" for none (the forecast's rows group by it)."""
    code = pl.col(CURRENCY).fill_null("") if CURRENCY in columns else pl.lit("")
    return code.alias(CURRENCY)


def _held(snoozed: set[str] | frozenset) -> pl.Expr:
    """Whether a deal is snoozed (its id is in `snoozed`)."""
    return pl.col("deal_id").cast(pl.String).is_in(list(snoozed)) if snoozed else pl.lit(False)


def forecast_from(grouped: pl.DataFrame, counts: tuple[int, int], amounts: pl.DataFrame,
                  listed: pl.DataFrame, managers: pl.DataFrame, funnel: Funnel,
                  as_of: dt.date) -> Forecast:
    """The Forecast of any engine's aggregates: `grouped` (per _rank, _month, currency,
    sorted: deals, amount, weighted, _unweighted), `counts` (open deals, those without an
    amount), `amounts` (the overdue deals not snoozed per currency: amount, deals),
    `listed` (the first LIST_LIMIT of them: deal_id, manager, depth, amount, currency,
    _day) and `managers` (manager, overdue deals)."""
    rows = [ForecastRow(month=r["_month"].strftime("%Y-%m") if r["_month"] else None,
                        bucket=BUCKETS[r["_rank"]], currency=r[CURRENCY] or None,
                        deals=r["deals"], amount=to_cents(r["amount"]),
                        weighted=None if r["_unweighted"] else to_cents(r["weighted"]))
            for r in grouped.iter_rows(named=True)]
    names = {k: s.name for k, s in enumerate(funnel.stages, 1)}
    deals = [ListedDeal(deal_id=str(r["deal_id"]), stage=names[r[DEPTH]],
                        manager=r.get("manager"), amount=r["amount"],
                        currency=r[CURRENCY] or None, days=float((as_of - r["_day"]).days),
                        expected_close=r["_day"])
             for r in listed.iter_rows(named=True)]
    currencies = sorted({r.currency for r in rows if r.currency})
    open_count, without_amount = counts
    return Forecast(as_of=as_of, rows=rows, open_deals=open_count,
                    without_amount=without_amount,
                    overdue=Overdue(deals=int(amounts["deals"].sum()),
                                    amounts={k: to_cents(v)
                                             for k, v, _ in amounts.iter_rows()},
                                    listed=deals, by_manager=dict(managers.iter_rows())),
                    currencies=currencies)


def _earliest(late: pl.LazyFrame, last: dt.date | None) -> pl.DataFrame:
    """The first LIST_LIMIT overdue deals (`late`: open_pipeline's, not snoozed) by
    expected close and id: the few of the days up to `last` sorted."""
    if last is None:
        return pl.DataFrame()
    keep = [c for c in ("manager", DEPTH, "amount") if c in late.collect_schema().names()]
    # (the id as text: a typed id from Parquet sorts as the text shown, like a CSV's)
    return (late.filter(pl.col("_day") <= last)
            .select(pl.col("deal_id").cast(pl.String), *keep, CURRENCY, "_day")
            .sort("_day", "deal_id").head(LIST_LIMIT).collect())


def _per_manager(deals: pl.LazyFrame, has_manager: bool) -> pl.LazyFrame:
    """manager -> deals (deals with no manager left out), for the scorecard."""
    if not has_manager:
        return pl.LazyFrame(schema={"manager": pl.String, "len": pl.UInt32})
    return (deals.filter(pl.col("manager").is_not_null()).group_by("manager").len()
            .sort("manager"))
