"""The forecast, plan and stuck-deal tables of the terminal report (render/forecast_view.py
lays them out). Cells are plain Text: the console prints no markup from data values, and
the report went through for_display before it got here."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from funnelctl.render.fmt import Fmt
from funnelctl.render.forecast_view import forecast_tables, snoozed_line
from funnelctl.report import FunnelResult


def forecast_parts(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> list:
    parts: list = []
    for view in forecast_tables(funnel, t, f, short=True):
        table = Table(title=view.title, title_justify="left", title_style="bold")
        for header, align in zip(view.header, view.align):
            table.add_column(header, justify="right" if align == "r" else "left")
        for row, flag in zip(view.rows, view.flags or [""] * len(view.rows)):
            style = "yellow" if flag == "warn" else ""
            table.add_row(*(Text(cell, style=style) for cell in row))
        if view.notes:
            table.caption = "\n".join(view.notes)
            table.caption_justify = "left"
        parts.append(table)
    if line := snoozed_line(funnel, t, f):
        parts.append(Text(line))
    return parts
