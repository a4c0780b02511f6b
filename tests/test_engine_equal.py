"""The same audits on both engines: the Polars engine and engine: clickhouse (chdb, in
process) must give equal JSON reports (less generated_at and tool_version), and each case
also checks a count worked out apart from both engines (by hand, or ClickHouse's own
windowFunnel levels on file in fixtures/window_funnel_cases.json)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
import yaml

from tests import test_event_where
from tests.chdb_support import write_parquet
from tests.engine_support import both, entered, report_json
from tests.window_funnel_data import T0, D, suites

pytest.importorskip("chdb")

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = json.loads((ROOT / "tests/fixtures/window_funnel_cases.json").read_text())
AS_OF = dt.date(2026, 12, 1)


def store_config(path: Path | None = None, **funnel_keys) -> dict:
    config = yaml.safe_load((ROOT / "configs/store.yaml").read_text())
    config["sources"]["events"]["path"] = str(path or ROOT / "sample_data/store_events.csv")
    config["funnels"][0].update(funnel_keys)
    return config


def read_store() -> pl.DataFrame:
    return pl.read_csv(ROOT / "sample_data/store_events.csv").with_columns(
        pl.col("timestamp").str.to_datetime(time_zone="UTC", strict=False))


def test_store_sample(tmp_path):
    polars, clickhouse = both(store_config(), tmp_path, as_of=AS_OF)
    assert clickhouse == polars
    # Worked out apart: sessions that start the funnel are the distinct visitors.
    log = pl.read_csv(ROOT / "sample_data/store_events.csv")
    visitors = log.filter(pl.col("event_name") == "session_start")["user_id"].n_unique()
    assert entered(clickhouse)[0] == visitors
    assert clickhouse["funnels"][0]["breakdowns"]["utm_source"]
    funnel = clickhouse["funnels"][0]
    assert funnel["stages"][1]["time_from_first"]["median_s"] > 0
    assert funnel["stages"][1]["time_to_convert"]["from_previous"]["entities"] > 0
    assert len(funnel["trend"]["cohorts"]) > 1  # store.yaml has trend: week
    assert sum(c["entities"] for c in funnel["trend"]["cohorts"]) == funnel["entities"]


def test_store_sample_over_a_period_compared_with_the_one_before(tmp_path):
    config = store_config()
    polars, clickhouse = both(config, tmp_path, as_of=AS_OF, period="2026-09-08..2026-09-21",
                              compare="previous")
    assert clickhouse == polars
    log = read_store()
    start = dt.datetime(2026, 9, 8, tzinfo=dt.timezone.utc)
    inside = log.filter((pl.col("event_name") == "session_start")
                        & pl.col("timestamp").is_between(start, start + dt.timedelta(days=14),
                                                         closed="left"))
    assert entered(clickhouse)[0] == inside["user_id"].n_unique() > 0


def test_store_sample_as_parquet_with_folded_segments(tmp_path):
    log = read_store()
    log.write_parquet(tmp_path / "store.parquet")
    config = store_config(tmp_path / "store.parquet", segments={"top": 2, "min_size": 1})
    polars, clickhouse = both(config, tmp_path, as_of=AS_OF)
    assert clickhouse == polars
    segments = clickhouse["funnels"][0]["breakdowns"]["utm_source"]
    sources = log.filter(pl.col("event_name") == "session_start")["utm_source"].n_unique()
    assert len(segments) == 3 and segments[-1]["value"] == "(other)" and sources > 3


def test_naive_times_in_the_config_zone_strict_increase(tmp_path):
    """event_log.csv has naive times: both engines read them in Europe/Moscow."""
    config = {
        "version": 1, "timezone": "Europe/Moscow",
        "sources": {"log": {"path": str(ROOT / "sample_data/event_log.csv"), "kind": "events",
                            "columns": {"entity_id": "client_id", "event": "event_type",
                                        "ts": "event_time"}}},
        "funnels": [{"name": "Signup", "source": "log", "window": "3d",
                     "order": "strict_increase", "breakdown": ["channel"],
                     "stages": [{"name": n, "match": [n]} for n in
                                ("landing_view", "signup", "activation", "purchase")]}],
    }
    log = pl.read_csv(ROOT / "sample_data/event_log.csv")
    names = log["event_type"].unique().to_list()
    assert {"landing_view", "signup"} <= set(names), names
    polars, clickhouse = both(config, tmp_path, as_of=AS_OF, period="2026-03-10..2026-03-31")
    assert clickhouse == polars
    assert entered(clickhouse)[0] > 0


@pytest.mark.parametrize("suite", sorted(FIXTURE["suites"]))
@pytest.mark.parametrize("order", [
    "default", "strict_increase", "strict_order", "strict_deduplication", "allow_reentry",
    ["strict_order", "strict_deduplication"], ["strict_increase", "strict_deduplication"]],
    ids=str)
def test_window_funnel_suites(tmp_path, suite, order):
    """The bench's edge cases and the fuzz sets, in each windowFunnel mode: equal reports,
    and (default order) the entered counts are those of ClickHouse's own windowFunnel
    levels on file. (In every mode the SQL itself also checks its walk against
    windowFunnel's depth for every entity.)"""
    steps, window, period, rows = suites()[suite]
    events = write_parquet(tmp_path / "events.parquet",
                           [(e, n, t * 1_000_000, p) for e, n, t, p in rows])
    config = {
        "version": 1, "timezone": "UTC",
        "sources": {"log": {"path": str(events), "kind": "events"}},
        "funnels": [{"name": "F", "source": "log", "window": f"{window}s", "order": order,
                     "stages": [{"name": f"step {k}", **step}
                                for k, step in enumerate(steps, 1)]}],
    }
    kwargs = {"as_of": AS_OF}
    if period is not None:
        first = dt.datetime.fromtimestamp(period[0], dt.timezone.utc).date()
        last = dt.datetime.fromtimestamp(period[1] - D, dt.timezone.utc).date()
        kwargs["period"] = f"{first}..{last}"
    polars, clickhouse = both(config, tmp_path, **kwargs)
    assert clickhouse == polars
    if order == "default":
        levels = FIXTURE["suites"][suite]["levels"]
        assert entered(clickhouse) == [sum(v >= k for v in levels.values())
                                       for k in range(1, len(steps) + 1)]


WHERE_CASES = test_event_where.test_where_operators.pytestmark[0].args[1]


@pytest.mark.parametrize(("where", "rows"), WHERE_CASES)
def test_where_operators_on_both_engines(tmp_path, where, rows):
    """Each row of test_event_where's EVENTS is one entity: a start event, then the row's
    event with its properties; step 2 is entered by the rows worked out there by hand."""
    events = test_event_where.EVENTS
    n = events.height
    table = pl.concat([
        pl.DataFrame({"entity_id": list(range(n)), "event": ["start"] * n,
                      "ts": [T0] * n}, schema_overrides={"ts": pl.Int64}).with_columns(
            page=pl.lit(None, pl.String), amount=pl.lit(None, pl.String),
            seats=pl.lit(None, pl.Int64)),
        events.with_columns(entity_id=pl.int_range(n), ts=pl.lit(T0 + 60, pl.Int64)).select(
            "entity_id", "event", "ts", "page", "amount", "seats"),
    ]).with_columns(pl.from_epoch("ts").dt.replace_time_zone("UTC"))
    table.write_parquet(tmp_path / "events.parquet")
    config = {
        "version": 1,
        "sources": {"log": {"path": str(tmp_path / "events.parquet"), "kind": "events"}},
        "funnels": [{"name": "W", "source": "log", "window": "1h",
                     "stages": [{"name": "start"},
                                {"name": "view", "match": ["view"], "where": where}]}],
    }
    polars, clickhouse = both(config, tmp_path, as_of=AS_OF)
    assert clickhouse == polars
    assert entered(clickhouse) == [n, len(rows)]


HOSTILE = ["it's", "back\\slash", "`tick`", "'); DROP TABLE x; --", "{p0:String}",
           "tab\there", "<script>", "=HYPERLINK(\"x\")"]


def test_hostile_names_and_values_are_data_not_sql(tmp_path):
    """Event names, properties and breakdown values that would break pasted SQL: each
    is one entity's step 2 (and its own segment), on both engines alike."""
    n = len(HOSTILE)
    table = pl.DataFrame({
        "entity_id": [f"u{i}" for i in range(n)] * 2,
        "event": ["start"] * n + HOSTILE,
        "ts": [dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)] * n
        + [dt.datetime(2026, 1, 1, 0, 5, tzinfo=dt.timezone.utc)] * n,
        "page": [None] * n + HOSTILE,
        "segment": HOSTILE + [None] * n,
    })
    table.write_parquet(tmp_path / "events.parquet")
    config = {
        "version": 1,
        "sources": {"log": {"path": str(tmp_path / "events.parquet"), "kind": "events"}},
        "funnels": [{"name": "H", "source": "log", "window": "1h", "breakdown": ["segment"],
                     "segments": {"top": 20},
                     "stages": [{"name": "start"},
                                {"name": "odd", "match": HOSTILE,
                                 "where": {"page": {"in": HOSTILE[:-1]}}}]}],
    }
    polars, clickhouse = both(config, tmp_path, as_of=AS_OF)
    assert clickhouse == polars
    assert entered(clickhouse) == [n, n - 1]
    values = {s["value"] for s in clickhouse["funnels"][0]["breakdowns"]["segment"]}
    assert values == set(HOSTILE)


def test_a_table_in_a_chdb_database_folder(tmp_path):
    """url: chdb:FOLDER with table: the store sample loaded into a MergeTree table of a
    chdb database folder (relative to the config, like path:)."""
    from chdb import session

    from funnelctl.engines.clickhouse_client import close_sessions

    log = read_store()
    log.write_parquet(tmp_path / "store.parquet")
    close_sessions()
    db = session.Session(str(tmp_path / "chdb"))
    try:
        db.query("CREATE DATABASE shop")
        db.query("CREATE TABLE shop.events ENGINE = MergeTree ORDER BY tuple() AS "
                 "SELECT * FROM file({p:String}, Parquet)",
                 params={"p": str(tmp_path / "store.parquet")})
    finally:
        db.close()
    config = store_config(tmp_path / "store.parquet")
    polars = report_json(config, tmp_path / "polars.yaml", as_of=AS_OF)
    source = config["sources"]["events"]
    del source["path"]
    source.update(engine="clickhouse", url="chdb:chdb", table="shop.events")
    clickhouse = report_json(config, tmp_path / "clickhouse.yaml", as_of=AS_OF)
    close_sessions()
    for report in (polars, clickhouse):
        for quality in report["data_quality"]["sources"]:
            quality.pop("path"), quality.pop("detected", None)
    assert clickhouse == polars
    assert entered(clickhouse)[0] == log.filter(
        pl.col("event_name") == "session_start")["user_id"].n_unique()


def test_naive_parquet_times_are_wall_times_in_the_config_zone(tmp_path):
    """A Parquet timestamp stored without a zone is a wall time in the config's zone on
    both engines (chdb shows such a column as UTC: read as UTC, the period's edges moved
    by ten hours and the counts with them)."""
    log = pl.read_csv(ROOT / "sample_data/event_log.csv").with_columns(
        pl.col("event_time").str.to_datetime())
    assert log.schema["event_time"] == pl.Datetime("us")  # naive
    log.write_parquet(tmp_path / "log.parquet")
    config = {
        "version": 1, "timezone": "Asia/Vladivostok",
        "sources": {"log": {"path": str(tmp_path / "log.parquet"), "kind": "events",
                            "columns": {"entity_id": "client_id", "event": "event_type",
                                        "ts": "event_time"}}},
        "funnels": [{"name": "Signup", "source": "log", "window": "3d", "trend": "day",
                     "stages": [{"name": n, "match": [n]} for n in
                                ("landing_view", "signup", "activation", "purchase")]}],
    }
    polars, clickhouse = both(config, tmp_path, as_of=AS_OF, period="2026-03-10..2026-03-31")
    assert clickhouse == polars
    # Worked out apart: visitors whose landing view's wall time falls in the period.
    start, end = dt.datetime(2026, 3, 10), dt.datetime(2026, 4, 1)
    inside = log.filter((pl.col("event_type") == "landing_view")
                        & pl.col("event_time").is_between(start, end, closed="left"))
    assert entered(clickhouse)[0] == inside["client_id"].n_unique() > 0
