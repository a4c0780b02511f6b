"""HubSpot's `Date entered "<Stage> (<Pipeline>)"` columns in a deals export, as canonical
`entered:<stage>` timestamps: they say how far a lost deal got (metrics/funnel.py).

A cell that is empty means the deal never entered that stage; a cell that does not parse
is flagged in the data-quality section (the deal is kept, the date left out).
"""

from __future__ import annotations

import polars as pl

from funnelctl.config import Source
from funnelctl.io.history import WIDE_COLUMN, split_label
from funnelctl.io.readers import RawSource
from funnelctl.io.values import clean_text, date_readings, to_local_datetime

PREFIX = "entered:"
UNREADABLE = "entered_unreadable"  # a stage-date cell that does not parse: depth unsure


def stage_date_headers(columns: list[str]) -> dict[str, str]:
    """{stage name: its "Date entered" column} (the first column of a stage name wins);
    each is read as the canonical `entered:<stage>` (PREFIX)."""
    headers: dict[str, str] = {}
    for column in columns:
        if match := WIDE_COLUMN.match(column):
            headers.setdefault(split_label(match["label"])[0].strip(), column)
    return headers


def entered_columns(raw: RawSource, source: Source, timezone: str, markers: list[str]
                    ) -> tuple[dict[str, pl.Expr], list[tuple[str, str, str, str]]]:
    """({canonical name: expression}, kept-value specs (column, given, raw, reason)) for
    every stage-date column of the file; the first column of a stage name wins."""
    headers = stage_date_headers(raw.columns)
    if not headers:
        return {}, []
    schema = raw.frame.collect_schema()
    earlier = raw.detected.get("date_order")  # the deal's own date columns, kept
    orders = date_readings(raw, source.date_format, list(headers.values()))
    if earlier:
        raw.detected["date_order"] = {**earlier, **raw.detected.get("date_order", {})}
    columns, kept, unreadable = {}, [], []
    for i, (stage, header) in enumerate(headers.items()):
        parsed, given = to_local_datetime(header, schema[header], timezone, source.date_format,
                                          markers, orders.get(header))
        name = f"{PREFIX}{stage}"
        columns |= {name: parsed, f"_entered_given_{i}": given,
                    f"_entered_raw_{i}": clean_text(header, markers)}
        kept.append((name, f"_entered_given_{i}", f"_entered_raw_{i}",
                     f"unparseable Date entered '{stage}'"))
        unreadable.append(given & parsed.is_null())
    columns[UNREADABLE] = pl.any_horizontal(unreadable)
    return columns, kept
