"""A deal funnel's rows aggregated once, for its summary (metrics/breakdown) and its money
view (metrics/value) alike: per segment column, the deals per (segment value, depth,
outcome), with their summed amount and the deals that have one when the deals are
priced; and the won deals' medians (cycle, and with amounts the won deal) overall and per
segment value. Every count, entered / won / lost per stage and every money sum of either
view is a sum of these few rows (a few thousand for 200 managers), so a million deals
are grouped once per column, not once per view, and the group-by's keys are three
small columns rather than a row of eight filtered sums.

A breakdown's folded "(other)" row has medians of its own, not a sum: `add_rest_medians`
takes them from the won deals of the values not kept, once the kept values are known.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from funnelctl.metrics.funnel import CYCLE_DAYS, DEPTH, OUTCOME, cycle_aggregates
from funnelctl.report import EMPTY

SEGMENT = "_segment"
AMOUNT = "amount"
IS_WON = pl.col(OUTCOME) == "won"


@dataclass
class OutcomeTables:
    """`by_column`: column -> (SEGMENT, DEPTH, OUTCOME, deals[, value, priced]), sorted;
    `whole`: (DEPTH, OUTCOME, deals[, value, priced]), sorted; `won` the won deals'
    medians, `won_by` per column and segment value, `rest` per folded column (the other
    row's, from add_rest_medians): cycle_median, cycle_p90 and with amounts `median` (the
    median won deal) and `cycle` (= cycle_median, as metrics/value names it)."""

    by_column: dict[str, pl.DataFrame]
    whole: pl.DataFrame
    won: dict
    won_by: dict[str, dict[str, dict]]
    priced: bool
    won_deals: pl.DataFrame  # the won deals' segment values (labelled), outcome, cycle[, amount]
    rest: dict[str, dict] = field(default_factory=dict)


def segment_label(column: str) -> pl.Expr:
    """A segment column's value as text, a blank one a segment of its own (EMPTY)."""
    return pl.col(column).cast(pl.String).fill_null(EMPTY).alias(SEGMENT)


def outcome_tables(frame: pl.DataFrame, columns: list[str], priced: bool) -> OutcomeTables:
    """The tables of `frame` (depth, outcome, cycle_days[, amount]) per column of
    `columns` (a funnel's breakdown, and the money view's managers), in one collect_all:
    Polars runs the group-bys side by side over the same frame."""
    rows = frame.lazy()
    # The won deals (a small share of the rows) taken once with what their medians read:
    # the other rows' medians filter them by segment value, not every deal again.
    won_deals = rows.filter(IS_WON).select(
        *[segment_label(c).alias(c) for c in columns], OUTCOME, CYCLE_DAYS,
        *([AMOUNT] if priced else [])).collect()
    won = won_deals.lazy()
    queries = [_grouped(rows, [segment_label(c), pl.col(DEPTH), pl.col(OUTCOME)], priced)
               for c in columns]
    if not columns:
        queries.append(_grouped(rows, [pl.col(DEPTH), pl.col(OUTCOME)], priced))
    queries.append(won.select(won_medians(priced)))
    queries += [won.group_by(pl.col(c).alias(SEGMENT)).agg(won_medians(priced))
                for c in columns]
    got = pl.collect_all(queries)
    tables, rest = got[:len(columns)] or got[:1], got[len(columns) or 1:]
    whole = _summed(tables[0], DEPTH) if columns else tables[0]
    return OutcomeTables(
        by_column=dict(zip(columns, tables)), whole=whole,
        won=_named(rest[0].row(0, named=True), priced), priced=priced,
        won_by={c: {row[SEGMENT]: _named(row, priced) for row in t.iter_rows(named=True)}
                for c, t in zip(columns, rest[1:])}, won_deals=won_deals)


def add_rest_medians(tables: OutcomeTables, kept: dict[str, list[str]]) -> None:
    """Each folded column's other row's medians (`kept`: column -> its values not
    folded), over the won deals of the other values, in one collect_all."""
    won = tables.won_deals.lazy()
    queries = [won.filter(~pl.col(c).is_in(values)).select(won_medians(tables.priced))
               for c, values in kept.items()]
    for column, got in zip(kept, pl.collect_all(queries)):
        tables.rest[column] = _named(got.row(0, named=True), tables.priced)


def won_medians(priced: bool) -> list[pl.Expr]:
    """Over won deals: the cycle's median and 90th percentile (cycle_aggregates) and, with
    amounts, the median won deal."""
    return cycle_aggregates() + ([pl.col(AMOUNT).median().alias("median")] if priced else [])


def _named(row: dict, priced: bool) -> dict:
    return row | {"cycle": row["cycle_median"]} if priced else row


def in_cents(total: pl.Expr) -> pl.Expr:
    """A group's sum of amounts rounded to cents: Polars (and ClickHouse) add a group's
    amounts in no fixed order, so its last digits would vary from run to run (and a
    nightly report's JSON with them); cents are the same every run, and every sum over
    the grouped rows adds them in one order (metrics/forecast.to_cents likewise)."""
    return total.round(2)


def _grouped(rows: pl.LazyFrame, keys: list[pl.Expr], priced: bool) -> pl.LazyFrame:
    """The deals per key (and their amounts' sum in cents and count), sorted: every sum
    over these rows adds them up in one order, whatever order the group-by gave."""
    sums = [in_cents(pl.col(AMOUNT).sum()).alias("value"),
            pl.col(AMOUNT).count().alias("priced")] if priced else []
    names = [k.meta.output_name() for k in keys]
    return rows.group_by(keys).agg(pl.len().alias("deals"), *sums).sort(names, nulls_last=True)


def _summed(table: pl.DataFrame, key: str) -> pl.DataFrame:
    """A (SEGMENT, DEPTH, OUTCOME) table summed per (key, OUTCOME), in its sorted order."""
    # (the values' sum in cents again: a group-by adds its rows in no fixed order)
    sums = [in_cents(pl.col(c).sum()) if c == "value" else pl.col(c).sum()
            for c in ("deals", "value", "priced") if c in table.columns]
    return (table.group_by(key, OUTCOME, maintain_order=True).agg(sums)
            .sort(key, OUTCOME, nulls_last=True))


def summed_by_segment(table: pl.DataFrame) -> pl.DataFrame:
    """(SEGMENT, OUTCOME, deals[, value, priced]) of a column's table."""
    return _summed(table, SEGMENT)


def count_rows(table: pl.DataFrame, n_stages: int, key: str | None = SEGMENT) -> pl.DataFrame:
    """Per key (None: one row) what metrics/funnel.funnel_aggregates counts over the
    deals: entities, entered_1..n (depth >= k), won, lost."""
    deals = pl.col("deals")
    counts = [deals.sum().alias("entities"),
              *[deals.filter(pl.col(DEPTH) >= k).sum().alias(f"entered_{k}")
                for k in range(1, n_stages + 1)],
              deals.filter(pl.col(OUTCOME) == "won").sum().alias("won"),
              deals.filter(pl.col(OUTCOME) == "lost").sum().alias("lost")]
    return table.select(counts) if key is None else table.group_by(key).agg(counts)

