"""The report model every renderer takes: plain dataclasses, JSON-contract field names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # the views' own models, imported by the steps that make them
    from funnelctl.report_forecast import (
        Forecast,
        LearnedMaxDays,
        ListedDeal,
        PlanResult,
        Snoozed,
        StageProbability,
    )
    from funnelctl.report_scorecard import ManagerScorecard, Scorecard
    from funnelctl.report_trends import FunnelTrend, TimeToConvert
    from funnelctl.report_waterfall import Waterfall

Severity = Literal["ok", "warn", "fail"]
# A stage's verdict: a severity, or "insufficient" when too few entered the stage before.
StageVerdict = Literal["ok", "warn", "fail", "insufficient"]
INSUFFICIENT = "insufficient"
SEVERITY_RANK = {"ok": 0, "warn": 1, "fail": 2}
DayGradeName = Literal["good", "acceptable", "below"]
WeekGradeName = Literal["excellent", "good", "below"]
# The names the report gives to blanks, as data values would be (the renderers word them):
EMPTY = "(empty)"  # a blank segment value or loss reason
NO_CURRENCY = "(none)"  # the key of values without a currency


@dataclass
class TimeInStage:
    """Days from entering a stage to entering the next one (stage history only)."""

    median_days: float
    p90_days: float
    deals: int  # deals that entered and left the stage


@dataclass
class TimeFromFirst:
    """Event funnels: seconds from the step-1 event to this step, over the entities that
    reached it (the first time each did)."""

    median_s: float
    p90_s: float


@dataclass
class StageValue:
    """A stage in money (deal funnels with an amount): the amounts of the deals that entered
    it, went on to the next stage (the last stage: won), were lost at it (loss stage known)
    and sit in it open. entered = moved_on + lost + open."""

    entered: float
    moved_on: float
    lost: float
    open: float
    lost_deals: int = 0  # lost deals whose loss stage is this one


@dataclass
class StageResult:
    name: str
    entered: int
    conversion_from_previous: float | None
    conversion_from_first: float | None
    ci_low: float | None
    ci_high: float | None
    verdict: StageVerdict | None = None  # None: no threshold configured for this stage
    good: float | None = None
    acceptable: float | None = None
    time_in_stage: TimeInStage | None = None  # stage-history funnels
    max_days: float | None = None
    stuck: int | None = None  # open deals past max_days (stage history with max_days)
    stuck_oldest_days: float | None = None
    time_from_first: TimeFromFirst | None = None  # event funnels
    min_sample: int | None = None  # entered into the previous stage needed for a verdict
    probability: StageProbability | None = None  # deal funnels: for the weighted forecast
    max_days_learned: LearnedMaxDays | None = None  # max_days: auto
    stuck_deals: list[ListedDeal] = field(default_factory=list)  # longest first, capped
    stuck_by_manager: dict[str, int] = field(default_factory=dict)  # every stuck deal
    # Deal funnels with an amount in one currency (or converted): the stage in money.
    value: StageValue | None = None
    time_to_convert: TimeToConvert | None = None  # event funnels, stages 2..n
    optional: bool = False  # event funnels: a step that may be skipped


@dataclass
class CycleDays:
    median: float
    p90: float


@dataclass
class Bottleneck:
    stage: str
    conversion: float | None
    reason: str  # English; renderers word it from reason_code and gap
    reason_code: str = "lowest"  # "below_good": furthest below its good threshold
    gap: float | None = None  # good - conversion, for "below_good"


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
class Velocity:
    """Sales velocity, money per day = open deals x win rate x average won deal / median
    cycle days, with its four factors (None when one is missing or the cycle is 0)."""

    open_deals: int
    win_rate: float | None
    average_won: float | None
    cycle_days: float | None
    per_day: float | None
    small_sample: bool = False  # won + lost below the funnel's min_sample: a rough figure


@dataclass
class MoneySegment:
    """One segment (a breakdown value or a manager) in money."""

    value: str
    deals: int
    won_deals: int  # won deals with an amount
    won_revenue: float
    deal_mean: float | None  # average won deal
    deal_median: float | None
    open_value: float
    lost_value: float
    velocity: Velocity | None = None
    small_sample: bool = False  # fewer won deals than the funnel's min_sample
    won_count: int = 0  # won deals, with an amount or not
    lost_count: int = 0


@dataclass
class ValueBottleneck:
    """The stage where the most money was lost (lost deals whose loss stage is known)."""

    stage: str
    lost: float
    share: float | None  # of the value lost at known stages


@dataclass
class Money:
    """A deal funnel in money, in one currency (or converted into it with `rates`)."""

    currency: str | None  # None: the amounts carry no currency and none is configured
    stages: list[StageValue]
    won_revenue: float
    won_deals: int  # won deals with an amount
    deal_mean: float | None
    deal_median: float | None
    open_value: float
    lost_value: float  # every lost deal, its loss stage known or not
    lost_value_unplaced: float  # lost deals whose loss stage nothing says
    deals: int  # deals in this currency
    deals_without_amount: int
    bottleneck: ValueBottleneck | None = None
    velocity: Velocity | None = None
    managers: list[MoneySegment] = field(default_factory=list)
    converted: dict[str, int] = field(default_factory=dict)  # currency -> deals converted
    small_sample: bool = False  # fewer won deals than the funnel's min_sample


@dataclass
class LossReason:
    reason: str  # "(empty)" for lost deals with no reason
    deals: int
    share: float | None  # of the lost deals
    value: float | None  # None when the amounts are in several currencies (see by_currency)
    stages: dict[str, int] = field(default_factory=dict)  # loss stage -> deals (known only)
    value_by_currency: dict[str, float] | None = None


@dataclass
class CycleTargetResult:
    """The funnel's `cycle_days` target graded on the median cycle (created -> won)."""

    good: float
    acceptable: float
    median: float | None
    verdict: StageVerdict | None  # None: no won deal with a cycle
    won_deals: int  # won deals with a cycle
    over_good: int  # of them, cycles longer than `good`
    over_good_share: float | None


@dataclass
class SegmentResult:
    value: str
    entities: int
    stages: list[StageResult]
    won: int | None = None
    lost: int | None = None
    win_rate: float | None = None
    cycle_days: CycleDays | None = None
    # Test of this segment's overall conversion against the rest: raw p, p adjusted for
    # the funnel's family of segment tests, and the test used ("z" or "fisher").
    p_value: float | None = None
    differs: bool = False
    p_adjusted: float | None = None
    test: str | None = None
    tested: bool = True  # False: below min_segment, listed but not tested
    folded: int = 0  # the "other" row: how many smaller segments it holds (else 0)
    money: MoneySegment | None = None  # deal funnels with an amount in one currency


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
    insufficient_stages: int = 0  # stages whose verdict is "insufficient"
    low_confidence: bool = False  # its source's rejected share is above data_quality.warn
    # Deal funnels: lost deals whose loss stage nothing in the data says; they are left
    # out of the stage counts and conversions (still in entities, lost and win rate).
    lost_stage_unknown: int | None = None
    # Deal funnels without a single lost deal: the conversion into won (won / entered),
    # shown as the last row of the stage table so that "win rate 100%" never stands alone.
    won_conversion: StageResult | None = None
    # --compare previous on a stage history, or --since-snapshot: the pipeline waterfall.
    waterfall: Waterfall | None = None
    forecast: Forecast | None = None  # deal funnels with an expected_close column
    plan: PlanResult | None = None  # deal funnels with plan:
    snoozed: Snoozed | None = None  # funnels with snooze:
    # Deal funnels with a mapped amount: the funnel in money (one currency, or converted);
    # with amounts in several currencies and no rates, one block per currency instead.
    money: Money | None = None
    money_by_currency: list[Money] = field(default_factory=list)
    value_bottleneck: ValueBottleneck | None = None  # most money lost (single currency)
    loss_reasons: list[LossReason] = field(default_factory=list)
    cycle_target: CycleTargetResult | None = None
    trend: FunnelTrend | None = None  # event funnels with `trend:`
    # Event funnels with `exclude:`: entities left out of the funnel altogether (every
    # attempt at their deepest step had an excluded event between its steps); else None.
    excluded: int | None = None


@dataclass
class Finding:
    severity: Severity
    code: str
    subject: str
    message: str  # English; renderers may word it in the report's language from `params`
    value: float | None = None
    threshold: float | None = None
    params: dict[str, Any] = field(default_factory=dict)
    source: str | None = None  # the source the finding was computed from
    low_confidence: bool = False  # that source's rejected share is above data_quality.warn


@dataclass
class DayGrade:
    """One manager's day: graded when it is a working day, else None (activity off-calendar)."""

    date: dt.date
    calls: int
    meetings: int
    grade: DayGradeName | None


@dataclass
class WeekGrade:
    """Meetings in one ISO week; None when the period covers only part of its working days."""

    week: str  # ISO week, e.g. "2026-W41"
    start: dt.date  # its Monday
    meetings: int
    grade: WeekGradeName | None


@dataclass
class ManagerNorms:
    manager: str
    good_days: int
    acceptable_days: int
    below_days: int
    calls: int  # every day of the period, weekends and holidays included
    meetings: int
    verdict: Severity
    below_share: float | None  # below_days / working days
    empty_days: int  # working days with no call and no meeting at all
    days: list[DayGrade] = field(default_factory=list)
    weeks: list[WeekGrade] = field(default_factory=list)
    working_days: int = 0  # the manager's own: the period's, inside its roster dates
    team: str | None = None  # its team (norms.teams), graded by the team's rules
    active_from: dt.date | None = None  # roster dates, when given
    active_to: dt.date | None = None


@dataclass
class NormsTotals:
    good_days: int
    acceptable_days: int
    below_days: int
    empty_days: int
    calls: int
    meetings: int


@dataclass
class NormsResult:
    source: str
    start: dt.date | None  # the graded dates (the period, or first..last activity date)
    end: dt.date | None
    working_days: int
    managers: list[ManagerNorms]
    totals: NormsTotals
    unlisted_managers: dict[str, int] = field(default_factory=dict)  # not on roster: rows
    outside_dates: dict[str, int] = field(default_factory=dict)  # calls + meetings outside
    #                                                              the roster dates
    not_in_period: list[str] = field(default_factory=list)  # roster dates miss the period
    calendar: CalendarDays | None = None
    sources: list[str] = field(default_factory=list)  # every activities source graded
    teams: list[TeamNorms] = field(default_factory=list)
    names: NameMatches | None = None  # how the data's names were matched to managers
    ignored_rows: dict[str, int] = field(default_factory=dict)  # system users -> rows
    short_calls: int = 0  # calls under min_call_seconds, not counted
    min_call_seconds: dict[str, int] = field(default_factory=dict)  # source -> its minimum


@dataclass
class CalendarDays:
    """The production calendar used: the country's days off in the graded range and the
    dates worked on a day off by the week (transferred working days, working_dates:)."""

    country: str | None = None
    holidays: dict[str, str] = field(default_factory=dict)  # ISO date -> name
    working_dates: list[dt.date] = field(default_factory=list)


@dataclass
class TeamNorms:
    name: str
    members: list[str]
    daily_good: list[dict[str, int]]  # the team's rules, as in the config
    daily_acceptable: list[dict[str, int]]
    weekly_meetings: dict[str, int] | None  # None: weeks not graded for this team


@dataclass
class NameMatches:
    merged: dict[str, str] = field(default_factory=dict)  # name in data -> manager
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # name -> candidates
    unmatched: list[str] = field(default_factory=list)


@dataclass
class SourceQuality:
    name: str
    path: str
    rows_read: int
    rows_rejected: int
    reasons: dict[str, int] = field(default_factory=dict)
    detected: dict[str, Any] = field(default_factory=dict)
    unmatched_stages: dict[str, int] = field(default_factory=dict)
    other_types: dict[str, int] = field(default_factory=dict)  # activities neither call/meeting
    notes: list[str] = field(default_factory=list)
    # Rows kept with a value left out, per reason: {"rows", "line", "value"} (first example).
    value_problems: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Unreadable rows / rows read (duplicates, blank lines and unmatched stages aside).
    rejected_share: float | None = None


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
    significant: bool  # p_adjusted below the level
    worse: bool  # significant and lower
    p_adjusted: float | None = None  # adjusted within its family (a funnel's, or managers')
    test: str | None = None  # "z" or "fisher"


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
    correction: str = "holm"
    funnels: list[FunnelComparison] = field(default_factory=list)
    managers: list[Change] | None = None  # share of good days, once norms are audited
    basis: str = "previous"  # previous: the period before, recomputed; last-run: the history
    recorded_at: str | None = None  # last-run: when that run was recorded (UTC)


@dataclass
class Report:
    tool_version: str
    generated_at: dt.datetime
    title: str
    period: Period
    verdict: Severity
    findings: list[Finding]
    funnels: list[FunnelResult]
    norms: NormsResult | None
    data_quality: DataQuality
    schema_version: int = 1
    language: str = "en"  # the config's `language:`; --lang overrides it when rendering
    comparison: Comparison | None = None  # --compare previous | last-run
    last_run_verdict: Severity | None = None  # with history: the verdict of the last run
    # Norms and deal funnels together: each graded manager's scorecard (report_scorecard).
    managers: list[ManagerScorecard] = field(default_factory=list)
    scorecard: Scorecard | None = None
