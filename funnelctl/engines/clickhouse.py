"""engine: clickhouse: an events source's funnels run as SQL on ClickHouse (a server over
HTTP, or chdb in process), and only aggregates come back. The results are the same
FunnelResult / SourceQuality the Polars engine makes (metrics/breakdown.from_rows), so the
checks and the renderers do not know which engine ran."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass

from funnelctl.config import Config, Funnel, Source
from funnelctl.config.engine import CHDB
from funnelctl.engines.clickhouse_client import Connection, connect
from funnelctl.engines.clickhouse_sql import (
    Clean,
    Columns,
    aggregate_sql,
    clean_sql,
    entities_sql,
    quality_sql,
    trend_sql,
)
from funnelctl.engines.sql import Params, quote_table
from funnelctl.errors import DataError, excerpt_list
from funnelctl.io.events import REASONS, REQUIRED
from funnelctl.io.values import plausible
from funnelctl.metrics.breakdown import OTHER, from_rows, kept_values, report_order
from funnelctl.metrics.convert_time import distributions
from funnelctl.metrics.event_trends import LATEST, trend_from_rows
from funnelctl.metrics.events import event_names, property_columns
from funnelctl.report import FunnelResult, SourceQuality
from funnelctl.report_trends import FunnelTrend

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def micros(instant: dt.datetime) -> int:
    return (instant - EPOCH) // dt.timedelta(microseconds=1)


@dataclass
class Prepared:
    """What the SQL of a source's funnels needs: connection, columns, canonical select."""

    conn: Connection
    columns: Columns
    mapping: dict[str, str]
    clean: Clean
    params: Params
    path: str
    detected: dict
    notes: list[str]


def prepare_source(name: str, source: Source, config: Config, users: list[Funnel],
                   as_of: dt.date | None) -> Prepared:
    conn = connect(name, source)
    params = Params()
    place = locate(name, source, params)
    from_sql, path, detected, notes = place.from_sql, place.path, place.detected, place.notes
    types = describe(conn, from_sql, params, source.table is not None, place.text_blank)
    extra = sorted({c for f in users for c in (*f.breakdown, *property_columns(f))})
    mapping = {c: source.columns.get(c, c) for c in (*REQUIRED, *extra)}
    missing = [c for c in (*REQUIRED, *extra) if mapping[c] not in types]
    if missing:
        column = missing[0]
        hint = (f": map it under sources.{name}.columns (e.g. {column}: <column>)"
                if column in REQUIRED else "")
        raise conn.fail(f"no column '{mapping[column]}' (for {column}){hint}; columns "
                        f"found: {excerpt_list(list(types))}")
    columns = Columns(types, from_sql, place.text_blank, source.table is None, place.naive)
    dates = plausible(as_of, config.timezone)
    utc = dt.timezone.utc
    bounds = (micros(dates.start.replace(tzinfo=utc)), micros(dates.end.replace(tzinfo=utc)))
    clean = clean_sql(columns, mapping, extra, params, config.timezone, bounds, REASONS)
    return Prepared(conn, columns, mapping, clean, params, path, detected, notes)


@dataclass
class Located:
    """Where a source's rows are for ClickHouse: the FROM clause, the path the report names,
    what the reader detected of a local file, and its naive timestamp columns."""

    from_sql: str
    path: str
    detected: dict
    notes: list
    text_blank: bool = False  # CSV: an empty cell is a missing value (as Polars)
    naive: frozenset[str] = frozenset()


def locate(name: str, source: Source, params: Params) -> Located:
    """A server table (`table:`), or the source's own local files (`path:`)."""
    if source.table is not None:
        return Located(quote_table(source.table), f"{source.url} table {source.table}", {}, [])
    return _local_file(name, source, params)


def _local_file(name: str, source: Source, params: Params) -> Located:
    """file(path, format) for chdb over the source's own files (CSV or Parquet)."""
    import polars as pl

    from funnelctl.io.readers import open_source

    raw = open_source(name, source)  # the same checks of the path as the Polars engine
    suffix = str(source.path).lower()
    if suffix.endswith((".csv", ".txt", ".tsv")):
        separator = raw.detected.get("separator", ",")
        encoding = str(raw.detected.get("encoding", "utf-8")).lower().replace("_", "-")
        if encoding not in ("utf-8", "utf8", "ascii", "utf-8-sig"):
            raise DataError(f"{source.path}: engine: clickhouse reads UTF-8 CSV only (this "
                            f"file is {encoding}); convert it, or use engine: polars")
        formats = {",": "CSVWithNames", "\t": "TSVWithNames"}
        if separator not in formats:
            raise DataError(f"{source.path}: engine: clickhouse reads comma- or tab-separated "
                            f"files (this one uses {separator!r}); use engine: polars")
        from_sql = f"file({params.bind(str(source.path))}, {formats[separator]})"
        return Located(from_sql, str(source.path), dict(raw.detected), list(raw.notes), True)
    if raw.path.is_dir():
        pattern = str(raw.path / "**.parquet")
    else:
        pattern = str(source.path)
    # chdb shows a timestamp stored without a zone as UTC; the Polars reader (and so this
    # engine) takes it as a wall time in the config's zone.
    schema = raw.frame.collect_schema()
    naive = frozenset(c for c, t in schema.items()
                      if isinstance(t, pl.Datetime) and not t.time_zone)
    return Located(f"file({params.bind(pattern)}, Parquet)", str(source.path),
                   dict(raw.detected), list(raw.notes), False, naive)


# Text columns as text, empty cells as NULL: as the Polars engine reads a CSV.
CSV_SETTINGS = (" SETTINGS input_format_csv_use_best_effort_in_schema_inference = 0, "
                "input_format_tsv_use_best_effort_in_schema_inference = 0, "
                "schema_inference_make_columns_nullable = 1")


def settings(columns: Columns) -> str:
    return CSV_SETTINGS if columns.text_blank_is_null else ""


def describe(conn: Connection, from_sql: str, params: Params, table: bool,
             csv: bool) -> dict[str, str]:
    """The source's columns and their types, as ClickHouse sees them (csv: a local CSV
    or TSV file, read with CSV_SETTINGS)."""
    sql = f"DESCRIBE TABLE {from_sql}" if table else f"DESCRIBE {from_sql}"
    if csv:
        sql += CSV_SETTINGS
    rows = conn.query(sql, dict(params.values))
    return {row["name"]: row["type"] for row in rows}


def event_funnels(config: Config, name: str, source: Source, users: list[Funnel],
                  periods: list[tuple | None], read_range: tuple,
                  qualities: dict[str, SourceQuality], as_of: dt.date | None,
                  covered_end: dt.date | None = None,
                  ) -> Iterator[tuple[Funnel, list[FunnelResult]]]:
    """(funnel, one result per period) for the source's funnels, and its data quality.
    covered_end: the audit period's last date (for trends), if any."""
    prepared = prepare_source(name, source, config, users, as_of)
    names = sorted({n for f in users for n in event_names(f)})
    since, until = (micros(t) if t is not None else None for t in read_range)
    qualities[name], horizon = source_quality(prepared, name, names, since, until, users)
    for funnel in users:
        results = [funnel_result(prepared, funnel, names, (since, until), period, config,
                                 timed=i == 0) for i, period in enumerate(periods)]
        if funnel.trend:
            results[0].trend = trend(prepared, funnel, names, (since, until), periods[0],
                                     config, horizon, covered_end)
        yield funnel, results


def source_quality(prepared: Prepared, name: str, names: list[str], since: int | None,
                   until: int | None, users: list[Funnel]
                   ) -> tuple[SourceQuality, dt.datetime | None]:
    """The source's data quality, and the latest usable event read (None: none)."""
    params = _copy(prepared.params)
    sql = quality_sql(prepared.clean, names, since, until, params) + settings(prepared.columns)
    row = prepared.conn.query(sql, params.values)[0]
    rows = int(row["rows"])
    if rows == 0:
        raise DataError(f"{prepared.path}: has no data rows (source '{name}')")
    counts = {REASONS[i]: int(row[f"r{i}"]) for i in range(len(REASONS)) if int(row[f"r{i}"])}
    rejected = sum(counts.values())
    if rejected == rows:
        reason = max(counts, key=counts.get)
        raise DataError(f"{prepared.path}: no usable rows: all {rows} were rejected, "
                        f"{counts[reason]} for {reason} (source '{name}')")
    seen = set(row["seen"])
    notes = list(prepared.notes)
    for funnel in users:
        for stage in funnel.stages:
            unseen = [n for n in stage.values() if n not in seen]
            if unseen:
                notes.append(f"{funnel.name} / {stage.name}: no events named "
                             + ", ".join(f"'{n}'" for n in unseen))
    reasons = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    quality = SourceQuality(name=name, path=prepared.path, rows_read=rows,
                            rows_rejected=rejected, reasons=reasons, detected=prepared.detected,
                            notes=notes)
    latest = row["latest_us"] if int(row["usable"]) else None
    return quality, (EPOCH + dt.timedelta(microseconds=int(latest)) if latest is not None
                     else None)


def trend(prepared: Prepared, funnel: Funnel, names: list[str], read_range: tuple,
          period: tuple | None, config: Config, horizon: dt.datetime | None,
          covered_end: dt.date | None) -> FunnelTrend:
    entities, params = _entities(prepared, funnel, names, read_range, period)
    sql = trend_sql(entities, funnel, params, config.timezone) + settings(prepared.columns)
    rows = {}
    for row in prepared.conn.query(sql, params.values):
        rows[dt.date.fromisoformat(row["cohort"])] = {
            "entities": int(row["entities"]),
            **{f"entered_{k}": int(row[f"entered_{k}"])
               for k in range(1, len(funnel.stages) + 1)},
            LATEST: EPOCH + dt.timedelta(microseconds=int(row["latest_us"]))}
    return trend_from_rows(rows, funnel, config.timezone, horizon, covered_end,
                           config.significance)


def funnel_sql(prepared: Prepared, funnel: Funnel, names: list[str], read_range: tuple,
               period: tuple | None, kept: dict[str, list[str]] | None = None
               ) -> tuple[str, dict[str, str]]:
    """The statement (and its parameters) of one funnel's aggregates over one period."""
    entities, params = _entities(prepared, funnel, names, read_range, period)
    sql = aggregate_sql(entities, funnel, params, kept) + settings(prepared.columns)
    return sql, params.values


def _entities(prepared: Prepared, funnel: Funnel, names: list[str], read_range: tuple,
              period: tuple | None) -> tuple[str, Params]:
    """The funnel's per-entity select over one period, and the parameters it binds (a
    copy of the source's, as each statement runs with its own)."""
    params = _copy(prepared.params)
    period_us = (micros(period[0]), micros(period[1])) if period is not None else None
    return entities_sql(prepared.clean, funnel, prepared.columns, prepared.mapping,
                        params, names, read_range, period_us), params


def funnel_result(prepared: Prepared, funnel: Funnel, names: list[str], read_range: tuple,
                  period: tuple | None, config: Config, timed: bool = True) -> FunnelResult:
    """The funnel's result over one period; timed: with the time to convert into each
    step (the audited period only, as on the Polars engine)."""
    sql, values = funnel_sql(prepared, funnel, names, read_range, period)
    rows = [_row(r, funnel) for r in prepared.conn.query(sql, values)]
    if any(r["bad"] for r in rows):
        raise prepared.conn.fail(f"funnel '{funnel.name}': the walk of the events disagrees "
                                 "with windowFunnel's depth; please report this")
    n = len(funnel.stages)
    total = next((r for r in rows if r["set"] == 0), None) or _empty_row(n)
    parts, kept = segment_parts(rows, funnel)
    if kept:  # the other row's medians come from its entities, not from the segments
        sql, values = funnel_sql(prepared, funnel, names, read_range, period, kept)
        refold(parts, funnel, (_row(r, funnel) for r in prepared.conn.query(sql, values)))
    result = from_rows(funnel, "events", total, parts, config.significance)
    if timed:
        for stage, times in zip(result.stages, distributions(total, n, funnel.window_seconds())):
            stage.time_to_convert = times
    return result


def segment_parts(rows: list[dict], funnel: Funnel) -> tuple[dict, dict]:
    """Per breakdown column of a query's rows (`set` j is the j-th column): its segments
    in report order and how many were folded, and the kept values of each column that
    folds (its "(other)" row is then aggregated again from its own rows: true medians)."""
    parts, kept = {}, {}
    for j, column in enumerate(funnel.breakdown, 1):
        segs = [r for r in rows if r["set"] == j]
        chosen, folded = kept_values({r["value"]: r["entities"] for r in segs},
                                     funnel.segments.top, funnel.segments.min_size)
        parts[column] = (report_order(segs), folded)
        if folded:
            kept[column] = chosen
    return parts, kept


def refold(parts: dict, funnel: Funnel, rows) -> None:
    """Replace the folding columns' segments with the rows of the query that folded them."""
    folded_rows: dict[str, list[dict]] = {}
    for row in rows:
        folded_rows.setdefault(funnel.breakdown[row["set"] - 1], []).append(row)
    for column, found in folded_rows.items():
        parts[column] = (report_order(found), parts[column][1])


def _row(row: dict, funnel: Funnel) -> dict:
    """A result row as the Polars aggregates name it: a time with no entity is None."""
    out = dict(row)
    for k in range(2, len(funnel.stages) + 1):
        if not int(row.get(f"timed_{k}", 0)):
            out[f"time_median_{k}"] = out[f"time_p90_{k}"] = None
        else:
            for key in (f"time_median_{k}", f"time_p90_{k}"):
                value = out[key]
                out[key] = float(value) if value is not None and math.isfinite(value) else None
    for key, value in row.items():
        if ":" in key and isinstance(value, float) and not math.isfinite(value):
            out[key] = None
    out["value"] = OTHER if row.get("value") == OTHER else row.get("value")
    for key in ("entities", *[f"entered_{k}" for k in range(1, len(funnel.stages) + 1)]):
        out[key] = int(out[key])
    return out


def _empty_row(n: int) -> dict:
    return {"entities": 0, **{f"entered_{k}": 0 for k in range(1, n + 1)},
            **{f"time_{p}_{k}": None for k in range(2, n + 1) for p in ("median", "p90")},
            **{f"{c}_{k}:n": 0 for k in range(2, n + 1) for c in ("time", "gap")}}


def _copy(params: Params) -> Params:
    fresh = Params()
    fresh.values = dict(params.values)
    return fresh


def explain(config: Config, name: str, source: Source, users: list[Funnel],
            periods: list[tuple | None], read_range: tuple, as_of: dt.date | None
            ) -> Iterator[tuple[Funnel, str]]:
    """(funnel, its SQL with the parameters listed after it) without running the funnel
    (the source's columns are read, so names can be checked)."""
    prepared = prepare_source(name, source, config, users, as_of)
    names = sorted({n for f in users for n in event_names(f)})
    since, until = (micros(t) if t is not None else None for t in read_range)
    for funnel in users:
        sql, values = funnel_sql(prepared, funnel, names, (since, until), periods[0])
        listed = "\n".join(f"--   {k} = {v}" for k, v in values.items())
        where = prepared.conn.where() if source.url != CHDB else "chdb (in process)"
        yield funnel, f"-- on {where}\n{sql}\n-- parameters:\n{listed}"
