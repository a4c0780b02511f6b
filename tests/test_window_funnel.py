"""Per-entity depth equals ClickHouse's windowFunnel: edge cases, overlapping steps, fuzz.

The expected levels were computed by ClickHouse itself (chdb) from the same event sets:
tests/fixtures/make_window_funnel_cases.py made tests/fixtures/window_funnel_cases.json.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from funnelctl.config import Funnel, Source, Stage
from funnelctl.io.events import read_events
from funnelctl.io.readers import open_source
from funnelctl.metrics.events import funnel_entities
from tests.window_funnel_data import digest, suites

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "window_funnel_cases.json")
                     .read_text())["suites"]
UTC = dt.timezone.utc


def write_events(path: Path, rows: list[list]) -> Path:
    pl.DataFrame({
        "entity_id": [r[0] for r in rows],
        "event": [r[1] for r in rows],
        "ts": [dt.datetime.fromtimestamp(r[2], UTC) for r in rows],
        "page": [r[3] for r in rows],
    }).write_parquet(path)
    return path


def funnel_of(steps: list[dict], window_s: int) -> Funnel:
    stages = [Stage(name=f"step {i}", match=s["match"], where=s.get("where", {}))
              for i, s in enumerate(steps, 1)]
    return Funnel(name="F", source="events", stages=stages, window=f"{window_s}s")


def levels(tmp_path: Path, name: str) -> tuple[dict[str, int], dict[str, int]]:
    steps, window, period, rows = suites()[name]
    expected = FIXTURE[name]
    assert digest(rows) == expected["digest"], \
        "the event set changed: rerun tests/fixtures/make_window_funnel_cases.py"
    source = Source(path=write_events(tmp_path / "events.parquet", rows), kind="events")
    funnel = funnel_of(steps, window)
    events = read_events(open_source("events", source), source, "UTC",
                         sorted({n for s in steps for n in s["match"]}), ["page"])
    bounds = None if period is None else tuple(
        dt.datetime.fromtimestamp(t, UTC) for t in period)
    depths = funnel_entities(events.frame, funnel, bounds)
    got = {str(e): d for e, d in depths.select("entity_id", "depth").iter_rows()}
    return got, expected["levels"]


@pytest.mark.parametrize("name", list(suites()))
def test_depth_per_entity_equals_clickhouse(tmp_path, name):
    got, expected = levels(tmp_path, name)
    differ = {e: (got.get(e, 0), expected.get(e, 0)) for e in set(got) | set(expected)
              if got.get(e, 0) != expected.get(e, 0)}
    assert not differ, f"(funnelctl, ClickHouse) per entity: {dict(list(differ.items())[:10])}"


def test_cli_counts_equal_clickhouse_reach(cli, tmp_path):
    """Through the whole audit: entered(k) = entities ClickHouse puts at level >= k."""
    steps, window, _, rows = suites()["fuzz: pages, 36h, string ids"]
    write_events(tmp_path / "events.parquet", rows)
    config = tmp_path / "audit.yaml"
    config.write_text("""
version: 1
sources: {events: {path: events.parquet, kind: events}}
funnels:
  - name: Pages
    source: events
    window: 36h
    stages:
      - {name: Any page, match: [page_view]}
      - {name: Cart, match: [page_view], where: {page: /cart}}
      - {name: Order, match: [order, purchase]}
""")
    assert window == 36 * 3600 and steps[1]["where"] == {"page": "/cart"}
    report = cli.json("audit", config)
    ch = FIXTURE["fuzz: pages, 36h, string ids"]["levels"].values()
    assert [s["entered"] for s in report["funnels"][0]["stages"]] == \
        [sum(1 for v in ch if v >= k) for k in (1, 2, 3)]
