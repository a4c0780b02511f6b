"""Open a CSV or Parquet file lazily, with a line number on every row."""

from __future__ import annotations

import difflib
import glob
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from funnelctl.config import Source
from funnelctl.errors import DataError
from funnelctl.io.sniff import as_utf8, sniff_csv

LINE = "__line"  # 1-based line of the row in the user's file (header = line 1)
PARQUET_SUFFIXES = {".parquet", ".pq"}


@dataclass
class RawSource:
    """A source's rows as the file has them, not yet mapped to canonical columns."""

    name: str
    path: Path
    frame: pl.LazyFrame  # every file column, plus LINE
    columns: list[str]
    detected: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def open_source(name: str, source: Source) -> RawSource:
    path = source.path
    if is_glob(path):
        if not glob.glob(str(path), recursive=True):
            raise DataError(f"{path}: no files match this pattern (source '{name}')")
        return _open_parquet(name, path)
    if not path.exists():
        raise DataError(f"{path}: data file not found (source '{name}')")
    if path.is_dir() or path.suffix.lower() in PARQUET_SUFFIXES:
        return _open_parquet(name, path)
    return _open_csv(name, path, source)


def is_glob(path: Path) -> bool:
    """A pattern such as events/*.parquet (Parquet files only)."""
    return any(ch in str(path) for ch in "*?[")


def _open_parquet(name: str, path: Path) -> RawSource:
    target = str(path / "**/*.parquet") if path.is_dir() else str(path)
    try:
        # Parquet has no lines: number rows from 1 so rejects still point somewhere
        # (in the scan itself: unused, the numbering costs nothing).
        frame = pl.scan_parquet(target, row_index_name=LINE, row_index_offset=1)
        columns = [c for c in frame.collect_schema().names() if c != LINE]
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise DataError(f"{path}: cannot read as Parquet: {_first_line(exc)}") from None
    return RawSource(name, path, frame, columns, {"format": "parquet"})


def _open_csv(name: str, path: Path, source: Source) -> RawSource:
    dialect = sniff_csv(path, source.csv.encoding, source.csv.separator)
    readable = as_utf8(path, dialect)
    frame = pl.scan_csv(
        readable,
        separator=dialect.separator,
        infer_schema=False,  # every column as text: parsing is ours, so bad rows can be rejected
        row_index_name=LINE,
        row_index_offset=2,
        truncate_ragged_lines=True,
        missing_columns="insert",
    )
    try:
        columns = [c for c in frame.collect_schema().names() if c != LINE]
    except pl.exceptions.PolarsError as exc:
        raise DataError(f"{path}: cannot read as CSV: {_first_line(exc)}") from None
    detected = {"format": "csv", "encoding": dialect.encoding, "separator": dialect.separator}
    notes = _header_notes(columns)
    if columns and columns[-1] == "":
        # Bitrix24 ends every line with the separator: a phantom empty column.
        frame = frame.drop("")
        columns = columns[:-1]
        notes.append("every line ends with a separator (Bitrix24 style): empty last column ignored")
    return RawSource(name, path, frame, columns, detected, notes)


def _header_notes(columns: list[str]) -> list[str]:
    return [
        f"duplicate header '{c.split('_duplicated_')[0]}' kept as '{c}'"
        for c in columns
        if "_duplicated_" in c
    ]


def require_columns(raw: RawSource, mapping: dict[str, str], required: set[str]) -> None:
    """Fail with the columns found when a mapped column is missing from the file."""
    for canonical, header in mapping.items():
        if header in raw.columns:
            continue
        if canonical not in required and header == canonical:
            continue  # an optional canonical column that simply is not there
        close = difflib.get_close_matches(header, raw.columns, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise DataError(
            f"{raw.path}: column '{header}' (for {canonical}) not found{hint}\n"
            f"  columns found: {', '.join(raw.columns)}"
        )


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
