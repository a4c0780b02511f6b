"""Funnel trends: an event funnel's conversion per cohort period (`trend: day|week|month`).

An entity's cohort is the local date (in the config's time zone) of the step-1 event
that began the chain by which it first reached its deepest step: the same event its
breakdown values come from, so the cohorts add up to the funnel. Weeks start on Monday.

Each cohort's conversion into every step (from the step before) and its overall
conversion are tested against the cohort before it (Fisher's exact test or the pooled
two-proportion z-test, as for --compare), and all the trend's p-values are adjusted
together with the configured correction: a change is real only when its adjusted p is
below the level. A test with fewer than the stage's min_sample in either cohort's step
before is not run ("insufficient"); nor is one with a cohort whose numbers may still
move ("incomplete": its last day is past what the data covers, or the window of its
latest entities had not elapsed at the latest event read).
"""

from __future__ import annotations

import calendar
import datetime as dt

import polars as pl

from funnelctl.config import Funnel
from funnelctl.config.stats import Significance
from funnelctl.metrics.compare import change, judge
from funnelctl.metrics.funnel import conversion_bases, entered_count
from funnelctl.metrics.stats import ratio
from funnelctl.report import Change
from funnelctl.report_trends import Cohort, CohortChange, CohortStage, FunnelTrend

TRUNCATE = {"day": "1d", "week": "1w", "month": "1mo"}
START, LATEST = "_cohort", "_latest"


def funnel_trend(frame: pl.DataFrame, funnel: Funnel, timezone: str,
                 horizon: dt.datetime | None, covered_end: dt.date | None,
                 significance: Significance) -> FunnelTrend:
    """frame: entities (depth, ts of the chain's step-1 event); horizon: the latest event
    read (UTC); covered_end: the audit period's last date, if any."""
    period = funnel.trend
    cohort = pl.col("ts").dt.convert_time_zone(timezone).dt.date().dt.truncate(
        TRUNCATE[period])
    rows = {r[START]: r for r in frame.group_by(cohort.alias(START)).agg(
        pl.len().alias("entities"),
        *[entered_count(k, stage.optional).sum().alias(f"entered_{k}")
          for k, stage in enumerate(funnel.stages, 1)],
        pl.col("ts").max().alias(LATEST),
    ).iter_rows(named=True)}
    return trend_from_rows(rows, funnel, timezone, horizon, covered_end, significance)


def trend_from_rows(rows: dict[dt.date, dict], funnel: Funnel, timezone: str,
                    horizon: dt.datetime | None, covered_end: dt.date | None,
                    significance: Significance) -> FunnelTrend:
    """The trend from one row per cohort start (entities, entered_k, and LATEST: the
    latest step-1 time of the cohort): any engine's aggregates."""
    period = funnel.trend
    n = len(funnel.stages)
    trend = FunnelTrend(period, timezone, significance.level, significance.correction)
    if not rows:
        return trend
    if horizon is not None:
        local = horizon.astimezone(_zone(timezone)).date()
        covered_end = local if covered_end is None else min(covered_end, local)
    window = dt.timedelta(seconds=funnel.window_seconds() or 0)
    start, last = min(rows), max(rows)
    while start <= last:  # every period from the first cohort to the last, empty ones too
        end = period_end(start, period)
        row = rows.get(start) or {"entities": 0, LATEST: None,
                                  **{f"entered_{k}": 0 for k in range(1, n + 1)}}
        trend.cohorts.append(Cohort(
            label=period_label(start, period), start=start, end=end,
            entities=int(row["entities"]), stages=_stages(funnel, row),
            incomplete=_incomplete(end, row[LATEST], covered_end, horizon, window)))
        start = end + dt.timedelta(days=1)
    _compare(trend, funnel, significance)
    return trend


def period_end(start: dt.date, period: str) -> dt.date:
    if period == "day":
        return start
    if period == "week":
        return start + dt.timedelta(days=6)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def period_label(start: dt.date, period: str) -> str:
    if period == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.strftime("%Y-%m") if period == "month" else start.isoformat()


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _incomplete(end: dt.date, latest: dt.datetime | None, covered_end: dt.date | None,
                horizon: dt.datetime | None, window: dt.timedelta) -> list[str]:
    reasons = []
    if covered_end is not None and end > covered_end:
        reasons.append("period_not_over")
    if latest is not None and horizon is not None and latest + window > horizon:
        reasons.append("window_open")
    return reasons


def _stages(funnel: Funnel, row: dict) -> list[CohortStage]:
    entered = [int(row[f"entered_{k}"]) for k in range(1, len(funnel.stages) + 1)]
    bases = conversion_bases([stage.optional for stage in funnel.stages])
    return [CohortStage(name=stage.name, entered=entered[k],
                        conversion_from_previous=ratio(entered[k], entered[bases[k]])
                        if k else None,
                        conversion_from_first=ratio(entered[k], entered[0]))
            for k, stage in enumerate(funnel.stages)]


def _compare(trend: FunnelTrend, funnel: Funnel, significance: Significance) -> None:
    """Each cohort against the one before: every step's conversion and the overall one,
    adjusted as one family over the whole trend."""
    family: list[Change] = []
    pending: list[tuple[Change, object, str | None]] = []  # (change, where it goes, status)
    for before, now in zip(trend.cohorts, trend.cohorts[1:]):
        unsure = bool(before.incomplete or now.incomplete)
        bases = conversion_bases([stage.optional for stage in funnel.stages])
        tests = [(stage, bases[k], k, funnel.stage_min_sample(funnel.stages[k]))
                 for k, stage in enumerate(now.stages) if k]
        tests.append((now, 0, len(now.stages) - 1, funnel.min_sample))
        for target, of, into, minimum in tests:
            previous = (before.stages[into].entered, before.stages[of].entered)
            current = (now.stages[into].entered, now.stages[of].entered)
            ch = change("", previous, current)
            status = ("incomplete" if unsure else "insufficient"
                      if min(previous[1], current[1]) < minimum or ch.p_value is None else None)
            if status:
                ch.p_value = None  # not run: kept out of the family
            else:
                family.append(ch)
            pending.append((ch, target, status))
    judge(family, significance)
    for ch, target, status in pending:
        status = status or ("same" if not ch.significant else
                            "higher" if (ch.change or 0) > 0 else "lower")
        result = CohortChange(previous=ch.previous, current=ch.current, change=ch.change,
                              p_value=ch.p_value, p_adjusted=ch.p_adjusted, test=ch.test
                              if ch.p_value is not None else None, status=status)
        if isinstance(target, Cohort):
            target.overall = result
        else:
            target.vs_previous = result
