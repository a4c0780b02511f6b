"""Event timestamps as instants (UTC), from whatever type the file stores them in.

Event funnels measure windows in elapsed time, so every timestamp becomes a point in
time, to the microsecond: zone-aware values keep their instant, naive ones are read in
the config's zone, numbers are Unix epochs (s, ms, µs or ns by their size). Text is
parsed with the formats that a sample of the column actually uses, so a 30-million-row
CSV is parsed once, not once per known format.
"""

from __future__ import annotations

import polars as pl

from funnelctl.io.date_formats import DateReading, day_month_orders, reading_from_sample
from funnelctl.io.values import (
    EDGES,
    configured_reading,
    epoch_unit,
    local_to_utc,
    text_times,
    trimmed,
)

TEXT = "_text"


def instant(column: str, dtype: pl.DataType, timezone: str,
            date_format: str | list[str] | None, sample: pl.Series | None) -> pl.Expr | None:
    """Expression for the column as Datetime(us, UTC); null where a value does not parse.

    `sample` (some non-null values of a text column) picks the formats to try; None is
    returned when none of its values parses.
    """
    col = pl.col(column)
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone:
            return col.cast(pl.Datetime("us", dtype.time_zone)).dt.convert_time_zone("UTC")
        return local_to_utc(col.cast(pl.Datetime("us")), timezone)
    if dtype == pl.Date:
        return local_to_utc(col.cast(pl.Datetime("us")), timezone)
    if dtype.is_numeric():
        return pl.from_epoch(col.cast(pl.Int64), epoch_unit(sample)) \
            .cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    sample = (sample if sample is not None else pl.Series([], dtype=pl.String))
    sample = trimmed(sample.cast(pl.String))
    reading = configured_reading(date_format)
    if reading is None:  # worked out once from the sample, for the column and the test
        order = day_month_orders(pl.DataFrame({TEXT: sample}).lazy(), [TEXT]).get(TEXT)
        reading = reading_from_sample(sample, order)
    parse = text_instant(col.cast(pl.String).str.strip_chars(EDGES), timezone, reading)
    parsed = pl.DataFrame({TEXT: sample}).select(
        text_instant(pl.col(TEXT), timezone, reading).is_not_null().any()).item()
    return parse if parsed else None


def text_instant(text: pl.Expr, timezone: str, reading: DateReading) -> pl.Expr:
    wall, utc = text_times(text, reading)
    local = local_to_utc(wall, timezone)
    return local if utc is None else pl.coalesce(local, utc.dt.replace_time_zone("UTC"))
