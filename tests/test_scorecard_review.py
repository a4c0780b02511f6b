"""Review of the scorecard's correlations and their wording: the six correlations are one
family of tests (a raw p below 5% is no relation once adjusted for six), and counts are
written with the noun form their number takes, in English and Russian."""

from __future__ import annotations

import math

import polars as pl
import pytest
import scipy.stats as sps

from funnelctl.metrics.scorecard import activity_correlations
from funnelctl.render.fmt import Fmt
from funnelctl.render.labels import labels
from funnelctl.render.scorecard_view import correlation_line
from funnelctl.report_scorecard import RankCorrelation, Scorecard

# 24 manager-weeks of 12 managers (seeded draws): good days against wins has a raw p of
# about 0.024, every other pair one above 0.4
TABLE = pl.DataFrame({
    "manager": [f"m{i // 2}" for i in range(24)],
    "meetings": [9, 0, 5, 5, 2, 5, 6, 2, 5, 1, 9, 0, 4, 3, 0, 3, 6, 0, 0, 2, 1, 7, 1, 6],
    "calls": [49, 58, 7, 51, 59, 37, 22, 11, 5, 50, 45, 25, 29, 1, 25, 57, 27, 56, 22, 19,
              44, 29, 22, 16],
    "good_days": [3, 4, 4, 5, 1, 3, 0, 3, 3, 1, 1, 1, 5, 2, 2, 3, 5, 4, 3, 0, 2, 3, 0, 5],
    "advances_next_week": [3, 1, 0, 2, 0, 0, 3, 3, 3, 0, 0, 3, 1, 1, 2, 4, 4, 4, 3, 2, 3,
                           3, 4, 4],
    "wins_next_week": [1, 0, 2, 0, 2, 0, 2, 1, 0, 1, 1, 0, 0, 2, 1, 2, 0, 2, 0, 2, 2, 1, 1,
                       0]})


def _p(x, y) -> float:
    """Fisher's z p of Spearman's rho with the Bonett-Wright error, from scipy's rho."""
    rho = sps.spearmanr(x, y).statistic
    se = math.sqrt((1 + rho ** 2 / 2) / (len(x) - 3))
    return 2 * sps.norm.sf(abs(math.atanh(rho)) / se)


def test_a_raw_p_below_the_level_is_no_relation_once_adjusted_for_the_family():
    raw = {(c.activity, c.outcome): c for c in activity_correlations(TABLE, 10)}
    assert len(raw) == 6 and all(c.managers == 12 and c.tests == 6 for c in raw.values())
    best = raw[("good_days", "wins_next_week")]
    p = _p(TABLE["good_days"], TABLE["wins_next_week"])
    assert best.p_value == pytest.approx(p, rel=1e-9) and p < 0.05
    assert best.ci_high < 0  # its 95% interval leaves 0 out ...
    # ... but Holm multiplies the smallest of six p by 6, Bonferroni any by 6
    assert best.p_adjusted == pytest.approx(6 * p, rel=1e-9) and best.p_adjusted > 0.05
    assert not best.conclusive
    bh = {(c.activity, c.outcome): c for c in activity_correlations(
        TABLE, 10, correction="bh")}
    assert bh[("good_days", "wins_next_week")].p_adjusted == pytest.approx(6 * p, rel=1e-9)
    # a loose level of 20% keeps it
    loose = activity_correlations(TABLE, 10, level=0.2)
    assert [(c.activity, c.outcome) for c in loose if c.conclusive] == [
        ("good_days", "wins_next_week")]


def test_the_adjusted_p_is_said_when_it_undoes_a_relation():
    sc = Scorecard(funnels=["F"], min_managers=10, correction="holm")
    c = next(c for c in activity_correlations(TABLE, 10)
             if (c.activity, c.outcome) == ("good_days", "wins_next_week"))
    en = correlation_line(c, labels("en"), Fmt("en"), sc)
    assert "n = 24 manager-weeks of 12 managers" in en
    assert f"p={c.p_adjusted:.3f} adjusted for 6 tests (holm): no relation shown" in en
    ru = correlation_line(c, labels("ru"), Fmt("ru"), sc)
    assert "n = 24 недели у 12 менеджеров" in ru
    assert "с поправкой на 6 проверок (holm): связь не показана" in ru


@pytest.mark.parametrize("n, weeks, managers, tests", [
    (1, "1 неделя", "1 менеджера", "1 проверку"), (2, "2 недели", "2 менеджеров", "2 проверки"),
    (5, "5 недель", "5 менеджеров", "5 проверок"), (11, "11 недель", "11 менеджеров",
                                                    "11 проверок"),
    (21, "21 неделя", "21 менеджера", "21 проверку"), (22, "22 недели", "22 менеджеров",
                                                      "22 проверки"),
    (112, "112 недель", "112 менеджеров", "112 проверок")])
def test_russian_counts_take_the_form_of_their_number(n, weeks, managers, tests):
    t, f = labels("ru"), Fmt("ru")
    assert f.count(n, t["sc_forms_weeks"]) == weeks
    assert f.count(n, t["sc_forms_managers"]) == managers
    assert f.count(n, t["sc_forms_tests"]) == tests


def test_one_manager_and_one_week_are_singular():
    c = RankCorrelation(activity="calls", outcome="wins_next_week", n=4, managers=1, rho=0.5,
                        ci_low=-0.9, ci_high=0.99, p_value=0.5, conclusive=False,
                        p_adjusted=1.0, tests=1)
    sc = Scorecard(funnels=["F"], min_managers=21)
    en = correlation_line(c, labels("en"), Fmt("en"), sc)
    assert "n = 4 manager-weeks of 1 manager: with 1 manager this" in en
    assert "needs at least 21 managers" in en
    ru = correlation_line(c, labels("ru"), Fmt("ru"), sc)
    assert "n = 4 недели у 1 менеджера" in ru and "не меньше 21 менеджера" in ru


# A tiny team worked out by hand (Europe/Moscow; weeks W10 = 03-04, W11 = 03-11, W12 =
# 03-18; the period ends Sunday 03-24, so W12's week after is not in it):
#   Anna Smirnova (the CRM writes "Smirnova A."): W10 3 meetings a day (15, 5 good days),
#     W11 one meeting on Monday; W12 active.
#   Boris Petrov joins Wednesday 03-06 (roster from:): W10 counts Wed-Fri only (9 meetings,
#     3 good days; his Monday and Tuesday are outside his dates), W11 10 calls a day.
#   Cid Jones: activity, no deals (no row). Dan: deals, no activity (unmatched).
#   d1 Anna  A 03-05, B 03-12 (W11), Won 03-19 (W12)
#   d2 Anna  A 03-04, B Sunday 03-17 23:30 +03:00 (W11, local), C 03-17 21:30Z = Monday
#            00:30 in Moscow (W12)
#   d3 Boris A 03-06, B 03-07 (W10: the week before his first row), Lost 03-14
#   d4 Boris A 03-11, B 03-13 (W11), C 03-20 (W12), Won 03-21 (W12)
# Rows (week, advances the week after, wins the week after):
#   Anna W10: 2 (d1 B, d2 B), 0; W11: 1 (d2 C), 1 (d1). Boris W10: 1 (d4 B), 0;
#   W11: 1 (d4 C), 1 (d4). W12: left out, named as not known yet.
ACTIVITY_DAYS = [("Anna Smirnova", "2024-03-11", 0, 1)] + [
    row for i in range(5) for row in (
        ("Anna Smirnova", f"2024-03-{4 + i:02}", 0, 3),
        ("Anna Smirnova", f"2024-03-{18 + i}", 0, 2),
        ("Boris Petrov", f"2024-03-{4 + i:02}", 0, 5 if i < 2 else 3),
        ("Boris Petrov", f"2024-03-{11 + i}", 10, 0),
        ("Boris Petrov", f"2024-03-{18 + i}", 0, 2),
        ("Cid Jones", f"2024-03-{4 + i:02}", 60, 0), ("Cid Jones", f"2024-03-{11 + i}", 60, 0))]
STAGES = """deal_id,stage,entered_at
d1,A,2024-03-05 10:00
d1,B,2024-03-12 10:00
d1,Won,2024-03-19 10:00
d2,A,2024-03-04 09:00
d2,B,2024-03-17T23:30:00+03:00
d2,C,2024-03-17T21:30:00Z
d3,A,2024-03-06 10:00
d3,B,2024-03-07 10:00
d3,Lost,2024-03-14 10:00
d4,A,2024-03-11 10:00
d4,B,2024-03-13 10:00
d4,C,2024-03-20 10:00
d4,Won,2024-03-21 10:00
d5,A,2024-03-05 10:00
d5,B,2024-03-12 10:00
"""
SNAPSHOT = """deal_id,stage,created_at,closed_at,manager,amount
d1,Won,2024-03-05 10:00,2024-03-19 10:00,Smirnova A.,100
d2,C,2024-03-04 09:00,,Smirnova A.,
d3,Lost,2024-03-06 10:00,2024-03-14 10:00,Boris Petrov,
d4,Won,2024-03-11 10:00,2024-03-21 10:00,Boris Petrov,50
d5,B,2024-03-05 10:00,,Dan,
"""
TEAM_CONFIG = """version: 1
language: {lang}
timezone: Europe/Moscow
period: {{start: 2024-03-04, end: 2024-03-24}}
sources:
  a: {{path: a.csv, kind: activities}}
  h: {{path: h.csv, kind: stage_history}}
  d: {{path: d.csv, kind: deals}}
funnels:
  - {{name: F, source: d, stage_history: h, stages: [{{name: A}}, {{name: B}}, {{name: C}}],
     won: [Won], lost: [Lost]}}
norms:
  source: a
  roster: [Anna Smirnova, {{name: Boris Petrov, from: 2024-03-06}}, Cid Jones]
  calendar: {{workdays: [mon, tue, wed, thu, fri]}}
"""


def _team(tmp_path, lang="en"):
    rows = ["manager,date,calls,meetings", *(",".join(map(str, r)) for r in ACTIVITY_DAYS)]
    (tmp_path / "a.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "h.csv").write_text(STAGES, encoding="utf-8")
    (tmp_path / "d.csv").write_text(SNAPSHOT, encoding="utf-8")
    config = tmp_path / f"c_{lang}.yaml"
    config.write_text(TEAM_CONFIG.format(lang=lang), encoding="utf-8")
    return config


def test_tiny_team_by_hand_and_the_unfinished_week_named(cli, tmp_path):
    import json

    result = cli("audit", _team(tmp_path), "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    sc = data["scorecard"]
    assert [(w["manager"], w["week"], w["meetings"], w["calls"], w["good_days"],
             w["advances_next_week"], w["wins_next_week"]) for w in sc["weeks"]] == [
        ("Anna Smirnova", "2024-W10", 15, 0, 5, 2, 0),
        ("Anna Smirnova", "2024-W11", 1, 0, 0, 1, 1),
        ("Boris Petrov", "2024-W10", 9, 0, 3, 1, 0),
        ("Boris Petrov", "2024-W11", 0, 50, 0, 1, 1)]
    assert sc["unfinished_weeks"] == ["2024-W12"] and sc["unmatched"] == {"Dan": 1}
    cards = {c["manager"]: c for c in data["managers"]}
    assert cards["Anna Smirnova"]["deal_names"] == ["Smirnova A."]
    (anna,), (boris,) = cards["Anna Smirnova"]["outcomes"], cards["Boris Petrov"]["outcomes"]
    # Anna: d1 won in 14 days (03-05 -> 03-19), d2 open; Boris: d3 lost, d4 won in 10 days
    assert (anna["deals"], anna["won"], anna["open"], anna["median_cycle_days"]) == (
        2, 1, 1, 14.0)
    assert (boris["deals"], boris["won"], boris["lost"], boris["median_cycle_days"]) == (
        2, 1, 1, 10.0)
    text = " ".join(cli("audit", _team(tmp_path), "--fail-on", "never").stdout.split())
    assert "not in the manager-weeks: 2024-W12 (the week after ends after 2024-03-24" in text
    ru = " ".join(cli("audit", _team(tmp_path, "ru"), "--fail-on", "never").stdout.split())
    assert "нет среди недель менеджеров: 2024-W12" in ru and "это не 0" in ru
