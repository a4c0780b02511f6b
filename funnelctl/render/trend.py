"""The trend of `funnelctl history`: a terminal table, JSON, or an HTML page with a line
chart per stage and manager. Renders a Trend; computes nothing."""

from __future__ import annotations

import io
import json
from dataclasses import asdict

from funnelctl import __version__
from funnelctl.commands.history import Series, Trend
from funnelctl.plural import plural
from funnelctl.render.escape import for_display
from funnelctl.render.fmt import Fmt
from funnelctl.render.labels import labels

MAX_TABLE_RUNS = 12  # columns a terminal table shows (the latest); JSON and HTML have all


def render_trend(trend: Trend, fmt: str, lang: str, color: bool = False) -> str:
    """table (a terminal's width in colour, else 110 columns), json or html."""
    if fmt == "json":
        return render_json(trend)
    trend = for_display(trend)  # names come from the data: controls as visible escapes
    if fmt == "html":
        return render_html(trend, lang)
    return render_table(trend, lang, color, None if color else 110)


def values_by_run(trend: Trend, series: Series) -> list[float | None]:
    """The series' value for each of the trend's runs, None where the run lacks it."""
    by_period = {p.period: p.value for p in series.points}
    return [by_period.get(run.period) for run in trend.runs]


def render_json(trend: Trend) -> str:
    return json.dumps(asdict(trend), ensure_ascii=False, default=str, indent=2) + "\n"


def render_table(trend: Trend, lang: str, color: bool, width: int | None) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    t, f = labels(lang), Fmt(lang)
    runs = trend.runs[-MAX_TABLE_RUNS:]
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width,
                      highlight=False, emoji=False, markup=False)
    console.print(Text(trend.title, style="bold"))
    console.print(plural(len(trend.runs), t["history_runs"]).format(n=len(trend.runs),
                                                                    file=trend.history))
    if not trend.runs:
        console.print(t["history_none"].format(file=trend.history))
    for title, first, rows in ((t["trend_conversion"], t["stage"], trend.stages),
                               (t["trend_managers"], t["manager"], trend.managers)):
        if not rows:
            continue
        table = Table(title=title, title_justify="left")
        table.add_column(first)
        for run in runs:
            table.add_column(run.period, justify="right", overflow="fold")
        for s in rows:
            name = f"{s.funnel} / {s.subject}" if s.funnel else s.subject
            table.add_row(Text(name), *(f.pct(v) for v in values_by_run(trend, s)[-len(runs):]))
        console.print(table)
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))


def render_html(trend: Trend, lang: str) -> str:
    from funnelctl.render.html import environment
    from funnelctl.render.trend_chart import trend_chart

    template = environment().get_template("trend.html.j2")
    return template.render(tr=trend, t=labels(lang), f=Fmt(lang), lang=lang,
                           version=__version__, periods=[r.period for r in trend.runs],
                           values_of=lambda s: values_by_run(trend, s),
                           trend_chart=trend_chart, plural=plural)
