"""`funnelctl inspect FILE`: what funnelctl sees in an export before any config exists."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from funnelctl.config import CsvOptions, Source
from funnelctl.errors import DataError, visible
from funnelctl.io import presets
from funnelctl.io.date_formats import DateReading, day_month_orders, reading_from_sample
from funnelctl.io.readers import LINE, RawSource, open_source, read_error
from funnelctl.io.values import EDGES, amount_from_text, clean_text, null_markers, text_times

TYPE_SAMPLE = 5000  # rows used to infer column types; null counts use every row
PARSE_SHARE = 0.95  # share of non-empty sample values that must parse for a type to stick


@dataclass
class ColumnInfo:
    name: str
    type: str  # integer, number, datetime (<format>), text, empty
    nulls: int
    maps_to: str | None = None  # canonical column, via the preset


@dataclass
class InspectResult:
    path: str
    detected: dict[str, Any]
    notes: list[str]
    rows: int
    columns: list[ColumnInfo]
    preset: str | None
    preset_ranking: list[dict[str, Any]]
    mapping: dict[str, str]
    stage_column: str | None
    stage_values: list[tuple[str, int]] = field(default_factory=list)
    status_values: list[tuple[str, int]] = field(default_factory=list)
    pipeline_values: list[tuple[str, int]] = field(default_factory=list)
    stage_probability: dict[str, float] = field(default_factory=dict)  # median per stage

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def inspect_file(path: Path, encoding: str | None = None, separator: str | None = None,
                 preset: str | None = None) -> InspectResult:
    source = Source(path=path, kind="deals", csv=CsvOptions(encoding=encoding,
                                                            separator=separator))
    raw = open_source("file", source)
    if not raw.columns:
        raise DataError(f"{path}: no columns found (expected a header line)")
    name = preset or presets.pick(raw.columns)
    mapping = presets.match_columns(name, raw.columns) if name else {}
    counts = _counts(raw)
    types = _types(raw)
    # One header can serve two roles (HubSpot's Close Date: closed_at of a closed deal,
    # expected_close of an open one): name them all, as the config init writes does.
    roles: dict[str, list[str]] = {}
    for canonical, header in mapping.items():
        roles.setdefault(header, []).append(canonical)
    columns = [ColumnInfo(c, types[c], counts[c], ", ".join(roles[c]) if c in roles else None)
               for c in raw.columns]
    ranking = [{"preset": p, "known_headers": s, "missing": m}
               for p, s, m in presets.rank(raw.columns)]
    result = InspectResult(str(path), raw.detected, raw.notes, counts[LINE], columns, name,
                           ranking, mapping, mapping.get("stage"))
    if "stage" in mapping:
        result.stage_values = value_counts(raw, mapping["stage"])
    if "status" in mapping:
        result.status_values = value_counts(raw, mapping["status"])
    if "pipeline" in mapping:
        result.pipeline_values = value_counts(raw, mapping["pipeline"])
    if "stage" in mapping and "probability" in mapping:
        result.stage_probability = _median_by_stage(raw, mapping["stage"], mapping["probability"])
    return result


def _median_by_stage(raw: RawSource, stage: str, value: str) -> dict[str, float]:
    table = (raw.frame.group_by(pl.col(stage).str.strip_chars(EDGES).alias("stage"))
             .agg(amount_from_text(pl.col(value).cast(pl.String)).median().alias("median"))
             .collect())
    return {s: m for s, m in table.iter_rows() if s is not None and m is not None}


def value_counts(raw: RawSource, column: str) -> list[tuple[str, int]]:
    """Distinct trimmed values with their counts, most frequent first (empty as '')."""
    text = pl.col(column).cast(pl.String).str.strip_chars(EDGES).fill_null("")
    table = (raw.frame.group_by(text.alias("value")).len()
             .sort(["len", "value"], descending=[True, False]).collect())
    return [(str(v), int(n)) for v, n in table.iter_rows()]


def _counts(raw: RawSource) -> dict[str, int]:
    markers = null_markers(None)
    exprs = [pl.len().alias(LINE)]
    exprs += [clean_text(c, markers).is_null().sum().alias(c) for c in raw.columns]
    try:
        return raw.frame.select(exprs).collect().row(0, named=True)
    except pl.exceptions.PolarsError as exc:
        raise read_error(raw, exc) from None


def _types(raw: RawSource) -> dict[str, str]:
    sample = raw.frame.head(TYPE_SAMPLE).collect()
    markers = null_markers(None)
    texts = [c for c in raw.columns if sample.schema[c] == pl.String]
    orders = day_month_orders(sample.lazy(), texts)
    return {c: _column_type(sample, c, markers, orders.get(c)) for c in raw.columns}


def _column_type(sample: pl.DataFrame, column: str, markers: list[str],
                 order: str | None) -> str:
    dtype = sample.schema[column]
    if dtype != pl.String:
        return str(dtype).lower()
    values = sample.select(clean_text(column, markers).alias("v")).drop_nulls()
    if values.height == 0:
        return "empty"
    v = pl.col("v")
    if values.select(v.str.contains(r"^-?\d+$").all()).item():
        return "integer"
    used = used_formats(values["v"], reading_from_sample(values["v"], order))
    if used:
        return f"datetime ({used})"
    # A number with a currency or a percent sign around it, and nothing else (AMOUNT_SHAPE
    # of io.values): `USD 485,000.00`, `£1,250.50`, `1 250,50 руб.`, `90%`. A deal name
    # with a digit in it is text.
    numbers = values.select(amount_from_text(v.str.strip_suffix("%")).is_not_null()
                            .mean()).item()
    plain = values.select(v.str.contains(r"^[\d\s.,\-]+$").mean()).item()
    if numbers >= PARSE_SHARE and plain >= PARSE_SHARE:
        return "number"
    return "amount as text" if numbers >= PARSE_SHARE else "text"


def used_formats(values: pl.Series, reading: DateReading) -> str | None:
    """The formats the readers use on these values, most used first, as they can be
    written in `date_format:` ("+ zone": a zone or an offset follows the time); None
    unless nearly every value parses."""
    frame = pl.DataFrame({"v": values})

    def share(formats: tuple[str, ...]) -> float:
        wall, utc = text_times(pl.col("v"), DateReading(formats=formats, zones=reading.zones,
                                                        epochs=False))
        parsed = wall if utc is None else pl.coalesce(wall, utc)
        return frame.select(parsed.is_not_null().mean()).item()

    if not reading.formats or share(reading.formats) < PARSE_SHARE:
        return None
    shares = {fmt: share((fmt,)) for fmt in reading.formats}
    used = sorted((f for f in shares if shares[f] > 0), key=lambda f: -shares[f])
    return " | ".join(used) + (" + zone" if reading.zones else "")


def render_text(result: InspectResult) -> str:
    det = result.detected
    lines = [f"file: {result.path}"]
    how = ", ".join(f"{k} {v!r}" for k, v in det.items() if k not in ("date_order",))
    lines.append(f"read as: {how}")
    lines.append(f"rows: {result.rows:,} (after the header)")
    lines += [f"note: {n}" for n in result.notes]
    if result.preset:
        lines.append(f"preset: {result.preset} ({presets.PRESETS[result.preset]['label']}); "
                     "use `preset: auto` or `preset: " + result.preset + "`")
    else:
        lines.append("preset: none matches (" + presets.describe_closest(
            [c.name for c in result.columns]) + ")")
    # Names and values escaped one by one (the CLI keeps the lines' own breaks): a line
    # break inside a value would otherwise start a line of its own, a fake count or column.
    names = [visible(c.name) for c in result.columns]
    width = max(len(name) for name in names)
    lines.append("")
    lines.append(f"{'column':<{width}}  {'type':<34} {'empty':>7}  maps to")
    for name, c in zip(names, result.columns):
        lines.append(f"{name:<{width}}  {c.type:<34} {c.nulls:>7}  {c.maps_to or ''}")
    for what, header, values in (
            ("stage values", result.stage_column, result.stage_values),
            ("status values", result.mapping.get("status"), result.status_values),
            ("pipelines", result.mapping.get("pipeline"), result.pipeline_values)):
        if values:
            lines += ["", f"{what} in '{visible(str(header))}' ({len(values)} distinct):"]
            lines += [f"  {n:>7}  {visible(v) if v else '(empty)'}" for v, n in values]
    return "\n".join(lines) + "\n"
