"""The money view in the terminal: rich tables of the cells render/money_tables.py words.
Cells are rich Text, never markup, so a value such as `[bold]` stays as written."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from funnelctl.render.fmt import Fmt
from funnelctl.render.money_tables import money_tables
from funnelctl.report import FunnelResult


def money_parts(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> list[Table]:
    out = []
    for spec in money_tables(funnel, t, f):
        if not spec.columns:  # a caption alone (the cycle target without amounts)
            out.append(Text("\n".join(spec.caption)))
            continue
        table = Table(title=spec.title, title_justify="left")
        for name, numeric in zip(spec.columns, spec.numeric):
            table.add_column(name, justify="right" if numeric else "left")
        for row in spec.rows:
            table.add_row(*(Text(cell.text) for cell in row))
        if spec.caption:
            table.caption = "\n".join(spec.caption)
            table.caption_justify = "left"
        out.append(table)
    return out
