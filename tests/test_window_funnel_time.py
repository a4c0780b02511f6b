"""Event-funnel time: sub-second order, windows up to ClickHouse's limit for any number of
entities, and keys that cannot pack (µs over years): each against chdb's windowFunnel."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from funnelctl.config import Funnel, Source, Stage
from funnelctl.io.events import read_events
from funnelctl.io.readers import open_source
from funnelctl.metrics.events import funnel_entities, prepare
from tests.chdb_support import levels, write_parquet

STEPS = ["a", "b", "c", "d"]
CONDITIONS = [f"event = '{s}'" for s in STEPS]
S = 1_000_000  # µs in a second
T0 = 1_704_067_200 * S  # 2024-01-01 UTC
# As of a day after the 8-year span below: later timestamps would be out of range.
AS_OF = dt.date(2033, 1, 1)


def depths(path: Path, window: str, steps=STEPS) -> dict[str, int]:
    source = Source(path=path, kind="events")
    funnel = Funnel(name="F", source="events", window=window,
                    stages=[Stage(name=s, match=[s]) for s in steps])
    events = read_events(open_source("events", source), source, "UTC", list(steps), [],
                         as_of=AS_OF)
    frame = funnel_entities(events.frame, funnel)
    return {str(e): d for e, d in frame.select("entity_id", "depth").iter_rows()}


def fuzz(seed: int, n_entities: int, grid_us: int, spread: int = 1, first_id: int = 1,
         id_step: int = 1) -> list[tuple]:
    """Attempts on a grid (ties and window edges common), jittered by one tick of the
    grid's unit either way; some steps skipped, some out of order, some repeated."""
    rng = random.Random(seed)
    rows = []
    for e in range(n_entities):
        entity = first_id + e * id_step
        for _ in range(rng.randint(1, 3)):
            t = T0 + rng.randrange(0, 40 * spread) * grid_us
            for step in STEPS:
                if rng.random() < 0.2:
                    continue
                t += rng.choice([0, 0, 1, 2, 3]) * grid_us + rng.choice([0, 0, 1, -1]) * spread
                rows.append((entity, step, t))
        rows += [(entity, rng.choice(STEPS), T0 + rng.randrange(0, 60) * grid_us)
                 for _ in range(rng.randint(0, 2))]
    rng.shuffle(rows)
    return rows


def differences(got: dict, expected: dict) -> dict:
    return {e: (got.get(e, 0), expected.get(e, 0)) for e in set(got) | set(expected)
            if got.get(e, 0) != expected.get(e, 0)}


@pytest.mark.parametrize("unit", ["ms", "us"])
def test_events_one_tick_apart_keep_their_order(tmp_path, unit):
    """Worked by hand: 'b' 1 ms (1 µs) after 'a' continues the funnel, 'b' 1 ms before
    'a' does not (cut to seconds, both would tie and count as in order)."""
    tick = 1000 if unit == "ms" else 1
    rows = [(1, "a", T0, ""), (1, "b", T0 + tick, ""),
            (2, "b", T0, ""), (2, "a", T0 + tick, ""),
            (3, "a", T0, ""), (3, "b", T0, ""), (3, "c", T0 + 2 * tick, "")]
    path = write_parquet(tmp_path / "events.parquet", rows, unit)
    assert depths(path, "1s") == {"1": 2, "2": 1, "3": 3}
    assert levels(path, CONDITIONS, S) == {"1": 2, "2": 1, "3": 3}


@pytest.mark.parametrize(("unit", "grid_us", "window"), [
    ("ms", 250_000, "1s"),  # ms ticks: a 1 s window over a 250 ms grid, ±1 ms jitter
    ("us", 15 * S, "1m"),   # µs ticks: a 1 min window over a 15 s grid, ±1 µs jitter
])
def test_sub_second_fuzz_equals_clickhouse(tmp_path, unit, grid_us, window):
    spread = 1000 if unit == "ms" else 1
    rows = fuzz(7, 300, grid_us, spread=1) if unit == "us" else fuzz(8, 300, grid_us)
    rows = [(e, s, t - t % spread, "") for e, s, t in rows] if spread > 1 else \
        [(e, s, t, "") for e, s, t in rows]
    path = write_parquet(tmp_path / "events.parquet", rows, unit)
    window_us = {"1s": S, "1m": 60 * S}[window]
    expected = levels(path, CONDITIONS, window_us)
    assert len(set(expected.values())) == 4  # every level occurs: the fuzz bites
    assert not differences(depths(path, window), expected)


def test_window_at_clickhouses_limit_with_thousands_of_entities(tmp_path):
    """30 trillion weeks (1.8e19 s, just under ClickHouse's UInt64 window) over 3,000
    entities: windowFunnel treats it as no limit; funnelctl used to stop past ~512."""
    rows = [(e, s, t - t % S, "") for e, s, t in fuzz(9, 3000, 86400 * S)]
    path = write_parquet(tmp_path / "events.parquet", rows)
    window_s = 30_000_000_000_000 * 7 * 86400
    assert window_s < 2**64
    got = depths(path, "30000000000000w")
    # The same as ClickHouse's level with the window given in seconds, on seconds ...
    sql_seconds = levels(path, CONDITIONS, window_s, seconds=True)
    assert not differences(got, sql_seconds)
    # ... and as an unlimited window: the deepest in-order chain of each entity.
    assert got == levels(path, CONDITIONS, 10**6 * 86400 * S)
    assert len(got) > 2000


def test_microseconds_over_years_for_many_entities(tmp_path):
    """µs over 8 years x entity ids spread over 2**25 do not fit one packed int64: the
    time becomes a rank and the window is checked on the real ticks."""
    rows = [(e, s, t, "") for e, s, t in fuzz(10, 400, 30 * 86400 * S, first_id=10,
                                               id_step=80_000)]
    rows += [(10, "a", T0 + 8 * 365 * 86400 * S + 1, "")]  # stretch the span to 8 years
    path = write_parquet(tmp_path / "events.parquet", rows)
    source = Source(path=path, kind="events")
    frame = read_events(open_source("events", source), source, "UTC", STEPS, [],
                        as_of=AS_OF).frame
    funnel = Funnel(name="F", source="events", window="45d",
                    stages=[Stage(name=s, match=[s]) for s in STEPS])
    assert prepare(frame, funnel).ranked  # the case this test is for
    expected = levels(path, CONDITIONS, 45 * 86400 * S)
    assert len(set(expected.values())) == 4
    assert not differences(depths(path, "45d"), expected)
