"""order: distinct_events (each step needs its own event) against the plain-Python
reference written from README's definition (tests/funnel_reference.py) and against
ClickHouse's windowFunnel mode strict_once, which counts the same way."""

from __future__ import annotations

import json
import random
from pathlib import Path

import polars as pl
import pytest

from funnelctl.config import Funnel, Source, Stage
from funnelctl.io.events import read_events
from funnelctl.io.readers import open_source
from funnelctl.metrics.events import funnel_entities, prepare
from tests.chdb_support import chdb, write_parquet
from tests.funnel_reference import distinct_reference, reference_levels
from tests.window_funnel_data import PAGES

S = 1_000_000
T0 = 1_704_067_200 * S
# Funnels whose steps share events: where "one event for several steps" over-counts.
SHAPES = {
    "shop": ["visit", "product_view", "add_to_cart", "checkout", "purchase"],
    "pageview x4": ["pageview"] * 4,
    "signed up twice": ["signup", "signup", "purchase"],
    "alternating": ["a", "b", "a", "b", "a"],
}


def ours(path: Path, window: str, names: list[str], within: list | None = None,
         stages: list[Stage] | None = None, columns: list[str] = (),
         order: str = "distinct_events") -> dict:
    stages = stages or [Stage(name=f"step {i + 1}", match=[s],
                              within=within[i] if within else None)
                        for i, s in enumerate(names)]
    funnel = Funnel(name="F", source="events", window=window, order=order, stages=stages)
    source = Source(path=path, kind="events")
    frame = read_events(open_source("events", source), source, "UTC",
                        sorted({n for s in stages for n in s.values()}), list(columns)).frame
    result = funnel_entities(frame, funnel)
    return {str(e): d for e, d in result.select("entity_id", "depth").iter_rows()}


def strict_once(path: Path, conditions: list[str], window_us: int) -> dict:
    sql = (f"SELECT toString(entity_id), windowFunnel({window_us}, 'strict_once')("
           f"toUInt64(toUnixTimestamp64Micro(ts)), {', '.join(conditions)}) AS lvl "
           f"FROM file('{path}', Parquet) GROUP BY entity_id HAVING lvl > 0")
    return {e: int(v) for e, v in json.loads(chdb.query(sql, "JSONCompact").data())["data"]}


def differences(got: dict, expected: dict) -> dict:
    return {e: (got.get(e, 0), expected.get(e, 0)) for e in set(got) | set(expected)
            if got.get(e, 0) != expected.get(e, 0)}


def fuzz(seed: int, names: list[str], n_entities: int = 300, grid: int = 3600,
         tick: int = S) -> list[tuple]:
    """(entity, event, µs): attempts with repeats at the same instant and later, steps
    skipped and out of order, ties on a grid, shuffled."""
    rng = random.Random(seed)
    rows = []
    for e in range(n_entities):
        for _ in range(rng.randint(1, 3)):
            t = T0 + rng.randrange(0, 30) * grid * S
            for name in names:
                if rng.random() < 0.2:
                    continue
                t += rng.choice([0, 0, 1, 1, 2, 3]) * grid * S + rng.choice([0, 0, 0, 1, -1]) * tick
                rows.append((e, name, t))
                if rng.random() < 0.2:
                    rows.append((e, name, t + rng.choice([0, 0, tick, grid * S])))
        rows += [(e, rng.choice(names), T0 + rng.randrange(0, 40) * grid * S)
                 for _ in range(rng.randint(0, 2))]
    rng.shuffle(rows)
    return rows


def parquet(tmp_path: Path, rows: list[tuple], unit: str = "us") -> Path:
    return write_parquet(tmp_path / "events.parquet", [(*r[:3], "") for r in rows], unit)


def test_each_step_needs_its_own_event(tmp_path):
    """Worked by hand, window 1 h. pageview x4: 1 has three page views (3, not 4);
    2 has four, two of them at the same instant (4: the same instant counts);
    3 has one (1). Signed up twice, then purchase: 4 signed up once then bought (1);
    5 twice then bought (3); 6 twice, the purchase at the second signup's instant (3)."""
    rows = [(1, "pageview", T0 + i * 60 * S) for i in range(3)]
    rows += [(2, "pageview", T0), (2, "pageview", T0 + 60 * S), (2, "pageview", T0 + 60 * S),
             (2, "pageview", T0 + 120 * S), (3, "pageview", T0)]
    path = parquet(tmp_path, rows)
    assert ours(path, "1h", ["pageview"] * 4) == {"1": 3, "2": 4, "3": 1}
    assert ours(path, "1h", ["pageview"] * 4, order="default") == {"1": 4, "2": 4, "3": 4}
    rows = [(4, "signup", T0), (4, "purchase", T0 + 60 * S),
            (5, "signup", T0), (5, "signup", T0 + 60 * S), (5, "purchase", T0 + 120 * S),
            (6, "signup", T0), (6, "signup", T0 + 60 * S), (6, "purchase", T0 + 60 * S)]
    path = parquet(tmp_path, rows)
    assert ours(path, "1h", ["signup", "signup", "purchase"]) == {"4": 1, "5": 3, "6": 3}


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("seed", [1, 2])
def test_distinct_events_equal_the_reference_and_clickhouse(tmp_path, shape, seed):
    names = SHAPES[shape]
    rows = fuzz(seed, names)
    path = parquet(tmp_path, rows)
    expected = distinct_reference(rows, [{n} for n in names], 4 * 3600 * S)
    conditions = [f"event = '{n}'" for n in names]
    assert not differences(strict_once(path, conditions, 4 * 3600 * S), expected)
    if shape != "shop":  # steps share events: counting one event for several differs
        assert expected != reference_levels(rows, [{n} for n in names], 4 * 3600 * S)
    assert not differences(ours(path, "4h", names), expected)


@pytest.mark.parametrize("shape", ["pageview x4", "alternating"])
def test_distinct_events_on_thousands_of_ms_entities(tmp_path, shape):
    names = SHAPES[shape]
    rows = fuzz(3, names, n_entities=3000, grid=600, tick=1000)
    path = parquet(tmp_path, rows, unit="ms")
    expected = strict_once(path, [f"event = '{n}'" for n in names], 1800 * S)
    assert not differences(ours(path, "30m", names), expected)


def test_distinct_events_with_where_and_overlapping_steps(tmp_path):
    """Any page view, then a view of /cart, then an order: a cart view can no longer be
    both the first and the second step."""
    rng = random.Random(4)
    pages = [("page_view", "/"), ("page_view", "/cart"), ("page_view", "/home"),
             ("order", ""), ("purchase", "")]
    rows = [(e, *rng.choice(pages)) for e in range(400) for _ in range(rng.randint(1, 6))]
    rows = [(e, n, T0 + rng.randrange(0, 12) * 3 * 3600 * S, p) for e, n, p in rows]
    path = write_parquet(tmp_path / "events.parquet", [(e, n, t, p) for e, n, t, p in rows])
    tests = [lambda e, p: e == "page_view", lambda e, p: e == "page_view" and p == "/cart",
             lambda e, p: e in ("order", "purchase")]
    expected = distinct_reference(rows, tests, 36 * 3600 * S)
    conditions = ["event = 'page_view'", "event = 'page_view' AND page = '/cart'",
                  "event IN ('order', 'purchase')"]
    assert not differences(strict_once(path, conditions, 36 * 3600 * S), expected)
    stages = [Stage(name=f"s{i}", **spec) for i, spec in enumerate(PAGES)]
    assert not differences(ours(path, "36h", [], stages=stages, columns=["page"]), expected)
    assert ours(path, "36h", [], stages=stages, columns=["page"], order="default") != expected


@pytest.mark.parametrize("shape", ["shop", "pageview x4", "signed up twice"])
def test_distinct_events_with_within_equal_the_reference(tmp_path, shape):
    names = SHAPES[shape]
    rows = fuzz(5, names)
    within_us = [None, 3600 * S, 2 * 3600 * S, S, None][:len(names)]
    within = [None, "1h", "2h", "1s", None][:len(names)]
    expected = distinct_reference(rows, [{n} for n in names], 6 * 3600 * S, within_us)
    assert expected != distinct_reference(rows, [{n} for n in names], 6 * 3600 * S)
    assert not differences(ours(parquet(tmp_path, rows), "6h", names, within), expected)


def test_distinct_events_with_ranked_keys(tmp_path):
    """µs over 12 days for ids spread over 2**25: the ranked keys of window_funnel."""
    rng = random.Random(7)
    names = SHAPES["alternating"]
    rows = [(10 + 80_000 * e, rng.choice("ab"), T0 + rng.randrange(0, 600) * 1800 * S
             + rng.choice([0, 0, 1])) for e in range(400) for _ in range(rng.randint(1, 60))]
    path = parquet(tmp_path, rows)
    source = Source(path=path, kind="events")
    frame = read_events(open_source("events", source), source, "UTC", ["a", "b"], []).frame
    funnel = Funnel(name="F", source="events", window="3h", order="distinct_events",
                    stages=[Stage(name=f"s{i}", match=[n]) for i, n in enumerate(names)])
    assert prepare(frame, funnel).ranked  # the case this test is for
    expected = distinct_reference(rows, [{n} for n in names], 3 * 3600 * S)
    assert len(set(expected.values())) == 5
    assert not differences(ours(path, "3h", names), expected)


def test_distinct_events_in_a_period_with_a_breakdown(cli, tmp_path):
    """Through the audit, with --period and a breakdown: step 1 inside the period; the
    breakdown's counts add up to the funnel's, which equal the reference's."""
    names = SHAPES["signed up twice"]
    rows = fuzz(10, names, grid=6 * 3600)
    rng = random.Random(11)
    pl.DataFrame({
        "entity_id": [r[0] for r in rows], "event": [r[1] for r in rows],
        "ts": pl.Series([r[2] for r in rows]).cast(pl.Datetime("us", "UTC")),
        "utm": [rng.choice(["ads", "mail"]) for _ in rows],
    }).write_parquet(tmp_path / "events.parquet")
    (tmp_path / "audit.yaml").write_text(
        "version: 1\nsources: {events: {path: events.parquet, kind: events}}\nfunnels:\n"
        "  - name: Twice\n    source: events\n    window: 1d\n    order: distinct_events\n"
        "    breakdown: [utm]\n"
        "    stages: [{name: s1, match: [signup]}, {name: s2, match: [signup]}, "
        "{name: s3, match: [purchase]}]\n")
    report = cli.json("audit", tmp_path / "audit.yaml", "--period", "2024-01-03..2024-01-06")
    start, end = T0 + 2 * 86400 * S, T0 + 6 * 86400 * S
    expected = distinct_reference(rows, [{n} for n in names], 86400 * S, period=(start, end))
    assert len(expected) < len(distinct_reference(rows, [{n} for n in names], 86400 * S))
    funnel = report["funnels"][0]
    assert [s["entered"] for s in funnel["stages"]] == \
        [sum(1 for v in expected.values() if v >= k) for k in range(1, 4)]
    segments = funnel["breakdowns"]["utm"]
    assert {seg["value"] for seg in segments} == {"ads", "mail"}
    assert sum(seg["entities"] for seg in segments) == len(expected)


def test_times_from_step_one_and_from_the_step_before(tmp_path):
    """Worked by hand, signed up twice then purchase, window 1 h. 5: sign-ups at 0 and
    1 min, purchase at 2 min: step 2 at 1 min (1 min after step 1), step 3 at 2 min (1 min
    after step 2). 6: the purchase at the second sign-up's instant: step 3 at 1 min, 0 s
    after step 2 (another event at the same instant)."""
    rows = [(5, "signup", T0), (5, "signup", T0 + 60 * S), (5, "purchase", T0 + 120 * S),
            (6, "signup", T0), (6, "signup", T0 + 60 * S), (6, "purchase", T0 + 60 * S)]
    path = parquet(tmp_path, rows)
    stages = [Stage(name="s1", match=["signup"]), Stage(name="s2", match=["signup"]),
              Stage(name="s3", match=["purchase"])]
    funnel = Funnel(name="F", source="events", window="1h", order="distinct_events",
                    stages=stages)
    source = Source(path=path, kind="events")
    frame = read_events(open_source("events", source), source, "UTC", ["purchase", "signup"],
                        []).frame
    got = funnel_entities(frame, funnel).sort("entity_id").select(
        "depth", "time_2", "time_3", "gap_2", "gap_3").rows()
    assert got == [(3, 60.0, 120.0, 60.0, 60.0), (3, 60.0, 60.0, 60.0, 0.0)]


def test_a_chain_at_one_instant_keeps_its_later_start(tmp_path):
    """Worked by hand, page view, page view, buy, window 1 h: views at 0 and two at 50 min,
    the buy at 70 min. The two views at 50 min make steps 1 and 2 by themselves (start 50
    min), so the buy is 20 min into that attempt: 3 steps. The attempt from the view at 0
    would be 70 min long. Each view at 50 min also reaches step 2 from the one at 0 (start
    0): the later start must win at that instant."""
    rows = [(1, "pageview", T0), (1, "pageview", T0 + 3000 * S), (1, "pageview", T0 + 3000 * S),
            (1, "buy", T0 + 4200 * S)]
    path = parquet(tmp_path, rows)
    stages = [Stage(name="s1", match=["pageview"]), Stage(name="s2", match=["pageview"]),
              Stage(name="s3", match=["buy"])]
    funnel = Funnel(name="F", source="events", window="1h", order="distinct_events",
                    stages=stages)
    source = Source(path=path, kind="events")
    frame = read_events(open_source("events", source), source, "UTC", ["buy", "pageview"],
                        []).frame
    got = funnel_entities(frame, funnel).select("depth", "time_2", "time_3", "gap_3").rows()
    assert got == [(3, 0.0, 1200.0, 1200.0)]
    assert distinct_reference(rows, [{"pageview"}, {"pageview"}, {"buy"}], 3600 * S) == {"1": 3}


def test_distinct_events_with_first_time_equal_the_reference(tmp_path):
    """first_time on step 1 of "signed up twice": only each entity's first sign-up starts
    an attempt; any later sign-up may be step 2. The reference gets the first sign-ups
    marked (worked out here)."""
    names = SHAPES["signed up twice"]
    rows = fuzz(12, names)
    first: dict = {}
    for e, name, t in rows:
        if name == "signup":
            first[e] = min(t, first.get(e, t))
    marked = [(e, n, t, "first" if n == "signup" and t == first[e] else "") for e, n, t in rows]
    tests = [lambda e, p: e == "signup" and p == "first", lambda e, p: e == "signup",
             lambda e, p: e == "purchase"]
    expected = distinct_reference(marked, tests, 4 * 3600 * S)
    assert expected != distinct_reference(rows, [{n} for n in names], 4 * 3600 * S)
    stages = [Stage(name="s1", match=["signup"], first_time=True),
              Stage(name="s2", match=["signup"]), Stage(name="s3", match=["purchase"])]
    assert not differences(ours(parquet(tmp_path, rows), "4h", [], stages=stages), expected)
