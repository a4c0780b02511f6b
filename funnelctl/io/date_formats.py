"""Which formats a column of date text is written in, decided from a sample of its values.

Parsing a 500k-row column once per known format costs about a second; a real column uses
one or two formats, so a sample picks the date part (dotted, dashed, slashed, ISO; two-
or four-digit years) and the column is parsed with that part's time variants only. A
column that mixes dates with and without a time is read, since every time variant of a
date part is tried.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

DAY_FIRST, MONTH_FIRST = "day-first", "month-first"
SAMPLE_VALUES = 2000

# %.f also accepts no fraction, so " %H:%M:%S%.f" reads 10:21:05 and 10:21:05.123456.
TIMES = ("", " %H:%M", " %H:%M:%S%.f")
AMPM_TIMES = (" %I:%M %p", " %I:%M:%S %p")
ISO = ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
       "%Y-%m-%d")
# ISO with the offset or Z written right after the time: chrono reads these itself.
ISO_OFFSET = ("%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M%#z")

# A date written day.month.year, day-month-year or with slashes; the year has 2 or 4 digits.
DATE_PART = r"^\s*(\d{1,2})([./-])(\d{1,2})[./-](\d{4}|\d{2})(?:\D|$)"
# A zone after the time: a word (UTC, GMT, MSK, Z) or an offset (+03:00, +0300, +03).
ZONE_SPLIT = (r"^(?P<local>.*\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:\s*[AaPp][Mm])?)\s*"
              r"(?P<zone>[Zz]|UTC|GMT|MSK|[+-]\d\d(?::?\d\d)?)$")
ISO_WITH_OFFSET = r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d(?::?\d\d)?)$"
# Minutes east of UTC of the zone words (Moscow has had no DST since 2014).
ZONE_WORDS = {"Z": 0, "UTC": 0, "GMT": 0, "MSK": 180}
# Unix epochs written as text: 9-10 digits are seconds, 12-13 ms, 15-16 µs, 18-19 ns.
EPOCH_TEXT = r"^\d{9,10}$|^\d{12,13}$|^\d{15,16}$|^\d{18,19}$"


@dataclass(frozen=True)
class DateReading:
    """How one date column is read.

    unit: of its numbers when it stores Unix epochs as integers; formats: the strptime
    formats tried in order (empty: every known one; day-first or month-first is in them);
    zones: some values end in a zone or an offset; epochs: some values
    are epochs written as text.
    """

    unit: str = "s"
    formats: tuple[str, ...] = field(default=())
    zones: bool = False
    epochs: bool = True


def date_part(separator: str, year_digits: int, order: str | None) -> str:
    """`%d.%m.%y`, `%m/%d/%Y`, ...: dotted dates are always day-first (Russian CRMs); an
    order not decided from the data is month-first for slashes, day-first for dashes."""
    year = "%y" if year_digits == 2 else "%Y"
    order = order or (MONTH_FIRST if separator == "/" else DAY_FIRST)
    first, second = ("%d", "%m") if separator == "." or order == DAY_FIRST else ("%m", "%d")
    return f"{first}{separator}{second}{separator}{year}"


def variants(part: str) -> list[str]:
    """A date part with every time it may carry (AM/PM only with slashes, as US exports)."""
    times = (*TIMES, *AMPM_TIMES) if "/" in part else TIMES
    return [f"{part}{t}" for t in times]


def known_formats(order: str | None = None) -> list[str]:
    """Every format funnelctl knows, for a column whose sample tells nothing."""
    parts = [date_part(sep, digits, order) for sep in "./-" for digits in (2, 4)]
    return [f for part in parts for f in variants(part)] + list(ISO)


def reading_from_sample(sample: pl.Series, order: str | None = None) -> DateReading:
    """The formats a column's values (a sample of non-empty text) are written in.

    Two-digit years come first: `%Y` would read `15.03.24` as the year 24.
    """
    text = sample.cast(pl.String).str.strip_chars().drop_nulls()
    if text.len() == 0:  # a column without values: nothing to parse, keep it cheap
        return DateReading(formats=ISO, epochs=False)
    zones = bool(text.str.contains(ZONE_SPLIT).any())
    iso_offset = zones and bool(text.str.contains(ISO_WITH_OFFSET).all())
    local = text.str.extract(ZONE_SPLIT, 1).fill_null(text) if zones else text
    parts = local.str.extract_groups(DATE_PART).struct.unnest().drop_nulls()
    found = sorted({(sep, len(year)) for sep, year in zip(parts["2"], parts["4"])},
                   key=lambda p: (p[1], "./-".index(p[0])))
    formats = [f for sep, digits in found for f in variants(date_part(sep, digits, order))]
    if local.str.contains(r"^\d{4}-\d\d-\d\d").any():
        formats += ISO_OFFSET if iso_offset else ISO
    epochs = bool(text.str.contains(EPOCH_TEXT).any())
    if not formats and not epochs:
        formats = known_formats(order)
    return DateReading(formats=tuple(formats), zones=zones and not iso_offset, epochs=epochs)


ORDER_PARTS = r"^\s*(\d{1,2})[/-](\d{1,2})[/-](?:\d{4}|\d{2})(?:\D|$)"
ORDER_SAMPLE_ROWS = 1000


def day_month_orders(frame: pl.LazyFrame, columns: list[str]) -> dict[str, str]:
    """Day-first or month-first per column of slashed or dashed dates.

    A first part above 12 means day-first, a second part above 12 month-first. A column
    that cannot tell (every part <= 12) follows the columns that can, since one export
    has one locale; with no evidence at all, slashed dates are month-first (Salesforce's
    US default) and dashed ones day-first (31-12-2024). Other columns are left out.
    """
    # A column's dates share one format: when the first rows have no such date, the
    # full pass over the file (a second CSV parse) is not needed at all.
    head = frame.head(ORDER_SAMPLE_ROWS).select(
        [pl.col(c).cast(pl.String).str.contains(ORDER_PARTS).any() for c in columns]
        + [pl.col(c).cast(pl.String).str.contains(r"^\s*\d{1,2}/").any().alias(f"{c}/")
           for c in columns]).collect()
    slashed = {c for c in columns if head[f"{c}/"][0]}
    columns = [c for c in columns if head[c][0]]
    if not columns:
        return {}
    exprs = [pl.col(col).cast(pl.String).str.extract(ORDER_PARTS, part)
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
    common = decided.pop() if len(decided) == 1 else None
    return {col: order or common or (MONTH_FIRST if col in slashed else DAY_FIRST)
            for col, order in found.items()}
