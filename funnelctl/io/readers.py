"""Open a CSV, Excel or Parquet file lazily, with a line number on every row."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from funnelctl.config import CsvOptions, Source
from funnelctl.errors import DataError, excerpt, excerpt_list
from funnelctl.io.files import (
    check_xlsx_inflation,
    is_folder,
    is_glob,
    parquet_files,
    stat_input,
)
from funnelctl.io.sniff import (
    FOOTER,
    SALESFORCE_FOOTER,
    CsvDialect,
    as_utf8,
    detect_container,
    footer_lines,
    sniff_csv,
)

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
    readable: Path | None = None  # CSV: the UTF-8 file Polars reads (the path or a copy)


def open_source(name: str, source: Source) -> RawSource:
    raw = open_file(name, source)
    if source.join is None:
        return raw
    from funnelctl.io.join import Side, join_file

    other = open_file(f"{name} (join)", source.model_copy(
        update={"path": source.join.path, "join": None, "csv": CsvOptions()}))
    raw.frame, raw.columns, note = join_file(Side(raw.path, raw.frame, raw.columns),
                                             Side(other.path, other.frame, other.columns),
                                             source.join)
    raw.notes.append(note)
    raw.detected["join"] = source.join.path.name
    return raw


def open_file(name: str, source: Source) -> RawSource:
    path = source.path
    if is_glob(path):
        files = parquet_files(path, name)
        if not files:
            raise DataError(f"{path}: no files match this pattern (source '{name}')")
        return _open_parquet(name, path, files)
    if is_folder(path):
        files = parquet_files(path, name)
        if not files:
            raise DataError(f"{path}: a folder without .parquet files (source '{name}'): "
                            "point path at a file, or at a folder of Parquet files")
        return _open_parquet(name, path, files)
    stat_input(path, "data file", f"source '{name}'")
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return _open_parquet(name, path, [path])
    container = detect_container(path)
    if container in ("xlsx", "xls"):
        return _open_excel(name, path, container)
    if container == "html":
        from funnelctl.io.html_table import html_table_to_csv  # Bitrix24's "Excel" only

        readable, encoding = html_table_to_csv(path, source.csv.encoding)
        dialect = sniff_csv(readable, "utf-8", ",")
        raw = _open_csv(name, path, readable, dialect)
        raw.detected |= {"format": "html-table", "encoding": encoding}
        raw.notes.append("an HTML table saved as a spreadsheet (Bitrix24 'Excel' export): "
                         "read as a table; line numbers count table rows")
        return raw
    dialect = sniff_csv(path, source.csv.encoding, source.csv.separator)
    readable, notes = as_utf8(path, dialect)
    raw = _open_csv(name, path, readable, dialect)
    raw.notes += notes
    return raw


def _open_parquet(name: str, path: Path, files: list[Path]) -> RawSource:
    """`files`: the file itself, or a folder's or glob's files listed by parquet_files
    (each once, no symlink loop), never a pattern Polars would expand again."""
    check_parquet_files(path, files)
    try:
        # Parquet has no lines: number rows from 1 so rejects still point somewhere
        # (in the scan itself: unused, the numbering costs nothing).
        frame = pl.scan_parquet(files, glob=False, row_index_name=LINE, row_index_offset=1)
        columns = [c for c in frame.collect_schema().names() if c != LINE]
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise DataError(f"{path}: cannot read as Parquet: {_first_line(exc)}") from None
    return RawSource(name, path, frame, columns, {"format": "parquet"})


def _open_excel(name: str, path: Path, container: str) -> RawSource:
    """The first sheet, every cell as text (dates come as ISO text), rows numbered as in Excel."""
    if container == "xlsx":
        check_xlsx_inflation(path)
    frame = _read_sheet(path, container)
    detected: dict[str, Any] = {"format": container, "sheet": "first"}
    notes = []
    header_row, titles = title_rows(frame)
    if header_row:
        # Read again, with the header where it is. fastexcel (0.21) fixes header_row and
        # skip_rows before it parses and parses the sheet anew on every load (no cache:
        # a 150k-row sheet took ~2 s a load, n_rows=20 as long), so the title rows are
        # found by a first read. Naming the first read's rows ourselves would read once
        # but copy fastexcel's naming of empty, repeated and non-text header cells
        # (__UNNAMED__n, name_1, a boolean cell unnamed), which could drift from it; and
        # the reports with title rows are small.
        frame = _read_sheet(path, container, header_row)
        detected["header_row"] = header_row + 1
        notes.append(f"{header_row} row(s) above the header skipped (a report's title): "
                     + "; ".join(f"'{excerpt(t)}'" for t in titles))
    notes += other_sheets(path)
    columns = list(frame.columns)
    lazy = frame.lazy().with_row_index(LINE, offset=header_row + 2)
    footer = sheet_footer(frame)
    if footer:
        lazy = lazy.head(frame.height - len(footer))
        detected["footer_lines_removed"] = sum(1 for line in footer if line)
        notes.append(footer_note(footer))
    return RawSource(name, path, lazy, columns, detected, notes)


SHEETS_NOTE = "only the first sheet of the workbook is read"


def other_sheets(path: Path) -> list[str]:
    """The note naming a workbook's other sheets, which are not read: a report whose
    deals are on its second sheet (a summary first) would else be judged by the summary,
    with no word of where the deals are. [] for a one-sheet workbook."""
    import fastexcel  # present: _read_sheet read the first sheet with it

    names = fastexcel.read_excel(path).sheet_names
    if len(names) < 2:
        return []
    return [f"{SHEETS_NOTE}, '{excerpt(names[0])}'; not read: "
            + ", ".join(f"'{excerpt(n)}'" for n in names[1:])
            + " (to audit another, save it as CSV or move it first)"]


def sheet_footer(frame: pl.DataFrame) -> list[str]:
    """The Salesforce report footer rows at the end of a sheet (their first cells): the
    last rows whose first cell is a footer line and whose other cells are empty, blank
    rows between and above them included (the report's layout, not blank data rows)."""
    found: list[str] = []
    for row in reversed(frame.tail(10).rows()):
        first = (row[0] or "").strip() if row else ""
        rest_empty = all(v is None or not str(v).strip() for v in row[1:])
        if not rest_empty or (first and not FOOTER.match(first)):
            break
        found.append(first)
    return found[::-1] if any(found) else []  # with the blank row above it, if any


def footer_note(footer: list[str]) -> str:
    lines = [line for line in footer if line]
    salesforce = all(re.fullmatch(SALESFORCE_FOOTER, line, re.IGNORECASE) for line in lines)
    return (f"{len(lines)} report footer line(s) removed "
            f"({'Salesforce' if salesforce else 'totals'}): "
            + "; ".join(f"'{line}'" for line in lines))


def _read_sheet(path: Path, container: str, header_row: int = 0) -> pl.DataFrame:
    """The first sheet, every cell as text, its header on the 0-based `header_row`."""
    try:
        return pl.read_excel(path, infer_schema_length=0, drop_empty_rows=False,
                             read_options={"header_row": header_row})
    except ImportError:
        raise DataError(f"{path}: reading Excel needs the 'fastexcel' package "
                        "(pip install fastexcel), or save the sheet as CSV") from None
    except Exception as exc:  # noqa: BLE001 - any reader failure is the file's
        raise DataError(f"{path}: cannot read as Excel ({container}): {_first_line(exc)}") from None


UNNAMED = "__UNNAMED__"  # how the Excel reader names a column with an empty header cell
TITLE_ROWS_MAX = 20


def title_rows(frame: pl.DataFrame) -> tuple[int, list[str]]:
    """(how many rows above the real header, their texts) of a sheet read with its first
    row as the header: a formatted report (Salesforce's "Formatted Report" export, 1C)
    puts its name, filters and a blank row there, each in the first cell only. (0, [])
    when the first row names at least two columns, or no row of the first
    TITLE_ROWS_MAX is filled in most of the sheet's columns."""
    named = [c for c in frame.columns if not c.startswith(UNNAMED)]
    if len(frame.columns) < 3 or len(named) > 1:
        return 0, []
    head = frame.head(TITLE_ROWS_MAX)
    filled = head.select(pl.sum_horizontal(pl.all().is_not_null() & (pl.all() != "")))
    need = max(2, int(0.8 * len(frame.columns)))
    header = next((i for i, n in enumerate(filled.to_series()) if (n or 0) >= need), None)
    if header is None:
        return 0, []
    first = head.to_series(0).head(header).drop_nulls().to_list()
    return header + 1, [*named, *first]


def _open_csv(name: str, path: Path, readable: Path, dialect: CsvDialect) -> RawSource:
    names, notes = unique_names(list(dialect.header))
    trailing = len(names) > 1 and dialect.header[-1] == ""
    frame = pl.scan_csv(
        readable,
        separator=dialect.separator,
        infer_schema=False,  # every column as text: parsing is ours, so bad rows can be rejected
        row_index_name=LINE,
        row_index_offset=2,
        truncate_ragged_lines=True,
        missing_columns="insert",
        with_column_names=lambda cols: _rename(cols, names),
    )
    try:
        columns = [c for c in frame.collect_schema().names() if c != LINE]
    except pl.exceptions.PolarsError as exc:
        raise csv_read_error(path, readable, exc) from None
    detected = {"format": "csv", "encoding": dialect.encoding, "separator": dialect.separator}
    if trailing:
        # Bitrix24 ends every line with the separator: a phantom empty column.
        frame = frame.drop(columns[-1])
        columns = columns[:-1]
        notes = [n for n in notes if "empty header" not in n]
        notes.append("every line ends with a separator (Bitrix24 style): empty last column ignored")
    if dialect.multiline:
        frame = _count_lines(frame, columns)
        notes.append("some fields hold line breaks: line numbers count them")
    footer = footer_lines(readable, dialect.separator)
    if footer and columns:
        frame = frame.filter(~_footer_rows(columns))
        detected["footer_lines_removed"] = len(footer)
        notes.append(footer_note(footer))
    return RawSource(name, path, frame, columns, detected, notes, readable=readable)


def _footer_rows(columns: list[str]) -> pl.Expr:
    """The footer rows as footer_lines finds them, lazily: a footer line in the first cell,
    the others empty, with nothing after it but such rows and blank lines (a data row that
    reads like a footer is data). The blank lines stay, rejected as the reader's own."""
    empty = [pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in columns]
    rest_empty = pl.all_horizontal(empty[1:]) if len(empty) > 1 else pl.lit(True)
    footer = pl.col(columns[0]).str.strip_chars().str.contains(FOOTER.pattern).fill_null(False) \
        & rest_empty
    data_after = (~(footer | pl.all_horizontal(empty))).cast(pl.UInt32).cum_sum(reverse=True)
    return footer & (data_after == 0)


def _count_lines(frame: pl.LazyFrame, columns: list[str]) -> pl.LazyFrame:
    """Row numbers -> file line numbers, adding the line breaks inside earlier rows' fields.

    Only done when the sample shows such fields: it reads every column, not just the mapped ones.
    """
    breaks = pl.sum_horizontal(pl.col(c).str.count_matches("\n", literal=True).fill_null(0)
                               for c in columns)
    before = breaks.cum_sum().shift(1, fill_value=0)
    return frame.with_columns((pl.col(LINE).cast(pl.Int64) + before).alias(LINE))


def unique_names(header: list[str]) -> tuple[list[str], list[str]]:
    """Headers made unique the way Salesforce does it ('Close Date (2)'), with a note each."""
    taken = set(header)
    seen: set[str] = set()
    names, notes = [], []
    for position, raw in enumerate(header, 1):
        name = raw if raw.strip() else f"column {position}"
        if name in seen:
            n = 2
            while f"{name} ({n})" in taken or f"{name} ({n})" in seen:
                n += 1
            new = f"{name} ({n})"
            notes.append(f"duplicate header '{name}' (column {position}) kept as '{new}'")
            name = new
        elif not raw.strip() and position < len(header):
            notes.append(f"empty header in column {position} named '{name}'")
        seen.add(name)
        names.append(name)
    return names, notes


def _rename(polars_names: list[str], names: list[str]) -> list[str]:
    # Polars parses the header itself; ours differs only in how duplicates are named.
    return names if len(names) == len(polars_names) else polars_names


def require_columns(raw: RawSource, mapping: dict[str, str], required: set[str]) -> None:
    """Fail with the columns found when a mapped column is missing from the file, and
    when a used Parquet column holds lists or records rather than single values."""
    nested = _nested_columns(raw)
    for canonical, header in mapping.items():
        if header in nested:
            raise DataError(f"{raw.path}: column '{header}' (for {canonical}) holds "
                            f"{nested[header]} values, not single values; map a column of "
                            "text, numbers or timestamps")
        if header in raw.columns:
            continue
        if canonical not in required and header == canonical:
            continue  # an optional canonical column that simply is not there
        close = difflib.get_close_matches(header, raw.columns, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise DataError(
            f"{raw.path}: column '{header}' (for {canonical}) not found{hint}\n"
            f"  columns found: {excerpt_list(raw.columns)}"
        )


def _nested_columns(raw: RawSource) -> dict[str, str]:
    if raw.detected.get("format") != "parquet":
        return {}
    return {name: str(dtype) for name, dtype in raw.frame.collect_schema().items()
            if dtype.is_nested()}


def check_parquet_files(path: Path, files: list[Path]) -> None:
    """Every file of a Parquet source readable and of one schema, or an error naming the
    file (and, for a mismatch, both files and the column). Reads footers only."""
    schemas = {str(file): _parquet_schema(str(file), path) for file in files}
    if len(schemas) < 2:
        return
    first, reference = next(iter(schemas.items()))
    for file, schema in schemas.items():
        for column in dict.fromkeys([*reference, *schema]):
            theirs, ours = reference.get(column), schema.get(column)
            if theirs == ours:
                continue
            if theirs is None or ours is None:
                has, lacks = (file, first) if theirs is None else (first, file)
                raise DataError(f"{path}: the files differ in their columns: {has} has a "
                                f"column '{column}' that {lacks} does not have")
            raise DataError(f"{path}: the files differ in column '{column}': {theirs} in "
                            f"{first}, {ours} in {file}")


def _parquet_schema(file: str, source: Path) -> dict[str, pl.DataType]:
    try:
        return pl.read_parquet_schema(file)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise DataError(f"{file}: cannot read as Parquet (source {source}): "
                        f"{excerpt(_first_line(exc), 120)}") from None


# Rows a Parquet read collects at a time (collect_in_slices): pyarrow's default row group,
# so a slice is read from one group at the usual layout.
SLICE_ROWS = 1 << 20


def collect_in_slices(raw: RawSource, query: pl.LazyFrame,
                      settle: Callable[[pl.DataFrame], pl.DataFrame]) -> pl.DataFrame:
    """`query` (row by row over `raw.frame`: no sorts, joins or aggregations) collected
    SLICE_ROWS rows at a time for a plain Parquet source, each slice passed through
    `settle` (which shrinks it: text into codes) before the next is read, so that only
    one slice is held as read; in one piece for the others (a CSV slice would be parsed
    from the file's start, a joined source joined again)."""
    rows = raw.frame.select(pl.len()).collect().item() \
        if raw.detected.get("format") == "parquet" and "join" not in raw.detected else 0
    if rows <= SLICE_ROWS:
        return settle(query.collect(engine="streaming"))
    # (each slice is settled as it comes: no name keeps the slice as read alive while
    # the next one is collected)
    return concat_slices([settle(query.slice(start, SLICE_ROWS).collect(engine="streaming"))
                          for start in range(0, rows, SLICE_ROWS)])


def concat_slices(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """Settled slices as one frame (their chunks kept). An Enum column whose values
    differ between slices is widened to all of them, sorted (as io.values.as_enum)."""
    widened = {}
    for name, dtype in parts[0].schema.items():
        if isinstance(dtype, pl.Enum) and any(p.schema[name] != dtype for p in parts[1:]):
            values = pl.concat([p.schema[name].categories for p in parts]).unique().sort()
            widened[name] = pl.Enum(values)
    if widened:
        parts = [p.with_columns(pl.col(c).cast(t) for c, t in widened.items()) for p in parts]
    return pl.concat(parts, rechunk=False)


def _unreadable_parquet(raw: RawSource) -> str | None:
    """The first file of a Parquet folder or glob whose data cannot be read (error path)."""
    if not (raw.path.is_dir() or is_glob(raw.path)):
        return None
    for file in parquet_files(raw.path, raw.name):
        try:
            pl.scan_parquet(file).collect()
        except (pl.exceptions.PolarsError, OSError):  # noqa: PERF203 - only after a failure
            return str(file)
    return None


def read_error(raw: RawSource, exc: BaseException) -> DataError:
    """The error for a source Polars could not read, naming the line (or the file of a
    folder) when it can."""
    if raw.readable is not None:
        return csv_read_error(raw.path, raw.readable, exc)
    if raw.detected.get("format") == "parquet" and (bad := _unreadable_parquet(raw)):
        return DataError(f"{bad}: cannot read as Parquet (source {raw.path}): "
                         f"{excerpt(_first_line(exc), 120)}")
    return DataError(f"{raw.path}: cannot read: {excerpt(_first_line(exc), 120)}")


def csv_read_error(path: Path, readable: Path, exc: BaseException) -> DataError:
    """A CSV Polars gave up on: find the line at fault (bytes that are not UTF-8, a quoted
    field that never closes) by reading the file once more; only on this error path."""
    if found := non_utf8_lines(readable):
        first, count = found
        return DataError(
            f"{path}: line {first} is not UTF-8 ({count} such line(s), the lines before it "
            "are): the file mixes encodings, e.g. a cp1251 tail after UTF-8 rows; export it "
            "in one encoding, or set csv: {encoding: cp1251} when it is all cp1251")
    if line := unclosed_quote(readable):
        return DataError(f"{path}: line {line}: a quoted field starts here and its closing "
                         "quote never comes (an unbalanced \"); fix the quote or remove it")
    return DataError(f"{path}: cannot read: {excerpt(_first_line(exc), 120)}")


def non_utf8_lines(path: Path) -> tuple[int, int] | None:
    """(first line, count) of the lines that are not UTF-8, or None."""
    first, count = 0, 0
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, 1):
            if not line.isascii():
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    first, count = first or number, count + 1
    return (first, count) if count else None


def unclosed_quote(path: Path) -> int | None:
    """The line where a quoted field opens and the file ends before it closes.

    A line with an odd number of quotes opens (or closes) a field that spans lines;
    doubled quotes inside a field are an even count, so they change nothing.
    """
    opened = None
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        for number, line in enumerate(fh, 1):
            if line.count('"') % 2:
                opened = None if opened else number
    return opened


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
