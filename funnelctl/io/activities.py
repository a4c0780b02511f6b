"""An activities export -> daily totals per manager, and a ledger of rows that cannot be used.

Two shapes are read: one row per activity (manager, ts, type), bucketed into days in the
config's time zone, or daily totals (manager, date, calls, meetings). Either way the result
is one row per manager and day: manager, date, calls, meetings.

A telephony export has no type column: `type_values: {type: call}` makes every row a call.
With `min_call_seconds:` and a mapped `duration` column (seconds, "mm:ss" / "hh:mm:ss"
text, or unit words: "1 мин 23 сек"), shorter calls are not counted, and counted as short.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import polars as pl

from funnelctl.config import Source
from funnelctl.config.norms import MAX_PER_DAY, TypeValues
from funnelctl.errors import DataError, excerpt_list
from funnelctl.io.date_formats import DateReading
from funnelctl.io.readers import LINE, RawSource, read_error, require_columns
from funnelctl.io.rejects import REJECTS_SCHEMA, no_usable_rows
from funnelctl.io.values import (
    Plausible,
    clean_text,
    date_readings,
    null_markers,
    out_of_range,
    plausible,
    to_local_datetime,
)

ROWS, DAILY = "rows", "daily"
SHAPE_COLUMNS = {ROWS: ("manager", "ts", "type", "duration"),
                 DAILY: ("manager", "date", "calls", "meetings")}
DAILY_SCHEMA = {"manager": pl.String, "date": pl.Date, "calls": pl.Int64, "meetings": pl.Int64}
OTHER = "other"


@dataclass
class Activities:
    daily: pl.DataFrame  # manager, date, calls, meetings: one row per manager and day
    rejects: pl.DataFrame  # line, reason, value
    rows_read: int
    shape: str  # ROWS or DAILY
    other_types: dict[str, int] = field(default_factory=dict)  # type value -> rows
    rows_per_manager: dict[str, int] = field(default_factory=dict)  # usable rows per name
    short_calls: int = 0  # calls under min_call_seconds, not counted


def activity_mapping(raw: RawSource, source: Source) -> tuple[str, dict[str, str]]:
    """(shape, canonical name -> header in the file); daily totals when calls/meetings exist."""
    mapping = dict(source.columns)
    for names in SHAPE_COLUMNS.values():
        for name in names:
            if name not in mapping and name in raw.columns:
                mapping[name] = name
    shape = DAILY if {"calls", "meetings"} & mapping.keys() else ROWS
    one_type = source.type_values is not None and source.type_values.type is not None
    required = ({"manager", "date"} if shape == DAILY
                else {"manager", "ts"} | (set() if one_type else {"type"}))
    if source.min_call_seconds is not None:
        if shape == DAILY:
            raise DataError(f"{raw.path}: min_call_seconds needs one row per call with its "
                            "duration; this file has daily totals (calls, meetings)")
        if "duration" not in mapping:
            raise DataError(
                f"{raw.path}: min_call_seconds needs a duration column: map it under "
                f"sources.{raw.name}.columns.duration (seconds, mm:ss / hh:mm:ss, or "
                "1 мин 23 сек)\n"
                f"  columns found: {excerpt_list(raw.columns)}")
        required = required | {"duration"}
    missing = sorted(required - mapping.keys())
    if missing:
        expected = ("manager, date, calls, meetings (daily totals)" if shape == DAILY
                    else "manager, ts, type (one row per activity) or manager, date, calls, "
                         "meetings (daily totals)")
        raise DataError(
            f"{raw.path}: no column for {', '.join(missing)}: map it under "
            f"sources.{raw.name}.columns (expected {expected})\n"
            f"  columns found: {excerpt_list(raw.columns)}")
    require_columns(raw, mapping, required)
    known = set(SHAPE_COLUMNS[shape]) - (set() if "type" in required else {"type"})
    return shape, {k: v for k, v in mapping.items() if k in known and v in raw.columns}


def read_activities(raw: RawSource, source: Source, timezone: str,
                    as_of: dt.date | None = None) -> Activities:
    """Dates outside 1990-01-01 .. as_of + 1 year (default: today) are rejected."""
    shape, mapping = activity_mapping(raw, source)
    dates = plausible(as_of, timezone)
    schema = raw.frame.collect_schema()
    markers = null_markers(source.null_values)
    try:
        if shape == ROWS:
            return _read_rows(raw, source, timezone, mapping, schema, markers, dates)
        return _read_daily(raw, source, timezone, mapping, schema, markers, dates)
    except pl.exceptions.PolarsError as exc:
        raise read_error(raw, exc) from None


def _read_rows(raw: RawSource, source: Source, timezone: str, mapping: dict[str, str],
               schema: pl.Schema, markers: list[str], dates: Plausible) -> Activities:
    """One row per activity, counted per day in the config's zone.

    Managers and types are few, so the rows are first counted per raw (manager, type,
    day) and the cleaning, type mapping and checks run on that small table; the rows are
    read again only when some are rejected, to give them their line numbers.
    """
    reading = date_readings(raw, source.date_format, [mapping["ts"]]).get(mapping["ts"])
    ts, ts_given = to_local_datetime(mapping["ts"], schema[mapping["ts"]], timezone,
                                     source.date_format, markers, reading)
    type_values = source.type_values or TypeValues()
    kind = (pl.lit(type_values.type) if type_values.type is not None
            else pl.col(mapping["type"]))
    minimum = source.min_call_seconds
    duration = {} if minimum is None else {
        "_dur": duration_state(mapping["duration"], schema[mapping["duration"]], markers,
                               minimum),
        "_dur_raw": pl.col(mapping["duration"])}
    # A timestamp or date column (Parquet's) is missing exactly where its day is null:
    # grouping every row by whether it was given too would cost a key for nothing.
    dtype = schema[mapping["ts"]]
    given = {} if isinstance(dtype, pl.Datetime) or dtype == pl.Date else {
        "_ts_given": ts_given}

    def rows_with(day: pl.Expr, frame: pl.LazyFrame = raw.frame) -> pl.LazyFrame:
        return frame.select(pl.col(LINE), _m=pl.col(mapping["manager"]), _t=kind, date=day,
                            _ts_raw=pl.col(mapping["ts"]), **given, **duration)

    keys = ["_m", "_t", "date", *given, *(["_dur"] if duration else [])]
    rows = rows_with(ts.dt.date())  # every format: the rejects ledger's lookup
    quick = first_format(reading)
    if quick is None:
        groups = rows.group_by(keys).agg(n=pl.len()).collect()
    else:
        first, _ = to_local_datetime(mapping["ts"], dtype, timezone, source.date_format,
                                     markers, quick)
        groups = rows_with(first.dt.date()).group_by(keys).agg(n=pl.len()).collect()
        unread = pl.col("date").is_null() & pl.col("_ts_given")
        if groups.filter(unread).height:
            # Only the rows the first format does not read are read with all of them.
            again = rows_with(ts.dt.date(), raw.frame.filter(first.is_null() & ts_given))
            groups = pl.concat([groups.lazy().filter(~unread),
                                again.group_by(keys).agg(n=pl.len())]
                               ).group_by(keys).agg(pl.col("n").sum()).collect()
    if groups.height == 0:
        raise DataError(f"{raw.path}: has a header but no data rows")
    table = groups.lazy() if given else groups.lazy().with_columns(
        _ts_given=pl.col("date").is_not_null())
    checked = _checked_groups(table, type_values, markers, dates, bool(duration))
    good = checked.filter(pl.col("_reason").is_null())
    n, kind = pl.col("n"), pl.col("kind")
    short = ((kind == "call") & (pl.col("_dur") == SHORT)) if duration else pl.lit(False)
    counted = good.filter(~short)
    # One plan over the small table, collected once: each eager step costs more in
    # overhead than in work here.
    daily, others, per_manager, short_calls, bad = pl.collect_all([
        counted.group_by("manager", "date").agg(
            calls=n.filter(kind == "call").sum(), meetings=n.filter(kind == "meeting").sum(),
        ).cast(DAILY_SCHEMA),
        (counted.filter(kind == OTHER).group_by("_type").agg(n.sum())
         .sort(["n", "_type"], descending=[True, False])),
        counted.group_by("manager").agg(n.sum()),
        good.select(n.filter(short).sum()),
        checked.filter(pl.col("_reason").is_not_null()).select(*keys, "_reason"),
    ])
    shown = {"unparseable ts": pl.col("_ts_raw"), out_of_range("ts"): pl.col("_ts_raw"),
             "unparseable duration": pl.col("_dur_raw") if duration else pl.lit(None)}
    rejects = _rejects(rows.join(bad.lazy(), on=keys, nulls_equal=True),
                       shown) if bad.height else _rejects(None)
    if per_manager.height == 0:
        raise no_usable_rows(raw.path, rejects, source.date_format)
    return Activities(daily, rejects, int(groups.get_column("n").sum()), ROWS,
                      dict(others.iter_rows()), dict(per_manager.iter_rows()),
                      int(short_calls.item()))


def _checked_groups(groups: pl.LazyFrame, type_values: TypeValues, markers: list[str],
                    dates: Plausible, duration: bool) -> pl.LazyFrame:
    """The (manager, type, day) counts with the cleaned manager and type, the type's
    kind (call, meeting or other) and the reason a group's rows cannot be used (null:
    usable)."""
    groups = groups.with_columns(
        manager=clean_text("_m", markers), _type=clean_text("_t", markers),
    ).with_columns(kind=pl.col("_type").str.to_lowercase().replace_strict(
        type_values.lookup(), default=OTHER, return_dtype=pl.String))
    return groups.with_columns(_reason=_first_reason([
        (pl.col("manager").is_null(), "missing manager"),
        (~pl.col("_ts_given"), "missing ts"),
        (pl.col("date").is_null(), "unparseable ts"),
        (dates.outside(pl.col("date").cast(pl.Datetime("us"))), out_of_range("ts")),
        (pl.col("_type").is_null(), "missing activity type"),
        *duration_rules(duration),
    ]))


def first_format(reading: DateReading | None) -> DateReading | None:
    """The reading with its first format only, when it has several naive ones: a file's
    timestamps are nearly always written one way, and trying every format on every row
    cost several times the rest of the read. The result is the same: formats are tried in
    order and the first that reads a value wins, so a value the first format reads is
    read as before, and the rest are read again with all of them. None: no such reading
    (one format, zones, epochs, or an offset in the first format)."""
    if (reading is None or len(reading.formats) < 2 or reading.zones or reading.epochs
            or any(code in reading.formats[0] for code in ("%z", "%#z", "%:z"))):
        return None
    return replace(reading, formats=reading.formats[:1])


OK, SHORT, MISSING, BAD = "ok", "short", "missing", "bad"
_HMS = r"^(?:(\d+):)?(\d+):(\d{2})$"  # [h:]m:ss; minutes may pass 59 without hours
# Unit words, as Russian PBXs (and some English ones) write a duration: "83 сек",
# "1 мин 23 сек", "1 ч 2 мин", "1m 23s"; each unit at most once, largest first, spaces
# already removed and the text lower-cased.
_UNITS = (r"^(?:(\d+)(?:часов|часа|час|ч|hr|h)\.?)?(?:(\d+)(?:минуты|минута|минут|мин|м|min|m)"
          r"\.?)?(?:(\d+)(?:секунды|секунда|секунд|сек|с|sec|s)\.?)?$")


def duration_seconds(header: str, dtype: pl.DataType, markers: list[str]) -> pl.Expr:
    """A call's duration in seconds: a number, "mm:ss" / "hh:mm:ss" text, or unit words
    ("1 мин 23 сек"); null when it is none of them. A second or minute field over 59
    under a larger one is not a time ("1:75", "1 мин 75 сек")."""
    if dtype.is_numeric():
        return pl.col(header).cast(pl.Float64)
    text = clean_text(header, markers).str.replace_all(r"[\s\u00a0]", "")
    plain = text.str.replace(",", ".").cast(pl.Float64, strict=False)
    return pl.coalesce(plain, _clock(text.str.extract_groups(_HMS)),
                       _clock(text.str.to_lowercase().str.extract_groups(_UNITS)))


def _clock(parts: pl.Expr) -> pl.Expr:
    """Seconds from the (hours, minutes, seconds) groups, any of them missing; null when
    none matched or a field under a larger one passes 59."""
    h, m, sec = (parts.struct.field(str(i)).cast(pl.Float64) for i in (1, 2, 3))
    fits = ((sec.is_null() | (sec < 60) | (h.is_null() & m.is_null()))
            & (m.is_null() | (m < 60) | h.is_null()))
    given = h.is_not_null() | m.is_not_null() | sec.is_not_null()
    return pl.when(given & fits).then(
        h.fill_null(0) * 3600 + m.fill_null(0) * 60 + sec.fill_null(0))


def duration_state(header: str, dtype: pl.DataType, markers: list[str],
                   minimum: int) -> pl.Expr:
    """ok / short (under the minimum) / missing / bad, per row: few values to group by."""
    given = (pl.col(header).is_not_null() if dtype.is_numeric()
             else clean_text(header, markers).is_not_null())
    seconds = duration_seconds(header, dtype, markers)
    return (pl.when(~given).then(pl.lit(MISSING))
            .when(seconds.is_null() | seconds.is_nan() | (seconds < 0)).then(pl.lit(BAD))
            .when(seconds < minimum).then(pl.lit(SHORT)).otherwise(pl.lit(OK)))


def duration_rules(on: bool) -> list[tuple[pl.Expr, str]]:
    """A call whose duration is missing or unreadable cannot be told short or not."""
    if not on:
        return []
    call = pl.col("kind") == "call"
    return [(call & (pl.col("_dur") == MISSING), "missing duration"),
            (call & (pl.col("_dur") == BAD), "unparseable duration")]


def _read_daily(raw: RawSource, source: Source, timezone: str, mapping: dict[str, str],
                schema: pl.Schema, markers: list[str], dates: Plausible) -> Activities:
    """Daily totals: a missing count is 0; a count must be a whole number, not negative.
    A manager's day may repeat: its rows add up."""
    reading = date_readings(raw, source.date_format, [mapping["date"]]).get(mapping["date"])
    date, date_given = to_local_datetime(mapping["date"], schema[mapping["date"]], timezone,
                                         source.date_format, markers, reading)
    columns = {"manager": clean_text(mapping["manager"], markers), "date": date.dt.date(),
               "_date_given": date_given, "_date_raw": pl.col(mapping["date"])}
    rules = [
        (pl.col("manager").is_null(), "missing manager"),
        (~pl.col("_date_given"), "missing date"),
        (pl.col("date").is_null(), "unparseable date"),
        (dates.outside(pl.col("date").cast(pl.Datetime("us"))), out_of_range("date")),
    ]
    values = {"unparseable date": pl.col("_date_raw"), out_of_range("date"): pl.col("_date_raw")}
    for name in ("calls", "meetings"):
        if name not in mapping:
            columns[name] = pl.lit(0.0)
            continue
        header = mapping[name]
        columns[name] = _count(header, schema[header], markers)
        columns[f"_{name}_given"] = pl.col(header).is_not_null() if schema[header].is_numeric() \
            else clean_text(header, markers).is_not_null()
        columns[f"_{name}_raw"] = pl.col(header)
        col = pl.col(name)
        too_many = f"{name} over {MAX_PER_DAY:,} a day"  # inf, 1e308, 2**63: not a count
        rules += [(pl.col(f"_{name}_given") & (col.is_null() | col.is_nan()),
                   f"non-numeric {name}"),
                  (col < 0, f"negative {name}"),
                  (col > MAX_PER_DAY, too_many),
                  (col != col.floor(), f"fractional {name}")]
        values |= dict.fromkeys((f"non-numeric {name}", f"negative {name}", too_many,
                                 f"fractional {name}"), pl.col(f"_{name}_raw"))
    # A missing count stays null here and adds nothing to the day's sum.
    frame = raw.frame.select(pl.col(LINE), **columns).with_columns(
        _reason=_first_reason(rules)).collect()
    if frame.height == 0:
        raise DataError(f"{raw.path}: has a header but no data rows")
    daily = (frame.filter(pl.col("_reason").is_null()).group_by("manager", "date")
             .agg(pl.col("calls").sum(), pl.col("meetings").sum()))
    rejects = _rejects(frame.lazy().filter(pl.col("_reason").is_not_null()), values)
    if rejects.height == frame.height:
        raise no_usable_rows(raw.path, rejects, source.date_format)
    per_manager = frame.filter(pl.col("_reason").is_null()).group_by("manager").len()
    return Activities(daily.cast(DAILY_SCHEMA), rejects, frame.height, DAILY,
                      rows_per_manager=dict(per_manager.iter_rows()))


def _count(header: str, dtype: pl.DataType, markers: list[str]) -> pl.Expr:
    if dtype.is_numeric():
        return pl.col(header).cast(pl.Float64)
    text = clean_text(header, markers).str.replace_all(r"[\s\u00a0]", "")
    return text.cast(pl.Float64, strict=False)


def _first_reason(rules: list[tuple[pl.Expr, str]]) -> pl.Expr:
    """One reason per unusable row: the first rule that applies."""
    reason = pl.lit(None, pl.String)
    for condition, text in reversed(rules):
        reason = pl.when(condition).then(pl.lit(text)).otherwise(reason)
    return reason


def _rejects(rejected: pl.LazyFrame | None, values: dict[str, pl.Expr] | None = None
             ) -> pl.DataFrame:
    """The ledger (line, reason, value); the offending value is looked up for the
    rejected rows only (turning every timestamp into text would be slow)."""
    if rejected is None:
        return pl.DataFrame(schema=REJECTS_SCHEMA)
    value = pl.lit(None, pl.String)
    for text, offending in (values or {}).items():
        value = pl.when(pl.col("_reason") == text).then(offending.cast(pl.String)) \
            .otherwise(value)
    return (rejected.select(line=pl.col(LINE), reason=pl.col("_reason"), value=value)
            .sort("line").collect().cast(REJECTS_SCHEMA))
