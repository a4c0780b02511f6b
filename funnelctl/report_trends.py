"""The report model of an event funnel's time dimension: the time to convert into each
step as a distribution, and the funnel's conversion per cohort period (`trend:`).

Plain dataclasses with JSON-contract field names, as in report.py (which holds them on
StageResult.time_to_convert and FunnelResult.trend).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

# How a cohort's conversion compares with the cohort before it.
CohortStatus = Literal["higher", "lower", "same", "insufficient", "incomplete"]


@dataclass
class Bucket:
    """Entities whose time falls in [low_s, high_s); high_s None: no upper bound."""

    label: str  # English, e.g. "1-10m"; renderers word it in the report's language
    low_s: float
    high_s: float | None
    count: int


@dataclass
class TimeDistribution:
    entities: int  # entities with a time (those that reached the step)
    median_s: float
    p90_s: float
    histogram: list[Bucket] = field(default_factory=list)


@dataclass
class TimeToConvert:
    """Seconds into a step: from the chain's step-1 event, and from the event that reached
    the step before in the same chain (the first time the entity reached this step).
    from_previous is None where the funnel's order mode does not say which event that was."""

    from_first: TimeDistribution | None
    from_previous: TimeDistribution | None


@dataclass
class CohortChange:
    """A cohort's proportion against the same proportion of the cohort before it."""

    previous: float | None
    current: float | None
    change: float | None  # current - previous (0.01 = one percentage point)
    p_value: float | None  # None: not tested (too few, or a cohort still incomplete)
    p_adjusted: float | None  # adjusted over every test of the funnel's trend
    test: str | None  # "z" or "fisher"
    status: CohortStatus


@dataclass
class CohortStage:
    name: str
    entered: int
    conversion_from_previous: float | None
    conversion_from_first: float | None
    vs_previous: CohortChange | None = None  # conversion from the previous step; stage 1: None


@dataclass
class Cohort:
    label: str  # 2026-09-07 (day), 2026-W37 (ISO week), 2026-09 (month)
    start: dt.date  # the period's first and last local date
    end: dt.date
    entities: int
    stages: list[CohortStage]
    overall: CohortChange | None = None  # last step from the first; the first cohort: None
    # Why its numbers are not final: "period_not_over" (its last day is past the data or
    # the audit period), "window_open" (the window of its latest entities has not elapsed).
    incomplete: list[str] = field(default_factory=list)


@dataclass
class FunnelTrend:
    period: Literal["day", "week", "month"]
    timezone: str
    level: float  # the significance level of the tests
    correction: str  # the multiple-testing correction over all of them
    cohorts: list[Cohort] = field(default_factory=list)
