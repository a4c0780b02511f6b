"""The rejects ledger as a CSV file: every row an audit could not use, and why."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from funnelctl.errors import UsageError
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


def ledger(source: str, rejects: pl.DataFrame) -> pl.DataFrame:
    """A source's rejects (line, reason, value) with the source's name in front."""
    return rejects.select(source=pl.lit(source), line="line", reason="reason", value="value") \
        .cast(COLUMNS)


def write_rejects(path: Path, frames: list[pl.DataFrame]) -> int:
    """Write the ledger sorted by source and line; returns the number of rows written."""
    table = pl.concat(frames) if frames else pl.DataFrame(schema=COLUMNS)
    table = table.sort(["source", "line"])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        table.write_csv(path)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the rejects file: {exc.strerror or exc}") from None
    return table.height
