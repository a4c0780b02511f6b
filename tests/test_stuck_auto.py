"""`max_days: auto` (the 80th percentile of the time deals spent in a stage before moving
on) and the snooze file, on a small stage history worked out by hand."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error, write_csv

CONFIG = """
version: 1
sources:
  h:
    path: h.csv
    kind: stage_history
    columns: {deal_id: id, stage: stage, entered_at: at, manager: manager}
funnels:
  - name: H
    source: h
    stages: [{name: A, max_days: auto}, {name: B, max_days: auto}, {name: C}]
    won: [W]
    lost: [L]
    snooze: snoozed.csv
"""
HISTORY = [
    # d1: A 2 days, B 10 days, C, won.  d2: A 4, B 4, lost.  d6: A 1, B 1, won.
    ["d1", "A", "2026-10-01", "Ann"], ["d1", "B", "2026-10-03", "Ann"],
    ["d1", "C", "2026-10-13", "Ann"], ["d1", "W", "2026-10-20", "Ann"],
    ["d2", "A", "2026-10-01", "Bob"], ["d2", "B", "2026-10-05", "Bob"],
    ["d2", "L", "2026-10-09", "Bob"],
    # d3: A 6 days, in B since 10-07.  d4: A 8 days, in B since 10-09.  d5: in A since 10-01.
    ["d3", "A", "2026-10-01", "Ann"], ["d3", "B", "2026-10-07", "Ann"],
    ["d4", "A", "2026-10-01", "Bob"], ["d4", "B", "2026-10-09", "Bob"],
    ["d5", "A", "2026-10-01", "Bob"],
    ["d6", "A", "2026-10-01", "Ann"], ["d6", "B", "2026-10-02", "Ann"],
    ["d6", "W", "2026-10-03", "Ann"],
]
SNOOZE = [["d4", "2026-10-25", "waiting for the budget"],
          ["d1", "2026-10-01", "old"], ["zzz", "2026-12-01", "not a deal"]]


@pytest.fixture
def report(cli, tmp_path):
    write_csv(tmp_path / "h.csv", ["id", "stage", "at", "manager"], HISTORY)
    write_csv(tmp_path / "snoozed.csv", ["deal_id", "until", "note"], SNOOZE)
    (tmp_path / "audit.yaml").write_text(CONFIG, encoding="utf-8")
    return cli.json("audit", tmp_path / "audit.yaml", "--as-of", "2026-10-20")


def test_the_limit_is_learned_from_deals_that_moved_on(report):
    # A: deals that left it spent 2, 4, 6, 8, 1 days -> sorted 1 2 4 6 8; the 80th
    # percentile at position 0.8 * 4 = 3.2 -> 6 + 0.2 * (8 - 6) = 6.4. B: 10, 4, 1 ->
    # position 1.6 -> 4 + 0.6 * (10 - 4) = 7.6. d5 (still in A), d3 and d4 (still in B) are
    # what is judged, not part of the sample.
    a, b, c = report["funnels"][0]["stages"]
    assert a["max_days_learned"] == {"days": 6.4, "deals": 5, "small_sample": True}
    assert b["max_days_learned"] == {"days": 7.6, "deals": 3, "small_sample": True}
    assert (a["max_days"], b["max_days"], c["max_days"], c["max_days_learned"]) == (
        6.4, 7.6, None, None)


def test_open_deals_over_the_learned_limit_oldest_first_snoozed_left_out(report):
    # As of 2026-10-20 (moment 10-21 00:00): d5 sits in A 20 days > 6.4; in B d3 14 days,
    # d4 12 days > 7.6, but d4 is snoozed until 10-25: B counts 1 stuck deal.
    a, b, _ = report["funnels"][0]["stages"]
    assert (a["stuck"], a["stuck_oldest_days"]) == (1, 20.0)
    assert [(d["deal_id"], d["stage"], d["manager"], d["days"]) for d in a["stuck_deals"]] == [
        ("d5", "A", "Bob", 20.0)]
    assert (b["stuck"], [d["deal_id"] for d in b["stuck_deals"]]) == (1, ["d3"])
    stuck = {f["subject"]: f["value"] for f in report["findings"] if f["code"] == "stuck_deals"}
    assert stuck == {"H / A": 1.0, "H / B": 1.0}
    # d4 active; d1's snooze ended on 10-01 (expired); zzz is no deal of the funnel.
    snoozed = report["funnels"][0]["snoozed"]
    assert (snoozed["active"], snoozed["expired"], snoozed["unknown"],
            snoozed["hidden_stuck"]) == (1, 1, 1, 1)


def test_once_the_snooze_ends_the_deal_counts_again(cli, tmp_path):
    # As of 10-26 d4 has sat in B 17 days and its snooze (until 10-25) is over.
    write_csv(tmp_path / "h.csv", ["id", "stage", "at", "manager"], HISTORY)
    write_csv(tmp_path / "snoozed.csv", ["deal_id", "until", "note"], SNOOZE)
    (tmp_path / "audit.yaml").write_text(CONFIG, encoding="utf-8")
    report = cli.json("audit", tmp_path / "audit.yaml", "--as-of", "2026-10-26")
    b = report["funnels"][0]["stages"][1]
    assert [(d["deal_id"], d["days"]) for d in b["stuck_deals"]] == [("d3", 20.0), ("d4", 18.0)]
    assert report["funnels"][0]["snoozed"]["active"] == 0


def test_auto_on_a_snapshot_without_dates_is_a_config_error(cli, tmp_path):
    write_csv(tmp_path / "d.csv", ["id", "stage", "created", "moved"],
              [["1", "A", "2026-10-01", "2026-10-02"]])
    (tmp_path / "audit.yaml").write_text("""
version: 1
sources:
  d: {path: d.csv, kind: deals, columns: {deal_id: id, stage: stage, created_at: created,
      stage_changed_at: moved}}
funnels:
  - name: F
    source: d
    stages: [{name: A, max_days: auto}, {name: B}]
""", encoding="utf-8")
    assert_error(cli("audit", tmp_path / "audit.yaml"), "audit.yaml:9",
                 "max_days: auto learns the limit", "stage_history")


def test_auto_from_a_snapshots_date_entered_columns(cli, tmp_path):
    # HubSpot-style "Date entered" columns: deal 1 left A after 2 days (B entered), deal 2
    # after 4, deal 3 after 6 (then lost: the close ends B). Deal 4 is open in A since
    # 10-01, its stage changed then. Limit for A: 1 2 ... -> sorted 2 4 6, position 1.6
    # -> 4 + 0.6 * 2 = 5.2; as of 10-20 deal 4 sits 20 days > 5.2: stuck.
    header = ["id", "stage", "created", "closed", "moved", 'Date entered "A (P)"',
              'Date entered "B (P)"']
    write_csv(tmp_path / "d.csv", header, [
        ["1", "B", "2026-10-01", "", "2026-10-03", "2026-10-01", "2026-10-03"],
        ["2", "B", "2026-10-01", "", "2026-10-05", "2026-10-01", "2026-10-05"],
        ["3", "L", "2026-10-01", "2026-10-09", "2026-10-09", "2026-10-01", "2026-10-07"],
        ["4", "A", "2026-10-01", "", "2026-10-01", "2026-10-01", ""],
    ])
    (tmp_path / "audit.yaml").write_text("""
version: 1
sources:
  d: {path: d.csv, kind: deals, columns: {deal_id: id, stage: stage, created_at: created,
      closed_at: closed, stage_changed_at: moved}}
funnels:
  - name: F
    source: d
    stages: [{name: A, max_days: auto}, {name: B}]
    lost: [L]
""", encoding="utf-8")
    report = cli.json("audit", tmp_path / "audit.yaml", "--as-of", "2026-10-20")
    a = report["funnels"][0]["stages"][0]
    assert a["max_days_learned"]["days"] == pytest.approx(5.2)
    assert a["max_days_learned"]["deals"] == 3
    assert [(d["deal_id"], d["days"]) for d in a["stuck_deals"]] == [("4", 20.0)]
