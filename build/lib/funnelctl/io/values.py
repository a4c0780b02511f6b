"""Polars expressions that turn exported text into typed values (dates, amounts, nulls)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from funnelctl.errors import DataError

if TYPE_CHECKING:
    from funnelctl.io.readers import RawSource

# What CRMs write where a value is absent (amoCRM: "не закрыта" in the close date,
# Salesforce: "-" for an empty amount).
DEFAULT_NULL_MARKERS = ("", "-", "—", "не закрыта", "не указано", "n/a", "null", "none", "nan")

DAY_FIRST, MONTH_FIRST = "day-first", "month-first"

# Tried in order when no date_format is configured. A dotted date is always day-first
# (Russian CRMs); slashed dates go day- or month-first as decided per column from the data.
_DOTTED = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y")
_ISO = ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
        "%Y-%m-%d")
_SLASH_TIMES = (" %H:%M:%S", " %H:%M", " %I:%M %p", " %I:%M:%S %p", "")
DATETIME_FORMATS = (*_DOTTED, *_ISO, *(f"%m/%d/%Y{t}" for t in _SLASH_TIMES))
_SLASH_PARTS = r"^\s*(\d{1,2})/(\d{1,2})/\d{4}"
# Unix epochs written as text: seconds (amoCRM API, 10 digits) or milliseconds (HubSpot
# API, 13 digits).
EPOCH_PATTERNS = ((r"^\d{9,10}$", "s"), (r"^\d{12,13}$", "ms"))


@dataclass(frozen=True)
class DateReading:
    """How one date column of a file is read: the order of its slashed dates, and the
    unit of its numbers when it stores Unix epochs as integers."""

    order: str = MONTH_FIRST
    unit: str = "s"


def null_markers(values: list[str] | None) -> list[str]:
    return [v.strip().lower() for v in (values if values is not None else DEFAULT_NULL_MARKERS)]


def clean_text(column: str, markers: list[str]) -> pl.Expr:
    """Trimmed text, with null markers turned into real nulls."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    return pl.when(text.str.to_lowercase().is_in(markers)).then(None).otherwise(text)


def date_formats(slash_order: str = MONTH_FIRST) -> list[str]:
    slash = "%d/%m/%Y" if slash_order == DAY_FIRST else "%m/%d/%Y"
    return [*_DOTTED, *_ISO, *(f"{slash}{t}" for t in _SLASH_TIMES)]


def parse_datetime(text: pl.Expr, date_format: str | None, slash_order: str = MONTH_FIRST,
                   timezone: str = "UTC") -> pl.Expr:
    """Naive local datetimes from text; null where the text does not parse."""
    if date_format:
        return text.str.strptime(pl.Datetime("us"), date_format, strict=False)
    attempts = [text.str.strptime(pl.Datetime("us"), fmt, strict=False)
                for fmt in date_formats(slash_order)]
    # ISO with an offset or Z (API dumps): moved to the config's zone, then made naive.
    # (also "2024-02-05 23:30:00+00:00", as Python, pandas and SQL databases write it)
    iso = text.str.replace(r"Z$", "+00:00").str.replace(r"^(\d{4}-\d\d-\d\d) ", "${1}T")
    offset = iso.str.strptime(pl.Datetime("us", "UTC"), "%Y-%m-%dT%H:%M:%S%.f%z", strict=False)
    attempts.append(offset.dt.convert_time_zone(timezone).dt.replace_time_zone(None))
    # Unix epochs are instants: moved to the config's zone like the offsets above.
    number = text.cast(pl.Int64, strict=False)
    for pattern, unit in EPOCH_PATTERNS:
        digits = pl.when(text.str.contains(pattern)).then(number)
        attempts.append(epoch_to_local(digits, unit, timezone))
    return pl.coalesce(attempts)


def epoch_to_local(number: pl.Expr, unit: str, timezone: str) -> pl.Expr:
    """Unix epoch numbers -> naive wall time in `timezone` (from_epoch gives naive UTC)."""
    utc = pl.from_epoch(number.cast(pl.Int64), unit).cast(pl.Datetime("us"))
    return utc.dt.replace_time_zone("UTC").dt.convert_time_zone(timezone) \
        .dt.replace_time_zone(None)


def epoch_unit(sample: pl.Series | None) -> str:
    """Seconds, unless the values are too large to be seconds in this era."""
    biggest = sample.max() if sample is not None and sample.len() else 0
    if biggest is not None and biggest > 10**14:
        return "us"
    return "ms" if biggest is not None and biggest > 10**11 else "s"


SLASH_SAMPLE_ROWS = 1000


def slash_orders(frame: pl.LazyFrame, columns: list[str]) -> dict[str, str]:
    """Day-first or month-first per column of slashed dates (DD/MM/YYYY vs M/D/YYYY).

    A first part above 12 means day-first, a second part above 12 month-first. A column
    that cannot tell (every part <= 12) follows the columns that can, since one export
    has one locale; with no evidence at all, month-first (Salesforce's US default).
    Columns without slashed dates are left out.
    """
    # A column's dates share one format: when the first rows have no slashed date, the
    # full pass over the file (a second CSV parse) is not needed at all.
    head = frame.head(SLASH_SAMPLE_ROWS).select(
        [pl.col(c).cast(pl.String).str.contains(_SLASH_PARTS).any() for c in columns]).collect()
    columns = [c for c in columns if head[c][0]]
    if not columns:
        return {}
    exprs = [pl.col(col).cast(pl.String).str.extract(_SLASH_PARTS, part)
             .cast(pl.Int32, strict=False).max().alias(f"{i}_{part}")
             for i, col in enumerate(columns) for part in (1, 2)]
    row = frame.select(exprs).collect().row(0, named=True)
    found: dict[str, str | None] = {}
    for i, col in enumerate(columns):
        first, second = row[f"{i}_1"], row[f"{i}_2"]
        if first is None:
            continue
        found[col] = DAY_FIRST if first > 12 else MONTH_FIRST if second > 12 else None
    decided = {v for v in found.values() if v}
    default = decided.pop() if len(decided) == 1 else MONTH_FIRST
    return {col: order or default for col, order in found.items()}


def date_readings(raw: RawSource, date_format: str | None,
                  columns: list[str]) -> dict[str, DateReading]:
    """How to read each of a file's date columns, decided from the data in one pass.

    Text columns get their slashed-date order (recorded as `date_order`, unless a
    date_format fixes it); integer columns get their epoch unit (seconds, ms or us).
    Columns absent from the result are read with the defaults.
    """
    schema = raw.frame.collect_schema()
    columns = list(dict.fromkeys(columns))
    texts = [c for c in columns if schema[c] == pl.String] if not date_format else []
    numbers = [c for c in columns if schema[c].is_numeric()]
    if not texts and not numbers:
        return {}
    try:
        orders = slash_orders(raw.frame, texts)
        biggest = raw.frame.select(pl.col(numbers).max()).collect() if numbers else None
    except pl.exceptions.PolarsError as exc:
        raise DataError(f"{raw.path}: cannot read: {str(exc).splitlines()[0]}") from None
    if orders:
        raw.detected["date_order"] = orders
    readings = {c: DateReading(order=o) for c, o in orders.items()}
    for column in numbers:
        readings[column] = DateReading(unit=epoch_unit(biggest.get_column(column)))
    return readings


def to_local_datetime(column: str, dtype: pl.DataType, timezone: str, date_format: str | None,
                      markers: list[str], reading: DateReading | None = None,
                      ) -> tuple[pl.Expr, pl.Expr]:
    """(parsed, present): parsed naive wall time in `timezone`, and whether a value was given.

    Zone-aware timestamps (Parquet) are converted to the config's zone; naive ones are
    taken as already in it; Unix epochs (instants) are converted to it. `reading` comes
    from date_readings.
    """
    reading = reading or DateReading()
    col = pl.col(column)
    if isinstance(dtype, pl.Datetime):
        parsed = col.dt.convert_time_zone(timezone).dt.replace_time_zone(None) \
            if dtype.time_zone else col
        return parsed.cast(pl.Datetime("us")), col.is_not_null()
    if dtype == pl.Date:
        return col.cast(pl.Datetime("us")), col.is_not_null()
    if dtype.is_numeric():
        return epoch_to_local(col, reading.unit, timezone), col.is_not_null()
    text = clean_text(column, markers)
    return parse_datetime(text, date_format, reading.order, timezone), text.is_not_null()


def parse_amount(column: str, dtype: pl.DataType, markers: list[str]) -> pl.Expr:
    """Numbers from text such as `USD 485,000.00`, `1 250,50`, `£1,250.50`, `1.250,50`."""
    if dtype.is_numeric():
        return pl.col(column).cast(pl.Float64)
    return amount_from_text(clean_text(column, markers))


def amount_from_text(text: pl.Expr) -> pl.Expr:
    # The number itself, without currency codes, symbols, "руб." or "%".
    core = (text.str.extract(r"(\d[\d\s\u00a0\u202f',.]*)", 1)
            .str.replace_all(r"[\s\u00a0\u202f']", "").str.strip_chars_end(",."))
    has_comma, has_dot = core.str.contains(","), core.str.contains(r"\.")
    comma_last = core.str.contains(r",\d*$")
    number = (
        # Both marks: the last one is the decimal mark (1,250.50 and 1.250,50).
        pl.when(has_comma & has_dot & comma_last)
        .then(core.str.replace_all(r"\.", "").str.replace(",", "."))
        .when(has_comma & has_dot).then(core.str.replace_all(",", ""))
        # Commas only: several, or one before exactly three digits, group thousands (1,250);
        # otherwise the comma is the decimal mark (1250,50).
        .when(has_comma & ((core.str.count_matches(",") > 1)
                           | core.str.contains(r"^\d{1,3},\d{3}$")))
        .then(core.str.replace_all(",", ""))
        .when(has_comma).then(core.str.replace(",", "."))
        # Several dots group thousands (1.234.567).
        .when(core.str.count_matches(r"\.") > 1).then(core.str.replace_all(r"\.", ""))
        .otherwise(core)
    ).cast(pl.Float64, strict=False)
    negative = text.str.contains(r"^[^\d]*[-−]") | text.str.contains(r"^\s*\(.*\)\s*$")
    return pl.when(negative).then(-number).otherwise(number)
