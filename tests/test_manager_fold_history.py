"""One manager written several ways in a stage history is one manager in every view of a
stage-history funnel (audit/manager_fold.fold_history): the breakdown, money and velocity
per manager, the stuck and overdue lists, the plan and the waterfall. Expected numbers
worked out by hand in the comments, and the same history with its names folded by hand
gives the same funnels."""

from __future__ import annotations

import pytest

from tests.conftest import HISTORY_HEADER as HEADER
from tests.conftest import history_entries as deal
from tests.conftest import write_csv

LATIN_A = "A"  # U+0041, typed for the Cyrillic А (U+0410) of "Анна"
CONFIG = """
version: 1
timezone: UTC
sources:
  h: {{path: {file}, kind: stage_history}}
funnels:
  - name: H
    source: h
    stages: [{{name: A}}, {{name: B, max_days: 10}}, {{name: C}}]
    won: [W]
    lost: [L]
{extra}
"""
BREAKDOWN = "    breakdown: [manager]"
PLAN = """    plan:
      - {month: 2026-11, manager: Анна Смирнова, amount: 500}
      - {month: 2026-11, manager: Петр Иванов, amount: 300}"""
ANNA, PETR = "Анна Смирнова", "Петр Иванов"


# As of 2026-11-10 (the stuck deals judged at 2026-11-11 00:00). Deals per spelling (a
# deal's many entries count once): "Анна Смирнова" 2 (1, 5), the other three 1 each;
# "Петр Иванов" 3 (6, 7, 9), "Пётр Иванов" 2 (7, 8): deal 7 has entries under both.
ROWS = [
    # Анна: 1 won (A, B, C, W: 49 days), 2 lost at B, 3 open at B since 10-05 (stuck,
    # overdue), 4 won in November (A, W: 14.5 days), 5 open at A, new in November
    *deal("1", ANNA, "100", "", ("A", "2026-09-01"), ("B", "2026-09-05"),
          ("C", "2026-09-10"), ("W", "2026-10-20")),
    *deal("2", " анна смирнова ", "40", "", ("A", "2026-09-02"), ("B", "2026-09-04"),
          ("L", "2026-09-20")),
    *deal("3", "Смирнова Анна", "300", "2026-10-25", ("A", "2026-10-01"), ("B", "2026-10-05")),
    *deal("4", f"{LATIN_A}нна Смирнова", "200", "", ("A", "2026-10-20"),
          ("W", "2026-11-03 12:00")),
    *deal("5", ANNA, "500", "2026-11-25", ("A", "2026-11-02")),
    # Петр: 6 lost at C, 7 open at C (its first two entries written "Пётр"), 8 open at B
    # since 10-12 (stuck, overdue), 9 won in October (A, W: 21 days)
    *deal("6", PETR, "60", "", ("A", "2026-09-03"), ("B", "2026-09-06"), ("C", "2026-09-08"),
          ("L", "2026-09-25")),
    *deal("7", "Пётр Иванов", "1000", "2026-11-20", ("A", "2026-10-01"), ("B", "2026-10-03")),
    *deal("7", PETR, "1000", "2026-11-20", ("C", "2026-10-06")),
    *deal("8", "Пётр Иванов", "80", "2026-11-05", ("A", "2026-10-10"), ("B", "2026-10-12")),
    *deal("9", PETR, "50", "", ("A", "2026-09-10"), ("W", "2026-10-01")),
]
NOTES = [
    f"manager names: '{LATIN_A}нна Смирнова' counted as 'Анна Смирнова' (1 deal; Latin and "
    "Cyrillic look-alike letters mixed)",
    "manager names: 'Смирнова Анна' counted as 'Анна Смирнова' (1 deal)",
    "manager names: 'анна смирнова' counted as 'Анна Смирнова' (1 deal)",
    "manager names: 'Пётр Иванов' counted as 'Петр Иванов' (2 deals)",
]


def by_hand(row: list[str]) -> list[str]:
    """The same row with its manager written as the fold shows it, folded by hand."""
    return [*row[:3], PETR if "Иванов" in row[3] else ANNA, *row[4:]]


def run(cli, tmp_path, extra: str, *args: str, folded: bool = False) -> dict:
    name = "by_hand" if folded else "history"
    write_csv(tmp_path / f"{name}.csv", HEADER,
              [by_hand(r) for r in ROWS] if folded else ROWS)
    path = tmp_path / f"{name}.yaml"
    path.write_text(CONFIG.format(file=f"{name}.csv", extra=extra), encoding="utf-8")
    return cli.json("audit", path, "--as-of", "2026-11-10", *args)


def notes_of(report: dict) -> list[str]:
    notes = report["data_quality"]["sources"][0]["notes"]
    return [n for n in notes if n.startswith("manager names")]


def test_the_breakdown_stuck_and_overdue_lists_count_each_manager_once(cli, tmp_path):
    report = run(cli, tmp_path, BREAKDOWN)
    funnel = report["funnels"][0]
    rows = {r["value"]: r for r in funnel["breakdowns"]["manager"]}
    assert sorted(rows) == [ANNA, PETR]
    # Анна: entered A 5, B 4 (1, 2, 3, 4: a win passes every stage), C 2 (1, 4); won 2,
    # lost 1. Петр: A 4, B 4 (6, 7, 8, 9), C 3 (6, 7, 9); won 1, lost 1.
    assert [s["entered"] for s in rows[ANNA]["stages"]] == [5, 4, 2]
    assert (rows[ANNA]["entities"], rows[ANNA]["won"], rows[ANNA]["lost"]) == (5, 2, 1)
    assert [s["entered"] for s in rows[PETR]["stages"]] == [4, 4, 3]
    assert (rows[PETR]["entities"], rows[PETR]["won"], rows[PETR]["lost"]) == (4, 1, 1)
    # Stuck at B (over 10 days by 2026-11-11): 3 (37 days), 8 (30 days), one each
    b = funnel["stages"][1]
    assert b["stuck_by_manager"] == {ANNA: 1, PETR: 1}
    assert [(d["deal_id"], d["manager"], d["days"]) for d in b["stuck_deals"]] == [
        ("3", ANNA, 37.0), ("8", PETR, 30.0)]
    # Overdue on 2026-11-10: 3 (expected 10-25: 16 days), 8 (11-05: 5 days)
    overdue = funnel["forecast"]["overdue"]
    assert overdue["by_manager"] == {ANNA: 1, PETR: 1}
    assert [(d["deal_id"], d["manager"], d["days"]) for d in overdue["listed"]] == [
        ("3", ANNA, 16.0), ("8", PETR, 5.0)]
    assert notes_of(report) == NOTES


def test_money_velocity_and_plan_per_manager(cli, tmp_path):
    funnel = run(cli, tmp_path, PLAN)["funnels"][0]
    managers = {m["value"]: m for m in funnel["money"]["managers"]}
    assert sorted(managers) == [ANNA, PETR]
    anna, petr = managers[ANNA], managers[PETR]
    # Анна: won 100 + 200, open 300 + 500, lost 40; cycles 49 and 14.5 days: median 31.75
    assert (anna["won_revenue"], anna["open_value"], anna["lost_value"]) == (300, 800, 40)
    assert anna["velocity"]["cycle_days"] == pytest.approx(31.75)
    # Петр: won 50, open 1000 + 80, lost 60; one cycle, 21 days
    assert (petr["won_revenue"], petr["open_value"], petr["lost_value"]) == (50, 1080, 60)
    assert petr["velocity"]["cycle_days"] == pytest.approx(21)
    # The plan of November: won by 11-10, Анна deal 4 (200), Петр none. Probabilities
    # from the closed deals 1, 2, 4, 6, 9: A 3/5, B 3/5, C 3/4. Expected in November:
    # Анна 5 (A: 500 x 3/5 = 300); Петр 7 (C: 1000 x 3/4 = 750) + 8 (B, overdue, still
    # open: 80 x 3/5 = 48) = 798.
    lines = {ln["manager"]: ln for ln in funnel["plan"]["lines"]}
    assert [(lines[m]["won"], lines[m]["won_deals"], lines[m]["weighted_pipeline"])
            for m in (ANNA, PETR)] == [(200.0, 1, pytest.approx(300.0)),
                                       (0.0, 0, pytest.approx(798.0))]


def test_the_waterfall_shows_each_deal_under_its_manager(cli, tmp_path):
    report = run(cli, tmp_path, "", "--period", "2026-11-01..2026-11-10",
                 "--compare", "previous")
    buckets = {b["name"]: b for b in report["funnels"][0]["waterfall"]["buckets"]}
    per = {name: [(m["manager"], m["deals"]) for m in b["per_manager"]]
           for name, b in buckets.items()}
    # Open on 11-01: 3 ("Смирнова Анна"), 4 (Latin A), 7, 8 ("Пётр" then); new: 5; won:
    # 4; open on 11-10: 3, 5, 7, 8
    assert per["open_start"] == [(ANNA, 2), (PETR, 2)]
    assert per["new"] == [(ANNA, 1)] and per["won"] == [(ANNA, 1)]
    assert per["open_end"] == [(ANNA, 2), (PETR, 2)]


@pytest.mark.parametrize(("extra", "args"), [
    (BREAKDOWN, ()), (PLAN, ()), ("", ("--period", "2026-11-01..2026-11-10", "--compare",
                                       "previous"))], ids=["breakdown", "money", "waterfall"])
def test_the_same_as_the_history_folded_by_hand(cli, tmp_path, extra, args):
    folded = run(cli, tmp_path, extra, *args)
    by_hand = run(cli, tmp_path, extra, *args, folded=True)
    assert folded["funnels"] == by_hand["funnels"]
    assert notes_of(folded) == NOTES and notes_of(by_hand) == []


def test_the_russian_notes_of_a_history(cli, tmp_path):
    write_csv(tmp_path / "history.csv", HEADER, ROWS)
    path = tmp_path / "history.yaml"
    path.write_text(CONFIG.format(file="history.csv", extra=""), encoding="utf-8")
    result = cli("audit", path, "--as-of", "2026-11-10", "--format", "markdown", "--lang",
                 "ru", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    assert "имя менеджера 'Пётр Иванов' учтено как 'Петр Иванов' (2 сделки)" in result.stdout


def test_the_scorecard_lists_every_spelling_of_a_managers_history_deals(cli, tmp_path):
    days = ["2026-11-02", "2026-11-03", "2026-11-04"]
    write_csv(tmp_path / "a.csv", ["manager", "date", "calls", "meetings"],
              [[m, d, "10", "3"] for m in (ANNA, PETR) for d in days])
    norms = """norms:
  source: a
  calendar: {workdays: [mon, tue, wed, thu, fri]}"""
    text = CONFIG.format(file="history.csv", extra="").replace(
        "sources:\n", "sources:\n  a: {path: a.csv, kind: activities}\n") + norms + "\n"
    write_csv(tmp_path / "history.csv", HEADER, ROWS)
    (tmp_path / "history.yaml").write_text(text, encoding="utf-8")
    report = cli.json("audit", tmp_path / "history.yaml", "--as-of", "2026-11-10")
    cards = {c["manager"]: c for c in report["managers"]}
    assert cards[ANNA]["deal_names"] == sorted(
        [ANNA, "Смирнова Анна", "анна смирнова", f"{LATIN_A}нна Смирнова"])
    assert cards[PETR]["deal_names"] == [PETR, "Пётр Иванов"]
