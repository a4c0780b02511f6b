"""The forecast, plan and stuck-deal parts of the report model (plain dataclasses, JSON
field names; report.py holds the rest and refers to these)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# How many deals a list (stuck, overdue) keeps; its count says how many there were in all.
LIST_LIMIT = 50


@dataclass
class StageProbability:
    """The share of deals at a stage that end won: set in the config, or learned as
    won / closed deals that reached the stage (closed: won or lost with a known stage)."""

    probability: float | None
    source: str  # "config" or "data"
    won: int | None = None  # data: won deals (each reached every stage)
    closed: int | None = None  # data: won + lost deals that reached the stage (the sample)
    small_sample: bool = False  # data: closed below the funnel's min_sample
    # data: lost deals whose loss stage is unknown, left out of `closed`: each may have
    # reached the stage, so the learned share is an upper bound (lowest: `lowest`)
    unknown_lost: int = 0
    # won / (closed + unknown_lost): worked out from the fields above, never given. A field
    # (not a property) so that the JSON, which orjson writes from the fields, keeps it.
    lowest: float | None = field(init=False)

    def __post_init__(self) -> None:
        sample = (self.closed or 0) + self.unknown_lost
        self.lowest = (self.won / sample
                       if self.unknown_lost and self.won is not None and sample else None)


@dataclass
class LearnedMaxDays:
    """`max_days: auto`: the 80th percentile of the days deals spent in the stage before
    moving on (null when no deal has moved on)."""

    days: float | None
    deals: int  # deals that entered and left the stage (the sample)
    small_sample: bool = False


@dataclass
class ListedDeal:
    """One deal in a stuck or overdue list."""

    deal_id: str
    stage: str
    manager: str | None
    amount: float | None
    currency: str | None = None
    days: float | None = None  # stuck: days in the stage; overdue: days past expected close
    expected_close: dt.date | None = None


@dataclass
class ForecastRow:
    """Open deals expected to close in one month (or overdue, or with no date), per
    currency: their amount and the amount weighted by their stage's probability."""

    month: str | None  # "2026-11"; None for the "overdue" and "no date" rows
    bucket: str  # "month", "overdue" or "no_date"
    currency: str | None
    deals: int
    amount: float
    weighted: float | None  # None when a stage has no probability


@dataclass
class Overdue:
    """Open deals whose expected close is before the as-of day (snoozed deals aside)."""

    deals: int
    amounts: dict[str, float]  # per currency ("" when the export has no currency column)
    listed: list[ListedDeal] = field(default_factory=list)  # oldest expected close first
    by_manager: dict[str, int] = field(default_factory=dict)  # every overdue deal, per manager


@dataclass
class Forecast:
    as_of: dt.date
    rows: list[ForecastRow]
    open_deals: int
    without_amount: int  # open deals with no amount (counted, not summed)
    overdue: Overdue
    currencies: list[str] = field(default_factory=list)


@dataclass
class PlanLine:
    """One target (team or manager, month or period) as of the as-of day."""

    manager: str | None  # None: the team
    start: dt.date
    end: dt.date
    plan: float
    won: float  # won amount closed in start..as-of
    won_deals: int
    attainment: float  # won / plan
    remaining: float  # max(plan - won, 0)
    working_days: int  # in start..end
    days_left: int  # working days after the as-of day, up to end
    expected_by_now: float | None  # plan x elapsed working days / working days
    pace_needed: float | None  # remaining / days_left (None when no day is left)
    weighted_pipeline: float | None  # open deals expected to close in start..end, weighted
    coverage: float | None  # weighted_pipeline / remaining (None when nothing remains)
    behind: bool  # won below expected_by_now while the period runs (or missed, once over)
    status: str  # "running", "finished" or "future"
    derived: bool = False  # a team line the plan does not give: the managers' targets summed
    too_early: bool = False  # running, under 20% of its working days gone: not judged yet


@dataclass
class PlanResult:
    as_of: dt.date
    lines: list[PlanLine]
    currency: str | None = None  # the one currency the amounts are in, when known
    source: str | None = None  # the plan file, when the plan is one
    notes: list[str] = field(default_factory=list)
    no_deals: list[str] = field(default_factory=list)  # target managers owning no deal


@dataclass
class Snoozed:
    """Deals the snooze file keeps out of the stuck and overdue findings."""

    path: str
    active: int  # listed deals of this funnel whose until is on or after the as-of day
    expired: int  # listed, until before the as-of day: counted again
    unknown: int  # listed ids that are not deals of this funnel
    hidden_stuck: int = 0  # active snoozes that would be stuck
    hidden_overdue: int = 0  # active snoozes that would be overdue
