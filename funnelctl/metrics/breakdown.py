"""One funnel's numbers overall and per segment, from a frame with depth per entity."""

from __future__ import annotations

import polars as pl

from funnelctl.config import Funnel
from funnelctl.config.stats import Significance
from funnelctl.metrics.funnel import (
    funnel_aggregates,
    stage_results,
)
from funnelctl.metrics.outcome_tables import (
    SEGMENT,
    OutcomeTables,
    add_rest_medians,
    count_rows,
    outcome_tables,
)
from funnelctl.metrics.stats import adjust, proportion_test, ratio
from funnelctl.report import EMPTY, CycleDays, FunnelResult, SegmentResult

OTHER = "(other)"  # the row of the segments past `segments.top` or below `segments.min_size`
OUTCOME_KINDS = ("deals", "stage_history")  # kinds with won / lost / cycle


def summarise(frame: pl.DataFrame, funnel: Funnel, kind: str,
              significance: Significance | None = None) -> FunnelResult:
    """Overall and breakdown numbers of one funnel over frame (depth, outcome, cycle_days;
    an event funnel's: depth and time_k).

    Every segment of every breakdown column is one family of tests: the p-values are
    adjusted together, so ten managers do not give ten chances of a false alarm.
    """
    if kind in OUTCOME_KINDS:  # (their stages have no optional steps: config/steps.py)
        return summarise_outcomes(frame, funnel, kind, significance)[0]
    rows = frame.lazy()
    # The overall row and each column's rows per value in one collect_all: one plan,
    # Polars runs them side by side over the same frame.
    overall, *by_value = pl.collect_all(
        [aggregated(rows, None, funnel, kind)]
        + [aggregated(rows, segment_value(column), funnel, kind) for column in funnel.breakdown])
    parts = {column: segment_rows(rows, table, funnel, column, kind)
             for column, table in zip(funnel.breakdown, by_value)}
    return from_rows(funnel, kind, overall.row(0, named=True), parts, significance)


def summarise_outcomes(frame: pl.DataFrame, funnel: Funnel, kind: str,
                       significance: Significance | None = None, also: list[str] | None = None,
                       priced: bool = False) -> tuple[FunnelResult, OutcomeTables]:
    """summarise of deals (kind deals or stage_history) from their outcome tables
    (metrics/outcome_tables), and the tables, which the money view reads too: `also` the
    more segment columns it needs (its managers), `priced` with the amounts' sums."""
    columns = list(dict.fromkeys([*funnel.breakdown, *(also or [])]))
    tables = outcome_tables(frame, columns, priced)
    n = len(funnel.stages)
    counts = {c: {row[SEGMENT]: row
                  for row in count_rows(tables.by_column[c], n).iter_rows(named=True)}
              for c in funnel.breakdown}
    kept = {}
    for column, rows in counts.items():
        values, folded = kept_values({v: r["entities"] for v, r in rows.items()},
                                     funnel.segments.top, funnel.segments.min_size)
        if folded:
            kept[column] = values
    if kept:
        add_rest_medians(tables, kept)
    overall = count_rows(tables.whole, n, key=None).row(0, named=True) | tables.won
    parts = {column: _outcome_segments(rows, tables, column, kept.get(column))
             for column, rows in counts.items()}
    return from_rows(funnel, kind, overall, parts, significance), tables


def _outcome_segments(counts: dict[str, dict], tables: OutcomeTables, column: str,
                      kept: list[str] | None) -> tuple[list[dict], int]:
    """segment_rows from the outcome tables: each kept value's counts and won medians; the
    other row's counts summed over the values folded into it, its medians its own."""
    medians = tables.won_by[column]
    keep = set(counts) if kept is None else set(kept)
    rows = [{**row, **medians.get(value, NO_CYCLE), "value": value}
            for value, row in counts.items() if value in keep]
    folded = [row for value, row in counts.items() if value not in keep]
    if folded:
        summed = {key: sum(row[key] for row in folded) for key in folded[0] if key != SEGMENT}
        rows.append({**summed, **tables.rest[column], "value": OTHER})
    return report_order(rows), len(folded)


NO_CYCLE = {"cycle_median": None, "cycle_p90": None}  # a segment without won deals


def aggregated(rows: pl.LazyFrame, key: pl.Expr | None, funnel: Funnel, kind: str
               ) -> pl.LazyFrame:
    """An event funnel's aggregates over all rows (key None: one row) or per key
    ("value"); deal funnels' come from their outcome tables (summarise_outcomes)."""
    counts = funnel_aggregates(len(funnel.stages), optional_steps(funnel))
    return rows.select(counts) if key is None else rows.group_by(key.alias("value")).agg(counts)


def segment_value(column: str) -> pl.Expr:
    """A breakdown column's segment value: a blank one is a segment of its own (EMPTY)."""
    return pl.col(column).fill_null(EMPTY)


def from_rows(funnel: Funnel, kind: str, row: dict, parts: dict[str, tuple[list[dict], int]],
              significance: Significance | None = None) -> FunnelResult:
    """The result from aggregated rows (the funnel's, and per breakdown column its
    segments' rows and how many segments were folded): any engine's aggregates."""
    significance = significance or Significance()
    result = FunnelResult(
        name=funnel.name, source=funnel.source, kind=kind,
        entities=int(row["entities"]), stages=stage_results(funnel, row),
    )
    if kind in OUTCOME_KINDS:
        _add_outcomes(result, row)
    for column in funnel.breakdown:
        rows, folded = parts[column]
        result.breakdowns[column] = segment_results(rows, folded, funnel, row, kind,
                                                    significance.min_segment)
    judge_segments([s for segs in result.breakdowns.values() for s in segs], significance)
    return result


def optional_steps(funnel: Funnel) -> tuple[int, ...]:
    """The 1-based positions of the funnel's optional (event) steps."""
    return tuple(k for k, stage in enumerate(funnel.stages, 1) if stage.optional)


def judge_segments(family: list[SegmentResult], significance: Significance) -> None:
    """Adjust the family's p-values; a segment differs when its adjusted p is below the level."""
    adjusted = adjust([seg.p_value for seg in family], significance.correction)
    for seg, p in zip(family, adjusted):
        seg.p_adjusted = p
        seg.differs = p is not None and p < significance.level


def segment_rows(rows: pl.LazyFrame, by_value: pl.DataFrame, funnel: Funnel, column: str,
                 kind: str) -> tuple[list[dict], int]:
    """The aggregated rows of a breakdown column's segments (in report order) and how
    many segments were folded into the other row, from `by_value` (aggregated per
    value) and, when some are folded, one more group-by over a small integer per row
    (the kept value's position, the other row last), so the other row is aggregated
    from its own rows and its medians are true."""
    sizes = dict(by_value.select("value", "entities").iter_rows())
    kept, folded = kept_values(sizes, funnel.segments.top, funnel.segments.min_size)
    if folded == 0:
        return report_order(by_value.to_dicts()), 0
    labels = [*kept, OTHER]
    position = segment_value(column).replace_strict(
        pl.Series(kept, dtype=pl.String), pl.Series(range(len(kept)), dtype=pl.UInt32),
        default=len(kept), return_dtype=pl.UInt32)
    out = aggregated(rows, position, funnel, kind).collect().to_dicts()
    return report_order([{**row, "value": labels[row["value"]]} for row in out]), folded


def kept_values(sizes: dict[str, int], top: int, min_size: int) -> tuple[list[str], int]:
    """From segment sizes: the `top` biggest values of at least `min_size` (kept), and how
    many are folded into the other row."""
    ordered = sorted(sizes.items(), key=lambda item: (-item[1], item[0]))
    kept = [value for value, size in ordered if size >= min_size][:top]
    return kept, len(ordered) - len(kept)


def report_order(rows: list[dict]) -> list[dict]:
    """Segments as the report lists them: biggest first, the other row last."""
    return sorted(rows, key=lambda r: (r["value"] == OTHER, -r["entities"], r["value"]))


def segment_results(rows: list[dict], folded: int, funnel: Funnel, total: dict, kind: str,
                    min_segment: int = 1) -> list[SegmentResult]:
    last = f"entered_{len(funnel.stages)}"
    out = []
    for row in rows:
        seg = SegmentResult(value=str(row["value"]), entities=int(row["entities"]),
                            stages=stage_results(funnel, row),
                            folded=folded if folded and row["value"] == OTHER else 0)
        if kind in OUTCOME_KINDS:
            _add_outcomes(seg, row)
        # Does this segment's overall conversion differ from the rest of the funnel's?
        # A segment below min_segment (or with as few left in the rest) is not tested.
        rest = total["entered_1"] - row["entered_1"]
        seg.tested = min(row["entered_1"], rest) >= min_segment
        if seg.tested:
            seg.p_value, seg.test = proportion_test(
                row[last], row["entered_1"], total[last] - row[last], rest)
        out.append(seg)
    return out


def _add_outcomes(target: FunnelResult | SegmentResult, row: dict) -> None:
    target.won = int(row["won"])
    target.lost = int(row["lost"])
    target.win_rate = ratio(target.won, target.won + target.lost)
    if row["cycle_median"] is not None:
        target.cycle_days = CycleDays(median=float(row["cycle_median"]),
                                      p90=float(row["cycle_p90"]))
