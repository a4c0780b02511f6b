"""The forecast, plan and stuck-deal tables of the Markdown report (render/forecast_view.py
lays them out); every cell goes through the Markdown escaper."""

from __future__ import annotations

from funnelctl.render.fmt import Fmt
from funnelctl.render.forecast_view import forecast_tables, snoozed_line
from funnelctl.render.markdown_tables import esc, table
from funnelctl.report import FunnelResult


def forecast_section(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> list[str]:
    lines: list[str] = []
    for view in forecast_tables(funnel, t, f, short=True):
        lines += [f"### {esc(view.title)}", ""]
        rows = [[("⚠️ " if flag == "warn" and i == 0 else "") + esc(cell)
                 for i, cell in enumerate(row)]
                for row, flag in zip(view.rows, view.flags or [""] * len(view.rows))]
        lines += table([esc(h) for h in view.header], view.align, rows)
        lines += [*(f"- {esc(note)}" for note in view.notes), ""] if view.notes else []
    if line := snoozed_line(funnel, t, f):
        lines += [f"- {esc(line)}", ""]
    return lines
