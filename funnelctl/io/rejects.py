"""The rejects ledger as a CSV file: every row an audit could not use, and why."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from funnelctl.errors import DataError
from funnelctl.io.output import atomic_file
from funnelctl.io.readers import RawSource
from funnelctl.report import SourceQuality

# What every reader rejects (line, reason, offending value), and the ledger file's columns.
REJECTS_SCHEMA = {"line": pl.Int64, "reason": pl.String, "value": pl.String}
COLUMNS = {"source": pl.String, **REJECTS_SCHEMA}


def source_quality(raw: RawSource, rows_read: int, rejects: pl.DataFrame,
                   rows_rejected: int | None = None, detected: dict | None = None,
                   notes: list[str] | None = None) -> SourceQuality:
    """The data-quality entry of a source: rows read, rejected, and why."""
    reasons = rejects.group_by("reason").len().sort(["len", "reason"], descending=[True, False])
    return SourceQuality(
        name=raw.name, path=str(raw.path), rows_read=rows_read,
        rows_rejected=rejects.height if rows_rejected is None else rows_rejected,
        reasons=dict(reasons.iter_rows()),
        detected=detected if detected is not None else raw.detected,
        notes=[*raw.notes, *(notes or [])],
    )


def no_usable_rows(path: Path, rejects: pl.DataFrame, date_format: str | None = None,
                   rows: int | None = None) -> DataError:
    """Every row rejected: one message for every source kind, naming the main reason and
    an example line (almost always a wrong date_format, separator or column map)."""
    counts = rejects.group_by("reason").len().sort(["len", "reason"], descending=[True, False])
    reason, count = counts.row(0)
    example = rejects.filter(pl.col("reason") == reason).sort("line").row(0, named=True)
    value = f": {example['value']!r}" if example["value"] is not None else ""
    hint = (f" (date_format is '{date_format}')"
            if date_format and reason.startswith("unparseable") else "")
    others = ""
    if counts.height > 1:
        others = " (" + ", ".join(f"{r}: {n}" for r, n in counts.iter_rows()) + ")"
    total = rows if rows is not None else rejects.height
    return DataError(f"{path}: no usable rows: all {total} were rejected, {count} for "
                     f"{reason}{others}; e.g. line {example['line']}{value}{hint}. "
                     "`funnelctl inspect` shows how the file reads")


def problem_summary(problems: pl.DataFrame) -> dict[str, dict]:
    """reason -> {rows, line, value of the first example} for rows kept with a bad value."""
    out = {}
    for reason in problems["reason"].unique(maintain_order=True).to_list():
        rows = problems.filter(pl.col("reason") == reason).sort("line")
        first = rows.row(0, named=True)
        out[reason] = {"rows": rows.height, "line": first["line"], "value": first["value"]}
    return out


def ledger(source: str, rejects: pl.DataFrame) -> pl.DataFrame:
    """A source's rejects (line, reason, value) with the source's name in front."""
    return rejects.select(source=pl.lit(source), line="line", reason="reason", value="value") \
        .cast(COLUMNS)


# A cell a spreadsheet would run as a formula (OWASP, CSV injection): = + - @ tab CR.
_FORMULA_START = r"^[=+\-@\t\r]"
# Plain negative numbers (-5, -12.50, -3,5) are shown as numbers by every spreadsheet and
# run nothing, so they stay readable; anything else after a minus is prefixed.
_NEGATIVE_NUMBER = r"^-\d+(?:[.,]\d+)?$"


def csv_safe(table: pl.DataFrame) -> pl.DataFrame:
    """Text cells that would start a formula get a leading single quote (OWASP)."""
    text = [name for name, dtype in table.schema.items() if dtype == pl.String]
    risky = {name: pl.col(name).str.contains(_FORMULA_START)
             & ~pl.col(name).str.contains(_NEGATIVE_NUMBER) for name in text}
    return table.with_columns(
        pl.when(risky[name].fill_null(False)).then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name)).alias(name) for name in text)


def write_rejects(path: Path, frames: list[pl.DataFrame]) -> int:
    """Write the ledger sorted by source and line; returns the number of rows written.

    Written like a report (io/output.py): a failure or a signal mid-write leaves no
    partial ledger, and a device, FIFO or folder at `path` is refused, never replaced.
    """
    table = pl.concat(frames) if frames else pl.DataFrame(schema=COLUMNS)
    table = csv_safe(table.sort(["source", "line"]))
    with atomic_file(path, "rejects file") as tmp:
        table.write_csv(tmp, quote_style="non_numeric")  # every text cell quoted (OWASP)
    return table.height
