"""The rejects ledger as a CSV file: every row an audit could not use, and why."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from funnelctl.errors import UsageError

COLUMNS = {"source": pl.String, "line": pl.Int64, "reason": pl.String, "value": pl.String}


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
