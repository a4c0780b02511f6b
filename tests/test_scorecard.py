"""The manager scorecard: numbers worked out by hand on a three-manager team, the rank
correlation against scipy, and the norms-vs-outcome contrast."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest
from scipy import stats as sps

from funnelctl.metrics.scorecard import (
    FunnelDeals,
    activity_correlations,
    fisher_ci,
    known_outcomes,
    norms_outcome_contrasts,
    scorecards,
    spearman,
    weekly_table,
)
from funnelctl.report import ManagerNorms, NormsResult, NormsTotals, WeekGrade

D = dt.date(2026, 10, 5)  # a Monday


def manager(name, good, acc, below, calls, meetings, days=(), weeks=(), verdict="ok"):
    n = good + acc + below
    return ManagerNorms(manager=name, good_days=good, acceptable_days=acc, below_days=below,
                        calls=calls, meetings=meetings, verdict=verdict,
                        below_share=below / n if n else None, empty_days=0,
                        days=list(days), weeks=list(weeks), working_days=n)


def norms(managers, start=D, end=D + dt.timedelta(days=27)):
    return NormsResult(source="a", start=start, end=end, working_days=20, managers=managers,
                       totals=NormsTotals(0, 0, 0, 0, 0, 0))


def deals(rows):
    return pl.DataFrame(rows, schema={
        "manager": pl.String, "depth": pl.Int32, "outcome": pl.String, "amount": pl.Float64,
        "cycle_days": pl.Float64, "created_at": pl.Datetime, "closed_at": pl.Datetime},
        orient="row")


T = dt.datetime(2026, 10, 5, 10)
TEAM = deals([
    # A: 4 deals. Entered S1: 4 (depths 3,3,1,2), S2: 3, S3: 2. Won 2 (100 + 300), lost 1,
    # open 1: win rate 2/3, revenue 400, average 200, median cycle (10 + 20) / 2 = 15,
    # velocity 1 open x 2/3 x 200 / 15 = 8.888...
    ("A", 3, "won", 100.0, 10.0, T, T + dt.timedelta(days=10)),
    ("A", 3, "won", 300.0, 20.0, T, T + dt.timedelta(days=20)),
    ("A", 1, "lost", 50.0, None, T, T),
    ("A", 2, "open", 70.0, None, T, None),
    # B: 2 deals: entered 2 / 1 / 0; win rate 0 / 1 = 0, no won amount: no velocity.
    ("B", 2, "lost", 10.0, None, T, T),
    ("B", 1, "open", None, None, T, None),
    # a name matched to no graded manager (null after matching): in no card
    (None, 3, "won", 999.0, 5.0, T, T),
])
STAGES = ["New", "First meeting", "Presentation"]


def team_cards(min_sample=2):
    week = [WeekGrade("2026-W41", D, 6, "good"), WeekGrade("2026-W42", D, 0, None)]
    result = norms([manager("A", 2, 1, 1, 40, 6, weeks=week), manager("B", 0, 0, 2, 3, 0),
                    manager("C", 1, 0, 0, 0, 3)])
    funnel = FunnelDeals("F", STAGES, TEAM, TEAM, min_sample, "RUB", stuck={"A": 1})
    return scorecards(result, [funnel])


def test_activity_by_hand():
    cards, _ = team_cards()
    a = cards[0]
    assert (a.working_days, a.good_share, a.acceptable_share, a.below_share) == (4, .5, .25, .25)
    assert (a.calls_per_day, a.meetings_per_day) == (10.0, 1.5)  # 40 / 4, 6 / 4
    assert a.weeks == {"good": 1}  # the partial week is not graded
    assert cards[1].below_share == 1.0 and cards[2].calls_per_day == 0.0


def test_outcome_by_hand():
    cards, stages = team_cards()
    a, b, c = (card.outcomes[0] for card in cards)
    assert [(s.entered, s.conversion) for s in a.stages] == [(4, None), (3, .75), (2, 2 / 3)]
    assert (a.deals, a.won, a.lost, a.open) == (4, 2, 1, 1)
    assert a.win_rate == pytest.approx(2 / 3)
    assert (a.won_revenue, a.average_deal, a.median_cycle_days) == (400.0, 200.0, 15.0)
    assert a.velocity.per_day == pytest.approx(1 * (2 / 3) * 200 / 15)
    assert not a.small_sample and a.stuck == 1
    assert [(s.entered, s.conversion) for s in b.stages] == [(2, None), (1, .5), (0, 0.0)]
    assert (b.win_rate, b.won_revenue, b.velocity.per_day) == (0.0, 0.0, None)
    assert b.small_sample and b.stuck == 0  # 1 closed deal < min_sample 2
    assert (c.deals, c.win_rate, c.won_revenue) == (0, None, 0.0)
    assert (stages["first_meetings"], stages["presentations"]) == (
        ("F", "First meeting"), ("F", "Presentation"))
    k = cards[0].kpis
    assert (k.new_clients, k.first_meetings, k.presentations, k.deals_closed,
            k.sales_volume) == (4, 3, 2, 2, 400.0)


def test_weekly_table_advances_and_wins_next_week():
    # A's working days in week 1 (Oct 5): 2 good days, 5 meetings, 20 calls; week 2: one
    # below day; a Saturday (no grade) is left out. Moves: an advance Oct 13 (week 2) and
    # a win Oct 15 (week 2) count for week 1; a win Oct 25 (week 3) for week 2; an
    # advance Oct 8 (week 1) counts for no row (its week before is not graded).
    days = pl.DataFrame({
        "manager": ["A"] * 4,
        "date": [D, D + dt.timedelta(1), D + dt.timedelta(7), D + dt.timedelta(5)],
        "calls": [10, 10, 1, 5], "meetings": [3, 2, 0, 0],
        "grade": ["good", "good", "below", None]})
    moves = pl.DataFrame({
        "deal_id": ["1", "2", "3", "4"], "manager": ["A"] * 4,
        "day": [dt.date(2026, 10, 13), dt.date(2026, 10, 15), dt.date(2026, 10, 25),
                dt.date(2026, 10, 8)],
        "kind": ["advance", "win", "win", "advance"]})
    result = norms([manager("A", 2, 0, 1, 26, 5)])
    frame = TEAM.filter(pl.col("manager") == "A")
    funnel = FunnelDeals("F", STAGES, frame, frame, 2, moves=moves,
                         advances_from="stage_history")
    table = weekly_table(days, [funnel], result.end)
    assert table.select("meetings", "calls", "good_days", "advances_next_week",
                        "wins_next_week").rows() == [(5, 20, 2, 1, 1), (0, 1, 0, 0, 1)]
    # no basis for advances: the column is unknown (null), and no correlation uses it
    funnel.advances_from = None
    table = weekly_table(days, [funnel], result.end)
    assert table["advances_next_week"].to_list() == [None, None]
    assert known_outcomes([funnel]) == ["wins_next_week"]


FIXED_X = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3]
FIXED_Y = [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5, 9, 0, 4, 5]


def test_spearman_and_interval_against_scipy():
    rho = spearman(FIXED_X, FIXED_Y)
    expected = sps.spearmanr(FIXED_X, FIXED_Y).statistic
    assert rho == pytest.approx(expected, abs=1e-12)
    low, high, p = fisher_ci(rho, len(FIXED_X))
    n = len(FIXED_X)
    se = math.sqrt((1 + expected ** 2 / 2) / (n - 3))  # Bonett & Wright (2000)
    q = sps.norm.ppf(0.975)
    assert low == pytest.approx(math.tanh(math.atanh(expected) - q * se), abs=1e-9)
    assert high == pytest.approx(math.tanh(math.atanh(expected) + q * se), abs=1e-9)
    assert p == pytest.approx(2 * sps.norm.sf(abs(math.atanh(expected)) / se), abs=1e-9)


def test_correlation_worded_as_inconclusive_with_few_managers():
    table = pl.DataFrame({"manager": ["a", "b", "c", "d", "e", "f"] * 2,
                          "meetings": list(range(12)), "calls": list(range(12)),
                          "good_days": list(range(12)), "wins_next_week": list(range(12))})
    wins = ["wins_next_week"]
    corr = activity_correlations(table, min_managers=10, outcomes=wins)
    assert corr[0].rho == pytest.approx(1.0) and corr[0].managers == 6 and corr[0].n == 12
    assert not corr[0].conclusive  # a perfect rank order, but 6 managers
    assert activity_correlations(table, min_managers=6, outcomes=wins)[0].conclusive
    assert spearman([1, 1, 1, 1], [1, 2, 3, 4]) is None  # no variation: nothing to rank


def test_contrast_meets_norms_converts_below():
    # A meets the norms and wins 2 of 40 closed deals; the rest of the team wins 60 of 120.
    rows = ([("A", 3, "won", 1.0, 1.0, T, T)] * 2 + [("A", 1, "lost", 1.0, None, T, T)] * 38
            + [("B", 3, "won", 1.0, 1.0, T, T)] * 30 + [("B", 1, "lost", 1.0, None, T, T)] * 30
            + [("C", 3, "won", 1.0, 1.0, T, T)] * 30 + [("C", 1, "lost", 1.0, None, T, T)] * 30)
    frame = deals(rows)
    result = norms([manager("A", 5, 0, 0, 0, 0), manager("B", 5, 0, 0, 0, 0),
                    manager("C", 0, 0, 5, 0, 0, verdict="fail")])
    cards, _ = scorecards(result, [FunnelDeals("F", STAGES, frame, frame, 5)])
    found = norms_outcome_contrasts(cards, 0.05, "holm")
    # B (30/60 against 32/100: z = 2.26, p = 0.024, Holm x2 = 0.047) converts above the
    # rest but meets the norms: no contrast; C fails the norms and converts above: kept.
    assert [(c.manager, c.lower) for c in found] == [("A", True), ("C", False)]
    # the z test of 2/40 against 60/120, independently: scipy's two-sample proportions
    pooled = 62 / 160
    z = (2 / 40 - 60 / 120) / math.sqrt(pooled * (1 - pooled) * (1 / 40 + 1 / 120))
    assert found[0].p_value == pytest.approx(2 * sps.norm.sf(abs(z)), rel=1e-6)


def test_snapshot_advances_say_their_basis():
    from funnelctl.config import Funnel
    from funnelctl.metrics.advances import deal_moves

    funnel = Funnel(name="F", source="d", stages=[{"name": s} for s in STAGES],
                    won=["Won"], lost=["Lost"])
    t = dt.datetime(2026, 10, 7, 12)
    base = {"deal_id": ["1", "2", "3"], "depth": [3, 2, 1],
            "outcome": ["open", "won", "open"],
            "closed_at": [None, t, None], "created_at": [t, t, t]}
    # "Date entered" columns: each dated stage after the first is an advance on its day
    # (deal 1: two, deal 2: one; stage 1 dates are creation, not advances)
    dated = pl.DataFrame({**base, "entered:New": [t, t, t],
                          "entered:First meeting": [t, t + dt.timedelta(2), None],
                          "entered:Presentation": [t + dt.timedelta(1), None, None]})
    moves, basis, wins = deal_moves(dated, funnel, None)
    assert basis == "date_entered" and wins
    assert sorted(moves.filter(pl.col("kind") == "advance")["deal_id"]) == ["1", "1", "2"]
    assert moves.filter(pl.col("kind") == "win")["day"].to_list() == [t.date()]
    # stage_changed_at only: the open deals past the first stage (deal 1), once each
    changed = pl.DataFrame({**base, "stage_changed_at": [t, t, t]})
    moves, basis, _ = deal_moves(changed, funnel, None)
    assert basis == "stage_changed_at"
    assert moves.filter(pl.col("kind") == "advance")["deal_id"].to_list() == ["1"]
    # neither: advances are not known
    assert deal_moves(pl.DataFrame(base), funnel, None)[1] is None


def test_kpis_from_the_funnels_and_stages_chosen():
    # G: A's 3 deals, Lead -> Demo; 1 won (50), 1 lost with no known stage (depth 0)
    g = deals([("A", 2, "won", 50.0, 3.0, T, T), ("A", 1, "open", None, None, T, None),
               ("A", 0, "lost", None, None, T, T)])
    result = norms([manager("A", 1, 0, 0, 0, 0)])
    funnels = [FunnelDeals("F", STAGES, TEAM, TEAM, 2, "RUB"),
               FunnelDeals("G", ["Lead", "Demo"], g, g, 2, "USD")]
    choices = {"new_clients": ("G", None), "first_meetings": ("F", "Presentation"),
               "presentations": ("G", "Demo"), "deals_closed": ("G", None),
               "sales_volume": ("F", None)}
    cards, used = scorecards(result, funnels, choices)
    k = cards[0].kpis
    # G: 3 created, 1 of them with no stage; F: 2 of A's deals entered Presentation;
    # G: 1 entered Demo (the won deal), 1 won; F: A's won revenue 100 + 300 in RUB
    assert (k.new_clients, k.new_clients_no_stage, k.first_meetings, k.presentations,
            k.deals_closed, k.sales_volume, k.currency) == (3, 1, 2, 1, 1, 400.0, "RUB")
    assert used == choices
    # a funnel the scorecard does not have (no manager column): its KPIs are unknown
    cards, _ = scorecards(result, funnels[:1], choices)
    k = cards[0].kpis
    assert (k.new_clients, k.first_meetings, k.presentations, k.sales_volume) == (
        None, 2, None, 400.0)
