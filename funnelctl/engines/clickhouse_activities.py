"""An activities source on engine: clickhouse, before its statements: the connection, its
columns (DESCRIBE) mapped as the Polars reader maps them, and the distinct values of a
column, which Python cleans with the Polars reader's own expressions. Used by the rows
shape (clickhouse_norms.py) and the daily totals (clickhouse_daily.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from funnelctl.config import Source
from funnelctl.engines.clickhouse import (
    _copy,
    describe,
    locate,
    settings,
)
from funnelctl.engines.clickhouse_client import Connection, connect
from funnelctl.engines.clickhouse_sql import Columns
from funnelctl.engines.norms_sql import distinct_sql
from funnelctl.engines.sql import Params
from funnelctl.io.activities import ROWS, activity_mapping
from funnelctl.io.values import clean_text, null_markers
from funnelctl.report import SourceQuality


@dataclass
class Described:
    """What the quality entry says of the source (as RawSource does for a file)."""

    name: str
    path: str
    columns: list[str]
    detected: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """An activities source on ClickHouse, ready for its statements."""

    conn: Connection
    columns: Columns
    headers: dict[str, str]  # canonical -> the source's column
    params: Params  # the FROM clause's (file path) parameters
    described: Described
    markers: list[str]
    shape: str = ROWS  # ROWS or DAILY (daily totals: engines/clickhouse_daily.py)


def plan_source(name: str, source: Source) -> Plan:
    """Connect, read the columns (DESCRIBE) and map them as the Polars reader does."""
    conn = connect(name, source)
    params = Params()
    place = locate(name, source, params)
    from_sql, path, detected, notes = place.from_sql, place.path, place.detected, place.notes
    types = describe(conn, from_sql, params, source.table is not None, place.text_blank)
    described = Described(name, path, list(types), detected, notes)
    # The column checks of the Polars reader, on the names DESCRIBE gave (types below).
    shape, headers = activity_mapping(Described(name, path, list(types)),  # type: ignore
                                      source)
    columns = Columns(types, from_sql, place.text_blank, source.table is None, place.naive)
    for canonical, header in headers.items():
        if not (columns.is_text(header) or columns.is_numeric(header)
                or types[header].removeprefix("Nullable(").startswith("Date")):
            raise conn.fail(f"column '{header}' (for {canonical}) holds {types[header]} "
                            "values: expected text, a number or a timestamp")
    return Plan(conn, columns, headers, params, described, null_markers(None), shape)


def distinct_values(plan: Plan, canonicals: list[str]) -> pl.DataFrame:
    """One row per distinct combination of the columns' raw values (as text, null:
    missing), named by their canonical names, and n."""
    params = _copy(plan.params)
    sql = distinct_sql(plan.columns, [plan.headers[c] for c in canonicals]) \
        + settings(plan.columns)
    rows = plan.conn.query(sql, params.values)
    frame = {c: [r[f"v{i}"] for r in rows] for i, c in enumerate(canonicals)}
    return pl.DataFrame(frame | {"n": [int(r["n"]) for r in rows]},
                        schema={**dict.fromkeys(canonicals, pl.String), "n": pl.Int64})


def _distinct(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """v: the column's distinct values."""
    return frame.select(v=pl.col(column).unique(maintain_order=True))


def _pairs(raw: pl.Series, codes: pl.Series) -> tuple[list[str], list[int]]:
    """The non-null raw values and their codes (a NULL raw is mapped in the SQL)."""
    kept = pl.DataFrame({"v": raw, "c": codes}).filter(pl.col("v").is_not_null())
    return kept["v"].to_list(), kept["c"].to_list()


def manager_ids(managers: pl.DataFrame, markers: list[str]
                ) -> tuple[tuple[list[str], list[int]], list[str]]:
    """(raw -> manager id, the cleaned names by id - 1): id 0 is a missing manager."""
    managers = managers.with_columns(clean=clean_text("v", markers))
    names = sorted(managers["clean"].drop_nulls().unique().to_list())
    ids = managers.select(pl.col("clean").replace_strict(
        names, list(range(1, len(names) + 1)), default=0, return_dtype=pl.Int64))
    return _pairs(managers["v"], ids.to_series()), names


def server_quality(plan: Plan, rows_read: int, reasons: dict[str, int],
                   shape: str) -> SourceQuality:
    """The source's data-quality line from the server's counts (no rows, so no lines)."""
    described = plan.described
    return SourceQuality(
        name=described.name, path=described.path, rows_read=rows_read,
        rows_rejected=sum(reasons.values()), reasons=reasons,
        detected=described.detected | {"shape": shape}, notes=list(described.notes))
