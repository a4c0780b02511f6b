"""Polars expressions that turn exported text into typed values (dates, amounts, nulls)."""

from __future__ import annotations

import polars as pl

# What CRMs write where a value is absent (amoCRM: "не закрыта" in the close date).
DEFAULT_NULL_MARKERS = ("", "-", "—", "не закрыта", "не указано", "n/a", "null", "none", "nan")

# Tried in order when no date_format is configured. Day-first before month-first:
# Russian CRMs write DD.MM.YYYY, and a dotted date is never M/D.
DATETIME_FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
)


def null_markers(values: list[str] | None) -> list[str]:
    return [v.strip().lower() for v in (values if values is not None else DEFAULT_NULL_MARKERS)]


def clean_text(column: str, markers: list[str]) -> pl.Expr:
    """Trimmed text, with null markers turned into real nulls."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    return pl.when(text.str.to_lowercase().is_in(markers)).then(None).otherwise(text)


def parse_datetime(text: pl.Expr, date_format: str | None) -> pl.Expr:
    """Naive local datetimes from text; null where the text does not parse."""
    formats = [date_format] if date_format else DATETIME_FORMATS
    attempts = [text.str.strptime(pl.Datetime("us"), fmt, strict=False) for fmt in formats]
    if not date_format:
        # Unix seconds, as API dumps write them.
        digits = text.str.contains(r"^\d{9,10}$")
        attempts.append(
            pl.when(digits).then(pl.from_epoch(text.cast(pl.Int64, strict=False), "s"))
            .cast(pl.Datetime("us"))
        )
    return pl.coalesce(attempts) if len(attempts) > 1 else attempts[0]


def to_local_datetime(column: str, dtype: pl.DataType, timezone: str,
                      date_format: str | None, markers: list[str]) -> tuple[pl.Expr, pl.Expr]:
    """(parsed, present): parsed naive wall time in `timezone`, and whether a value was given.

    Zone-aware timestamps (Parquet) are converted to the config's zone; naive ones are
    taken as already in it.
    """
    col = pl.col(column)
    if isinstance(dtype, pl.Datetime):
        parsed = col.dt.convert_time_zone(timezone).dt.replace_time_zone(None) \
            if dtype.time_zone else col
        return parsed.cast(pl.Datetime("us")), col.is_not_null()
    if dtype == pl.Date:
        return col.cast(pl.Datetime("us")), col.is_not_null()
    if dtype.is_integer():
        return pl.from_epoch(col, "s").cast(pl.Datetime("us")), col.is_not_null()
    text = clean_text(column, markers)
    return parse_datetime(text, date_format), text.is_not_null()


def parse_amount(column: str, dtype: pl.DataType, markers: list[str]) -> pl.Expr:
    """Numbers from text such as `USD 485,000.00`, `1 250,50`, `£1,250.50`."""
    if dtype.is_numeric():
        return pl.col(column).cast(pl.Float64)
    text = clean_text(column, markers).str.replace_all(r"[^\d,.\-]", "")
    both = text.str.contains(",") & text.str.contains(r"\.")
    normalised = (
        pl.when(both).then(text.str.replace_all(",", ""))
        .otherwise(text.str.replace_all(",", "."))
    )
    return normalised.cast(pl.Float64, strict=False)
