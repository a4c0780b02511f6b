"""Funnels over stage history: each deal's depth, outcome and consistency from its entries.

Semantics (DESIGN.md): the furthest stage a deal entered, by the funnel's order, counts,
and the stages it skipped count as passed; entering a `won:` value passes every stage.
The last entry decides the outcome: a `won:` value means won, a `lost:` value lost,
anything else open. A deal moves backwards when it enters a stage before the furthest
one it had reached, and skips when it enters a stage (or won) beyond the next one,
including a first entry past stage 1: both make the funnel "inconsistent" (DOMAIN.md).
Entries with the same timestamp are taken in funnel order, so they never count as a
backward move.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from funnelctl.config import Funnel
from funnelctl.io.values import EDGES
from funnelctl.metrics.funnel import (
    CYCLE_DAYS,
    DEPTH,
    LOSS_STAGE_KNOWN,
    OUTCOME,
    UNPLACED,
    stage_index,
)

ORDER = "order"  # 1..n for funnel stages, n + 1 for won, null for lost and unmatched
ROLE = "role"  # "stage", "won", "lost", or null when the value matches nothing
BACKWARDS = "moved_backwards"
SKIPPED = "skipped_stages"
# The dated values a history row may carry (io.history): amount, its currency and the
# expected close date as they stood when the row was saved.
VALUES = ("amount", "currency", "expected_close")


def _norm(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars(EDGES).str.to_lowercase()


def classify(entries: pl.DataFrame, funnel: Funnel) -> pl.DataFrame:
    """Add ROLE and ORDER to every entry, sorted per deal by time, then funnel order."""
    n = len(funnel.stages)
    index = stage_index(funnel)
    won = [v.strip().lower() for v in funnel.won]
    lost = [v.strip().lower() for v in funnel.lost]
    stage = _norm(pl.col("stage"))
    idx = stage.replace_strict(index, default=None, return_dtype=pl.Int32)
    role = (pl.when(idx.is_not_null()).then(pl.lit("stage"))
            .when(stage.is_in(won)).then(pl.lit("won"))
            .when(stage.is_in(lost)).then(pl.lit("lost")))
    order = pl.when(pl.col(ROLE) == "won").then(pl.lit(n + 1, pl.Int32)).otherwise(idx)
    return (entries.with_columns(role.alias(ROLE))
            .with_columns(order.alias(ORDER))
            .sort(["deal_id", "entered_at", ORDER], nulls_last=True, maintain_order=True))


# A deal's last entry is grouped here, in advances.history_wins and in
# history_forecast.latest_state (latest_values groups the values), on purpose: here the
# last role and time are two aggregations of the group_by that makes depth and the kept
# columns; history_wins also serves a deals funnel's stage history, which has no
# deal_outcomes; latest_values is the last non-null value per column over the entries and
# edits, up to a moment for the waterfall, another grouping. One shared frame would be
# threaded through audit/deals, audit/history, KeptFunnel and the scorecard, or put
# forecast-only columns in the deal frame the scorecard, money view and JSON read, to
# save a group_by of about 0.1 s CPU on 3M entries of 1M deals.
def deal_outcomes(entries: pl.DataFrame, funnel: Funnel, keep: list[str]) -> pl.DataFrame:
    """One row per deal with a known entry: depth, outcome, created_at, cycle, consistency.

    `entries` comes from classify(); `keep` are per-deal columns (manager, breakdowns),
    taken from the deal's latest entry that has them.
    """
    n = len(funnel.stages)
    known = entries.filter(pl.col(ROLE).is_not_null())
    ordered = pl.col(ORDER).is_not_null()
    reached_before = pl.col(ORDER).cum_max().shift(1).over("deal_id").fill_null(0)
    flags = known.filter(ordered).with_columns(
        (pl.col(ORDER) < reached_before).alias(BACKWARDS),
        (pl.col(ORDER) > reached_before + 1).alias(SKIPPED),
    ).group_by("deal_id").agg(pl.col(BACKWARDS).any(), pl.col(SKIPPED).any())
    first_seen = entries.group_by("deal_id").agg(pl.col("entered_at").min().alias("created_at"))
    last_role = pl.col(ROLE).last()
    outcome = (pl.when(last_role == "won").then(pl.lit("won"))
               .when(last_role == "lost").then(pl.lit("lost")).otherwise(pl.lit("open")))
    deals = known.group_by("deal_id").agg(
        pl.col(ORDER).max().clip(upper_bound=n).alias(DEPTH),
        outcome.alias(OUTCOME),
        pl.col("entered_at").last().alias("_last_at"),
        *[pl.col(c).drop_nulls().last().alias(c) for c in keep],
    )
    # A lost deal with no funnel stage before its loss is placed nowhere (as for
    # snapshots): out of the stage conversions, in the deals, lost and win rate.
    lost_unplaced = (pl.col(OUTCOME) == "lost") & pl.col(DEPTH).is_null()
    return (
        deals.join(first_seen, on="deal_id", how="left")
        .join(flags, on="deal_id", how="left")
        .with_columns(
            pl.when(lost_unplaced).then(pl.lit(UNPLACED, pl.Int32)).otherwise(pl.col(DEPTH))
            .alias(DEPTH),
            (~lost_unplaced).alias(LOSS_STAGE_KNOWN),
            pl.when(pl.col(OUTCOME) == "won").then(
                (pl.col("_last_at") - pl.col("created_at")).dt.total_seconds() / 86400.0)
            .alias(CYCLE_DAYS),
            pl.col(BACKWARDS).fill_null(False),
            pl.col(SKIPPED).fill_null(False),
        )
        .drop("_last_at")
        .sort("deal_id")
    )


def furthest_stages(entries: pl.DataFrame) -> pl.DataFrame:
    """deal_id, furthest: the furthest funnel stage each deal entered (classified entries)."""
    return (entries.filter(pl.col(ROLE) == "stage").group_by("deal_id")
            .agg(pl.col(ORDER).max().alias("furthest")))


def place_lost_deals(deals: pl.DataFrame, furthest: pl.DataFrame) -> pl.DataFrame:
    """Snapshot deals (deal_depths) whose loss stage was unknown take the furthest stage
    their stage history entered; the others keep their depth."""
    unplaced = (pl.col(OUTCOME) == "lost") & ~pl.col(LOSS_STAGE_KNOWN) \
        & pl.col("furthest").is_not_null()
    # (a snapshot's typed id, from Parquet, is matched as text, as the history's ids are)
    key = pl.col("deal_id").cast(pl.String)
    return (deals.join(furthest, left_on=key, right_on="deal_id", how="left")
            .with_columns(pl.when(unplaced).then(pl.col("furthest")).otherwise(pl.col(DEPTH))
                          .alias(DEPTH),
                          (pl.col(LOSS_STAGE_KNOWN) | unplaced).alias(LOSS_STAGE_KNOWN))
            .drop("furthest", "deal_id_right"))


def consistency_counts(deals: pl.DataFrame) -> dict[str, int]:
    """How many deals moved backwards, skipped stages, or either (inconsistent)."""
    row = deals.select(
        pl.len().alias("deals"),
        pl.col(BACKWARDS).sum().alias(BACKWARDS),
        pl.col(SKIPPED).sum().alias(SKIPPED),
        (pl.col(BACKWARDS) | pl.col(SKIPPED)).sum().alias("inconsistent"),
    ).row(0, named=True)
    return {k: int(v) for k, v in row.items()}


def value_history(entries: pl.DataFrame, edits: pl.DataFrame | None,
                  values: list[str]) -> pl.DataFrame:
    """Every dated amount / currency / expected close of each deal, in time order: the
    classified entries (a row whose stage matches nothing plays no part) and the edit
    rows that are no stage move (Salesforce From Stage = To Stage: how a close date is
    usually pushed out). At the same time an edit comes after the move."""
    rows = [entries.filter(pl.col(ROLE).is_not_null()).select("deal_id", "entered_at", *values)]
    if edits is not None and edits.height:
        rows.append(edits.select("deal_id", "entered_at", *values))
    return pl.concat(rows, how="vertical_relaxed").sort(["deal_id", "entered_at"],
                                                        maintain_order=True)


def latest_values(entries: pl.DataFrame, edits: pl.DataFrame | None, values: list[str],
                  before: dt.datetime | None = None) -> pl.DataFrame:
    """deal_id and, per value, the last one set (by an entry or an edit) before `before`
    (a datetime; None: ever). A blank cell sets nothing: the value before it stands."""
    dated = value_history(entries, edits, values)
    if before is not None:
        dated = dated.filter(pl.col("entered_at") < before)
    return dated.group_by("deal_id", maintain_order=True).agg(
        pl.col(c).drop_nulls().last() for c in values)


def with_latest_values(deals: pl.DataFrame, entries: pl.DataFrame,
                       edits: pl.DataFrame | None) -> pl.DataFrame:
    """deal_outcomes' deals with each deal's latest amount, currency and expected close
    (latest_values), for the money view and the forecast: the same values the waterfall
    takes at the end of its period."""
    values = [c for c in VALUES if c in entries.columns]
    if not values:
        return deals
    return deals.drop(values, strict=False).join(latest_values(entries, edits, values),
                                                 on="deal_id", how="left")
