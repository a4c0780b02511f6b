"""Funnels over a long stage history, every number worked out by hand below.

Funnel A -> B -> C, won "Won", lost "Lost"; max_days A 30, B 5.

  d1  A 01-01, B 01-03, C 01-04, Won 01-11   won, depth 3, cycle 10 d
  d2  A 01-02, C 01-06, Lost 01-07           lost at C, depth 3, skipped B
  d3  A 01-01, B 01-02, A 01-05, B 01-06     open in B, depth 2, moved backwards
  d4  B 01-03                                open in B, depth 2, skipped A
  d5  A 01-04, Lost 01-05                    lost at A, depth 1
  d6  X 01-01, A 01-02                       open in A, depth 1 (X matches nothing)
  d7  A "not a date"                         rejected; one row without a deal id too

Entered: A 6, B 4 (d1-d4), C 2 (d1, d2). Won 1, lost 2, win rate 1/3.
Time in stage (entry -> next entry, summed per deal; open deals' current stage left out):
  A: d1 2, d2 4, d3 1+1 = 2, d5 1  -> [1, 2, 2, 4]: median 2, p90 2 + 0.7 * 2 = 3.4
  B: d1 1, d3 3                    -> median 2, p90 1 + 0.9 * 2 = 2.8
  C: d1 7, d2 1                    -> median 4, p90 1 + 0.9 * 6 = 6.4  (slowest)
Stuck as of the end of 2024-01-20: d3 in B since 01-06 (15 d), d4 since 01-03 (18 d).
"""

from __future__ import annotations

import pytest

HISTORY = """
deal_id,stage,entered_at,manager
d1,A,2024-01-01 00:00,Ann
d1,B,2024-01-03 00:00,Ann
d1,C,2024-01-04 00:00,Ann
d1,Won,2024-01-11 00:00,Ann
d2,A,2024-01-02 00:00,Bob
d2,C,2024-01-06 00:00,Bob
d2,Lost,2024-01-07 00:00,Bob
d3,A,2024-01-01 00:00,Ann
d3,B,2024-01-02 00:00,Ann
d3,A,2024-01-05 00:00,Ann
d3,B,2024-01-06 00:00,Ann
d4,B,2024-01-03 00:00,Bob
d5,A,2024-01-04 00:00,Bob
d5,Lost,2024-01-05 00:00,Bob
d6,X,2024-01-01 00:00,Ann
d6,A,2024-01-02 00:00,Ann
d7,A,not a date,Ann
,A,2024-01-02 00:00,Ann
"""

CONFIG = """
version: 1
sources:
  history: {path: history.csv, kind: stage_history}
funnels:
  - name: F
    source: history
    stages:
      - {name: A, max_days: 30}
      - {name: B, max_days: 5}
      - {name: C}
    won: [Won]
    lost: [Lost]
    breakdown: [manager]
"""


@pytest.fixture
def config(write):
    write("history.csv", HISTORY)
    return write("audit.yaml", CONFIG)


def stages(report: dict) -> dict[str, dict]:
    return {s["name"]: s for s in report["funnels"][0]["stages"]}


def test_entered_counts_take_the_furthest_stage(config, audit_json):
    report = audit_json(config, "--as-of", "2024-01-20")
    funnel = report["funnels"][0]
    assert funnel["kind"] == "stage_history"
    assert funnel["entities"] == 6
    assert [s["entered"] for s in funnel["stages"]] == [6, 4, 2]
    assert (funnel["won"], funnel["lost"]) == (1, 2)
    assert funnel["win_rate"] == pytest.approx(1 / 3)
    assert funnel["cycle_days"] == {"median": 10.0, "p90": 10.0}


def test_time_in_stage_and_slowest_stage(config, audit_json):
    by_name = stages(audit_json(config, "--as-of", "2024-01-20"))
    expected = {"A": (2.0, 3.4, 4), "B": (2.0, 2.8, 2), "C": (4.0, 6.4, 2)}
    for name, (median, p90, deals) in expected.items():
        t = by_name[name]["time_in_stage"]
        assert (t["median_days"], t["p90_days"], t["deals"]) == \
            (pytest.approx(median), pytest.approx(p90), deals), name
    report = audit_json(config, "--as-of", "2024-01-20")
    assert report["funnels"][0]["slowest_stage"] == {
        "stage": "C", "median_days": pytest.approx(4.0), "p90_days": pytest.approx(6.4)}


def test_inconsistent_funnel_counts(config, audit_json):
    report = audit_json(config, "--as-of", "2024-01-20")
    assert report["funnels"][0]["consistency"] == {
        "deals": 6, "inconsistent": 3, "moved_backwards": 1, "skipped_stages": 2, "share": 0.5}
    finding = next(f for f in report["findings"] if f["code"] == "inconsistent_funnel")
    assert finding["severity"] == "warn"  # 50% is above the 5% warning line
    assert finding["value"] == 0.5


def test_stuck_deals_as_of_a_date(config, audit_json):
    report = audit_json(config, "--as-of", "2024-01-20")
    by_name = stages(report)
    assert (by_name["B"]["stuck"], by_name["B"]["stuck_oldest_days"]) == (2, 18.0)
    assert by_name["A"]["stuck"] == 0  # d6 has sat 19 days in A, under its 30
    assert by_name["C"]["stuck"] is None  # no max_days
    stuck = [f for f in report["findings"] if f["code"] == "stuck_deals"]
    assert [(f["subject"], f["value"], f["threshold"]) for f in stuck] == [("F / B", 2, 5)]


def test_stuck_deals_judged_at_period_end(config, audit_json):
    # As of the end of 2024-01-10: d3 has sat in B 5 days (not more than 5), d4 8 days;
    # d1 won only at 01-11, so it is still open in C then (C has no max_days).
    report = audit_json(config, "--as-of", "2024-01-20", "--period", "2024-01-01..2024-01-10")
    assert (stages(report)["B"]["stuck"], stages(report)["B"]["stuck_oldest_days"]) == (1, 8.0)


def test_period_counts_deals_first_seen_inside_it(config, audit_json):
    # First entries: d1, d3, d6 on 01-01 (outside); d2 01-02, d4 01-03, d5 01-04 inside.
    report = audit_json(config, "--as-of", "2024-01-20", "--period", "2024-01-02..2024-01-31")
    funnel = report["funnels"][0]
    assert [s["entered"] for s in funnel["stages"]] == [3, 2, 1]
    assert funnel["consistency"]["skipped_stages"] == 2
    assert funnel["consistency"]["moved_backwards"] == 0
    # Times only from these deals: A d2 4, d5 1; C d2 1; nothing has left B.
    by_name = stages(report)
    assert by_name["A"]["time_in_stage"]["median_days"] == pytest.approx(2.5)
    assert by_name["B"]["time_in_stage"] is None


def test_rejects_and_unmatched_values_are_counted(config, audit_json):
    quality = audit_json(config, "--as-of", "2024-01-20")["data_quality"]["sources"][0]
    assert quality["rows_read"] == 18
    assert quality["reasons"]["unparseable entered_at"] == 1
    assert quality["reasons"]["missing deal id"] == 1
    assert quality["unmatched_stages"] == {"X": 1}
    assert quality["detected"]["layout"] == "long"


def test_breakdown_by_manager(config, audit_json):
    segments = audit_json(config, "--as-of", "2024-01-20")["funnels"][0]["breakdowns"]["manager"]
    by_value = {s["value"]: s for s in segments}
    # Ann: d1 (3), d3 (2), d6 (1); Bob: d2 (3), d4 (2), d5 (1)
    assert [s["entered"] for s in by_value["Ann"]["stages"]] == [3, 2, 1]
    assert (by_value["Ann"]["won"], by_value["Bob"]["lost"]) == (1, 2)


def test_terminal_calls_out_slowest_stage_and_inconsistency(config, run):
    result = run("audit", config, "--as-of", "2024-01-20")
    assert result.exit_code == 0, result.output
    assert "slowest stage: C (median 4.0 d" in result.stdout
    assert "inconsistent funnel: 3 of 6 deals" in result.stdout


def test_won_and_backward_rules_on_ties(write, audit_json):
    # Same-timestamp entries are taken in funnel order: no backward move. A deal won
    # straight from A skips B and C; a deal reopened after Won moves backwards.
    write("history.csv", """
        deal_id,stage,entered_at
        t1,B,2024-01-01 10:00
        t1,A,2024-01-01 10:00
        w1,A,2024-01-01 10:00
        w1,Won,2024-01-02 10:00
        r1,A,2024-01-01 10:00
        r1,B,2024-01-02 10:00
        r1,C,2024-01-03 10:00
        r1,Won,2024-01-04 10:00
        r1,C,2024-01-05 10:00
        """)
    config = write("audit.yaml", CONFIG.replace("    breakdown: [manager]\n", ""))
    funnel = audit_json(config, "--as-of", "2024-01-02")["funnels"][0]
    assert funnel["consistency"] == {
        "deals": 3, "inconsistent": 2, "moved_backwards": 1, "skipped_stages": 1,
        "share": pytest.approx(2 / 3)}
    # t1 depth 2, w1 won (3), r1 reached Won once (3) but is open again.
    assert [s["entered"] for s in funnel["stages"]] == [3, 3, 2]
    assert (funnel["won"], funnel["lost"]) == (1, 0)
