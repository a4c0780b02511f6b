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
