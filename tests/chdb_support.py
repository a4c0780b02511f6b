"""ClickHouse (chdb, in-process) as the reference for event-funnel tests.

Events are rows (entity_id, event, ts_us, page): microseconds since 1970. The levels come
from ClickHouse's own windowFunnel over toUInt64 microseconds with the window in
microseconds, the way PostHog runs it for DateTime64 timestamps (windowFunnel takes no
DateTime64 itself).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl

chdb = __import__("pytest").importorskip("chdb")

UTC = dt.timezone.utc


def write_parquet(path: Path, rows: list[tuple], unit: str = "us") -> Path:
    """rows -> a Parquet event log with ts as Datetime(unit, UTC)."""
    pl.DataFrame({
        "entity_id": [r[0] for r in rows],
        "event": [r[1] for r in rows],
        "ts": pl.Series([r[2] for r in rows], dtype=pl.Int64).cast(pl.Datetime("us", "UTC"))
        .cast(pl.Datetime(unit, "UTC")),
        "page": [r[3] if len(r) > 3 else "" for r in rows],
    }).write_parquet(path)
    return path


def levels(path: Path, steps: list[str], window: int, mode: str | None = None,
           seconds: bool = False) -> dict[str, int]:
    """entity -> level by ClickHouse windowFunnel (entities at level 0 left out).
    steps: one SQL condition per step, over the columns event and page; window in µs, or
    with seconds=True in seconds over timestamps cut to seconds (ClickHouse's DateTime)."""
    params = f"{window}" + (f", '{mode}'" if mode else "")
    ts = "toUInt64(toUnixTimestamp(ts))" if seconds else "toUInt64(toUnixTimestamp64Micro(ts))"
    sql = (f"SELECT toString(entity_id), windowFunnel({params})("
           f"{ts}, {', '.join(steps)}) AS lvl "
           f"FROM file('{path}', Parquet) GROUP BY entity_id HAVING lvl > 0")
    return {e: int(v) for e, v in json.loads(chdb.query(sql, "JSONCompact").data())["data"]}
