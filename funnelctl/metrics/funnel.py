"""Deal-snapshot funnels: how deep each deal got, and entered / won / lost per stage.

Semantics (DESIGN.md): a deal at stage k has passed stages 1..k; a won deal passed every
stage; a lost deal passed up to the stage it was lost at when the data says so (a status
column next to the stage, or a `lost_stage` column). Where nothing says, its depth is 0:
it stays out of every stage count and conversion, and still counts in the deals, the lost
and the win rate (a guessed stage 1 would drag the first conversion down).
"""

from __future__ import annotations

import difflib

import polars as pl

from funnelctl.config import Funnel
from funnelctl.io.deals import STATUSES
from funnelctl.io.values import EDGES
from funnelctl.metrics.stats import ratio, wilson_interval
from funnelctl.report import FunnelResult, StageResult, TimeFromFirst

DEPTH = "depth"
OUTCOME = "outcome"
LOSS_STAGE_KNOWN = "loss_stage_known"
CYCLE_DAYS = "cycle_days"
STAGE_CODE = "_stage_code"  # deal_depths' one lookup of the stage value (dropped)
UNPLACED = 0  # the depth of a lost deal whose loss stage nothing in the data says


def _distinct_keys(frame: pl.DataFrame, column: str) -> dict[str, str]:
    """Each distinct value of the column -> it trimmed and lower-cased. Stage columns hold
    a handful of distinct values over millions of deals: everything a stage value decides
    (its index, whether it is the funnel's, won or lost) is worked out once per distinct
    value and mapped onto the rows in one lookup, without a normalised copy of the column."""
    values = frame[column].unique().drop_nulls().cast(pl.String)  # (the reader's: an Enum)
    return dict(zip(values.to_list(), values.str.strip_chars(EDGES).str.to_lowercase().to_list()))


def _lookup(column: str, keys: dict[str, str], table: dict[str, int]) -> pl.Expr:
    """table[normalised value] of each row (Int32; null for a value not in it)."""
    return pl.col(column).replace_strict(
        pl.Series(list(keys), dtype=pl.String),
        pl.Series([table.get(k) for k in keys.values()], dtype=pl.Int32),
        default=None, return_dtype=pl.Int32)


def _among(column: str, keys: dict[str, str], wanted: list[str]) -> pl.Expr:
    """Whether each row's normalised value is one of `wanted` (null for a null value)."""
    chosen = set(wanted)
    return pl.col(column).is_in(
        pl.Series([v for v, k in keys.items() if k in chosen], dtype=pl.String).implode())


def suspect_values(funnel: Funnel, present: list[str]) -> list[tuple[str, str, str]]:
    """(meaning, value, closest data value) for each configured value that no row has while
    a data value no stage claims looks like it: almost always a typo in the config."""
    present_keys = {p.strip().lower() for p in present}
    listed = {v.strip().lower() for _, v in funnel.value_meanings()}
    unclaimed = [p for p in present if p.strip().lower() not in listed]
    out = []
    for meaning, value in funnel.value_meanings():
        if value.strip().lower() in present_keys:
            continue
        close = difflib.get_close_matches(value, unclaimed, n=1, cutoff=0.6)
        if close:
            out.append((meaning, value, close[0]))
    return out


def stage_index(funnel: Funnel) -> dict[str, int]:
    """Normalised stage value -> 1-based position of its stage in the funnel."""
    return {v.strip().lower(): i for i, s in enumerate(funnel.stages, 1) for v in s.values()}


def deal_depths(deals: pl.DataFrame, funnel: Funnel, has_status: bool,
                has_lost_stage: bool, claim_closed: bool = True) -> pl.DataFrame:
    """Add depth (1..n; null for a deal that is not this funnel's), outcome and cycle_days.

    A deal is the funnel's when its stage is one of the funnel's stage, won or lost
    values (and, with `pipeline:`, in that pipeline). With claim_closed (the only funnel
    on its source), a deal a status column calls won or lost is the funnel's whatever its
    stage value.
    """
    n = len(funnel.stages)
    index = stage_index(funnel)
    won_values = [v.strip().lower() for v in funnel.won]
    lost_values = [v.strip().lower() for v in funnel.lost]
    stages = _distinct_keys(deals, "stage")
    # One lookup per row: the stage's index (1..n), 0 for a won or lost value that is no
    # stage, null for a value that is not the funnel's; a null stage stays unknown (null).
    claimed = _lookup("stage", stages, {**dict.fromkeys([*won_values, *lost_values], 0), **index})
    code = pl.col(STAGE_CODE)  # computed once, in the first step below
    stage_idx = pl.when(code > 0).then(code)
    member = pl.when(pl.col("stage").is_not_null()).then(code.is_not_null())
    if has_status and claim_closed:  # (two comparisons: cheaper than is_in on text)
        member = member | (pl.col("status") == "won") | (pl.col("status") == "lost")
    if funnel.pipeline is not None:
        member = member & (pl.col("pipeline") == funnel.pipeline.strip()).fill_null(False)
    if has_status:
        outcome = pl.col("status")
    else:
        outcome = (pl.when(_among("stage", stages, won_values)).then(pl.lit("won", STATUSES))
                   .when(_among("stage", stages, lost_values)).then(pl.lit("lost", STATUSES))
                   .otherwise(pl.lit("open", STATUSES)))
    if has_lost_stage:
        loss_idx = _lookup("lost_stage", _distinct_keys(deals, "lost_stage"), index)
        if has_status:  # a blank stage-at-loss: the stage column says where it was lost
            loss_idx = loss_idx.fill_null(stage_idx)
    else:
        loss_idx = stage_idx if has_status else pl.lit(None, pl.Int32)
    if (from_dates := loss_from_stage_dates(deals, funnel)) is not None:
        loss_idx = loss_idx.fill_null(from_dates)
    depth = (pl.when(~member).then(pl.lit(None, pl.Int32))
             .when(pl.col(OUTCOME) == "won").then(pl.lit(n, pl.Int32))
             .when(pl.col(OUTCOME) == "lost").then(loss_idx.fill_null(UNPLACED))
             .otherwise(stage_idx))
    cycle = pl.lit(None, pl.Float64)
    if "closed_at" in deals.columns:
        # The reader rejects a close day before the creation day; a date-only close date
        # on the creation day (00:00, before the creation time) is a cycle of 0, not < 0.
        cycle = pl.when(pl.col(OUTCOME) == "won").then(
            ((pl.col("closed_at") - pl.col("created_at")).dt.total_seconds() / 86400.0)
            .clip(lower_bound=0.0))
    return deals.with_columns(outcome.alias(OUTCOME), claimed.alias(STAGE_CODE)).with_columns(
        depth.alias(DEPTH),
        (pl.col(OUTCOME) != "lost").or_(loss_idx.is_not_null()).alias(LOSS_STAGE_KNOWN),
        cycle.alias(CYCLE_DAYS),
    ).drop(STAGE_CODE)


def stage_date_columns(columns: list[str], funnel: Funnel) -> list[tuple[int, str]]:
    """(stage index 1..n, column) for every `entered:<stage>` column (HubSpot's "Date
    entered") that names one of the funnel's stage values, in stage order."""
    dated = {c.removeprefix("entered:").strip().lower(): c
             for c in columns if c.startswith("entered:")}
    return [(k, dated[v.strip().lower()]) for k, stage in enumerate(funnel.stages, 1)
            for v in stage.values() if v.strip().lower() in dated]


def loss_from_stage_dates(deals: pl.DataFrame, funnel: Funnel) -> pl.Expr | None:
    """The furthest stage with a date in its `entered:<stage>` column (HubSpot's "Date
    entered"), when that is sure: every later stage must have a column, so that its empty
    cell means "never entered". None when the frame has no such column for the funnel."""
    by_stage: dict[int, list[str]] = {}
    for k, column in stage_date_columns(deals.columns, funnel):
        by_stage.setdefault(k, []).append(column)
    dated = {k: pl.coalesce([pl.col(c) for c in found]) for k, found in by_stage.items()}
    if not dated:
        return None
    n = len(funnel.stages)
    complete_after = {k: all(j in dated for j in range(k + 1, n + 1)) for k in range(1, n + 1)}
    loss = pl.lit(1 if complete_after[1] else None, pl.Int32)
    for k in sorted(dated):  # built from the first stage up: the furthest date wins
        loss = pl.when(dated[k].is_not_null()).then(
            pl.lit(k if complete_after[k] else None, pl.Int32)).otherwise(loss)
    if "entered_unreadable" in deals.columns:  # a date that did not parse: nothing is sure
        loss = pl.when(pl.col("entered_unreadable")).then(None).otherwise(loss)
    return loss


def funnel_aggregates(n_stages: int, optional: tuple[int, ...] = ()) -> list[pl.Expr]:
    """An event funnel's expressions for one row of counts and step times: usable in
    select() and in group_by().agg(). optional: 1-based steps that may be skipped, counted
    by their own reach (time_k). time_k: seconds from step 1 to step k, null if not reached.
    (A deal funnel's counts are sums of its outcome tables: metrics/outcome_tables.)"""
    return [
        pl.len().alias("entities"),
        *[entered_count(k, k in optional).sum().alias(f"entered_{k}")
          for k in range(1, n_stages + 1)],
        *[agg for k in range(2, n_stages + 1) for agg in (
            pl.col(f"time_{k}").median().alias(f"time_median_{k}"),
            pl.col(f"time_{k}").quantile(0.9, interpolation="linear").alias(f"time_p90_{k}"))],
    ]


def cycle_aggregates() -> list[pl.Expr]:
    """The cycle days' median and 90th percentile, over the won deals already filtered
    (a deal without a close date has none and is left out): a filter inside a group-by's
    median gathers every group's rows into lists (at 3M deals it took most of the
    breakdown's time and ~200 MiB)."""
    return [pl.col(CYCLE_DAYS).median().alias("cycle_median"),
            pl.col(CYCLE_DAYS).quantile(0.9, interpolation="linear").alias("cycle_p90")]


def stage_results(funnel: Funnel, row: dict) -> list[StageResult]:
    """Conversions and Wilson intervals from one aggregated row of entered counts."""
    entered = [int(row[f"entered_{k}"]) for k in range(1, len(funnel.stages) + 1)]
    first = entered[0]
    results = []
    bases = conversion_bases([stage.optional for stage in funnel.stages])
    for k, stage in enumerate(funnel.stages):
        before = bases[k]
        prev = entered[before] if before is not None else None
        interval = wilson_interval(entered[k], prev) if prev is not None else None
        results.append(StageResult(
            name=stage.name,
            entered=entered[k],
            conversion_from_previous=ratio(entered[k], prev) if prev is not None else None,
            conversion_from_first=ratio(entered[k], first),
            ci_low=interval[0] if interval else None,
            ci_high=interval[1] if interval else None,
            good=stage.conversion.good if stage.conversion else None,
            acceptable=stage.conversion.acceptable if stage.conversion else None,
            time_from_first=_time_from_first(row, k + 1),
            optional=stage.optional,
        ))
    return results


def conversion_bases(optional: list[bool]) -> list[int | None]:
    """For each stage, the stage its conversion is from: the one before, skipping optional
    event steps (a step after an optional one converts from the last required step,
    docs/event-funnels.md "Optional steps"); None for the first."""
    return [None, *(next(j for j in range(k - 1, -1, -1) if not optional[j] or j == 0)
                    for k in range(1, len(optional)))]


def entered_count(k: int, optional: bool) -> pl.Expr:
    """Entered stage k (1-based): depth >= k, or for an optional event step its own reach."""
    return pl.col(f"time_{k}").is_not_null() if optional else pl.col(DEPTH) >= k


def won_row(result: FunnelResult, won_label: str = "won") -> StageResult | None:
    """With no lost deal at all the win rate is 100% (or nothing) whatever the funnel
    did: the conversion into won, won / entered, as one more row of the stage table."""
    if result.won is None or result.lost or not result.stages or not result.stages[0].entered:
        return None
    last, first = result.stages[-1].entered, result.stages[0].entered
    low, high = wilson_interval(result.won, last) if last else (None, None)
    return StageResult(name=won_label, entered=result.won,
                       conversion_from_previous=ratio(result.won, last),
                       conversion_from_first=ratio(result.won, first), ci_low=low, ci_high=high)


def _time_from_first(row: dict, k: int) -> TimeFromFirst | None:
    median = row.get(f"time_median_{k}")
    if median is None:
        return None
    return TimeFromFirst(median_s=float(median), p90_s=float(row[f"time_p90_{k}"]))
