"""Terminal tables of an event funnel's time dimension: conversion per cohort (`trend:`)
and the time to convert into each step. Renders; computes nothing. Names come from the
config and the data: they go into rich Text, never into markup."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from funnelctl.plural import plural
from funnelctl.render.fmt import DASH, Fmt
from funnelctl.render.labels_trends import (
    MARK,
    bucket_label,
    distribution_cells,
    incomplete_text,
    trend_changes,
    trend_note,
)
from funnelctl.report import FunnelResult
from funnelctl.report_trends import CohortChange

MAX_COHORTS = 12  # rows a terminal shows (the latest); JSON and HTML have them all
STYLE = {"higher": "green", "lower": "bold yellow", "insufficient": "dim", "incomplete": "dim"}


def event_time_parts(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> list[Table]:
    out = []
    if funnel.trend is not None and funnel.trend.cohorts:
        out.append(trend_table(funnel, t, f))
    if any(s.time_to_convert for s in funnel.stages):
        out.append(time_table(funnel, t, f))
    return out


def _cell(value: float | None, ch: CohortChange | None, f: Fmt) -> Text:
    mark = MARK.get(ch.status, "") if ch else ""
    return Text(f"{f.pct(value)}{' ' + mark if mark else ''}",
                style=STYLE.get(ch.status, "") if ch else "")


def trend_table(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> Table:
    trend = funnel.trend
    title = t["trend_title"].format(funnel=funnel.name,
                                    period=t[f"trend_period_{trend.period}"])
    table = Table(title=Text(title), title_justify="left")
    table.add_column(t["cohort"])
    table.add_column(t["entered"], justify="right")
    for stage in funnel.stages[1:]:
        table.add_column(Text(f"→ {stage.name}"), justify="right")
    table.add_column(t["overall"], justify="right")
    shown = trend.cohorts[-MAX_COHORTS:]
    notes = any(c.incomplete for c in shown)
    if notes:
        table.add_column("")
    for c in shown:
        table.add_row(c.label, f.num(c.entities),
                      *(_cell(s.conversion_from_previous, s.vs_previous, f) for s in c.stages[1:]),
                      _cell(c.stages[-1].conversion_from_first, c.overall, f),
                      *([Text(incomplete_text(t, c.incomplete), style="dim")] if notes else []))
    lines = [trend_note(t, trend, f), "▲ ▼: " + t["trend_changes"].lower() + " · ?: "
             + t["status_insufficient"] + " · …: " + t["status_incomplete"]]
    if len(shown) < len(trend.cohorts):
        lines.append(plural(len(trend.cohorts), t["trend_shown"]).format(
            shown=len(shown), n=len(trend.cohorts)))
    changes = trend_changes(t, f, trend)
    lines += [f"{t['trend_changes']}:", *(f"  {line}" for line in changes)] if changes \
        else [t["trend_no_changes"]]
    table.caption = Text("\n".join(lines))
    table.caption_justify = "left"
    return table


def time_table(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> Table:
    table = Table(title=Text(t["time_title"].format(funnel=funnel.name)), title_justify="left")
    buckets = next((ttc.from_first or ttc.from_previous).histogram
                   for ttc in (s.time_to_convert for s in funnel.stages) if ttc)
    span = f"{bucket_label(t, buckets[0].label)} … {bucket_label(t, buckets[-1].label)}"
    for key, justify in (("stage", "left"), ("", "left"), ("time_reached", "right"),
                         ("median", "right"), ("p90", "right")):
        table.add_column(t[key] if key else "", justify=justify)
    table.add_column(span, no_wrap=True)
    table.columns[1].no_wrap = True
    for stage in funnel.stages[1:]:
        ttc = stage.time_to_convert
        if ttc is None:
            continue
        for key, dist in (("time_step1_short", ttc.from_first),
                          ("time_previous_short", ttc.from_previous)):
            cells = distribution_cells(dist, f.lang) if dist else [DASH] * 3
            table.add_row(Text(stage.name) if key == "time_step1_short" else "", t[key],
                          *cells, sparkline([b.count for b in dist.histogram]) if dist else DASH)
    unknown = any(s.time_to_convert and not s.time_to_convert.from_previous
                  for s in funnel.stages)
    table.caption = Text(" ".join([t["time_note"], t["time_buckets"].format(
        buckets=", ".join(bucket_label(t, b.label) for b in buckets))] + (
        [f"{t['time_previous_short']}: {t['time_previous_unknown']}."] if unknown else [])))
    table.caption_justify = "left"
    return table


BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(counts: list[int]) -> str:
    """One character per bucket, its height the bucket's share of the largest; an empty
    bucket is a blank, so "some" never looks like "none"."""
    top = max(counts, default=0)
    if not top:
        return " " * len(counts)
    return "".join(" " if not n else BLOCKS[max(0, round(n / top * len(BLOCKS)) - 1)]
                   for n in counts)
