"""Event funnels end to end, on a log small enough to work every number out by hand."""

from __future__ import annotations

import csv
import datetime as dt
import json

import polars as pl
import pytest

from tests.conftest import write_csv

HEADER = ["user", "action", "time", "channel"]
ROWS = [
    # u1: visit -> cart after 10 min -> purchase after 30 min: depth 3
    ["u1", "visit", "2024-03-01T10:00:00Z", "ads"],
    ["u1", "add_to_cart", "2024-03-01T10:10:00Z", ""],
    ["u1", "purchase", "2024-03-01T10:30:00Z", ""],
    # u2: visit -> cart after 20 min: depth 2
    ["u2", "visit", "2024-03-01T10:00:00Z", "organic"],
    ["u2", "add_to_cart", "2024-03-01T10:20:00Z", ""],
    ["u2", "search", "2024-03-01T10:25:00Z", ""],            # not a funnel event
    # u3: the 09:00 visit's cart comes 2.5 h later (window 2 h); the 12:00 visit starts
    # the chain that gets to the purchase, so u3 counts under that visit's channel (ads)
    ["u3", "visit", "2024-03-01T09:00:00Z", "organic"],
    ["u3", "add_to_cart", "2024-03-01T11:30:00Z", ""],
    ["u3", "visit", "2024-03-01T12:00:00Z", "ads"],
    ["u3", "add_to_cart", "2024-03-01T12:05:00Z", ""],
    ["u3", "purchase", "2024-03-01T12:45:00Z", ""],
    ["u4", "visit", "2024-03-01T10:00:00Z", "ads"],          # depth 1
    ["u5", "add_to_cart", "2024-03-01T10:00:00Z", ""],       # no visit: not in the funnel
    ["u5", "purchase", "2024-03-01T10:05:00Z", ""],
    ["u6", "visit", "2024-03-01T10:00:00Z", "email"],        # purchase without a cart:
    ["u6", "purchase", "2024-03-01T10:10:00Z", ""],          # depth 1
    ["", "visit", "2024-03-01T10:00:00Z", "ads"],            # line 18: no user
    ["u7", "visit", "yesterday", "ads"],                     # line 19: bad time
    ["u8", "visit", "2024-02-30T10:00:00Z", "ads"],          # line 20: no such day
]

CONFIG = """
version: 1
sources:
  log:
    path: events.csv
    kind: events
    columns: {entity_id: user, event: action, ts: time}
funnels:
  - name: Shop
    source: log
    window: 2h
    min_sample: 1    # five hand-made users: judge the stages anyway
    stages:
      - {name: Visit, match: [visit]}
      - {name: Cart, match: [add_to_cart], conversion: {good: 0.7, acceptable: 0.5}}
      - {name: Order, match: [purchase]}
    breakdown: [channel]
"""


@pytest.fixture
def config(tmp_path):
    write_csv(tmp_path / "events.csv", HEADER, ROWS)
    path = tmp_path / "audit.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def test_counts_conversions_and_bottleneck(cli, config):
    funnel = cli.json("audit", config)["funnels"][0]
    assert funnel["kind"] == "events"
    assert funnel["entities"] == 5                      # u1, u2, u3, u4, u6
    stages = funnel["stages"]
    assert [s["entered"] for s in stages] == [5, 3, 2]
    assert stages[1]["conversion_from_previous"] == pytest.approx(3 / 5)
    assert stages[2]["conversion_from_previous"] == pytest.approx(2 / 3)
    assert stages[2]["conversion_from_first"] == pytest.approx(2 / 5)
    assert stages[1]["verdict"] == "warn"                # 60%: below good 70%, above 50%
    assert funnel["bottleneck"]["stage"] == "Cart"


def test_time_from_first_step(cli, config):
    stages = cli.json("audit", config)["funnels"][0]["stages"]
    assert stages[0]["time_from_first"] is None
    # Cart after 600 s (u1), 1200 s (u2), 300 s (u3, from its 12:00 visit):
    # median 600; p90 interpolated between 600 and 1200 at 0.8 -> 1080.
    assert stages[1]["time_from_first"] == {"median_s": 600.0, "p90_s": 1080.0}
    # Order after 1800 s (u1) and 2700 s (u3): median 2250, p90 1800 + 0.9 * 900 = 2610.
    assert stages[2]["time_from_first"] == {"median_s": 2250.0, "p90_s": 2610.0}


def test_breakdown_by_the_chains_first_event(cli, config):
    segments = {s["value"]: s for s in cli.json("audit", config)["funnels"][0]
                ["breakdowns"]["channel"]}
    assert {v: [st["entered"] for st in s["stages"]] for v, s in segments.items()} == {
        "ads": [3, 2, 2],        # u1, u3 (its 12:00 visit), u4
        "organic": [1, 1, 0],    # u2
        "email": [1, 0, 0],      # u6
    }


def test_unusable_rows_are_counted_with_reasons(cli, config):
    from funnelctl.config import load_config
    from funnelctl.io.events import read_events
    from funnelctl.io.readers import open_source

    quality = cli.json("audit", config)["data_quality"]["sources"][0]
    assert quality["rows_read"] == len(ROWS)
    assert quality["rows_rejected"] == 3
    assert quality["reasons"] == {"unparseable ts": 2, "missing entity_id": 1}
    source = load_config(config).sources["log"]
    events = read_events(open_source("log", source), source, "UTC", ["visit"], [])
    # The header is line 1.
    assert events.rejects.rows() == [(18, "missing entity_id", None),
                                     (19, "unparseable ts", "yesterday"),
                                     (20, "unparseable ts", "2024-02-30T10:00:00Z")]


def test_period_counts_entities_whose_first_step_falls_inside(cli, tmp_path):
    """Local dates: 21:30 UTC on Feb 29 is 00:30 on Mar 1 in Moscow (UTC+3)."""
    write_csv(tmp_path / "events.csv", ["entity_id", "event", "ts"], [
        ["a", "visit", "2024-02-29T21:30:00Z"],      # Mar 1, 00:30 in Moscow: inside
        ["a", "add_to_cart", "2024-03-01T21:10:00Z"],  # Mar 2 locally: still counts
        ["b", "visit", "2024-02-29T20:59:59Z"],      # Feb 29, 23:59:59 in Moscow: outside
        ["b", "add_to_cart", "2024-02-29T21:30:00Z"],
        ["c", "visit", "2024-03-01T21:00:00Z"],      # Mar 2, 00:00 in Moscow: outside
    ])
    (tmp_path / "audit.yaml").write_text("""
version: 1
timezone: Europe/Moscow
sources: {log: {path: events.csv, kind: events}}
funnels:
  - {name: F, source: log, window: 1d, stages: [{name: visit}, {name: add_to_cart}]}
""")
    report = cli.json("audit", tmp_path / "audit.yaml", "--period", "2024-03-01..2024-03-01")
    assert [s["entered"] for s in report["funnels"][0]["stages"]] == [1, 1]
    everything = cli.json("audit", tmp_path / "audit.yaml")
    assert [s["entered"] for s in everything["funnels"][0]["stages"]] == [3, 2]


def test_naive_times_are_read_in_the_config_time_zone(cli, tmp_path):
    """Across the spring DST change, a 2 h window measures elapsed time, not wall time."""
    write_csv(tmp_path / "events.csv", ["entity_id", "event", "ts"], [
        # Berlin, 2024-03-31: clocks jump from 02:00 to 03:00. 01:30 -> 04:15 is 1 h 45 min.
        ["a", "visit", "31.03.2024 01:30:00"], ["a", "add_to_cart", "31.03.2024 04:15:00"],
        # An ordinary day: 01:30 -> 04:15 is 2 h 45 min, outside the window.
        ["b", "visit", "30.03.2024 01:30:00"], ["b", "add_to_cart", "30.03.2024 04:15:00"],
    ])
    (tmp_path / "audit.yaml").write_text("""
version: 1
timezone: Europe/Berlin
sources: {log: {path: events.csv, kind: events}}
funnels:
  - {name: F, source: log, window: 2h, stages: [{name: visit}, {name: add_to_cart}]}
""")
    stages = cli.json("audit", tmp_path / "audit.yaml")["funnels"][0]["stages"]
    assert [s["entered"] for s in stages] == [2, 1]
    assert stages[1]["time_from_first"]["median_s"] == 105 * 60



@pytest.mark.parametrize("engine", [{}, {"engine": "clickhouse", "url": "chdb:"}],
                         ids=["polars", "clickhouse"])
def test_entities_and_times_with_zero_width_ends(cli, tmp_path, engine):
    """Zero-width characters at the ends of an entity id or a time are trimmed like
    spaces (io/values.EDGES): "u1" + U+200B is the user u1, a time followed by U+200B
    parses, and a time of only U+2060 is missing."""
    if engine:
        pytest.importorskip("chdb")
    write_csv(tmp_path / "events.csv", ["entity_id", "event", "ts"], [
        ["u1", "visit", "2024-03-01T10:00:00Z"],
        ["u1\u200b", "add_to_cart", "2024-03-01T10:10:00Z"],
        ["\ufeffu2", "visit", "2024-03-01T10:00:00Z\u200b"],
        ["u2", "add_to_cart", "2024-03-01T10:20:00Z"],
        ["u3", "visit", "\u2060"],
        ["u4", "visit", "2024-03-01T10:00:00Z"],
    ])
    config = {"version": 1, "sources": {"log": {"path": "events.csv", "kind": "events",
                                                **engine}},
              "funnels": [{"name": "F", "source": "log", "window": "1h", "min_sample": 1,
                           "stages": [{"name": "visit"}, {"name": "add_to_cart"}]}]}
    (tmp_path / "audit.yaml").write_text(json.dumps(config), encoding="utf-8")
    report = cli.json("audit", tmp_path / "audit.yaml", "--as-of", "2024-12-01")
    assert report["data_quality"]["sources"][0]["reasons"] == {"missing ts": 1}
    funnel = report["funnels"][0]
    # u1, u2 and u4 visit; u1 and u2 add to cart 10 and 20 minutes later
    assert funnel["entities"] == 3
    assert [s["entered"] for s in funnel["stages"]] == [3, 2]
    assert funnel["stages"][1]["time_from_first"]["median_s"] == 900.0

@pytest.mark.parametrize("path", ["parts", "parts/*.parquet"])
def test_folder_or_glob_of_parquet_files(cli, tmp_path, path):
    utc = dt.timezone.utc
    (tmp_path / "parts").mkdir()
    for day, users in ((1, [1, 2]), (2, [1, 3])):
        pl.DataFrame({
            "entity_id": users + users,
            "event": ["visit"] * len(users) + ["purchase"] * len(users),
            "ts": [dt.datetime(2024, 3, day, 10, tzinfo=utc)] * len(users)
            + [dt.datetime(2024, 3, day, 11, tzinfo=utc)] * len(users),
        }).write_parquet(tmp_path / "parts" / f"day{day}.parquet")
    (tmp_path / "audit.yaml").write_text(f"""
version: 1
sources: {{log: {{path: "{path}", kind: events}}}}
funnels:
  - {{name: F, source: log, window: 30m, stages: [{{name: visit}}, {{name: purchase}}]}}
""")
    report = cli.json("audit", tmp_path / "audit.yaml")
    # Purchases come 1 h after the visits: outside a 30-minute window.
    assert [s["entered"] for s in report["funnels"][0]["stages"]] == [3, 0]
    assert report["data_quality"]["sources"][0]["rows_read"] == 8


def test_store_sample_config(cli):
    """The bundled event log: step 1 counted independently with DuckDB."""
    import duckdb

    from tests.conftest import ROOT

    report = cli.json("audit", ROOT / "configs" / "store.yaml")
    quality = report["data_quality"]["sources"][0]
    assert quality["reasons"] == {"unparseable ts": 1, "missing entity_id": 1}
    log = ROOT / "sample_data" / "store_events.csv"
    visitors = duckdb.sql(
        f"SELECT count(DISTINCT user_id) FROM read_csv('{log}', all_varchar = true)"
        " WHERE event_name = 'session_start' AND user_id IS NOT NULL"
        " AND try_strptime(timestamp, '%Y-%m-%dT%H:%M:%SZ') IS NOT NULL").fetchall()[0][0]
    entered = [s["entered"] for s in report["funnels"][0]["stages"]]
    assert entered[0] == visitors
    assert entered == sorted(entered, reverse=True) and entered[-1] > 0


def test_compare_with_the_previous_period(cli, tmp_path):
    """Mar 1: 4 visitors, 1 goes on to the cart; Mar 2: 4 visitors, 3 do."""
    rows = []
    for day, carts in ((1, 1), (2, 3)):
        for i in range(4):
            rows.append([f"d{day}u{i}", "visit", f"2024-03-0{day}T10:00:00Z"])
            if i < carts:
                rows.append([f"d{day}u{i}", "add_to_cart", f"2024-03-0{day}T10:05:00Z"])
    write_csv(tmp_path / "events.csv", ["entity_id", "event", "ts"], rows)
    (tmp_path / "audit.yaml").write_text("""
version: 1
sources: {log: {path: events.csv, kind: events}}
funnels:
  - {name: F, source: log, window: 1h, stages: [{name: visit}, {name: add_to_cart}]}
""")
    report = cli.json("audit", tmp_path / "audit.yaml", "--period", "2024-03-02..2024-03-02",
                      "--compare", "previous")
    change = report["comparison"]["funnels"][0]["stages"][0]
    assert (change["subject"], change["previous"], change["current"]) == ("add_to_cart", 0.25, 0.75)
    assert (change["previous_trials"], change["current_trials"]) == (4, 4)


def test_rejected_rows_go_to_the_rejects_file(cli, config, tmp_path):
    out = tmp_path / "rejects.csv"
    result = cli("audit", config, "--rejects", out, "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    # Text cells are quoted (CSV injection rules): compare the parsed rows.
    assert list(csv.reader(out.read_text().splitlines())) == [
        ["source", "line", "reason", "value"], ["log", "18", "missing entity_id", ""],
        ["log", "19", "unparseable ts", "yesterday"],
        ["log", "20", "unparseable ts", "2024-02-30T10:00:00Z"]]


@pytest.mark.parametrize(("name", "write"), [
    ("seconds.parquet", lambda p: pl.DataFrame({
        "entity_id": [1, 1], "event": ["visit", "purchase"],
        "ts": [1_709_287_200, 1_709_287_200 + 3600]}).write_parquet(p)),
    ("millis.csv", lambda p: write_csv(p, ["entity_id", "event", "ts"], [
        ["1", "visit", "1709287200000"], ["1", "purchase", str(1_709_287_200_000 + 3600_000)]])),
])
def test_unix_epoch_timestamps(cli, tmp_path, name, write):
    """Unix seconds (a number column) and milliseconds (13-digit text) are both instants."""
    write(tmp_path / name)
    (tmp_path / "audit.yaml").write_text(f"""
version: 1
sources: {{log: {{path: {name}, kind: events}}}}
funnels:
  - {{name: F, source: log, window: 1h, stages: [{{name: visit}}, {{name: purchase}}]}}
""")
    stages = cli.json("audit", tmp_path / "audit.yaml")["funnels"][0]["stages"]
    assert [s["entered"] for s in stages] == [1, 1]          # exactly 1 h: inside
    assert stages[1]["time_from_first"]["median_s"] == 3600.0
