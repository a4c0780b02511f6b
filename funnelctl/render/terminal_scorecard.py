"""The manager scorecard in the terminal: the activity-and-outcome table, the stages per
manager, the five KPIs, then the notes, the activity-against-outcome lines and the
manager-week table. The report
was passed through for_display and the console reads no markup."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from funnelctl.render.fmt import Fmt
from funnelctl.render.scorecard_view import (
    TextTable,
    all_tables,
    correlation_lines,
    notes,
    weeks_table,
)
from funnelctl.report import Report


def _table(view: TextTable) -> Table:
    table = Table(title=view.title, title_justify="left", title_style="bold")
    for i, header in enumerate(view.headers):
        table.add_column(header, justify="left" if i == 0 else "right", overflow="fold")
    for row in view.rows:
        table.add_row(*(Text(cell) for cell in row))
    return table


def scorecard_parts(report: Report, t: dict[str, str], f: Fmt) -> list:
    if report.scorecard is None or not report.managers:
        return []
    parts = [_table(v) for v in all_tables(report, t, f)]
    lines = notes(report, t, f)
    corr = correlation_lines(report, t, f)
    text = Text()
    text.append("\n".join(lines))
    if corr:
        text.append(("\n" if lines else "") + t["sc_corr_title"], style="bold")
        text.append("\n" + "\n".join(corr))
    if text.plain:
        parts.append(text)
    weeks = weeks_table(report, t, f)
    if weeks is not None:
        parts.append(_table(weeks))
    return parts
