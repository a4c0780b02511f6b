"""ClickHouse's windowFunnel modes strict_order, strict_deduplication and allow_reentry
(alone and combined) against chdb's own windowFunnel, and with `within:` against the
plain-Python walk of tests/funnel_reference.py (itself checked against chdb)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from funnelctl.config import Funnel, Source, Stage
from funnelctl.io.events import read_events
from funnelctl.io.readers import open_source
from funnelctl.metrics.events import funnel_entities, prepare
from tests.chdb_support import chdb, write_parquet
from tests.conftest import assert_error
from tests.funnel_reference import mode_levels
from tests.window_funnel_data import EDGE_CASES, OVERLAP_CASES, PAGES, SHOP, W7, rows_of

S = 1_000_000
STEPS = [s["match"][0] for s in SHOP]
NOISE = "search"  # an event of no step: it breaks a strict order
# order: as written in a config -> ClickHouse's parameters for it
MODES = {
    "strict_order": ["strict_order"],
    "strict_deduplication": ["strict_deduplication"],
    "allow_reentry": ["strict_order", "allow_reentry"],
    ("strict_order", "strict_deduplication"): ["strict_order", "strict_deduplication"],
    ("strict_deduplication", "strict_increase"): ["strict_deduplication", "strict_increase"],
    ("strict_order", "strict_increase"): ["strict_order", "strict_increase"],
    ("strict_order", "allow_reentry", "strict_deduplication"):
        ["strict_order", "allow_reentry", "strict_deduplication"],
}


def order_of(mode) -> str | list[str]:
    return list(mode) if isinstance(mode, tuple) else mode


def clickhouse(path: Path, conditions: list[str], window_us: int, modes: list[str]) -> dict:
    """entity -> level by chdb's windowFunnel(window, modes...) over µs timestamps."""
    params = ", ".join([str(window_us), *(f"'{m}'" for m in modes)])
    sql = (f"SELECT toString(entity_id), windowFunnel({params})("
           f"toUInt64(toUnixTimestamp64Micro(ts)), {', '.join(conditions)}) AS lvl "
           f"FROM file('{path}', Parquet) GROUP BY entity_id HAVING lvl > 0")
    return {e: int(v) for e, v in json.loads(chdb.query(sql, "JSONCompact").data())["data"]}


def ours(path: Path, window: str, order, stages: list[Stage] | None = None,
         period: tuple | None = None, columns: list[str] = ()) -> dict:
    """entity -> depth by funnelctl, reading every event (as the audit does for these)."""
    stages = stages or [Stage(name=s, match=[s]) for s in STEPS]
    funnel = Funnel(name="F", source="events", window=window, order=order, stages=stages)
    source = Source(path=path, kind="events")
    frame = read_events(open_source("events", source), source, "UTC", None, list(columns)).frame
    result = funnel_entities(frame, funnel, period)
    return {str(e): d for e, d in result.select("entity_id", "depth").iter_rows()}


def differences(got: dict, expected: dict) -> dict:
    return {e: (got.get(e, 0), expected.get(e, 0)) for e in set(got) | set(expected)
            if got.get(e, 0) != expected.get(e, 0)}


def fuzz(seed: int, n_entities: int = 400, grid: int = 3600, tick: int = S) -> list[tuple]:
    """(entity, event, time in µs): attempts on a grid with ties, repeats of steps, events
    of no step, steps out of order, in shuffled row order. tick: the finest jitter."""
    rng = random.Random(seed)
    rows = []
    t0 = 1_704_067_200 * S
    for e in range(n_entities):
        for _ in range(rng.randint(1, 3)):
            t = t0 + rng.randrange(0, 30) * grid * S
            for step in STEPS:
                if rng.random() < 0.2:
                    continue
                t += rng.choice([0, 0, 1, 1, 2, 3]) * grid * S + rng.choice([0, 0, 0, 1, -1]) * tick
                rows.append((e, step, t))
                if rng.random() < 0.15:  # a repeat of the step, now or a little later
                    rows.append((e, step, t + rng.choice([0, tick, grid * S])))
                if rng.random() < 0.1:  # an event of no step, now or a little later
                    rows.append((e, NOISE, t + rng.choice([0, tick, grid * S])))
        rows += [(e, rng.choice([*STEPS, NOISE]), t0 + rng.randrange(0, 40) * grid * S)
                 for _ in range(rng.randint(0, 2))]
    rng.shuffle(rows)
    return rows


def parquet(tmp_path: Path, rows: list[tuple], unit: str = "us") -> Path:
    return write_parquet(tmp_path / "events.parquet", [(*r[:3], "") for r in rows], unit)


CONDITIONS = [f"event = '{s}'" for s in STEPS]


@pytest.mark.parametrize("mode", list(MODES))
def test_reference_walk_is_clickhouse(tmp_path, mode):
    """The plain-Python walk agrees with ClickHouse in every mode, so it can judge
    `within:` (which ClickHouse lacks) in them."""
    rows = fuzz(21)
    path = parquet(tmp_path, rows)
    expected = clickhouse(path, CONDITIONS, 4 * 3600 * S, MODES[mode])
    walk = mode_levels(rows, [{s} for s in STEPS], 4 * 3600 * S, set(MODES[mode]))
    assert not differences(walk, expected)


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("seed", [1, 2])
def test_modes_equal_clickhouse_on_fuzz(tmp_path, mode, seed):
    rows = fuzz(seed)
    path = parquet(tmp_path, rows)
    expected = clickhouse(path, CONDITIONS, 4 * 3600 * S, MODES[mode])
    assert expected != clickhouse(path, CONDITIONS, 4 * 3600 * S, [])  # the mode bites
    assert not differences(ours(path, "4h", order_of(mode)), expected)


@pytest.mark.parametrize("mode", list(MODES))
def test_modes_equal_clickhouse_on_thousands_of_ms_entities(tmp_path, mode):
    """3,000 entities, milliseconds apart (1 ms jitter: ties broken by a millisecond),
    stored as Datetime(ms)."""
    rows = fuzz(3, n_entities=3000, grid=600, tick=1000)
    path = parquet(tmp_path, rows, unit="ms")
    expected = clickhouse(path, CONDITIONS, 1800 * S, MODES[mode])
    assert expected != clickhouse(path, CONDITIONS, 1800 * S, [])
    assert not differences(ours(path, "30m", order_of(mode)), expected)


@pytest.mark.parametrize("mode", list(MODES))
def test_modes_on_clickhouses_edge_cases(tmp_path, mode):
    """The edge cases of ../shared/bench/check_semantics.py, with an event of no step
    added inside some of them."""
    rows = [(e, s, t * S) for e, s, t, _ in rows_of(EDGE_CASES)]
    rows += [(1000 + i, NOISE, (rows_of(EDGE_CASES)[0][2] + 90 * 60 * (i + 1)) * S)
             for i in range(0, len(EDGE_CASES), 3)]
    path = parquet(tmp_path, rows)
    expected = clickhouse(path, CONDITIONS, W7 * S, MODES[mode])
    assert not differences(ours(path, "7d", order_of(mode)), expected)


@pytest.mark.parametrize("mode", list(MODES))
def test_modes_with_where_and_overlapping_steps(tmp_path, mode):
    """One event may match two stages (any page view; a view of /cart); a page view of
    another page is an event of no step."""
    rows = rows_of(OVERLAP_CASES)
    path = write_parquet(tmp_path / "events.parquet", [(e, n, t * S, p) for e, n, t, p in rows])
    conditions = ["event = 'page_view'", "event = 'page_view' AND page = '/cart'",
                  "event IN ('order', 'purchase')"]
    stages = [Stage(name=f"s{i}", **spec) for i, spec in enumerate(PAGES)]
    expected = clickhouse(path, conditions, 36 * 3600 * S, MODES[mode])
    assert not differences(ours(path, "36h", order_of(mode), stages, columns=["page"]),
                           expected)


@pytest.mark.parametrize("ids", ["sparse", "string"])
def test_modes_with_sparse_and_string_ids(tmp_path, ids):
    rng = random.Random(5)
    names = {e: (rng.randrange(-(1 << 62), 1 << 62) if ids == "sparse"
                 else f"user-{rng.randrange(10**9):09d}") for e in range(400)}
    rows = [(names[e], s, t) for e, s, t in fuzz(6)]
    path = parquet(tmp_path, rows)
    for mode in ("strict_order", "strict_deduplication", "allow_reentry"):
        expected = clickhouse(path, CONDITIONS, 4 * 3600 * S, MODES[mode])
        assert not differences(ours(path, "4h", mode), expected)


def test_modes_with_ranked_keys(tmp_path):
    """µs over 12 days for ids spread over 2**25: the ranked keys of window_funnel."""
    rng = random.Random(7)
    t0 = 1_704_067_200 * S
    rows = [(10 + 80_000 * e, rng.choice([*STEPS, NOISE]), t0 + rng.randrange(0, 600) * 1800 * S
             + rng.randrange(-2, 3)) for e in range(400) for _ in range(rng.randint(1, 60))]
    path = parquet(tmp_path, rows)
    source = Source(path=path, kind="events")
    frame = read_events(open_source("events", source), source, "UTC", None, []).frame
    funnel = Funnel(name="F", source="events", window="3h", order="strict_order",
                    stages=[Stage(name=s, match=[s]) for s in STEPS])
    assert prepare(frame, funnel).ranked  # the case this test is for
    assert clickhouse(path, CONDITIONS, 3 * 3600 * S, ["strict_order"]) != \
        clickhouse(path, CONDITIONS, 3 * 3600 * S, [])
    for mode in MODES:
        expected = clickhouse(path, CONDITIONS, 3 * 3600 * S, MODES[mode])
        assert not differences(ours(path, "3h", order_of(mode)), expected), mode


@pytest.mark.parametrize("mode", list(MODES))
def test_modes_with_within_equal_the_reference(tmp_path, mode):
    rows = fuzz(8)
    within_us = [None, 3600 * S, None, 2 * 3600 * S, S]
    steps = [{s} for s in STEPS]
    expected = mode_levels(rows, steps, 6 * 3600 * S, set(MODES[mode]), within_us)
    assert expected != mode_levels(rows, steps, 6 * 3600 * S, set(MODES[mode]))
    stages = [Stage(name=s, match=[s], within=w)
              for s, w in zip(STEPS, [None, "1h", None, "2h", "1s"])]
    assert not differences(ours(parquet(tmp_path, rows), "6h", order_of(mode), stages),
                           expected)


def test_first_time_under_strict_order_equals_clickhouse(tmp_path):
    """first_time on add_to_cart: a later cart is then an event of no step (it breaks a
    strict order). ClickHouse gets the first carts marked in a column, worked out here."""
    rows = fuzz(9)
    first_cart: dict = {}
    for e, s, t in rows:
        if s == "add_to_cart":
            first_cart[e] = min(t, first_cart.get(e, t))
    marked = [(e, s, t, "first" if s == "add_to_cart" and t == first_cart[e] else "")
              for e, s, t in rows]
    path = write_parquet(tmp_path / "events.parquet", marked)
    conditions = [*CONDITIONS[:2], "event = 'add_to_cart' AND page = 'first'", *CONDITIONS[3:]]
    stages = [Stage(name=s, match=[s], first_time=s == "add_to_cart") for s in STEPS]
    for mode in ("strict_order", "strict_deduplication", "allow_reentry"):
        expected = clickhouse(path, conditions, 4 * 3600 * S, MODES[mode])
        assert expected != clickhouse(path, CONDITIONS, 4 * 3600 * S, MODES[mode])
        assert not differences(ours(path, "4h", mode, stages), expected)


def test_strict_order_in_a_period_through_the_audit(cli, tmp_path):
    """--period: step 1 must fall inside it (ClickHouse: the period in step 1's
    condition); an event of no step in the period or after it still breaks the order."""
    rows = fuzz(10, grid=6 * 3600)
    path = parquet(tmp_path, rows)
    (tmp_path / "audit.yaml").write_text(
        "version: 1\nsources: {events: {path: events.parquet, kind: events}}\nfunnels:\n"
        "  - name: Strict\n    source: events\n    window: 1d\n    order: strict_order\n"
        "    stages: [" + ", ".join(f"{{name: {s}}}" for s in STEPS) + "]\n")
    report = cli.json("audit", tmp_path / "audit.yaml", "--period", "2024-01-03..2024-01-06")
    start, end = 1_704_067_200 + 2 * 86400, 1_704_067_200 + 6 * 86400
    inside = (f"event = 'visit' AND toUnixTimestamp(ts) >= {start} "
              f"AND toUnixTimestamp(ts) < {end}")
    expected = clickhouse(path, [inside, *CONDITIONS[1:]], 86400 * S, ["strict_order"])
    everyone = clickhouse(path, CONDITIONS, 86400 * S, ["strict_order"])
    assert len(expected) < len(everyone)
    assert [s["entered"] for s in report["funnels"][0]["stages"]] == \
        [sum(1 for v in expected.values() if v >= k) for k in range(1, 6)]


def test_stopped_walk_keeps_the_times_and_breakdown_of_the_depth_it_reached(tmp_path):
    """Worked by hand, window 1 d. Entity 1: visit (utm a), view after 1 h, visit (utm b)
    at 2 h, view at 3 h, cart at 4 h. Default: the second chain reaches the cart (depth 3,
    utm b; the view first reached 1 h after its visit, the cart 2 h after the second
    visit). strict_deduplication stops at the second view: depth 2, utm a, no cart time.
    strict_order does not stop (a step-1 event never breaks the order): as default."""
    t0 = 1_704_067_200 * S
    import polars as pl

    pl.DataFrame({
        "entity_id": [1] * 5,
        "event": ["visit", "product_view", "visit", "product_view", "add_to_cart"],
        "ts": pl.Series([t0 + h * 3600 * S for h in range(5)]).cast(pl.Datetime("us", "UTC")),
        "utm": ["a", "", "b", "", ""],
    }).write_parquet(tmp_path / "events.parquet")
    source = Source(path=tmp_path / "events.parquet", kind="events")
    frame = read_events(open_source("events", source), source, "UTC", None, ["utm"]).frame
    got = {}
    for order in ("default", "strict_deduplication", "strict_order"):
        funnel = Funnel(name="F", source="events", window="1d", order=order, breakdown=["utm"],
                        stages=[Stage(name=s, match=[s]) for s in STEPS[:3]])
        got[order] = funnel_entities(frame, funnel).select(
            "depth", "time_2", "time_3", "gap_2", "gap_3", "utm").row(0)
    # gap: from the reach the step extended (the cart: 1 h after the second view)
    assert got == {"default": (3, 3600.0, 7200.0, 3600.0, 3600.0, "b"),
                   "strict_deduplication": (2, 3600.0, None, 3600.0, None, "a"),
                   "strict_order": (3, 3600.0, 7200.0, 3600.0, 3600.0, "b")}


def _config(tmp_path: Path, order: str, kind: str = "events") -> Path:
    (tmp_path / "events.csv").write_text("entity_id,event,ts\n1,visit,2024-01-01\n")
    path = tmp_path / "audit.yaml"
    path.write_text(
        f"version: 1\nsources: {{events: {{path: events.csv, kind: {kind}}}}}\nfunnels:\n"
        "  - name: F\n    source: events\n    window: 1d\n"
        f"    order: {order}\n    stages: [{{name: visit}}, {{name: buy}}]\n")
    return path


@pytest.mark.parametrize("order, message", [
    ("[strict_order, unordered]", "'unordered' cannot be combined"),
    ("[strict_order, distinct_events]", "'distinct_events' cannot be combined"),
    ("[]", "an empty list"),
    ("[strict_order, strict_order]", "names a mode twice"),
    ("strict_ordre", "'strict_ordre' is no order mode"),
])
def test_bad_orders_are_config_errors_naming_the_line(cli, tmp_path, order, message):
    assert_error(cli("audit", _config(tmp_path, order)), "audit.yaml:7", message)
