"""The pipeline waterfall in Markdown: the bucket summary and the lines under it."""

from __future__ import annotations

from funnelctl.render.markdown_tables import esc, table
from funnelctl.render.waterfall_view import WaterfallView
from funnelctl.report import FunnelResult


def waterfall_section(funnel: FunnelResult, lang: str) -> list[str]:
    view = WaterfallView(funnel.waterfall, lang)
    t = view.t
    rows = [[row.sign, f"**{esc(row.label)}**" if row.bucket.role == "level" else esc(row.label),
             row.deals, esc(row.value)] for row in view.rows()]
    lines = [f"### {esc(funnel.name)} · {esc(t['title'])}", "", esc(view.basis()), ""]
    lines += table(["", esc(t["bucket"]), esc(t["deals"]), esc(t["value"])], "llrr", rows)
    lines += [f"- {esc(line)}" for line in view.lines()]
    return [*lines, ""]
