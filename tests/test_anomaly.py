"""Anomalies: a stage's conversion outside what the last N runs make normal is a finding,
even above its fixed threshold. Bands worked out by hand on constructed series."""

from __future__ import annotations

import math

import pytest

from funnelctl.metrics.anomaly import normal_band
from tests.test_run_history import CONFIG, hand_built_history, one_day, setup  # noqa: F401

# Three earlier runs of 100 trials at 80 successes: pooled p = 240 / 300 = 0.8.
# Wilson at z = 3 for 100 trials: denom = 1 + 9/100 = 1.09;
# centre = (0.8 + 9/200) / 1.09 = 0.775229; half = 3 * sqrt(0.8*0.2/100 + 9/40000) / 1.09
# = 3 * sqrt(0.001825) / 1.09 = 0.117578; band 0.657651 .. 0.892807.
LOW, HIGH = 0.657651, 0.892807


def test_wilson_band_around_the_pooled_recent_rate():
    band = normal_band([(80, 100)] * 3, 100, "wilson", 3.0, 3)
    assert band.mean == pytest.approx(0.8)
    assert (band.low, band.high) == (pytest.approx(LOW, abs=1e-6), pytest.approx(HIGH, abs=1e-6))
    assert band.outside(0.65) and band.outside(0.90) and not band.outside(0.70)


def test_wilson_pools_runs_by_their_trials():
    # 10/100 and 90/100 pool to 100/200 = 0.5 (the mean of the rates would be 0.5 too),
    # but 10/10 and 0/90 pool to 10/100 = 0.1, not to the mean rate 0.5.
    assert normal_band([(10, 10), (0, 90)], 50, "wilson", 2.0, 2).mean == pytest.approx(0.1)


def test_sigma_band_is_mean_plus_minus_z_standard_deviations():
    # Rates 0.7, 0.8, 0.9: mean 0.8, sample sd sqrt((0.01 + 0 + 0.01) / 2) = 0.1.
    band = normal_band([(70, 100), (8, 10), (900, 1000)], 50, "sigma", 2.0, 3)
    assert band.mean == pytest.approx(0.8)
    assert band.low == pytest.approx(0.6) and band.high == pytest.approx(1.0)
    assert band.outside(0.55) and not band.outside(0.61)


def test_too_few_runs_or_no_trials_give_no_band():
    assert normal_band([(80, 100)] * 2, 100, "wilson", 3.0, 3) is None
    assert normal_band([(80, 100), (0, 0), (80, 100)], 100, "wilson", 3.0, 3) is None
    assert normal_band([(80, 100)] * 3, 0, "wilson", 3.0, 3) is None


ANOMALY_CONFIG = CONFIG.replace(
    "stages: [{name: A}, {name: B}, {name: C}]",
    "stages: [{name: A}, {name: B, conversion: {good: 0.5, acceptable: 0.4}}, {name: C}]")


@pytest.fixture
def series(tmp_path, setup):  # noqa: F811
    """Three recorded days with B at 80/100 and C at 40/80, and today's export with `b`
    of 100 deals at B and half of those at C (C stays normal)."""
    def _series(b: int, anomaly: str = "{runs: 5}"):
        config = setup({"2024-03-05": (b // 2, b - b // 2, 100 - b)})
        config.write_text(ANOMALY_CONFIG.replace(
            "HISTORY", f"{{path: hist/history.db, anomaly: {anomaly}}}"), encoding="utf-8")
        hand_built_history(tmp_path / "hist" / "history.db", [
            (f"2024-03-0{d}", f"2024-03-0{d}T06:30:00+00:00", [100, 80, 40]) for d in (1, 2, 3)])
        return config

    return _series


def anomalies(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["code"] == "stage_anomaly"]


def test_a_drop_outside_the_band_is_a_warning_above_the_fixed_threshold(cli, series):
    # 65/100 = 0.65 < 0.657651; the threshold (good 0.5) calls the stage ok.
    report = cli.json("audit", series(65), *one_day("2024-03-05"))
    assert report["funnels"][0]["stages"][1]["verdict"] == "ok"
    (finding,) = anomalies(report)
    assert finding["severity"] == "warn" and finding["subject"] == "F / B"
    assert finding["params"]["low"] == pytest.approx(LOW, abs=1e-6)
    assert finding["params"]["runs"] == 3 and report["verdict"] == "warn"


def test_a_rate_inside_the_band_is_no_finding(cli, series):
    assert anomalies(cli.json("audit", series(70), *one_day("2024-03-05"))) == []


def test_a_rise_above_the_band_is_reported_but_does_not_fail(cli, series):
    (finding,) = anomalies(cli.json("audit", series(90), *one_day("2024-03-05")))
    assert finding["severity"] == "ok" and finding["params"]["direction"] == "above"
    assert finding["threshold"] == pytest.approx(HIGH, abs=1e-6)


def test_only_the_last_n_runs_count(cli, series):
    # runs: 2 with min_runs: 2 uses two of the three runs: pooled 160/200 = 0.8 again,
    # the band is the same; min_runs: 3 with runs: 2 is refused by the config.
    report = cli.json("audit", series(65, "{runs: 2, min_runs: 2}"), *one_day("2024-03-05"))
    assert anomalies(report)[0]["params"]["runs"] == 2
    result = cli("audit", series(65, "{runs: 2, min_runs: 3}"))
    assert result.exit_code == 2 and "min_runs (3) must not be above runs (2)" in result.stderr


def test_anomaly_in_russian(run, series):
    result = run("audit", series(65), *one_day("2024-03-05"), "--lang", "ru",
                 "--format", "markdown")
    assert "конверсия в «B» 65,0%, ниже нормы последних запусков (3): 65,8%–89,3%" \
        in result.stdout
    assert math.isclose(0.657651, LOW)


def test_an_earlier_run_of_the_same_period_is_not_its_own_baseline(cli, series, tmp_path):
    # A rerun of 2024-03-05: its own earlier row (B 65/100) is left out, so the band is
    # still that of the three other runs (and 65/100 is still below it).
    config = series(65)
    hand_built_history(tmp_path / "hist" / "history.db",
                       [("2024-03-05", "2024-03-05T06:30:00+00:00", [100, 65, 32])])
    (finding,) = anomalies(cli.json("audit", config, *one_day("2024-03-05")))
    assert finding["params"]["runs"] == 3
    assert finding["params"]["mean"] == pytest.approx(0.8)
