"""Markdown of an event funnel's time dimension: conversion per cohort (`trend:`) and the
time to convert into each step, with the histogram as counts. Names are escaped."""

from __future__ import annotations

from funnelctl.render.fmt import DASH, Fmt
from funnelctl.render.labels_trends import (
    MARK,
    bucket_label,
    distribution_cells,
    incomplete_text,
    trend_changes,
    trend_note,
)
from funnelctl.render.markdown_tables import esc, table
from funnelctl.report import FunnelResult
from funnelctl.report_trends import CohortChange


def event_time_section(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> list[str]:
    lines = []
    if funnel.trend is not None and funnel.trend.cohorts:
        lines += trend_section(funnel, t, f)
    if any(s.time_to_convert for s in funnel.stages):
        lines += time_section(funnel, t, f)
    return lines


def _cell(value: float | None, ch: CohortChange | None, f: Fmt) -> str:
    mark = MARK.get(ch.status, "") if ch else ""
    return f"{f.pct(value)} {mark}".strip() if ch is None or ch.status not in (
        "higher", "lower") else f"**{f.pct(value)} {mark}**"


def trend_section(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> list[str]:
    trend = funnel.trend
    title = t["trend_title"].format(funnel=funnel.name,
                                    period=t[f"trend_period_{trend.period}"])
    notes = any(c.incomplete for c in trend.cohorts)
    header = [t["cohort"], t["entered"], *(f"→ {esc(s.name)}" for s in funnel.stages[1:]),
              t["overall"], *([""] if notes else [])]
    rows = [[c.label, f.num(c.entities),
             *(_cell(s.conversion_from_previous, s.vs_previous, f) for s in c.stages[1:]),
             _cell(c.stages[-1].conversion_from_first, c.overall, f),
             *([esc(incomplete_text(t, c.incomplete)) or DASH] if notes else [])]
            for c in trend.cohorts]
    lines = [f"### {esc(title)}", ""]
    lines += table(header, "lr" + "r" * len(funnel.stages) + ("l" if notes else ""), rows)
    changes = trend_changes(t, f, trend)
    lines += [esc(trend_note(t, trend, f)), "",
              f"▲ ▼: {t['trend_changes'].lower()} · ?: {t['status_insufficient']} · …: "
              f"{t['status_incomplete']}", ""]
    lines += ([f"{t['trend_changes']}:", "", *(f"- {esc(line)}" for line in changes), ""]
              if changes else [t["trend_no_changes"], ""])
    return lines


def time_section(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> list[str]:
    buckets = next((ttc.from_first or ttc.from_previous).histogram
                   for ttc in (s.time_to_convert for s in funnel.stages) if ttc)
    header = [t["stage"], "", t["time_reached"], t["median"], t["p90"],
              *(esc(bucket_label(t, b.label)) for b in buckets)]
    rows = []
    for stage in funnel.stages[1:]:
        ttc = stage.time_to_convert
        if ttc is None:
            continue
        for key, dist in (("time_from_step1", ttc.from_first),
                          ("time_from_previous", ttc.from_previous)):
            cells = distribution_cells(dist, f.lang) if dist else \
                [esc(t["time_previous_unknown"]), DASH, DASH]
            counts = [f.num(b.count) for b in dist.histogram] if dist else [DASH] * len(buckets)
            rows.append([esc(stage.name) if key == "time_from_step1" else "", t[key],
                         *cells, *counts])
    lines = [f"### {esc(t['time_title'].format(funnel=funnel.name))}", ""]
    lines += table(header, "llrrr" + "r" * len(buckets), rows)
    return lines + [esc(t["time_note"]), ""]
