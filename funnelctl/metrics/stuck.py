"""Stuck deals: open deals that have sat in their stage longer than its `max_days`, as of
a reference moment; `max_days: auto` learned from the data; deals a snooze file holds.

Learned threshold (`max_days: auto`): the 80th percentile (linear interpolation) of the
days that deals which left the stage spent in it (stage history: entry to the next entry,
summed over re-entries, as in time in stage; a snapshot's `entered:<stage>` columns: entry
to the next dated entry or the close). Deals still in the stage are not in the sample:
they are what is judged. No deal has left the stage: no threshold, and the report says so.

A stuck deal is one whose current stage was entered more than its limit before the moment
(a snapshot has no history: there the entry is the export's "stage changed at" column).
A deal snoozed until a date on or after the as-of day is not counted, and is counted as
snoozed instead.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from funnelctl.config import Funnel
from funnelctl.metrics.funnel import DEPTH, OUTCOME, stage_date_columns
from funnelctl.metrics.history import ORDER, ROLE
from funnelctl.report_forecast import LIST_LIMIT, LearnedMaxDays, ListedDeal

DAYS = "days"
SECONDS_PER_DAY = 86400.0
QUANTILE = 0.8
LIST_COLUMNS = ("manager", "amount", "currency")


def days_between(later: pl.Expr, earlier: pl.Expr) -> pl.Expr:
    return (later - earlier).dt.total_seconds() / SECONDS_PER_DAY


def per_deal_times(entries: pl.DataFrame) -> pl.DataFrame:
    """(deal_id, ORDER, DAYS): days each deal spent in each funnel stage it left, from
    classified stage-history entries (sorted per deal by time)."""
    exits = entries.with_columns(
        pl.col("entered_at").shift(-1).over("deal_id").alias("_left_at"))
    return (exits.filter((pl.col(ROLE) == "stage") & pl.col("_left_at").is_not_null())
            .group_by("deal_id", ORDER)
            .agg(days_between(pl.col("_left_at"), pl.col("entered_at")).sum().alias(DAYS)))


def snapshot_times(deals: pl.DataFrame, funnel: Funnel) -> pl.DataFrame | None:
    """The same from a snapshot's `entered:<stage>` columns (HubSpot's "Date entered"):
    a stage is left at the next later dated entry, or at the close of a closed deal.
    None when the frame has no such column for the funnel's stages."""
    found = stage_date_columns(deals.columns, funnel)
    parts = [deals.select("deal_id", pl.lit(k, pl.Int32).alias(ORDER),
                          pl.col(column).alias("entered_at")) for k, column in found]
    if not parts:
        return None
    if "closed_at" in deals.columns:
        parts.append(deals.filter(pl.col(OUTCOME) != "open").select(
            "deal_id", pl.lit(None, pl.Int32).alias(ORDER),
            pl.col("closed_at").alias("entered_at")))
    long = (pl.concat(parts).filter(pl.col("entered_at").is_not_null())
            .sort(["deal_id", "entered_at"], maintain_order=True)
            .with_columns(pl.when(pl.col(ORDER).is_not_null()).then(pl.lit("stage"))
                          .alias(ROLE)))
    return per_deal_times(long)


def learn_limits(times: pl.DataFrame, funnel: Funnel) -> dict[int, LearnedMaxDays]:
    """{stage index: learned threshold} for the stages with `max_days: auto`."""
    auto = auto_stages(funnel)
    if not auto:
        return {}
    learned = (times.filter(pl.col(ORDER).is_in(auto)).group_by(ORDER)
               .agg(pl.col(DAYS).quantile(QUANTILE, interpolation="linear").alias("q"),
                    pl.len().alias("n")))
    return learned_from({row[ORDER]: (row["q"], row["n"])
                         for row in learned.iter_rows(named=True)}, funnel)


def auto_stages(funnel: Funnel) -> list[int]:
    return [i for i, s in enumerate(funnel.stages, 1) if s.max_days == "auto"]


def learned_from(found: dict[int, tuple[float | None, int]], funnel: Funnel
                 ) -> dict[int, LearnedMaxDays]:
    """learn_limits from any engine's {stage index: (the QUANTILE of the days, deals)}."""
    out = {}
    for i in auto_stages(funnel):
        need = funnel.stage_min_sample(funnel.stages[i - 1])
        q, n = found.get(i, (None, 0))
        days = float(q) if q is not None else None
        out[i] = LearnedMaxDays(days=round(days, 2) if days is not None else None,
                                deals=int(n), small_sample=int(n) < need)
    return out


def limits_of(funnel: Funnel, learned: dict[int, LearnedMaxDays]) -> dict[int, float]:
    """{stage index: max days} with `auto` replaced by its learned number (a stage with
    nothing learned, or a learned 0, has no limit)."""
    out = {}
    for i, stage in enumerate(funnel.stages, 1):
        if stage.max_days == "auto":
            days = learned[i].days if i in learned else None
            if days:
                out[i] = days
        elif stage.max_days:
            out[i] = float(stage.max_days)
    return out


def stuck_in_history(entries: pl.DataFrame, limits: dict[int, float], moment: dt.datetime,
                     snoozed: set[str] | frozenset = frozenset()) -> dict[int, dict]:
    """{stage index: {stuck, oldest_days, deals, snoozed}} from classified stage history."""
    if not limits:
        return {}
    keep = [c for c in LIST_COLUMNS if c in entries.columns]
    current = (entries.filter(pl.col("entered_at") < moment)
               .group_by("deal_id").agg(pl.col(ROLE, ORDER, "entered_at", *keep).last()))
    waiting = current.filter(pl.col(ROLE) == "stage").with_columns(
        days_between(pl.lit(moment), pl.col("entered_at")).alias(DAYS)).rename({ORDER: "_at"})
    return _summarise(waiting, limits, snoozed)


def stuck_in_snapshot(deals: pl.DataFrame, limits: dict[int, float], moment: dt.datetime,
                      snoozed: set[str] | frozenset = frozenset()) -> dict[int, dict]:
    """The same from a snapshot with depth, outcome and stage_changed_at: open deals at a
    stage with a limit whose last stage change is more than the limit before `moment`. A
    change after `moment` (or none) is not counted."""
    if not limits:
        return {}
    waiting = (deals.filter((pl.col(OUTCOME) == "open") & (pl.col("stage_changed_at") < moment))
               .with_columns(days_between(pl.lit(moment), pl.col("stage_changed_at")).alias(DAYS),
                             pl.col(DEPTH).alias("_at")))
    return _summarise(waiting, limits, snoozed)


def _summarise(waiting: pl.DataFrame, limits: dict[int, float],
               snoozed: set[str] | frozenset) -> dict[int, dict]:
    rows = pl.DataFrame({"_at": list(limits), "_limit": list(limits.values())},
                        schema={"_at": pl.Int32, "_limit": pl.Float64})
    # (the id as text: a typed id from Parquet sorts as the text shown, like a CSV's)
    over = (waiting.with_columns(pl.col("_at").cast(pl.Int32)).join(rows, on="_at")
            .filter(pl.col(DAYS) > pl.col("_limit"))
            .with_columns(pl.col("deal_id").cast(pl.String))
            .with_columns(pl.col("deal_id").is_in(list(snoozed)).alias("_snoozed")))
    counted = over.filter(~pl.col("_snoozed"))
    per_stage = counted.group_by("_at").agg(pl.len().alias("stuck"),
                                            pl.col(DAYS).max().alias("oldest"))
    hidden = dict(over.filter(pl.col("_snoozed")).group_by("_at").len().iter_rows())
    listed = (counted.sort([DAYS, "deal_id"], descending=[True, False])
              .group_by("_at", maintain_order=True).head(LIST_LIMIT))
    managers = (counted.filter(pl.col("manager").is_not_null()).group_by("_at", "manager")
                .len().sort("manager").iter_rows() if "manager" in counted.columns else [])
    return stuck_from(limits, per_stage.iter_rows(named=True), hidden,
                      listed.iter_rows(named=True), managers)


def stuck_from(limits: dict[int, float], per_stage, hidden: dict[int, int], listed,
               managers) -> dict[int, dict]:
    """{stage index: {stuck, oldest_days, deals, snoozed, by_manager}} from any engine's
    aggregates: `per_stage` rows (_at, stuck, oldest) of the deals not snoozed, `hidden`
    (stage: snoozed deals over the limit), `listed` rows (_at, deal_id, days and the
    LIST_COLUMNS it has; per stage the LIST_LIMIT longest waiting, in order) and
    `managers` (_at, manager, deals), sorted by manager."""
    found = {row["_at"]: row for row in per_stage}
    by_stage: dict[int, list[ListedDeal]] = {}
    for row in listed:
        by_stage.setdefault(row["_at"], []).append(_listed(row))
    by_manager: dict[int, dict[str, int]] = {}
    for at, name, n in managers:
        by_manager.setdefault(at, {})[name] = n
    return {i: {"stuck": int(found[i]["stuck"]) if i in found else 0,
                "oldest_days": found[i]["oldest"] if i in found else None,
                "snoozed": int(hidden.get(i, 0)),
                "deals": by_stage.get(i, []),
                "by_manager": by_manager.get(i, {})}
            for i in limits}


def _listed(row: dict) -> ListedDeal:
    return ListedDeal(deal_id=str(row["deal_id"]), stage="", manager=row.get("manager"),
                      amount=row.get("amount"), currency=row.get("currency"),
                      days=round(row[DAYS], 2))
