"""The manager scorecard part of the report model (plain dataclasses, JSON field names):
each graded manager's activity next to the outcome of their deals over the same period,
and activity against next week's stage advances and wins across the team. report.py
refers to these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class StageConversion:
    """One stage of a manager's deals: how many entered it, and the share of the previous
    stage's that did (None for the first stage or an empty previous stage)."""

    name: str
    entered: int
    conversion: float | None


@dataclass
class ManagerOutcome:
    """A manager's deals in one deal funnel, created in the period (the funnel's cohort)."""

    funnel: str
    deals: int  # created in the period
    stages: list[StageConversion]
    won: int
    lost: int
    open: int
    win_rate: float | None  # won / (won + lost)
    won_revenue: float | None  # None: the source maps no amount
    average_deal: float | None  # mean won deal (won deals with an amount)
    median_cycle_days: float | None  # created -> won, won deals
    # report.Velocity (not imported: report.py imports this module): sales_velocity over
    # the manager's own factors
    velocity: Any
    currency: str | None = None
    stuck: int | None = None  # open deals past max_days now, all deals (None: not judged)
    overdue: int | None = None  # open deals past their expected close (None: not judged)
    small_sample: bool = False  # fewer closed deals than the funnel's min_sample
    no_stage: int = 0  # of `deals`: lost with no known stage (not in the stage counts)


@dataclass
class ManagerKpis:
    """The five classic steps (DOMAIN.md), each from the funnel (and stage) the config's
    `scorecard: kpis:` names, by default the first deal funnel and its stages found by
    name (docs/norms.md); None: no such stage, or a funnel without managers."""

    new_clients: int | None
    first_meetings: int | None
    presentations: int | None
    deals_closed: int | None
    sales_volume: float | None
    new_clients_no_stage: int | None = None  # of new_clients: no known stage
    currency: str | None = None  # of sales_volume


@dataclass
class ManagerScorecard:
    manager: str
    team: str | None
    verdict: str  # the norms verdict (ok / warn / fail)
    working_days: int
    good_days: int
    acceptable_days: int
    below_days: int
    good_share: float | None
    acceptable_share: float | None
    below_share: float | None
    calls_per_day: float | None  # calls / the manager's working days
    meetings_per_day: float | None
    weeks: dict[str, int] = field(default_factory=dict)  # week grade -> weeks (graded only)
    outcomes: list[ManagerOutcome] = field(default_factory=list)
    kpis: ManagerKpis | None = None
    deal_names: list[str] = field(default_factory=list)  # the names the deals wrote


@dataclass
class ManagerWeek:
    """One graded manager-week: its activity, and the manager's deals' stage advances and
    wins the following week (None: no funnel dates them)."""

    manager: str
    week: str  # ISO week, 2026-W41
    week_start: Any  # dt.date, its Monday
    meetings: int
    calls: int
    good_days: int
    advances_next_week: int | None
    wins_next_week: int | None


@dataclass
class RankCorrelation:
    """Spearman's rank correlation of an activity per manager-week with the manager's
    stage advances or wins the following week; CI by Fisher's z with the Bonett-Wright
    standard error."""

    activity: str  # meetings, calls or good_days
    outcome: str  # advances_next_week or wins_next_week
    n: int  # manager-weeks
    managers: int
    rho: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    conclusive: bool  # p adjusted for the family below the level, and enough managers
    p_adjusted: float | None = None  # for the `tests` correlations reported together
    tests: int = 0


@dataclass
class Scorecard:
    funnels: list[str]  # the deal funnels the outcomes come from
    unmatched: dict[str, int] = field(default_factory=dict)  # deals' manager -> deals
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    unassigned: int = 0  # deals with no manager or a system user
    kpi_stages: dict[str, str | None] = field(default_factory=dict)  # kpi -> stage used
    kpi_funnels: dict[str, str | None] = field(default_factory=dict)  # kpi -> its funnel
    correlations: list[RankCorrelation] = field(default_factory=list)
    min_managers: int = 10  # fewer managers than this: no relation can be shown
    correction: str = "holm"  # the correlations' multiple-testing correction
    weeks: list[ManagerWeek] = field(default_factory=list)  # the manager-week table
    # ISO weeks left out of it: the week after them ends after the graded range
    unfinished_weeks: list[str] = field(default_factory=list)
    # funnel -> where its stage advances come from: stage_history, date_entered,
    # stage_changed_at, or None (not known: no advances from it)
    advances_from: dict[str, str | None] = field(default_factory=dict)
    notes: list[Any] = field(default_factory=list)
