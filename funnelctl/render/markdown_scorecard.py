"""The manager scorecard in Markdown: the tables of render/scorecard_view.py, every cell
and line escaped (a `|` cannot break a table, a `<script>` stays text)."""

from __future__ import annotations

from funnelctl.render.fmt import Fmt
from funnelctl.render.markdown_tables import esc, table
from funnelctl.render.scorecard_view import all_tables, correlation_lines, notes, weeks_table
from funnelctl.report import Report


def scorecard_section(report: Report, t: dict[str, str], f: Fmt) -> list[str]:
    if report.scorecard is None or not report.managers:
        return []
    lines: list[str] = []
    for i, view in enumerate(all_tables(report, t, f)):
        lines += [f"{'##' if i == 0 else '###'} {esc(view.title)}", ""]
        lines += table([esc(h) for h in view.headers], "l" + "r" * (len(view.headers) - 1),
                       [[esc(cell) for cell in row] for row in view.rows])
    lines += [f"- {esc(line)}" for line in notes(report, t, f)]
    corr = correlation_lines(report, t, f)
    if corr:
        lines += ["", f"**{esc(t['sc_corr_title'])}**", ""]
        lines += [f"- {esc(line)}" for line in corr]
    weeks = weeks_table(report, t, f)
    if weeks is not None:
        lines += ["", f"### {esc(weeks.title)}", ""]
        lines += table([esc(h) for h in weeks.headers], "ll" + "r" * (len(weeks.headers) - 2),
                       [[esc(cell) for cell in row] for row in weeks.rows])
    return [*lines, ""]
