"""Stage advances and wins of each deal, dated, for the scorecard's manager-week table
(pure Polars).

A stage advance is a deal moving on to a later funnel stage than any it had entered
before. From a stage history that is every such entry (the deal's first entry is its
creation, not an advance; won and lost entries are not advances, wins are counted on their
own). A snapshot holds less, and the basis is named: its "Date entered" columns (each
dated stage after the first: one advance on its date), or else `stage_changed_at` (an
open deal past the first stage: one advance, on the day it entered its current stage; its
earlier moves are not in a snapshot). A win is dated by the snapshot's close date, or by
the history's won entry.
"""

from __future__ import annotations

import polars as pl

from funnelctl.config import Funnel
from funnelctl.metrics.funnel import DEPTH, OUTCOME, stage_date_columns
from funnelctl.metrics.history import ORDER, ROLE

HISTORY, DATE_ENTERED, STAGE_CHANGED = "stage_history", "date_entered", "stage_changed_at"
ADVANCE, WIN = "advance", "win"
DAY, KIND = "day", "kind"


def _moves(frame: pl.DataFrame, at: pl.Expr, kind: str) -> pl.DataFrame:
    return frame.select(pl.col("deal_id").cast(pl.String), at.dt.date().alias(DAY),
                        pl.lit(kind).alias(KIND)).drop_nulls(DAY)


def history_advances(entries: pl.DataFrame) -> pl.DataFrame:
    """deal_id, day, kind: every entry into a funnel stage beyond the furthest the deal
    had entered before (classified entries, metrics/history.classify)."""
    ordered = entries.filter(pl.col(ORDER).is_not_null())
    before = pl.col(ORDER).cum_max().shift(1).over("deal_id")
    moved = ordered.filter((pl.col(ROLE) == "stage") & (pl.col(ORDER) > before))
    return _moves(moved, pl.col("entered_at"), ADVANCE)


def history_wins(entries: pl.DataFrame) -> pl.DataFrame:
    """The deals whose last known entry is a won value, on the day of that entry (the
    outcome rule of metrics/history.deal_outcomes)."""
    last = (entries.filter(pl.col(ROLE).is_not_null()).group_by("deal_id")
            .agg(pl.col(ROLE).last(), pl.col("entered_at").last()))
    return _moves(last.filter(pl.col(ROLE) == "won"), pl.col("entered_at"), WIN)


def snapshot_advances(deals: pl.DataFrame, funnel: Funnel) -> tuple[pl.DataFrame | None,
                                                                     str | None]:
    """(advances, basis) from a snapshot's "Date entered" columns of the stages after the
    first, else from stage_changed_at of the open deals past the first stage; (None,
    None) when it has neither."""
    later = [column for k, column in stage_date_columns(deals.columns, funnel) if k > 1]
    if later:
        parts = [_moves(deals, pl.col(c), ADVANCE) for c in later]
        return pl.concat(parts), DATE_ENTERED
    if "stage_changed_at" in deals.columns:
        moved = deals.filter((pl.col(OUTCOME) == "open") & (pl.col(DEPTH) > 1))
        return _moves(moved, pl.col("stage_changed_at"), ADVANCE), STAGE_CHANGED
    return None, None


def snapshot_wins(deals: pl.DataFrame) -> pl.DataFrame | None:
    if "closed_at" not in deals.columns:
        return None
    return _moves(deals.filter(pl.col(OUTCOME) == "won"), pl.col("closed_at"), WIN)


def deal_moves(deals: pl.DataFrame, funnel: Funnel, entries: pl.DataFrame | None
               ) -> tuple[pl.DataFrame, str | None, bool]:
    """(deal_id, day, kind rows, the advances' basis or None, whether wins are dated) of
    one funnel's deals: advances from its stage history when it has one, wins by the
    snapshot's close date when there is one."""
    if entries is not None:
        advances, basis = history_advances(entries), HISTORY
    else:
        advances, basis = snapshot_advances(deals, funnel)
    wins = snapshot_wins(deals)
    if wins is None and entries is not None:
        wins = history_wins(entries)
    parts = [p for p in (advances, wins) if p is not None]
    empty = pl.DataFrame(schema={"deal_id": pl.String, DAY: pl.Date, KIND: pl.String})
    return pl.concat([empty, *parts]), basis, wins is not None
