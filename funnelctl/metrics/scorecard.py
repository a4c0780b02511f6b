"""The manager scorecard (pure, Polars): each graded manager's activity (from the norms
result) next to the outcome of their deals over the same period, the five classic KPIs,
and activity per manager-week against the wins of the week after.

The deal frames come with the matched manager name in `manager` (audit/scorecard.py
matches the deals' names to the graded managers with managers.match_names). Money and
velocity are metrics.value's: `segment_money` per manager, whose velocity is
`sales_velocity` over the manager's own factors.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from statistics import NormalDist

import polars as pl

from funnelctl.metrics.advances import ADVANCE, DAY, KIND, WIN
from funnelctl.metrics.funnel import CYCLE_DAYS, DEPTH, OUTCOME, UNPLACED
from funnelctl.metrics.stats import adjust, proportion_test, ratio
from funnelctl.metrics.value import AMOUNT, sales_velocity, segment_money
from funnelctl.report import ManagerNorms, NormsResult
from funnelctl.report_scorecard import (
    ManagerKpis,
    ManagerOutcome,
    ManagerScorecard,
    ManagerWeek,
    RankCorrelation,
    StageConversion,
)

WEEK = "week_start"
# The five classic steps (DOMAIN.md): the deal stages that stand for the two middle ones,
# matched by a word of the stage name (case-insensitive); the first is deals created, the
# last two are won deals and won revenue.
KPI_WORDS = {
    "first_meetings": ("meeting", "встреч"),
    "presentations": ("presentation", "demo", "proposal", "презентац", "демо", "кп",
                      "коммерческое предложение"),
}
ACTIVITIES = ("meetings", "calls", "good_days")
MIN_MANAGERS = 10  # fewer managers than this: a correlation across them shows nothing


@dataclass
class FunnelDeals:
    """One deal funnel's deals for the scorecard: `cohort` (created in the period) and
    `frame` (every deal, for wins by close date), with matched managers."""

    name: str
    stages: list[str]
    cohort: pl.DataFrame
    frame: pl.DataFrame
    min_sample: int
    currency: str | None = None
    stuck: dict[str, int] | None = None  # manager -> stuck deals (None: not judged)
    overdue: dict[str, int] | None = None
    # deal_id, day, kind (advance / win), manager: the dated moves (metrics/advances)
    moves: pl.DataFrame | None = None
    advances_from: str | None = None  # their basis; None: advances not known
    wins_dated: bool = True  # False: no close date nor history to date a win by


def activity_card(m: ManagerNorms) -> ManagerScorecard:
    """The norms result's day counts, and their shares of the manager's working days
    (below_share: the result's own)."""
    n = m.working_days
    weeks = dict(Counter(w.grade for w in m.weeks if w.grade is not None))
    return ManagerScorecard(
        manager=m.manager, team=m.team, verdict=m.verdict, working_days=n,
        good_days=m.good_days, acceptable_days=m.acceptable_days, below_days=m.below_days,
        good_share=ratio(m.good_days, n), acceptable_share=ratio(m.acceptable_days, n),
        below_share=m.below_share, calls_per_day=m.calls / n if n else None,
        meetings_per_day=m.meetings / n if n else None, weeks=weeks)


def manager_outcomes(deals: FunnelDeals, managers: list[str]) -> dict[str, ManagerOutcome]:
    """manager -> the outcome of their deals in the funnel's cohort (every listed manager,
    zero deals included)."""
    n = len(deals.stages)
    cohort = deals.cohort.filter(pl.col("manager").is_in(managers))
    depth = pl.col(DEPTH)
    counts = cohort.group_by("manager").agg(
        pl.len().alias("deals"),
        *[(depth >= k).sum().alias(f"entered_{k}") for k in range(1, n + 1)],
        (pl.col(OUTCOME) == "won").sum().alias("won"),
        (pl.col(OUTCOME) == "lost").sum().alias("lost"),
        (pl.col(OUTCOME) == "open").sum().alias("open"),
        (depth == UNPLACED).sum().alias("no_stage"),
        pl.col(CYCLE_DAYS).filter(pl.col(OUTCOME) == "won").median().alias("cycle"))
    rows = {r["manager"]: r for r in counts.iter_rows(named=True)}
    money = (segment_money(cohort, "manager", deals.min_sample)
             if AMOUNT in cohort.columns and cohort.height else {})
    out = {}
    for name in managers:
        r = rows.get(name) or {"deals": 0, "won": 0, "lost": 0, "open": 0, "no_stage": 0,
                               "cycle": None, **{f"entered_{k}": 0 for k in range(1, n + 1)}}
        entered = [int(r[f"entered_{k}"]) for k in range(1, n + 1)]
        stages = [StageConversion(s, e, ratio(e, entered[i - 1]) if i else None)
                  for i, (s, e) in enumerate(zip(deals.stages, entered))]
        won, lost = int(r["won"]), int(r["lost"])
        win_rate = ratio(won, won + lost)
        few = won + lost < deals.min_sample
        cycle = float(r["cycle"]) if r["cycle"] is not None else None
        seg = money.get(name)
        if seg is not None:
            velocity, revenue, mean = seg.velocity, seg.won_revenue, seg.deal_mean
        else:
            revenue = 0.0 if AMOUNT in cohort.columns else None
            mean = None
            velocity = sales_velocity(int(r["open"]), win_rate, None, cycle, small_sample=few)
        out[name] = ManagerOutcome(
            funnel=deals.name, deals=int(r["deals"]), stages=stages, won=won, lost=lost,
            open=int(r["open"]), win_rate=win_rate, won_revenue=revenue, average_deal=mean,
            median_cycle_days=cycle, velocity=velocity, currency=deals.currency,
            stuck=None if deals.stuck is None else deals.stuck.get(name, 0),
            overdue=None if deals.overdue is None else deals.overdue.get(name, 0),
            small_sample=few, no_stage=int(r["no_stage"]))
    return out


KPIS = ("new_clients", "first_meetings", "presentations", "deals_closed", "sales_volume")
# kpi -> (the funnel it is counted over, the stage for first meetings and presentations)
KpiChoice = tuple[str | None, str | None]


def kpi_stages(stages: list[str]) -> dict[str, str | None]:
    """kpi -> the first stage whose name has one of its words (None: no such stage)."""
    out: dict[str, str | None] = {}
    for kpi, words in KPI_WORDS.items():
        out[kpi] = next((s for s in stages if any(w in s.casefold() for w in words)), None)
    return out


def default_kpis(funnels: list[FunnelDeals]) -> dict[str, KpiChoice]:
    """Every KPI from the first funnel, its stages found by kpi_stages."""
    if not funnels:
        return dict.fromkeys(KPIS, (None, None))
    first, stages = funnels[0].name, kpi_stages(funnels[0].stages)
    return {kpi: (first, stages.get(kpi)) for kpi in KPIS}


def manager_kpis(outcomes: dict[str, ManagerOutcome], choices: dict[str, KpiChoice]
                 ) -> ManagerKpis:
    """The five steps from the outcome of each KPI's funnel (None: a funnel or stage the
    scorecard does not have)."""
    def of(kpi: str) -> ManagerOutcome | None:
        return outcomes.get(choices[kpi][0]) if choices[kpi][0] else None

    def entered(kpi: str) -> int | None:
        o, stage = of(kpi), choices[kpi][1]
        return next((s.entered for s in o.stages if s.name == stage), None) if o else None

    new, won, volume = of("new_clients"), of("deals_closed"), of("sales_volume")
    return ManagerKpis(
        new_clients=new.deals if new else None,
        new_clients_no_stage=new.no_stage if new else None,
        first_meetings=entered("first_meetings"), presentations=entered("presentations"),
        deals_closed=won.won if won else None,
        sales_volume=volume.won_revenue if volume else None,
        currency=volume.currency if volume else None)


def scorecards(norms: NormsResult, funnels: list[FunnelDeals],
               kpis: dict[str, KpiChoice] | None = None
               ) -> tuple[list[ManagerScorecard], dict[str, KpiChoice]]:
    """Every graded manager's scorecard, in the norms' order, and the KPI mapping used
    (`kpis`, or default_kpis)."""
    managers = [m.manager for m in norms.managers]
    cards = [activity_card(m) for m in norms.managers]
    per_funnel = [manager_outcomes(f, managers) for f in funnels]
    choices = kpis if kpis is not None else default_kpis(funnels)
    for card in cards:
        card.outcomes = [outcomes[card.manager] for outcomes in per_funnel]
        if card.outcomes:
            card.kpis = manager_kpis({o.funnel: o for o in card.outcomes}, choices)
    return cards, choices


NEXT = {"advances_next_week": ADVANCE, "wins_next_week": WIN}  # outcome column -> move
WEEK_SCHEMA = {"manager": pl.String, WEEK: pl.Date, "meetings": pl.Int64, "calls": pl.Int64,
               "good_days": pl.Int64, **dict.fromkeys(NEXT, pl.Int64)}


def weekly_table(days: pl.DataFrame | None, funnels: list[FunnelDeals],
                 end: dt.date | None) -> pl.DataFrame:
    """One row per graded manager-week whose next week still ends inside the graded
    range: meetings, calls and good days that week (`days`: the norms' day grades,
    working days only), and the manager's stage advances and wins the next week, across
    the deal funnels (metrics/advances; null when no funnel dates them). Only managers
    who own deals in the funnels count (a phone team that hands its leads on has no
    wins of its own)."""
    if days is None or not funnels:
        return pl.DataFrame(schema=WEEK_SCHEMA)
    owners = pl.concat([f.frame.select("manager") for f in funnels]).drop_nulls().unique()
    grade = pl.col("grade")
    weeks = (days.filter(grade.is_not_null()).join(owners, on="manager", how="semi")
             .group_by("manager", pl.col("date").dt.truncate("1w").alias(WEEK))
             .agg(pl.col("meetings").sum().cast(pl.Int64), pl.col("calls").sum().cast(pl.Int64),
                  (grade == "good").sum().cast(pl.Int64).alias("good_days")))
    moves = pl.concat([f.moves.select("manager", DAY, KIND) for f in funnels
                       if f.moves is not None]
                      + [pl.DataFrame(schema={"manager": pl.String, DAY: pl.Date,
                                              KIND: pl.String})])
    later = (moves.group_by("manager", (pl.col(DAY).dt.truncate("1w")
                                        - pl.duration(weeks=1)).alias(WEEK))
             .agg(*[(pl.col(KIND) == kind).sum().cast(pl.Int64).alias(column)
                    for column, kind in NEXT.items()]))
    known = known_outcomes(funnels)
    out = weeks.join(later, on=["manager", WEEK], how="left").with_columns(
        [pl.col(c).fill_null(0) if c in known else pl.lit(None, pl.Int64).alias(c)
         for c in NEXT])
    if end is not None:  # the next week must be seen whole
        out = out.filter(pl.col(WEEK) + pl.duration(days=13) <= end)
    return out.select(list(WEEK_SCHEMA)).sort("manager", WEEK)


def unfinished_weeks(days: pl.DataFrame | None, end: dt.date | None) -> list[str]:
    """The ISO weeks with graded days that weekly_table leaves out because the week
    after them does not end inside the graded range (their outcomes are not known yet:
    they are not zero)."""
    if days is None or end is None:
        return []
    week = pl.col("date").dt.truncate("1w")
    late = (days.filter(pl.col("grade").is_not_null()).select(week.alias(WEEK)).unique()
            .filter(pl.col(WEEK) + pl.duration(days=13) > end).sort(WEEK))
    return late[WEEK].dt.strftime("%G-W%V").to_list()


def known_outcomes(funnels: list[FunnelDeals]) -> list[str]:
    """The next-week outcomes some funnel dates: advances (a basis), wins (a date)."""
    known = {"advances_next_week": any(f.advances_from for f in funnels),
             "wins_next_week": any(f.wins_dated for f in funnels)}
    return [c for c in NEXT if known[c]]


def manager_weeks(table: pl.DataFrame, order: list[str]) -> list[ManagerWeek]:
    """The manager-week table as report rows (one per manager-week: a few hundred), the
    managers in `order` (the norms')."""
    rank = pl.col("manager").replace_strict({m: i for i, m in enumerate(order)},
                                            default=len(order), return_dtype=pl.Int64)
    labelled = (table.sort(rank, pl.col("manager"), pl.col(WEEK))
                .with_columns(pl.col(WEEK).dt.strftime("%G-W%V").alias("week")))
    return [ManagerWeek(**row) for row in labelled.iter_rows(named=True)]


def spearman(x: list[float], y: list[float]) -> float | None:
    """Spearman's rho: Pearson's r of the average ranks; None when a side is constant or
    there are fewer than 3 pairs."""
    if len(x) < 3:
        return None
    ranks = pl.DataFrame({"x": x, "y": y}).select(
        pl.col("x").rank("average"), pl.col("y").rank("average"))
    if ranks["x"].std() == 0 or ranks["y"].std() == 0:
        return None
    return float(ranks.select(pl.corr("x", "y")).item())


def fisher_ci(rho: float, n: int, level: float = 0.95) -> tuple[float, float, float] | None:
    """(low, high, two-sided p) for Spearman's rho by Fisher's z, with the Bonett-Wright
    standard error sqrt((1 + rho^2 / 2) / (n - 3)). None below 4 pairs."""
    if n < 4:
        return None
    r = max(min(rho, 0.999999), -0.999999)
    z, se = math.atanh(r), math.sqrt((1 + r * r / 2) / (n - 3))
    q = NormalDist().inv_cdf(1 - (1 - level) / 2)
    p = 2 * (1 - NormalDist().cdf(abs(z) / se))
    return math.tanh(z - q * se), math.tanh(z + q * se), p


def activity_correlations(table: pl.DataFrame, min_managers: int = MIN_MANAGERS,
                          outcomes: list[str] | None = None, level: float = 0.05,
                          correction: str = "holm") -> list[RankCorrelation]:
    """Each activity against each of `outcomes` (default: next week's advances and wins;
    known_outcomes leaves out those no funnel dates). The pairs are one family of tests:
    a relation is shown only when its p, adjusted for the family (`correction`), is
    below `level` (six tries at a 5% level would find one by chance a quarter of the
    time) and there are at least `min_managers` managers."""
    managers = table["manager"].n_unique() if table.height else 0
    out = []
    for outcome in outcomes if outcomes is not None else list(NEXT):
        y = table[outcome].to_list()
        for activity in ACTIVITIES:
            x = table[activity].to_list()
            rho = spearman(x, y)
            ci = fisher_ci(rho, len(x)) if rho is not None else None
            low, high, p = ci if ci else (None, None, None)
            out.append(RankCorrelation(activity=activity, outcome=outcome, n=len(x),
                                       managers=managers, rho=rho, ci_low=low, ci_high=high,
                                       p_value=p, conclusive=False))
    for c, q in zip(out, adjust([c.p_value for c in out], correction)):
        c.p_adjusted, c.tests = q, sum(o.p_value is not None for o in out)
        c.conclusive = bool(q is not None and q < level and managers >= min_managers)
    return out


@dataclass
class Contrast:
    """A manager whose norms verdict and win rate disagree with the team's."""

    manager: str
    funnel: str
    verdict: str
    won: int
    closed: int
    team_won: int
    team_closed: int
    p_value: float
    p_adjusted: float
    test: str
    lower: bool  # the manager converts below the rest of the team


def norms_outcome_contrasts(cards: list[ManagerScorecard], level: float, correction: str
                            ) -> list[Contrast]:
    """Every manager's win rate against the rest of the team's (two-proportion test, one
    family per funnel, adjusted); kept: meets the norms (verdict ok) and converts
    significantly below, or fails them and converts significantly above."""
    out = []
    n_funnels = max((len(c.outcomes) for c in cards), default=0)
    for k in range(n_funnels):
        rows = [(c, c.outcomes[k]) for c in cards if len(c.outcomes) > k]
        won_all = sum(o.won for _, o in rows)
        closed_all = sum(o.won + o.lost for _, o in rows)
        tests = []
        for c, o in rows:
            closed = o.won + o.lost
            p, test = proportion_test(o.won, closed, won_all - o.won, closed_all - closed)
            tests.append((c, o, p, test))
        adjusted = adjust([p for *_, p, _ in tests], correction)
        for (c, o, p, test), q in zip(tests, adjusted):
            if p is None or q is None or q >= level:
                continue
            closed = o.won + o.lost
            lower = o.won / closed < (won_all - o.won) / (closed_all - closed)
            if (c.verdict == "ok" and lower) or (c.verdict == "fail" and not lower):
                out.append(Contrast(c.manager, o.funnel, c.verdict, o.won, closed,
                                    won_all - o.won, closed_all - closed, p, q, test, lower))
    return out
