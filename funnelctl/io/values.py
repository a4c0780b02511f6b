"""Polars expressions that turn exported text into typed values (dates, amounts, nulls)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import polars as pl

from funnelctl.io.date_formats import (
    EPOCH_TEXT,
    SAMPLE_VALUES,
    ZONE_SPLIT,
    ZONE_WORDS,
    DateReading,
    day_month_orders,
    known_formats,
    reading_from_sample,
)
from funnelctl.io.edges import EDGES
from funnelctl.io.iso4217 import CODES
from funnelctl.io.readers import read_error

if TYPE_CHECKING:
    from funnelctl.io.readers import RawSource

# What CRMs write where a value is absent (amoCRM: "не закрыта" in the close date,
# Salesforce: "-" for an empty amount).
DEFAULT_NULL_MARKERS = ("", "-", "—", "не закрыта", "не указано", "n/a", "null", "none", "nan")

EARLIEST = dt.date(1990, 1, 1)


@dataclass(frozen=True)
class Plausible:
    """The dates a CRM or an event log can really hold: from 1990-01-01 to one year after
    the as-of date. Outside it a date is a typo or a placeholder (0001-01-01, an epoch of
    0), and is rejected with that reason rather than computed with."""

    start: dt.datetime  # naive, inclusive
    end: dt.datetime  # naive, exclusive: the day after as-of + 1 year

    def outside(self, parsed: pl.Expr) -> pl.Expr:
        """True for naive local times outside the range."""
        return (parsed < self.start) | (parsed >= self.end)

    def outside_utc(self, instant: pl.Expr) -> pl.Expr:
        """The same for UTC instants (events): a few hours either way do not matter."""
        start, end = (d.replace(tzinfo=dt.timezone.utc) for d in (self.start, self.end))
        return (instant < start) | (instant >= end)


def plausible(as_of: dt.date | None, timezone: str) -> Plausible:
    """Plausible dates for an audit as of `as_of` (default: today in `timezone`)."""
    as_of = as_of or dt.datetime.now(ZoneInfo(timezone)).date()
    try:
        later = as_of.replace(year=as_of.year + 1)
    except ValueError:  # February 29
        later = as_of.replace(year=as_of.year + 1, day=28)
    return Plausible(dt.datetime.combine(EARLIEST, dt.time()),
                     dt.datetime.combine(later + dt.timedelta(days=1), dt.time()))


def out_of_range(column: str) -> str:
    """The rejects reason of a date outside the plausible range."""
    return f"{column} out of range"


def null_markers(values: list[str] | None) -> list[str]:
    return [v.strip().lower() for v in (values if values is not None else DEFAULT_NULL_MARKERS)]


def clean_text(column: str, markers: list[str]) -> pl.Expr:
    """Trimmed text (of EDGES: spaces and zero-width characters), with null markers
    turned into real nulls."""
    text = pl.col(column).cast(pl.String).str.strip_chars(EDGES)
    return pl.when(text.str.to_lowercase().is_in(markers)).then(None).otherwise(text)


def configured_formats(date_format: str | list[str] | None) -> tuple[str, ...]:
    """`date_format:` of a source: one format or a list, tried in order."""
    if date_format is None:
        return ()
    return (date_format,) if isinstance(date_format, str) else tuple(date_format)


def configured_reading(date_format: str | list[str] | None) -> DateReading | None:
    """A configured date_format is used exactly: no other format, zone word or epoch."""
    formats = configured_formats(date_format)
    return DateReading(formats=formats, epochs=False) if formats else None


def text_times(text: pl.Expr, reading: DateReading) -> tuple[pl.Expr, pl.Expr | None]:
    """(wall, utc) from date text: the naive wall-clock time of values written without a
    zone, and the naive UTC time of those that name their instant (an offset, a zone word,
    a Unix epoch); each null where the value is of the other kind or does not parse."""
    local_text, offset = text, None
    if reading.zones:
        parts = text.str.extract_groups(ZONE_SPLIT)
        local_text = pl.coalesce(parts.struct.field("local"), text)
        offset = zone_minutes(parts.struct.field("zone"))
    naive, aware = [], []
    for fmt in reading.formats or known_formats():
        parsed = local_text.str.strptime(pl.Datetime("us"), fmt, strict=False)
        if "%y" in fmt:
            parsed = parsed.map_batches(_pivot_69, return_dtype=pl.Datetime("us"),
                                        is_elementwise=True)
        if any(code in fmt for code in ("%z", "%#z", "%:z")):
            aware.append(parsed.dt.convert_time_zone("UTC").dt.replace_time_zone(None))
        else:
            naive.append(parsed)
    wall = pl.coalesce(naive) if naive else pl.lit(None, pl.Datetime("us"))
    if offset is not None:
        aware.append(pl.when(offset.is_not_null()).then(wall - pl.duration(minutes=offset)))
        wall = pl.when(offset.is_null()).then(wall)
    if reading.epochs:
        aware.append(epoch_text(text))
    return wall, (pl.coalesce(aware) if aware else None)


def _pivot_69(parsed: pl.Series) -> pl.Series:
    """chrono reads the two-digit year 69 as 2069, strptime's %y as 1969: 36,525 days
    earlier (100 years with 25 leap days). On a batch, so the parse runs once."""
    wrong = parsed.dt.year() == 2069
    if not wrong.any():
        return parsed
    return pl.select(pl.when(wrong).then(parsed - dt.timedelta(days=36525))
                     .otherwise(parsed)).to_series()


def zone_minutes(zone: pl.Expr) -> pl.Expr:
    """Minutes east of UTC of `Z`, `UTC`, `GMT`, `MSK`, `+03:00`, `+0300`, `-05`."""
    word = zone.str.to_uppercase().replace_strict(ZONE_WORDS, default=None,
                                                  return_dtype=pl.Int32)
    digits = zone.str.replace(":", "", literal=True)
    hours = digits.str.slice(1, 2).cast(pl.Int32, strict=False)
    minutes = digits.str.slice(3, 2).cast(pl.Int32, strict=False).fill_null(0)
    sign = pl.when(digits.str.starts_with("-")).then(-1).otherwise(1)
    return pl.coalesce(word, sign * (hours * 60 + minutes))


def epoch_text(text: pl.Expr) -> pl.Expr:
    """Naive UTC from Unix epochs written as digits; the digit count gives the unit."""
    digits = pl.when(text.str.contains(EPOCH_TEXT)).then(text)
    width = digits.str.len_bytes()
    number = digits.cast(pl.Int64, strict=False)
    micros = (pl.when(width <= 10).then(number * 1_000_000)
              .when(width <= 13).then(number * 1000)
              .when(width <= 16).then(number)
              .otherwise(number // 1000))
    return pl.from_epoch(micros, "us")


def parse_datetime(text: pl.Expr, reading: DateReading | None = None,
                   timezone: str = "UTC") -> pl.Expr:
    """Naive local datetimes (wall time in `timezone`) from text; null where it does not
    parse. Values with an offset, a zone word or as epochs are moved to `timezone`."""
    wall, utc = text_times(text, reading or DateReading())
    if utc is None:
        return wall
    return pl.coalesce(wall, utc_to_local(utc, timezone))


def utc_to_local(utc: pl.Expr, timezone: str) -> pl.Expr:
    return utc.dt.replace_time_zone("UTC").dt.convert_time_zone(timezone) \
        .dt.replace_time_zone(None)


def local_to_utc(expr: pl.Expr, timezone: str) -> pl.Expr:
    """Naive wall time in `timezone` -> Datetime(us, UTC). Free when the zone is UTC."""
    if timezone == "UTC":
        return expr.dt.replace_time_zone("UTC")
    # A wall time repeated by a DST change is taken at its first occurrence; one that
    # does not exist (skipped by the change) is null and rejected as unparseable.
    localised = expr.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
    return localised.dt.convert_time_zone("UTC")


def epoch_to_local(number: pl.Expr, unit: str, timezone: str) -> pl.Expr:
    """Unix epoch numbers -> naive wall time in `timezone` (from_epoch gives naive UTC)."""
    return utc_to_local(pl.from_epoch(number.cast(pl.Int64), unit).cast(pl.Datetime("us")),
                        timezone)


def epoch_unit(sample: pl.Series | None) -> str:
    """The unit of integer epochs, from their size: seconds until about the year 5000,
    then milliseconds, microseconds and nanoseconds."""
    biggest = sample.max() if sample is not None and sample.len() else 0
    biggest = biggest or 0
    for limit, unit in ((10**11, "s"), (10**14, "ms"), (10**17, "us")):
        if biggest < limit:
            return unit
    return "ns"


def date_readings(raw: RawSource, date_format: str | list[str] | None,
                  columns: list[str]) -> dict[str, DateReading]:
    """How to read each of a file's date columns, decided from the data.

    Text columns get the formats a sample of them uses (day- or month-first decided over
    the whole column, recorded as `date_order`), unless date_format fixes them; integer
    columns get their epoch unit (seconds, ms, us or ns).
    """
    schema = raw.frame.collect_schema()
    columns = list(dict.fromkeys(columns))
    texts = [c for c in columns if schema[c] == pl.String]
    numbers = [c for c in columns if schema[c].is_numeric()]
    configured = configured_reading(date_format)
    readings = dict.fromkeys(texts, configured) if configured else {}
    try:
        if texts and not configured:
            orders = day_month_orders(raw.frame, texts)
            if orders:
                raw.detected["date_order"] = orders
            samples = _samples(raw, texts)
            readings = {c: reading_from_sample(samples[c], orders.get(c)) for c in texts}
        biggest = raw.frame.select(pl.col(numbers).max()).collect() if numbers else None
    except pl.exceptions.PolarsError as exc:
        raise read_error(raw, exc) from None
    for column in numbers:
        readings[column] = DateReading(unit=epoch_unit(biggest.get_column(column)))
    return readings


def merge_readings(readings: list[DateReading]) -> DateReading | None:
    """One reading for several columns read as one (HubSpot's "Date entered" columns):
    every format any of them uses, and the largest epoch unit."""
    if not readings:
        return None
    formats = tuple(dict.fromkeys(f for r in readings for f in r.formats))
    units = ("s", "ms", "us", "ns")
    return DateReading(unit=max((r.unit for r in readings), key=units.index), formats=formats,
                       zones=any(r.zones for r in readings),
                       epochs=any(r.epochs for r in readings))


def _samples(raw: RawSource, columns: list[str]) -> dict[str, pl.Series]:
    """Up to SAMPLE_VALUES non-empty values per column, from the first rows (one read for
    all columns), or, for a column empty there, from wherever its values are."""
    markers = null_markers(None)
    head = raw.frame.head(SAMPLE_VALUES).select(clean_text(c, markers).alias(c) for c in columns)
    samples = {c: s.drop_nulls() for c, s in zip(columns, head.collect().get_columns())}
    for column in [c for c, values in samples.items() if values.len() == 0]:
        samples[column] = raw.frame.select(clean_text(column, markers)).drop_nulls() \
            .head(SAMPLE_VALUES).collect().to_series()
    return samples


def to_local_datetime(column: str, dtype: pl.DataType, timezone: str,
                      date_format: str | list[str] | None, markers: list[str],
                      reading: DateReading | None = None) -> tuple[pl.Expr, pl.Expr]:
    """(parsed, present): parsed naive wall time in `timezone` (microseconds kept), and
    whether a value was given.

    Zone-aware timestamps (Parquet) are converted to the config's zone; naive ones are
    taken as already in it; Unix epochs (instants) are converted to it. `reading` comes
    from date_readings.
    """
    reading = reading or configured_reading(date_format) or DateReading()
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
    return parse_datetime(text, reading, timezone), text.is_not_null()


def parse_amount(column: str, dtype: pl.DataType, markers: list[str]) -> pl.Expr:
    """Numbers from text such as `USD 485,000.00`, `1 250,50`, `£1,250.50`, `1.250,50`."""
    if dtype.is_numeric():
        return pl.col(column).cast(pl.Float64)
    return amount_from_text(clean_text(column, markers))


# One amount, at most with a currency (an ISO 4217 code in any case, a symbol, руб. or р.)
# and a minus sign or accounting parentheses around it: `USD 485,000.00`, `-1 250,50 ₽`,
# `(1,250.00)`, `1500 руб.`, `1500 rub`. Any other text ("1,5 млн", "1.5 MLN", "3 TYS",
# "about 5000", "Q3 2024", a formula) is not an amount: its first number would be a
# plausible wrong one, and a word that is no currency code a currency of its own.
# The shape takes three Latin letters; known_code then wants them an ISO 4217 code (a set
# look-up: the 178 codes spelled out in the pattern made a regular expression per row far
# slower in a quick try on a million amounts).
_CURRENCY = r"(?:[A-Za-z]{3}|US\$|[₽$€£¥₸₴]|руб\.?|р\.)"
AMOUNT_SHAPE = (rf"^\s*[-−]?\(?\s*{_CURRENCY}?\s*[-−]?\d[\d\s\u00a0\u202f',.]*"
                rf"\s*{_CURRENCY}?\s*\)?$")
# The currency of a text of AMOUNT_SHAPE: its first code, symbol or руб./р. (the same
# words as the shape's; `US$` is read as USD, as its `$` alone was).
CURRENCY_WORD = rf"({_CURRENCY})"
_CODES = sorted(CODES)


def known_code(text: pl.Expr) -> pl.Expr:
    """False for text with three Latin letters that are no ISO 4217 code (`3 TYS`), or with
    two such words (`USD 100 MLN`); true for any other."""
    letters = text.str.extract(r"([A-Za-z]{3})", 1)
    return letters.is_null() | (letters.str.to_uppercase().is_in(_CODES)
                                & (text.str.count_matches(r"[A-Za-z]{3}") == 1))


def amount_from_text(text: pl.Expr) -> pl.Expr:
    """The number of an amount's text (AMOUNT_SHAPE), null for text that is not one."""
    # The number itself, without the currency code, symbol or "руб.".
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
    # (the expression keeps the text's name: then(None) first would name it "literal")
    return pl.when(text.str.contains(AMOUNT_SHAPE) & known_code(text)).then(
        pl.when(negative).then(-number).otherwise(number))


def on_distinct(text: pl.Expr, transform: Callable[[pl.Expr], pl.Expr]) -> pl.Expr:
    """`transform(text)`, computed on the distinct values of `text` and mapped back onto
    every row: the same result, but the string work is done once per distinct value (a
    CRM column such as stage, status or manager has a handful over millions of rows).

    `transform` must map a null to a null and work value by value (no aggregations).
    """
    values = text.unique(maintain_order=True)  # the same order in both uses below
    return text.replace_strict(values, transform(values), default=None)


def map_on_distinct(column: pl.Series, transform: Callable[[pl.Series], pl.Series]
                    ) -> pl.Series:
    """`transform(column)` worked out on the column's distinct values (eagerly, after a
    collect). When it changes none of them (most exports are trimmed already, and a status
    column often holds the canonical words), the column is kept as it is: no per-row pass
    and no copy of a million strings. `transform` works value by value, null to null."""
    values = column.unique()
    mapped = transform(values)
    unchanged = mapped.null_count() == values.null_count() and bool((mapped == values).all())
    return column if unchanged else column.replace_strict(values, mapped, default=None)


def trimmed(text: pl.Series) -> pl.Series:
    """Text without the spaces (EDGES) around it: how the readers clean a text column."""
    return text.str.strip_chars(EDGES)


def strip_on_distinct(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The text columns trimmed, on their distinct values (map_on_distinct)."""
    return frame.with_columns(map_on_distinct(frame[c], trimmed) for c in columns)


def as_enum(column: pl.Series, transform: Callable[[pl.Series], pl.Series]) -> pl.Expr:
    """The text column (passed through `transform` on its distinct values, as
    map_on_distinct) cast to an Enum of its values, sorted: a byte or two a row, not a
    16-byte string view (~45 MiB less at 3M rows), and lookups and group-bys work on the
    codes; it compares and sorts as the text. One pass for both: the distinct values are
    found once. An expression, which keeps the frame's chunks: a cast Series is one
    chunk, and the next step would copy every column of the frame to line them up (~300
    MiB at 3M deals)."""
    values = column.unique().drop_nulls()
    mapped = transform(values)
    enum = pl.Enum(mapped.drop_nulls().unique().sort())
    if bool((mapped == values).all()):
        return pl.col(column.name).cast(enum)
    return pl.col(column.name).replace_strict(values, mapped, default=None, return_dtype=enum)
