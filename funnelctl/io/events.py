"""An event log -> canonical events (entity_id, event, ts, extra columns) and rejects.

Built for tens of millions of rows: only the columns the funnels need are read, rows whose
event belongs to no funnel are dropped inside the scan (before anything is sorted), and
the event name becomes an Enum of the funnels' names: one byte a row, not a string.
Rows that cannot be used (no entity, no event name, a timestamp that is missing or does
not parse) are counted by reason; their line numbers are looked up only when there are any.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from funnelctl.config import Source
from funnelctl.errors import DataError, excerpt_list
from funnelctl.io.readers import LINE, RawSource, read_error, require_columns
from funnelctl.io.rejects import REJECTS_SCHEMA, no_usable_rows
from funnelctl.io.timestamps import instant
from funnelctl.io.values import EDGES, Plausible, out_of_range, plausible

REQUIRED = ("entity_id", "event", "ts")
# Reason codes, so the scan carries one small integer a row instead of a string.
REASONS = ("missing entity_id", "missing event", "missing ts", "unparseable ts",
           out_of_range("ts"))
SAMPLE_ROWS = 2000


@dataclass
class Events:
    frame: pl.DataFrame  # entity_id, event (Enum of the funnels' names), ts (UTC), extras
    rejects: pl.DataFrame  # line, reason, value
    rows_read: int


def column_mapping(raw: RawSource, source: Source, extra: list[str]) -> dict[str, str]:
    """canonical name -> header in the file, for the canonical and the extra columns."""
    mapping = {name: source.columns.get(name, name) for name in (*REQUIRED, *extra)}
    missing = [name for name in REQUIRED if mapping[name] not in raw.columns
               and name not in source.columns]
    if missing:
        raise DataError(
            f"{raw.path}: no column for {', '.join(missing)}: map it under "
            f"sources.{raw.name}.columns (e.g. {missing[0]}: <header>)\n"
            f"  columns found: {excerpt_list(raw.columns)}"
        )
    require_columns(raw, mapping, set(mapping))
    return mapping


def read_events(raw: RawSource, source: Source, timezone: str, names: list[str] | None,
                extra: list[str], since: dt.datetime | None = None,
                until: dt.datetime | None = None, as_of: dt.date | None = None) -> Events:
    """Events named in `names` (all events for None: strict_order funnels see the events
    of no step too), inside [since, until] when given, plus rejects;
    timestamps outside 1990-01-01 .. as_of + 1 year (default: today) are rejected."""
    query, (mapping, schema, ts, dates) = events_query(raw, source, timezone, names, extra,
                                                       since, until, as_of)
    try:
        frame = query.collect(engine="streaming")
        rows_read = raw.frame.select(pl.len()).collect().item()
    except pl.exceptions.PolarsError as exc:
        raise read_error(raw, exc) from None
    if rows_read == 0:
        raise DataError(f"{raw.path}: has a header but no data rows")
    rejected = frame["_reason"].drop_nulls().len()
    if rejected:
        frame = frame.filter(pl.col("_reason").is_null())
        ledger = _canonical(raw, mapping, schema, ts, names, [], dates, ledger=True)
        rejects = _rejects(ledger)
    else:
        rejects = pl.DataFrame(schema=REJECTS_SCHEMA)
    if rejected == rows_read:
        raise no_usable_rows(raw.path, rejects, source.date_format)
    # One block per column, not one per scanned morsel: freed later in one piece, the
    # memory is reused for the funnel's own arrays (peak -15% on 30M events).
    return Events(frame.drop("_reason").rechunk(), rejects, rows_read)


def events_query(raw: RawSource, source: Source, timezone: str, names: list[str],
                 extra: list[str], since: dt.datetime | None = None,
                 until: dt.datetime | None = None, as_of: dt.date | None = None
                 ) -> tuple[pl.LazyFrame, tuple]:
    """The lazy read of read_events (its plan is what `audit --explain` shows) and what
    the rejects pass needs again: (mapping, schema, ts expression, plausible dates)."""
    mapping = column_mapping(raw, source, extra)
    schema = raw.frame.collect_schema()
    ts_col = mapping["ts"]
    ts = instant(ts_col, schema[ts_col], timezone, source.date_format,
                 _sample(raw, ts_col, schema[ts_col]))
    if ts is None:
        examples = ", ".join(repr(v) for v in _sample(raw, ts_col, schema[ts_col]).head(3))
        raise DataError(f"{raw.path}: column '{ts_col}' (for ts): no value parses as a "
                        f"timestamp (e.g. {examples}); expected ISO 8601 such as "
                        "2024-01-31T09:30:00Z, or set date_format in the source")
    dates = plausible(as_of, timezone)
    query = _canonical(raw, mapping, schema, ts, names, extra, dates)
    wanted = pl.col("event").is_not_null()
    if since is not None:
        wanted &= pl.col("ts") >= since
    if until is not None:
        wanted &= pl.col("ts") <= until
    return query.filter(wanted | pl.col("_reason").is_not_null()), (mapping, schema, ts, dates)


def _canonical(raw: RawSource, mapping: dict[str, str], schema: pl.Schema, ts: pl.Expr,
               names: list[str] | None, extra: list[str], dates: Plausible,
               ledger: bool = False) -> pl.LazyFrame:
    """Canonical columns and _reason: the first reason (an index into REASONS) a row
    cannot be used, null when it can. With ledger: the line and raw timestamp too."""
    entity, event, raw_ts = (pl.col(mapping[c]) for c in REQUIRED)
    text_entity = schema[mapping["entity_id"]] == pl.String
    ts_given = raw_ts.is_not_null()
    if schema[mapping["ts"]] == pl.String:  # a blank cell is a missing value too
        ts_given &= raw_ts.str.strip_chars(EDGES) != ""
    columns = {
        "entity_id": entity.str.strip_chars(EDGES) if text_entity else entity,
        "event": event.cast(pl.String).cast(pl.Categorical) if names is None else
        event.cast(pl.String).cast(pl.Enum(sorted(set(names))), strict=False),
        "ts": ts,
        **{name: pl.col(mapping[name]) for name in extra if name not in REQUIRED},
        "_event_given": event.is_not_null(),
        "_ts_given": ts_given,
    }
    if ledger:
        columns |= {"line": pl.col(LINE).cast(pl.Int64), "value": raw_ts.cast(pl.String)}
    # Parsed once, then checked: the rules read the parsed columns, not the raw ones.
    rules = [pl.col("entity_id").is_null(), ~pl.col("_event_given"), ~pl.col("_ts_given"),
             pl.col("ts").is_null(), dates.outside_utc(pl.col("ts"))]
    if text_entity:
        rules[0] |= pl.col("entity_id") == ""
    code = pl.lit(None, pl.UInt8)
    for index, rule in reversed(list(enumerate(rules))):
        code = pl.when(rule).then(pl.lit(index, pl.UInt8)).otherwise(code)
    return (raw.frame.select(**columns).with_columns(code.alias("_reason"))
            .drop("_event_given", "_ts_given"))


def _sample(raw: RawSource, column: str, dtype: pl.DataType) -> pl.Series | None:
    """A few non-null values of a text or numeric column (they choose how it is parsed)."""
    if isinstance(dtype, (pl.Datetime, pl.Date)):
        return None
    try:
        head = raw.frame.select(pl.col(column)).head(SAMPLE_ROWS).collect()
    except pl.exceptions.PolarsError as exc:  # e.g. an unbalanced quote: name its line
        raise read_error(raw, exc) from None
    return head.to_series().drop_nulls()


def _rejects(ledger: pl.LazyFrame) -> pl.DataFrame:
    """Second, narrow pass (only when some rows are bad): their lines and values."""
    frame = ledger.filter(pl.col("_reason").is_not_null()).select("line", "_reason", "value")
    frame = frame.collect()
    return frame.select(
        "line",
        reason=pl.col("_reason").replace_strict(list(range(len(REASONS))), list(REASONS),
                                                return_dtype=pl.String),
        value=pl.when(pl.col("_reason") >= REASONS.index("unparseable ts"))
        .then(pl.col("value")),
    ).cast(REJECTS_SCHEMA)

