"""One funnel's numbers overall and per segment, from a frame with depth per entity."""

from __future__ import annotations

import polars as pl

from funnelctl.config import Funnel
from funnelctl.metrics.funnel import funnel_aggregates, stage_results
from funnelctl.metrics.stats import ratio, two_proportion_p_value
from funnelctl.report import CycleDays, FunnelResult, SegmentResult

EMPTY = "(empty)"
OUTCOME_KINDS = ("deals", "stage_history")  # kinds with won / lost / cycle
SIGNIFICANCE = 0.05


def summarise(frame: pl.DataFrame, funnel: Funnel, kind: str) -> FunnelResult:
    """Overall and breakdown numbers of one funnel over frame (depth, outcome, cycle_days)."""
    aggs = funnel_aggregates(len(funnel.stages), kind)
    row = frame.select(aggs).row(0, named=True)
    result = FunnelResult(
        name=funnel.name, source=funnel.source, kind=kind,
        entities=int(row["entities"]), stages=stage_results(funnel, row),
    )
    if kind in OUTCOME_KINDS:
        _add_outcomes(result, row)
    for column in funnel.breakdown:
        result.breakdowns[column] = segments(frame, funnel, column, row, kind)
    return result


def segments(frame: pl.DataFrame, funnel: Funnel, column: str, total: dict,
             kind: str) -> list[SegmentResult]:
    aggs = funnel_aggregates(len(funnel.stages), kind)
    rows = (
        frame.group_by(pl.col(column).fill_null(EMPTY).alias("value"))
        .agg(aggs)
        .sort(["entities", "value"], descending=[True, False])
        .iter_rows(named=True)
    )
    last = f"entered_{len(funnel.stages)}"
    out = []
    for row in rows:
        seg = SegmentResult(value=str(row["value"]), entities=int(row["entities"]),
                            stages=stage_results(funnel, row))
        if kind in OUTCOME_KINDS:
            _add_outcomes(seg, row)
        # Does this segment's overall conversion differ from the rest of the funnel's?
        seg.p_value = two_proportion_p_value(
            row[last], row["entered_1"],
            total[last] - row[last], total["entered_1"] - row["entered_1"])
        seg.differs = seg.p_value is not None and seg.p_value < SIGNIFICANCE
        out.append(seg)
    return out


def _add_outcomes(target: FunnelResult | SegmentResult, row: dict) -> None:
    target.won = int(row["won"])
    target.lost = int(row["lost"])
    target.win_rate = ratio(target.won, target.won + target.lost)
    if row["cycle_median"] is not None:
        target.cycle_days = CycleDays(median=float(row["cycle_median"]),
                                      p90=float(row["cycle_p90"]))
