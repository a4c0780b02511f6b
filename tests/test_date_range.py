"""A date outside 1990-01-01 .. one year after --as-of is rejected with its reason (data
quality, rejects ledger), not computed with; every reader gets the as-of date."""

from __future__ import annotations

import csv
import datetime as dt

import polars as pl

from funnelctl.config import Source
from funnelctl.io.deals import read_deals
from funnelctl.io.readers import open_source
from tests.norms_support import activities_quality, write_log, write_norms_config

DEALS_CONFIG = """
version: 1
sources: {d: {path: deals.csv, kind: deals}}
funnels: [{name: F, source: d, stages: [{name: new}], won: [won]}]
"""


def quality(report: dict) -> dict:
    return report["data_quality"]["sources"][0]


def test_deal_dates_outside_the_plausible_range_are_rejected(cli, write, tmp_path):
    # As of 2024-06-30 the last plausible day is 2025-06-30.
    write("deals.csv", """
        deal_id,stage,created_at,closed_at
        1,new,31.12.1989,
        2,new,01.01.1990,
        3,won,30.06.2025 23:59,30.06.2025 23:59
        4,new,01.07.2025,
        5,won,15.03.24,01.01.0001
        6,new,0024-03-15,
    """)
    config = write("c.yaml", DEALS_CONFIG)
    out = tmp_path / "rejects.csv"
    report = cli.json("audit", config, "--as-of", "2024-06-30", "--rejects", out)
    assert report["funnels"][0]["entities"] == 2  # deals 2 and 3
    assert quality(report)["rows_rejected"] == 4
    assert quality(report)["reasons"] == {"created_at out of range": 3,
                                          "closed_at out of range": 1}
    rows = [(r["line"], r["reason"], r["value"]) for r in csv.DictReader(out.open())]
    assert sorted(rows) == [("2", "created_at out of range", "31.12.1989"),
                            ("5", "created_at out of range", "01.07.2025"),
                            ("6", "closed_at out of range", "01.01.0001"),
                            ("7", "created_at out of range", "0024-03-15")]


def test_a_later_as_of_moves_the_upper_bound(cli, write):
    write("deals.csv", "deal_id,stage,created_at\n1,new,01.07.2025\n2,new,01.07.2024\n")
    config = write("c.yaml", DEALS_CONFIG)
    assert quality(cli.json("audit", config, "--as-of", "2024-06-30"))["rows_rejected"] == 1
    assert quality(cli.json("audit", config, "--as-of", "2024-07-01"))["rows_rejected"] == 0


def test_without_as_of_the_bound_is_a_year_after_today(tmp_path):
    today = dt.date.today()
    soon, far = today + dt.timedelta(days=300), today + dt.timedelta(days=400)
    path = tmp_path / "deals.csv"
    path.write_text(f"deal_id,stage,created_at\n1,new,{soon}\n2,new,{far}\n", encoding="utf-8")
    source = Source(path=path, kind="deals")
    deals = read_deals(open_source("d", source), source, "UTC", [])
    assert deals.frame["deal_id"].to_list() == ["1"]
    assert deals.rejects.rows() == [(3, "created_at out of range", str(far))]


def test_typed_parquet_dates_out_of_range_show_the_date_read(tmp_path):
    path = tmp_path / "deals.parquet"
    pl.DataFrame({"deal_id": ["1", "2"], "stage": ["new", "new"],
                  "created_at": [dt.datetime(1970, 1, 1), dt.datetime(2024, 1, 1)]}
                 ).write_parquet(path)
    source = Source(path=path, kind="deals")
    deals = read_deals(open_source("d", source), source, "UTC", [], dt.date(2024, 6, 30))
    assert deals.rejects.rows() == [(1, "created_at out of range", "1970-01-01 00:00:00.000000")]


def test_stage_history_entries_out_of_range(cli, write):
    write("history.csv", """
        deal_id,stage,entered_at
        d1,A,2024-01-05
        d1,B,1970-01-01 00:00
        d2,A,2031-01-01
    """)
    config = write("c.yaml", """
        version: 1
        sources: {h: {path: history.csv, kind: stage_history}}
        funnels: [{name: F, source: h, stages: [{name: A}, {name: B}]}]
    """)
    report = cli.json("audit", config, "--as-of", "2024-06-30")
    assert [s["entered"] for s in report["funnels"][0]["stages"]] == [1, 0]
    assert quality(report)["reasons"] == {"entered_at out of range": 2}


def test_activities_out_of_range(cli, tmp_path):
    write_log(tmp_path, [("A", "2024-01-10 10:00", "call"), ("A", "2099-01-10 10:00", "call"),
                         ("A", "1980-01-10 10:00", "meeting")])
    report = cli.json("audit", write_norms_config(tmp_path), "--as-of", "2024-06-30")
    assert activities_quality(report)["reasons"] == {"ts out of range": 2}
    assert activities_quality(report)["rows_rejected"] == 2


def test_daily_totals_out_of_range(cli, tmp_path):
    write_log(tmp_path, [("A", "2024-01-10", "4", "0"), ("A", "2026-01-10", "2", "1")],
              header=("manager", "date", "calls", "meetings"))
    report = cli.json("audit", write_norms_config(tmp_path), "--as-of", "2024-06-30")
    assert activities_quality(report)["reasons"] == {"date out of range": 1}


def test_events_out_of_range(cli, write):
    write("events.csv", """
        user,event,time
        u1,visit,2024-03-01T10:00:00Z
        u1,buy,2024-03-01T11:00:00Z
        u2,visit,1985-03-01T10:00:00Z
        u3,visit,1706740200000000000
        u4,visit,4102444800
    """)
    config = write("c.yaml", """
        version: 1
        sources:
          e: {path: events.csv, kind: events, columns: {entity_id: user, event: event, ts: time}}
        funnels: [{name: F, source: e, window: 1d, stages: [{name: V, match: [visit]},
                                                             {name: B, match: [buy]}]}]
    """)
    report = cli.json("audit", config, "--as-of", "2024-06-30")
    # u3's nanoseconds are 2024-01-31; u4 (4102444800 s) is 2100-01-01.
    assert report["funnels"][0]["entities"] == 2
    assert quality(report)["reasons"] == {"ts out of range": 2}
