"""Event-funnel order modes and step options against chdb's windowFunnel (where ClickHouse
has the mode) or the plain-Python reference of tests/funnel_reference.py."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from funnelctl.config import Funnel, Source, Stage
from funnelctl.io.events import read_events
from funnelctl.io.readers import open_source
from funnelctl.metrics.events import funnel_entities, prepare
from tests.chdb_support import levels, write_parquet
from tests.conftest import assert_error
from tests.funnel_reference import reference_levels, unordered_reference
from tests.window_funnel_data import EDGE_CASES, SHOP, rows_of

S = 1_000_000
STEPS = [s["match"][0] for s in SHOP]
CONDITIONS = [f"event = '{s}'" for s in STEPS]


def depths(path: Path, window: str, order: str = "default", **stage_options) -> dict:
    """stage_options: key -> one value per step (e.g. within=[None, "1h", ...])."""
    stages = [Stage(name=s, match=[s], **{key: values[i] for key, values in
                                          stage_options.items()})
              for i, s in enumerate(STEPS)]
    funnel = Funnel(name="F", source="events", window=window, order=order, stages=stages)
    source = Source(path=path, kind="events")
    frame = read_events(open_source("events", source), source, "UTC", STEPS, []).frame
    result = funnel_entities(frame, funnel)
    return {str(e): d for e, d in result.select("entity_id", "depth").iter_rows()}


def fuzz(seed: int, n_entities: int = 300, grid: int = 3600) -> list[tuple]:
    """Seconds on a grid: ties, repeats, out-of-order rows and window edges are common."""
    rng = random.Random(seed)
    rows = []
    for e in range(n_entities):
        for _ in range(rng.randint(1, 3)):
            t = 1_704_067_200 + rng.randrange(0, 30) * grid
            for step in STEPS:
                if rng.random() < 0.2:
                    continue
                t += rng.choice([0, 0, 1, 1, 2, 3]) * grid + rng.choice([0, 0, 0, 1, -1])
                rows.append((e, step, t))
                if rng.random() < 0.15:  # a repeat of the step, now or a little later
                    rows.append((e, step, t + rng.choice([0, 1, grid])))
        rows += [(e, rng.choice(STEPS), 1_704_067_200 + rng.randrange(0, 40) * grid)
                 for _ in range(rng.randint(0, 2))]
    rng.shuffle(rows)
    return rows


def parquet(tmp_path: Path, rows: list[tuple]) -> Path:
    return write_parquet(tmp_path / "events.parquet",
                         [(e, s, t * S, "") for e, s, t, *_ in rows])


def differences(got: dict, expected: dict) -> dict:
    return {e: (got.get(e, 0), expected.get(e, 0)) for e in set(got) | set(expected)
            if got.get(e, 0) != expected.get(e, 0)}


@pytest.mark.parametrize("seed", [1, 2])
def test_reference_is_clickhouse_in_default_and_strict_increase(tmp_path, seed):
    """The reference walk itself agrees with ClickHouse, so it can judge `within:`."""
    rows = fuzz(seed)
    path = parquet(tmp_path, rows)
    steps = [{s} for s in STEPS]
    for mode, strict in ((None, False), ("strict_increase", True)):
        assert not differences(reference_levels(rows, steps, 4 * 3600, strict_increase=strict),
                               levels(path, CONDITIONS, 4 * 3600 * S, mode))


@pytest.mark.parametrize("seed", [3, 4])
def test_strict_increase_equals_clickhouse(tmp_path, seed):
    rows = fuzz(seed)
    path = parquet(tmp_path, rows)
    expected = levels(path, CONDITIONS, 4 * 3600 * S, "strict_increase")
    assert expected != levels(path, CONDITIONS, 4 * 3600 * S)  # the mode matters here
    assert not differences(depths(path, "4h", "strict_increase"), expected)


def test_strict_increase_on_clickhouses_edge_cases(tmp_path):
    rows = [(e, s, t) for e, s, t, _ in rows_of(EDGE_CASES)]
    path = parquet(tmp_path, rows)
    expected = levels(path, CONDITIONS, 7 * 86400 * S, "strict_increase")
    got = depths(path, "7d", "strict_increase")
    assert not differences(got, expected)
    # Worked by hand: all five steps in the same second reach only step 1, strictly.
    assert got[str(1000 + [c[0] for c in EDGE_CASES].index("all_five_same_second"))] == 1


def test_within_limits_each_step_after_the_one_before(tmp_path):
    """Worked by hand, window 1 d; product_view within 1 h of the visit, add_to_cart
    within 10 min of the view."""
    t0 = 1_704_067_200
    rows = [(1, "visit", t0), (1, "product_view", t0 + 3600), (1, "add_to_cart", t0 + 4200),
            (2, "visit", t0), (2, "product_view", t0 + 3601),            # view too late
            (3, "visit", t0), (3, "product_view", t0 + 60), (3, "add_to_cart", t0 + 661),
            # a second view restarts the 10 min: the cart is 5 min after it
            (4, "visit", t0), (4, "product_view", t0 + 60), (4, "product_view", t0 + 900),
            (4, "add_to_cart", t0 + 1200)]
    within = [None, "1h", "10m", None, None]
    assert depths(parquet(tmp_path, rows), "1d", within=within) == \
        {"1": 3, "2": 1, "3": 2, "4": 3}


@pytest.mark.parametrize("seed", [5, 6])
def test_within_equals_the_reference_on_fuzz(tmp_path, seed):
    rows = fuzz(seed)
    within_s = [None, 3600, None, 2 * 3600, 1]
    expected = reference_levels(rows, [{s} for s in STEPS], 6 * 3600, within=within_s)
    assert expected != reference_levels(rows, [{s} for s in STEPS], 6 * 3600)
    within = [None, "1h", None, "2h", "1s"]
    assert not differences(depths(parquet(tmp_path, rows), "6h", within=within), expected)


def test_first_time_steps_count_only_the_first_such_event(tmp_path):
    """first_time on add_to_cart: only each entity's first cart counts. Expected: chdb's
    default windowFunnel over the events with every later cart removed (by hand)."""
    rows = fuzz(7)
    first_cart = {}
    for e, s, t in rows:
        if s == "add_to_cart":
            first_cart[e] = min(t, first_cart.get(e, t))
    kept = [r for r in rows if r[1] != "add_to_cart" or r[2] == first_cart[r[0]]]
    assert len(kept) < len(rows)
    kept_path = write_parquet(tmp_path / "kept.parquet", [(e, s, t * S, "") for e, s, t in kept])
    expected = levels(kept_path, CONDITIONS, 4 * 3600 * S)
    got = depths(parquet(tmp_path, rows), "4h", first_time=[False, False, True, False, False])
    assert expected != levels(tmp_path / "events.parquet", CONDITIONS, 4 * 3600 * S)
    assert not differences(got, expected)


def test_unordered_counts_any_k_steps_within_the_window(tmp_path):
    """Worked by hand, window 1 h: steps in reverse order count (1: all 5); 2 has three
    steps within an hour of its cart and a fourth too late; 3's two steps are 2 h apart;
    4 repeats one step (one step, however often)."""
    t0 = 1_704_067_200
    rows = [(1, s, t0 + 60 * i) for i, s in enumerate(reversed(STEPS))]
    rows += [(2, "add_to_cart", t0), (2, "visit", t0 + 600), (2, "purchase", t0 + 3600),
             (2, "checkout", t0 + 3601)]
    rows += [(3, "visit", t0), (3, "checkout", t0 + 7200)]
    rows += [(4, "visit", t0), (4, "visit", t0 + 10), (4, "visit", t0 + 20)]
    assert depths(parquet(tmp_path, rows), "1h", "unordered") == \
        {"1": 5, "2": 3, "3": 1, "4": 1}


@pytest.mark.parametrize("seed", [8, 9])
def test_unordered_equals_the_reference_on_fuzz(tmp_path, seed):
    rows = fuzz(seed)
    expected = unordered_reference(rows, [{s} for s in STEPS], 3600)
    assert len(set(expected.values())) == 5
    assert not differences(depths(parquet(tmp_path, rows), "1h", "unordered"), expected)


def test_unordered_in_a_period_starts_attempts_inside_it(cli, tmp_path):
    """Through the audit, with --period: anchors inside the period only; the reference
    gets the same [start, end) instants."""
    rows = fuzz(10, grid=6 * 3600)
    parquet(tmp_path, rows)
    (tmp_path / "audit.yaml").write_text(
        "version: 1\nsources: {events: {path: events.parquet, kind: events}}\nfunnels:\n"
        "  - name: Any order\n    source: events\n    window: 1d\n    order: unordered\n"
        "    stages: [" + ", ".join(f"{{name: {s}}}" for s in STEPS) + "]\n")
    report = cli.json("audit", tmp_path / "audit.yaml", "--period", "2024-01-03..2024-01-06")
    start, end = 1_704_067_200 + 2 * 86400, 1_704_067_200 + 6 * 86400
    expected = unordered_reference(rows, [{s} for s in STEPS], 86400, (start, end))
    everyone = unordered_reference(rows, [{s} for s in STEPS], 86400)
    assert len(expected) < len(everyone)  # the period leaves some entities out
    assert [s["entered"] for s in report["funnels"][0]["stages"]] == \
        [sum(1 for v in expected.values() if v >= k) for k in range(1, 6)]


def test_unordered_with_ranked_keys_equals_the_reference(tmp_path):
    """µs over 8 years for ids spread over 2**25: the ranked keys of window_funnel."""
    rng = random.Random(11)
    t0 = 1_704_067_200 * S
    rows = [(10 + 80_000 * e, rng.choice(STEPS), t0 + rng.randrange(0, 200) * 3600 * S
             + rng.randrange(-2, 3)) for e in range(400) for _ in range(rng.randint(1, 8))]
    rows.append((10, "visit", t0 + 8 * 365 * 86400 * S))
    path = write_parquet(tmp_path / "events.parquet", [(*r, "") for r in rows])
    source = Source(path=path, kind="events")
    frame = read_events(open_source("events", source), source, "UTC", STEPS, []).frame
    funnel = Funnel(name="F", source="events", window="1d", order="unordered",
                    stages=[Stage(name=s, match=[s]) for s in STEPS])
    assert prepare(frame, funnel).ranked  # the case this test is for
    expected = unordered_reference(rows, [{s} for s in STEPS], 86400 * S)
    assert len(set(expected.values())) >= 4
    got = funnel_entities(frame, funnel)
    assert not differences({str(e): d for e, d in got.select("entity_id", "depth").iter_rows()},
                           expected)


def test_unordered_with_a_breakdown_is_a_config_error(cli, tmp_path):
    parquet(tmp_path, [(1, "visit", 1_704_067_200)])
    (tmp_path / "audit.yaml").write_text(
        "version: 1\nsources: {events: {path: events.parquet, kind: events}}\nfunnels:\n"
        "  - name: Any order\n    source: events\n    window: 1d\n    order: unordered\n"
        "    breakdown: [page]\n    stages: [{name: visit}, {name: purchase, within: 1h}]\n")
    assert_error(cli("audit", tmp_path / "audit.yaml"), "audit.yaml:8:",
                 "breakdown needs an ordered funnel", "within needs an ordered funnel")


def test_within_and_strict_increase_with_ranked_keys_equal_the_reference(tmp_path):
    """µs over 8 years for ids spread over 2**25 (ranked keys): `within:` and
    strict_increase read the real ticks, not the ranks."""
    rng = random.Random(12)
    t0 = 1_704_067_200 * S
    rows = []
    for e in range(300):
        t = t0 + rng.randrange(0, 100) * 3600 * S
        for step in STEPS:
            t += rng.choice([0, 0, 1, 2]) * 1800 * S + rng.choice([0, 1, -1])
            rows += [(10 + 80_000 * e, step, t)] * rng.choice([1, 1, 2])
    rows.append((10, "visit", t0 + 8 * 365 * 86400 * S))
    path = write_parquet(tmp_path / "events.parquet", [(*r, "") for r in rows])
    source = Source(path=path, kind="events")
    frame = read_events(open_source("events", source), source, "UTC", STEPS, []).frame
    steps = [{s} for s in STEPS]
    for order, within, within_us in (
            ("default", [None, "1h", None, "30m", None], [None, 3600 * S, None, 1800 * S, None]),
            ("strict_increase", [None] * 5, None)):
        funnel = Funnel(name="F", source="events", window="3h", order=order, stages=[
            Stage(name=s, match=[s], within=w) for s, w in zip(STEPS, within)])
        assert prepare(frame, funnel).ranked  # the case this test is for
        expected = reference_levels(rows, steps, 3 * 3600 * S, within=within_us,
                                    strict_increase=order == "strict_increase")
        assert expected != reference_levels(rows, steps, 3 * 3600 * S)  # the option bites
        got = funnel_entities(frame, funnel)
        assert not differences(
            {str(e): d for e, d in got.select("entity_id", "depth").iter_rows()}, expected)
