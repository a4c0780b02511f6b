"""Terminal breakdowns too wide for a row per segment: the stages as rows and the segments
as columns, split into as many tables as the width needs, so no word is ever wrapped
letter by letter."""

from __future__ import annotations

import io
from collections.abc import Callable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from funnelctl.render.fmt import Fmt
from funnelctl.render.labels import column_label, segment_label, unit
from funnelctl.report import FunnelResult, SegmentResult

BREAKDOWN_WIDTH = 100  # the width a breakdown must fit when the terminal's is unknown
STAGE_LABEL_MAX = 28
SEGMENT_COLUMN = 16
STYLE = {"ok": "green", "warn": "yellow", "fail": "bold red", "insufficient": "dim"}


def table_width(table: Table) -> int:
    """The width the table takes without wrapping any cell (values are text, not markup)."""
    console = Console(width=10_000, file=io.StringIO(), markup=False, highlight=False,
                      emoji=False)
    return console.measure(table).maximum


def longest_word(text: str) -> int:
    return max((len(w) for w in str(text).split()), default=1)


def stage_row_tables(funnel: FunnelResult, column: str, segments: list[SegmentResult],
                     t: dict[str, str], f: Fmt, width: int,
                     difference: Callable[[SegmentResult, FunnelResult], Text]) -> list[Table]:
    rows = [(unit(t, funnel.kind), [f.num(s.entities) for s in segments])]
    rows += [(f"→ {stage.name}", [Text(f.pct(s.stages[k].conversion_from_previous),
                                       style=STYLE.get(s.stages[k].verdict or "", ""))
                                  for s in segments])
             for k, stage in enumerate(funnel.stages) if k]
    rows.append((t["overall"], [f.pct(s.stages[-1].conversion_from_first) for s in segments]))
    if funnel.won is not None:
        rows.append((t["win_rate"], [f.pct(s.win_rate) for s in segments]))
    rows.append((t["vs_rest"], [difference(s, funnel) for s in segments]))
    first = min(max(len(label) for label, _ in rows), STAGE_LABEL_MAX)
    per_table = max(1, (width - first - 4) // (SEGMENT_COLUMN + 3))
    name = column_label(t, column)
    tables = []
    for start in range(0, len(segments), per_table):
        chunk = range(start, min(start + per_table, len(segments)))
        table = Table(title=f"{funnel.name} · {name}", title_justify="left")
        table.add_column(name, no_wrap=True, max_width=first)
        for i in chunk:
            label = segment_label(t, segments[i].value, segments[i].folded)
            table.add_column(label, justify="right", max_width=SEGMENT_COLUMN,
                             min_width=min(longest_word(label), SEGMENT_COLUMN))
        for label, cells in rows:
            table.add_row(label, *(cells[i] for i in chunk))
        tables.append(table)
    return tables
