"""The money view in Markdown: the tables render/money_tables.py words, every cell
escaped (a `|` cannot break a table, a `<script>` stays text)."""

from __future__ import annotations

from funnelctl.render.fmt import Fmt
from funnelctl.render.markdown_tables import esc, table
from funnelctl.render.money_tables import money_tables
from funnelctl.report import FunnelResult


def money_section(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> list[str]:
    lines: list[str] = []
    for spec in money_tables(funnel, t, f):
        lines += [f"### {esc(spec.title)}", ""]
        if spec.columns:
            lines += table([esc(c) for c in spec.columns],
                           "".join("r" if n else "l" for n in spec.numeric),
                           [[esc(cell.text) for cell in row] for row in spec.rows])
        lines += [*(f"- {esc(line)}" for line in spec.caption), ""]
    return lines
