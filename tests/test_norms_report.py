"""The norms block in the JSON contract and the terminal, on the demo and tiny configs."""

from __future__ import annotations

import datetime as dt

import pytest

from funnelctl.render import RenderOptions
from funnelctl.render.terminal import render
from funnelctl.report import (
    DataQuality,
    DayGrade,
    ManagerNorms,
    NormsResult,
    NormsTotals,
    Period,
    Report,
    WeekGrade,
)
from tests.conftest import ROOT, Cli
from tests.norms_support import activities_quality, norms_of, write_log, write_norms_config

DEMO = ROOT / "configs" / "demo.yaml"
NORMS = {"working_days", "managers"}
MANAGER = {"manager", "good_days", "acceptable_days", "below_days", "calls", "meetings",
           "verdict", "days", "weeks"}


@pytest.fixture(scope="module")
def demo() -> dict:
    """The demo's JSON report, audited once for the tests that only read it."""
    return Cli().json("audit", DEMO)


def test_json_norms_block_follows_the_contract(demo):
    norms = demo["norms"]
    assert NORMS <= norms.keys()
    for m in norms["managers"]:
        assert MANAGER <= m.keys()
        assert m["verdict"] in {"ok", "warn", "fail"}
        assert m["good_days"] + m["acceptable_days"] + m["below_days"] == m["working_days"]
        assert m["working_days"] <= norms["working_days"]
        assert {"date", "calls", "meetings", "grade"} <= m["days"][0].keys()
        assert {"week", "start", "meetings", "grade"} <= m["weeks"][0].keys()


def test_demo_grades_october_and_november_2026(demo):
    report = demo
    norms = report["norms"]
    # October 2026: 22 weekdays; November: 21 weekdays less the 4th (a holiday) = 20.
    assert (norms["start"], norms["end"], norms["working_days"]) == (
        "2026-10-01", "2026-11-30", 42)
    managers = norms_of(report)
    assert list(managers) == ["Анна Смирнова", "Борис Петров", "Ольга Кузнецова",
                              "Дмитрий Волков", "Елена Соколова", "Игорь Морозов",
                              "Сергей Лебедев", "Мария Кравцова"]
    assert all("2026-11-04" not in [d["date"] for d in m["days"] if d["grade"]]
               for m in managers.values())


def test_demo_shows_the_week_off_and_the_weak_manager(demo):
    report = demo
    elena = norms_of(report)["Елена Соколова"]
    holiday = [d for d in elena["days"] if "2026-11-09" <= d["date"] <= "2026-11-13"]
    assert [(d["calls"], d["meetings"], d["grade"]) for d in holiday] == [(0, 0, "below")] * 5
    assert elena["empty_days"] == 5
    weak = [f for f in report["findings"] if f["code"] == "norms_below"]
    assert [f["subject"] for f in weak] == ["norms / Дмитрий Волков"]


def test_demo_data_quality_for_the_activity_log(demo):
    report = demo
    quality = next(s for s in report["data_quality"]["sources"] if s["name"] == "activities")
    assert quality["reasons"] == {"unparseable ts": 2, "missing manager": 1}
    assert set(quality["other_types"]) == {"Письмо", "Задача"}
    assert report["norms"]["unlisted_managers"].keys() == {"Пётр Стажёров"}
    assert any("Пётр Стажёров" in note for note in quality["notes"])


def test_a_config_may_hold_only_norms(cli, tmp_path):
    write_log(tmp_path, [("A", "2024-02-05 10:00", "Встреча")] * 3)
    report = cli.json("audit", write_norms_config(tmp_path))
    assert report["funnels"] == []
    assert norms_of(report)["A"]["good_days"] == 1
    assert activities_quality(report)["rows_read"] == 3


def test_below_norm_manager_fails_the_audit(cli, tmp_path):
    write_log(tmp_path, [("A", "2024-02-05 10:00", "call")])
    result = cli("audit", write_norms_config(tmp_path))
    assert result.exit_code == 1
    assert "FAIL  norms / A: 1 of 1 working day below the norm (100.0%" in result.stdout


def test_terminal_table_has_labels_and_team_totals(cli):
    # (the period is written with an en dash by the shared formatter)
    text = cli("audit", DEMO, "--fail-on", "never").stdout
    assert ("Manager activity norms (activities, telephony: 2026-10-01 – 2026-11-30, "
            "42 working days)") in text
    assert "Team (8)" in text
    assert "Legend: ● good, ◐ acceptable, ○ below." in text
    assert "\x1b[" not in text


def tiny_report() -> Report:
    days = [DayGrade(dt.date(2024, 2, 5), 50, 0, "good"),
            DayGrade(dt.date(2024, 2, 6), 0, 2, "acceptable"),
            DayGrade(dt.date(2024, 2, 7), 3, 0, "below"),
            DayGrade(dt.date(2024, 2, 10), 9, 0, None)]
    manager = ManagerNorms("Анна", 1, 1, 1, 62, 2, "fail", 1 / 3, 0, days,
                           [WeekGrade("2024-W06", dt.date(2024, 2, 5), 2, None)])
    norms = NormsResult("act", dt.date(2024, 2, 5), dt.date(2024, 2, 10), 3, [manager],
                        NormsTotals(1, 1, 1, 0, 62, 2))
    return Report("0", dt.datetime(2024, 2, 11), "t", Period(None, None), "fail", [], [],
                  norms, DataQuality())


def test_terminal_calendar_symbols_follow_the_day_grades():
    # Mon good, Tue acceptable, Wed below; the Saturday is not graded, so no symbol.
    text = render(tiny_report(), RenderOptions(color=False, width=110))
    rows = [line for line in text.splitlines() if line.startswith("│ Анна")]
    assert "24-W06" in text
    assert any("│ ●◐○ " in line for line in rows), rows


def test_terminal_colours_come_with_the_symbols():
    text = render(tiny_report(), RenderOptions(color=True, width=110))
    assert "\x1b[32m●\x1b[0m" in text  # a green good day
    assert "FAIL" in text


def test_compare_previous_flags_a_manager_whose_good_days_fell(cli, tmp_path):
    # Period Mon 12 - Sun 18 Feb 2024; the previous one is Mon 5 - Sun 11 Feb.
    # A: 50 calls on each of 5-9 Feb (5 of 5 good), nothing on 12-16 Feb (0 of 5).
    # Every expected cell is 2.5 < 5, so Fisher's exact test: of the C(10, 5) = 252 ways
    # to place the 5 good days, only 5|0 and 0|5 are as extreme: p = 2 / 252 = 0.00794
    # < 0.05: a real fall (one manager: a family of one, nothing to adjust).
    write_log(tmp_path, [("A", f"2024-02-0{d} 10:00", "call") for d in range(5, 10)
                         for _ in range(50)])
    config = write_norms_config(tmp_path, norms="  roster: [A]\n")
    report = cli.json("audit", config, "--period", "2024-02-12..2024-02-18",
                      "--compare", "previous")
    (change,) = report["comparison"]["managers"]
    assert (change["subject"], change["previous_successes"], change["previous_trials"],
            change["current_successes"], change["current_trials"]) == ("A", 5, 5, 0, 5)
    assert change["worse"] and abs(change["p_value"] - 2 / 252) < 1e-9
    assert change["test"] == "fisher" and change["p_adjusted"] == change["p_value"]
    assert [f["subject"] for f in report["findings"] if f["code"] == "manager_worse"] == ["A"]


def test_compare_previous_before_the_log_starts_is_no_data(cli, tmp_path):
    write_log(tmp_path, [("A", "2024-02-12 10:00", "call")])
    report = cli.json("audit", write_norms_config(tmp_path), "--period",
                      "2024-02-12..2024-02-18", "--compare", "previous")
    (change,) = report["comparison"]["managers"]
    assert (change["previous_trials"], change["previous"], change["worse"]) == (0, None, False)
