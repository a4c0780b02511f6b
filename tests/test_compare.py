"""--compare previous: which changes are real (two-proportion test), by hand and end to end."""

from __future__ import annotations

import math

import pytest

from funnelctl.metrics.compare import change, compare_funnel, compare_managers
from funnelctl.report import FunnelResult, StageResult
from tests.conftest import write_csv


def test_ab_example_is_significant_with_20000_visitors_per_period():
    # DOMAIN.md: clicks on "buy" went from 0.38% to 0.55%. With 20,000 visitors a period:
    # 76 -> 110 clicks; pooled p = 186 / 40,000 = 0.00465;
    # se = sqrt(0.00465 * 0.99535 * (1/20000 + 1/20000)) = 0.00068032;
    # z = (0.0055 - 0.0038) / se = 2.4988; two-sided p = erfc(z / sqrt 2) = 0.01246.
    pooled = 186 / 40_000
    z = 0.0017 / math.sqrt(pooled * (1 - pooled) * (2 / 20_000))
    assert z == pytest.approx(2.4988, abs=1e-4)
    ch = change("buy", previous=(76, 20_000), current=(110, 20_000), significance=0.05)
    assert ch.p_value == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-9)
    assert ch.p_value == pytest.approx(0.01246, abs=1e-5)
    assert ch.previous == pytest.approx(0.0038) and ch.current == pytest.approx(0.0055)
    assert ch.change == pytest.approx(0.0017)
    assert ch.significant and not ch.worse  # it went up


def test_ab_example_is_noise_with_10000_visitors_per_period():
    # Same rates, half the traffic: 38 -> 55; z = 0.0017 / 0.00096212 = 1.7669, p = 0.0772.
    ch = change("buy", previous=(38, 10_000), current=(55, 10_000), significance=0.05)
    assert ch.p_value == pytest.approx(0.0772, abs=1e-4)
    assert not ch.significant and not ch.worse


def test_a_significant_drop_is_worse():
    ch = change("buy", previous=(110, 20_000), current=(76, 20_000), significance=0.05)
    assert ch.significant and ch.worse
    assert ch.change == pytest.approx(-0.0017)


def test_an_empty_period_is_not_tested():
    ch = change("x", previous=(0, 0), current=(5, 10), significance=0.05)
    assert ch.p_value is None and ch.previous is None and ch.change is None
    assert not ch.significant and not ch.worse


def funnel(entered: list[int]) -> FunnelResult:
    stages = [StageResult(f"S{i}", n, None, None, None, None) for i, n in enumerate(entered)]
    return FunnelResult("F", "deals", "deals", entered[0], stages)


def test_compare_funnel_tests_each_stage_from_the_one_before():
    result = compare_funnel(funnel([100, 80, 20]), funnel([100, 80, 40]), 0.05)
    s1, s2 = result.stages
    # S1: 80/100 both times: no change, p = 1 (z = 0).
    assert (s1.previous, s1.current, s1.p_value) == (0.8, 0.8, pytest.approx(1.0))
    # S2: 40/80 -> 20/80: pooled 60/160 = 0.375; se = sqrt(.375 * .625 * 2/80) = 0.076547;
    # z = 0.25 / se = 3.2660; p = erfc(3.2660 / sqrt 2) = 0.001091.
    assert s2.p_value == pytest.approx(0.001091, abs=1e-6)
    assert s2.worse
    # Overall 40/100 -> 20/100: pooled 0.3, se = sqrt(.3 * .7 * 2/100) = 0.064807,
    # z = 3.0861, p = 0.002028.
    assert result.overall.p_value == pytest.approx(0.002028, abs=1e-6)
    assert result.overall.worse
    assert (result.previous_entities, result.current_entities) == (100, 100)


def test_compare_managers_by_share_of_good_days():
    changes = compare_managers({"Ann": (18, 20), "Bob": (10, 20)},
                               {"Ann": (4, 20), "Cid": (5, 20)}, 0.05)
    by_name = {c.subject: c for c in changes}
    assert set(by_name) == {"Ann", "Bob", "Cid"}
    assert by_name["Ann"].worse  # 90% -> 20% of good days
    assert by_name["Bob"].current is None and not by_name["Bob"].significant
    assert by_name["Cid"].previous is None


HEADER = ["Id", "Stage", "Created"]
CONFIG = """
version: 1
sources:
  deals: {path: deals.csv, kind: deals, columns: {deal_id: Id, stage: Stage, created_at: Created}}
funnels:
  - name: F
    source: deals
    stages: [{name: A}, {name: B}]
"""


@pytest.fixture
def two_months(tmp_path):
    # January: 50 deals, 40 reached B (80%). February: 50 deals, 20 reached B (40%).
    # pooled 60/100 = 0.6; se = sqrt(.6 * .4 * (2/50)) = 0.09798; z = 0.4 / se = 4.0825;
    # p = erfc(4.0825 / sqrt 2) = 4.46e-5.
    rows = [[f"j{i}", "B" if i < 40 else "A", "2024-01-10"] for i in range(50)]
    rows += [[f"f{i}", "B" if i < 20 else "A", "2024-02-10"] for i in range(50)]
    write_csv(tmp_path / "deals.csv", HEADER, rows)
    (tmp_path / "audit.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path / "audit.yaml"


def test_cli_compare_previous_flags_the_stage_that_got_worse(cli, two_months):
    # February 2024 has 29 days, so the previous period is 2024-01-03..2024-01-31.
    report = cli.json("audit", two_months, "--period", "2024-02-01..2024-02-29",
                      "--compare", "previous")
    comp = report["comparison"]
    assert comp["previous_period"]["start"] == "2024-01-03"
    assert comp["previous_period"]["end"] == "2024-01-31"
    stage = comp["funnels"][0]["stages"][0]
    assert (stage["previous_successes"], stage["previous_trials"]) == (40, 50)
    assert (stage["current_successes"], stage["current_trials"]) == (20, 50)
    assert stage["p_value"] == pytest.approx(4.46e-5, rel=1e-2)
    assert stage["worse"] is True
    codes = {(f["code"], f["subject"]) for f in report["findings"]}
    assert ("stage_worse", "F / B") in codes and ("overall_worse", "F") in codes


def test_cli_compare_worse_changes_fail_a_nightly_run_at_warn(cli, two_months):
    result = cli("audit", two_months, "--period", "2024-02-01..2024-02-29",
                 "--compare", "previous", "--fail-on", "warn", "--quiet")
    assert result.exit_code == 1
    assert result.stdout == "" and result.stderr == ""


def test_cli_compare_needs_a_period(cli, two_months):
    result = cli("audit", two_months, "--compare", "previous")
    assert result.exit_code == 2
    assert "comparison needs a period" in result.stderr
