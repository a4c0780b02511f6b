"""HTML: one self-contained page (inline CSS and SVG, no scripts, no web fonts).

Jinja2 autoescaping is on for every template, so a manager or stage called `<script>`
is shown as text. Cells that show a number carry the exact value in `data-value`, which
lets tests (and scrapers) read the numbers without parsing formatted text.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from funnelctl.render import RenderOptions
from funnelctl.render.captions import problem_lines
from funnelctl.render.chart import funnel_chart
from funnelctl.render.escape import for_display
from funnelctl.render.fmt import Fmt
from funnelctl.render.forecast_view import forecast_tables, snoozed_line
from funnelctl.render.labels import (
    GRADE_SYMBOL,
    VERDICT_SYMBOL,
    bottleneck_reason,
    column_label,
    comparison_title,
    confidence_note,
    count_of,
    detected_items,
    finding_message,
    history_lines,
    labels,
    note_text,
    reason_text,
    sample_lines,
    segment_label,
    subject,
    unit,
)
from funnelctl.render.money_tables import money_tables
from funnelctl.render.norms_notes import norms_notes
from funnelctl.render.norms_view import norms_grid
from funnelctl.render.scorecard_view import all_tables, correlation_lines, notes, weeks_table
from funnelctl.render.waterfall_view import WaterfallView, manager_grid
from funnelctl.report import SEVERITY_RANK, Report


def raw(value: object) -> str:
    """The exact value for a data-value attribute; empty for a missing one."""
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("funnelctl.render", "templates"),
        autoescape=True,  # every template, whatever its file name
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["raw"] = raw
    env.globals.update(VERDICT_SYMBOL=VERDICT_SYMBOL, GRADE_SYMBOL=GRADE_SYMBOL,
                       funnel_chart=funnel_chart, column_label=column_label,
                       segment_label=segment_label,
                       comparison_title=comparison_title,
                       count_of=count_of, norms_grid=norms_grid,
                       norms_notes=norms_notes,
                       unit_of=unit, history_lines=history_lines,
                       sample_lines=sample_lines, confidence_note=confidence_note,
                       bottleneck_reason=bottleneck_reason, subject=subject,
                       reason_text=reason_text, note_text=note_text,
                       detected_items=detected_items,
                       problem_lines=problem_lines, money_tables=money_tables,
                       forecast_tables=forecast_tables, snoozed_line=snoozed_line,
                       waterfall_view=WaterfallView, waterfall_managers=manager_grid,
                       scorecard_tables=all_tables, scorecard_notes=notes,
                       scorecard_correlations=correlation_lines, scorecard_weeks=weeks_table,
                       **event_time_globals())
    return env


def event_time_globals() -> dict:
    """What event_time.html.j2 (trend and time to convert) needs."""
    from funnelctl.render import labels_trends as words
    from funnelctl.render.histogram_chart import histogram_chart
    from funnelctl.render.trend_chart import trend_chart

    return {"trend_chart": trend_chart, "histogram_chart": histogram_chart,
            "duration": words.duration, "bucket_label": words.bucket_label,
            "incomplete_text": words.incomplete_text, "status_text": words.status_text,
            "trend_note": words.trend_note, "trend_changes": words.trend_changes,
            "MARK": words.MARK}


def finding_counts(report: Report) -> list[tuple[str, int]]:
    """How many findings of each severity, worst first (for the summary line)."""
    counts = {s: sum(f.severity == s for f in report.findings) for s in ("fail", "warn")}
    return [(s, n) for s, n in sorted(counts.items(), key=lambda i: -SEVERITY_RANK[i[0]]) if n]


def render(report: Report, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    template = environment().get_template("report.html.j2")
    report = for_display(report)  # controls and bidi overrides shown, then autoescaped
    fmt = Fmt(options.lang)
    return template.render(r=report, t=labels(options.lang), f=fmt,
                           lang=options.lang, counts=finding_counts(report),
                           message=lambda finding: finding_message(finding, options.lang, fmt))
