"""The report model every renderer takes: plain dataclasses, JSON-contract field names."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["ok", "warn", "fail"]
SEVERITY_RANK = {"ok": 0, "warn": 1, "fail": 2}


@dataclass
class TimeInStage:
    """Days from entering a stage to entering the next one (stage history only)."""

    median_days: float
    p90_days: float
    deals: int  # deals that entered and left the stage


@dataclass
class StageResult:
    name: str
    entered: int
    conversion_from_previous: float | None
    conversion_from_first: float | None
    ci_low: float | None
    ci_high: float | None
    verdict: Severity | None = None  # None: no threshold configured for this stage
    good: float | None = None
    acceptable: float | None = None
    time_in_stage: TimeInStage | None = None  # stage-history funnels
    max_days: float | None = None
    stuck: int | None = None  # open deals past max_days (stage history with max_days)
    stuck_oldest_days: float | None = None


@dataclass
class CycleDays:
    median: float
    p90: float


@dataclass
class Bottleneck:
    stage: str
    conversion: float | None
    reason: str


@dataclass
class SlowestStage:
    stage: str
    median_days: float
    p90_days: float


@dataclass
class Consistency:
    """Deals whose history breaks the funnel's order (the "inconsistent funnel")."""

    deals: int
    inconsistent: int
    moved_backwards: int
    skipped_stages: int
    share: float | None


@dataclass
class SegmentResult:
    value: str
    entities: int
    stages: list[StageResult]
    won: int | None = None
    lost: int | None = None
    win_rate: float | None = None
    cycle_days: CycleDays | None = None
    # Two-proportion test of this segment's overall conversion against the rest.
    p_value: float | None = None
    differs: bool = False


@dataclass
class FunnelResult:
    name: str
    source: str
    kind: str
    entities: int
    stages: list[StageResult]
    won: int | None = None
    lost: int | None = None
    win_rate: float | None = None
    cycle_days: CycleDays | None = None
    bottleneck: Bottleneck | None = None
    breakdowns: dict[str, list[SegmentResult]] = field(default_factory=dict)
    win_rate_verdict: Severity | None = None
    slowest_stage: SlowestStage | None = None  # stage-history funnels
    consistency: Consistency | None = None  # stage-history funnels


@dataclass
class Finding:
    severity: Severity
    code: str
    subject: str
    message: str
    value: float | None = None
    threshold: float | None = None


@dataclass
class SourceQuality:
    name: str
    path: str
    rows_read: int
    rows_rejected: int
    reasons: dict[str, int] = field(default_factory=dict)
    detected: dict[str, Any] = field(default_factory=dict)
    unmatched_stages: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class DataQuality:
    sources: list[SourceQuality] = field(default_factory=list)


@dataclass
class Period:
    start: dt.date | None
    end: dt.date | None
    as_of: dt.date | None = None


@dataclass
class Change:
    """One proportion in the previous and the current period, and whether it really moved."""

    subject: str  # a stage name, "overall", or a manager
    previous: float | None
    current: float | None
    previous_successes: int
    previous_trials: int
    current_successes: int
    current_trials: int
    change: float | None  # current - previous, as a fraction (0.01 = one percentage point)
    p_value: float | None  # two-proportion test; None when a period has no trials
    significant: bool
    worse: bool  # significant and lower


@dataclass
class FunnelComparison:
    funnel: str
    previous_entities: int
    current_entities: int
    stages: list[Change]  # conversion from the previous stage, stages 2..n
    overall: Change  # last stage / first stage


@dataclass
class Comparison:
    previous_period: Period
    significance: float
    funnels: list[FunnelComparison] = field(default_factory=list)
    managers: list[Change] | None = None  # share of good days, once norms are audited


@dataclass
class Report:
    tool_version: str
    generated_at: dt.datetime
    title: str
    period: Period
    verdict: Severity
    findings: list[Finding]
    funnels: list[FunnelResult]
    norms: Any | None  # NormsResult, see metrics/norms.py
    data_quality: DataQuality
    schema_version: int = 1
    language: str = "en"  # the config's `language:`; --lang overrides it when rendering
    comparison: Comparison | None = None  # --compare previous

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
