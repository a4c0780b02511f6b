"""Day-first slashed dates (DD/MM/YYYY) are detected in activities and stage history too,
not only in deals; the order is recorded in data_quality.detected.date_order."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.norms_support import activities_quality, norms_of, write_log, write_norms_config
from tests.test_history_layouts import V2, read, write_csv

JANUARY = ("--period", "2024-01-01..2024-01-31")


def test_activity_rows_read_day_first_when_a_day_is_above_12(cli, tmp_path):
    # 25/01 can only be day-first, so 05/01 is Jan 5, not May 1.
    write_log(tmp_path, [("A", "25/01/2024 10:00", "call"),
                         *[("A", "05/01/2024", "meeting")] * 3])
    report = cli.json("audit", write_norms_config(tmp_path), *JANUARY)
    days = {d["date"]: (d["calls"], d["meetings"]) for d in norms_of(report)["A"]["days"]}
    assert days["2024-01-25"] == (1, 0)
    assert days["2024-01-05"] == (0, 3)
    quality = activities_quality(report)
    assert quality["rows_rejected"] == 0
    assert quality["detected"]["date_order"] == {"ts": "day-first"}


def test_daily_totals_read_day_first(cli, tmp_path):
    write_log(tmp_path, [("A", "25/01/2024", "4", "0"), ("A", "05/01/2024", "2", "1")],
              header=("manager", "date", "calls", "meetings"))
    report = cli.json("audit", write_norms_config(tmp_path), *JANUARY)
    days = {d["date"]: (d["calls"], d["meetings"]) for d in norms_of(report)["A"]["days"]}
    assert days["2024-01-25"] == (4, 0) and days["2024-01-05"] == (2, 1)
    assert activities_quality(report)["detected"]["date_order"] == {"date": "day-first"}


def test_stage_history_reads_day_first(cli, write):
    # d1: A on Jan 5, B on Jan 25 (20 days in A). d2: A on Jan 3. All in January.
    write("history.csv", """
        deal_id,stage,entered_at
        d1,A,05/01/2024 09:00
        d1,B,25/01/2024 09:00
        d2,A,03/01/2024
    """)
    config = write("c.yaml", """
        version: 1
        sources: {h: {path: history.csv, kind: stage_history}}
        funnels: [{name: F, source: h, stages: [{name: A}, {name: B}]}]
    """)
    report = cli.json("audit", config, *JANUARY)
    funnel = report["funnels"][0]
    assert [s["entered"] for s in funnel["stages"]] == [2, 1]
    assert funnel["stages"][0]["time_in_stage"]["median_days"] == pytest.approx(20.0)
    quality = report["data_quality"]["sources"][0]
    assert quality["rows_rejected"] == 0
    assert quality["detected"]["date_order"] == {"entered_at": "day-first"}


def test_hubspot_wide_columns_share_one_order(tmp_path):
    # Only the second column proves day-first (25); the first (05/02, 03/02) follows it.
    header = ["Record ID", V2.format("Appointment"), V2.format("Qualified")]
    path = write_csv(tmp_path / "hubspot.csv", header,
                     [["1", "05/02/2024 09:00", "25/02/2024 10:00"],
                      ["2", "03/02/2024", ""]])
    history = read(path)
    got = sorted(history.frame.select("deal_id", "stage", "entered_at").iter_rows())
    assert got == [("1", "Appointment", dt.datetime(2024, 2, 5, 9, 0)),
                   ("1", "Qualified", dt.datetime(2024, 2, 25, 10, 0)),
                   ("2", "Appointment", dt.datetime(2024, 2, 3))]
    assert history.rejects.height == 0
