"""Event timestamps as instants (UTC), from whatever type the file stores them in.

Event funnels measure windows in elapsed seconds, so every timestamp becomes a point in
time: zone-aware values keep their instant, naive ones are read in the config's zone,
numbers are Unix epochs. Text is parsed with the formats that a sample of the column
actually uses, so a 30-million-row CSV is parsed once, not once per known format.
"""

from __future__ import annotations

import polars as pl

from funnelctl.io.values import DATETIME_FORMATS, EPOCH_PATTERNS, epoch_unit

# ISO 8601 as event pipelines write it; %.f also accepts no fraction, %#z accepts "Z".
ZONED_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z")
NAIVE_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", *DATETIME_FORMATS)


def instant(column: str, dtype: pl.DataType, timezone: str, date_format: str | None,
            sample: pl.Series | None) -> pl.Expr | None:
    """Expression for the column as Datetime(us, UTC); null where a value does not parse.

    `sample` (some non-null values of a text column) picks the formats to try; None is
    returned when no known format parses any of them.
    """
    col = pl.col(column)
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone:
            return col.cast(pl.Datetime("us", dtype.time_zone)).dt.convert_time_zone("UTC")
        return _local_to_utc(col.cast(pl.Datetime("us")), timezone)
    if dtype == pl.Date:
        return _local_to_utc(col.cast(pl.Datetime("us")), timezone)
    if dtype.is_numeric():
        return pl.from_epoch(col.cast(pl.Int64), epoch_unit(sample)).dt.replace_time_zone("UTC")
    text = col.cast(pl.String).str.strip_chars()
    attempts = list(_text_attempts(text, timezone, date_format, sample))
    if not attempts:
        return None
    return pl.coalesce(attempts) if len(attempts) > 1 else attempts[0]


def _local_to_utc(expr: pl.Expr, timezone: str) -> pl.Expr:
    """Naive wall time in `timezone` -> UTC. Free when the zone is UTC."""
    if timezone == "UTC":
        return expr.dt.replace_time_zone("UTC")
    # A wall time repeated by a DST change is taken at its first occurrence; one that
    # does not exist (skipped by the change) is null and rejected as unparseable.
    localised = expr.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
    return localised.dt.convert_time_zone("UTC")


def _text_attempts(text: pl.Expr, timezone: str, date_format: str | None,
                   sample: pl.Series | None):
    sample = (sample if sample is not None else pl.Series([], dtype=pl.String)).cast(pl.String)
    sample = sample.str.strip_chars()
    formats = [date_format] if date_format else [*ZONED_FORMATS, *NAIVE_FORMATS]
    for fmt in formats:
        if _parses_some(sample, fmt):
            parsed = text.str.strptime(pl.Datetime("us"), fmt, strict=False)
            zoned = "%z" in fmt or "%#z" in fmt or "%:z" in fmt
            yield parsed.dt.convert_time_zone("UTC") if zoned else _local_to_utc(parsed, timezone)
    if date_format:
        return
    for pattern, unit in EPOCH_PATTERNS:
        if sample.str.contains(pattern).any():
            digits = pl.when(text.str.contains(pattern)).then(text.cast(pl.Int64, strict=False))
            yield pl.from_epoch(digits, unit).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")


def _parses_some(sample: pl.Series, fmt: str) -> bool:
    try:
        parsed = sample.str.strptime(pl.Datetime("us"), fmt, strict=False)
    except pl.exceptions.PolarsError:
        return False
    return parsed.null_count() < sample.len()
