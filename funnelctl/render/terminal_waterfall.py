"""The pipeline waterfall in the terminal: the bucket summary and the lines under it (the
deals behind each bucket are in the JSON and HTML reports)."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from funnelctl.render.waterfall_view import WaterfallView
from funnelctl.report import FunnelResult


def waterfall_table(funnel: FunnelResult, lang: str) -> Group:
    """Names and values come from the data: plain Text cells (the console parses no
    markup, and the report went through for_display first). The lines under the table
    wrap at the console's width, not the table's, so a file path stays whole."""
    view = WaterfallView(funnel.waterfall, lang)
    t = view.t
    table = Table(title=Text(f"{funnel.name}: {t['title']}"), title_justify="left",
                  title_style="bold")
    table.add_column("", justify="center")
    table.add_column(t["bucket"])
    table.add_column(t["deals"], justify="right")
    table.add_column(t["value"], justify="right")
    for row in view.rows():
        style = "bold" if row.bucket.role == "level" else "dim" if row.sign == "·" else ""
        table.add_row(row.sign, Text(row.label, style=style), row.deals, row.value)
    return Group(table, Text("\n".join([view.basis(), *view.lines()])), Text(""))
