"""Time to convert per step (median, p90, histogram) against DuckDB on a seeded log.

Each entity has one visit (so one chain start) and repeated, out-of-order events for the
later steps, some before the visit, some past the 7-day window, some at the same second.
DuckDB works out from the definitions: step k's reaches are its events no earlier than
the entity's first reach of step k - 1 and within the window of the visit; the time from
step 1 is the first reach minus the visit; the time from the previous step is the first
reach minus the latest reach of step k - 1 at or before it.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import duckdb
import polars as pl
import pytest

from funnelctl.config import Funnel, Stage
from funnelctl.metrics.convert_time import buckets_for, time_to_convert
from funnelctl.metrics.events import funnel_entities

WINDOW = 7 * 86400
STEPS = ["a", "b", "c", "d"]
T0 = 1_780_000_000


def seeded_log(seed: int = 18, n: int = 4000) -> pl.DataFrame:
    rng = random.Random(seed)
    rows = []
    for e in range(n):
        t1 = T0 + rng.randrange(0, 30 * 86400)
        rows.append((e, "a", t1))
        for step in STEPS[1:]:
            for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
                # seconds to weeks, log-uniform; now and then before the visit or a tie
                offset = int(math.exp(rng.uniform(0, math.log(12 * 86400))))
                if rng.random() < 0.05:
                    offset = -offset
                if rng.random() < 0.05:
                    offset = rows[-1][2] - t1  # the same second as the event before
                rows.append((e, step, t1 + offset))
    rng.shuffle(rows)
    return pl.DataFrame(rows, schema={"entity_id": pl.Int64, "event": pl.String,
                                      "sec": pl.Int64}, orient="row")


def duckdb_times(log: pl.DataFrame) -> dict[str, list[float]]:
    con = duckdb.connect()
    con.register("ev", log.to_arrow())
    con.execute("""
        create temp table s1 as select entity_id, min(sec) t1 from ev where event = 'a'
            group by entity_id;
        create temp table r1 as select entity_id, t1 as sec from s1;
        create temp table f1 as select entity_id, t1 as first from s1;
    """)
    out = {}
    for k in (2, 3, 4):
        con.execute(f"""
            create temp table r{k} as select e.entity_id, e.sec from ev e
                join s1 using (entity_id) join f{k - 1} f using (entity_id)
                where e.event = '{STEPS[k - 1]}' and e.sec >= f.first
                  and e.sec <= s1.t1 + {WINDOW};
            create temp table f{k} as select entity_id, min(sec) first from r{k}
                group by entity_id;
        """)
        out[f"time_{k}"] = [float(v) for (v,) in con.execute(
            f"select f.first - s1.t1 from f{k} f join s1 using (entity_id)").fetchall()]
        out[f"gap_{k}"] = [float(v) for (v,) in con.execute(f"""
            select f.first - (select max(r.sec) from r{k - 1} r
                              where r.entity_id = f.entity_id and r.sec <= f.first)
            from f{k} f""").fetchall()]
    return out


def duckdb_stats(values: list[float]) -> tuple[float, float, list[int]]:
    con = duckdb.connect()
    con.register("t", pl.DataFrame({"x": values}).to_arrow())
    median, p90 = con.execute(
        "select quantile_cont(x, 0.5), quantile_cont(x, 0.9) from t").fetchone()
    counts = [con.execute("select count(*) from t where x >= ? and (? is null or x < ?)",
                          [low, high, high]).fetchone()[0]
              for _, low, high in buckets_for(WINDOW)]
    return median, p90, counts


def test_histogram_and_quantiles_match_duckdb():
    log = seeded_log()
    frame = log.select("entity_id", "event",
                       pl.from_epoch("sec", time_unit="s").dt.replace_time_zone("UTC")
                       .alias("ts"))
    funnel = Funnel(name="F", source="s", window="7d",
                    stages=[Stage(name=s, match=[s]) for s in STEPS])
    per_entity = funnel_entities(frame, funnel)
    got = time_to_convert(per_entity, len(STEPS), WINDOW)
    expected = duckdb_times(log)
    assert got[0] is None
    checked = 0
    for k in (2, 3, 4):
        for name, dist in ((f"time_{k}", got[k - 1].from_first),
                           (f"gap_{k}", got[k - 1].from_previous)):
            values = expected[name]
            assert len(values) > 200  # every step has a real sample
            median, p90, counts = duckdb_stats(values)
            assert dist.entities == len(values)
            assert dist.median_s == pytest.approx(median)
            assert dist.p90_s == pytest.approx(p90)
            assert [b.count for b in dist.histogram] == counts
            assert sum(counts) == len(values)
            checked += 1
    assert checked == 6
    # The buckets are really used: more than half of them hold entities at step 2.
    assert sum(b.count > 0 for b in got[1].from_first.histogram) >= 5


def test_a_day_window_has_no_bucket_past_it():
    assert [b[0] for b in buckets_for(86400)][-1] == "1-3d"  # starts at exactly the window
    assert [b[0] for b in buckets_for(3600)] == ["<1m", "1-10m", "10-60m", "1-6h"]
    assert dt.timedelta(seconds=buckets_for(None)[-1][1]) == dt.timedelta(days=7)
