"""The two small CSV files a funnel may name: `snooze:` (deal_id, until, note) and `plan:`
(month, manager, amount). They are hand-kept lists, so a row that cannot be read is an
error naming the file and the line (exit code 2), never a row quietly skipped."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from funnelctl.config.forecast import PlanTarget, month_range
from funnelctl.errors import DataError, excerpt, excerpt_list
from funnelctl.io.files import os_problem, stat_input
from funnelctl.io.values import amount_from_text

MAX_BYTES = 16 * 1024 * 1024  # a hand-kept list; anything bigger is the wrong file
SNOOZE_COLUMNS = {"deal_id": ("deal_id", "id", "deal"), "until": ("until", "snooze_until"),
                  "note": ("note", "comment", "reason")}
PLAN_COLUMNS = {"month": ("month",), "manager": ("manager",), "amount": ("amount", "plan")}


@dataclass
class SnoozeEntry:
    deal_id: str
    until: dt.date
    note: str
    line: int


def _rows(path: Path, what: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(line, cells)]) of a small UTF-8 CSV (comma or semicolon)."""
    info = stat_input(path, what)
    if info.st_size > MAX_BYTES:
        raise DataError(f"{path}: the {what} is {info.st_size:,} bytes; at most "
                        f"{MAX_BYTES:,} expected")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise DataError(f"{path}: cannot read the {what}: {os_problem(exc)}") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: the {what} is not UTF-8 text (byte {exc.start})") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        rows = [(reader.line_num, cells) for cells in reader if any(c.strip() for c in cells)]
    except csv.Error as exc:
        raise DataError(f"{path}:{reader.line_num}: the {what} is not valid CSV: {exc}") from None
    if not header:
        raise DataError(f"{path}: the {what} is empty (expected a header line)")
    return [h.strip().lower() for h in header], rows


def _positions(path: Path, header: list[str], columns: dict[str, tuple[str, ...]],
               required: tuple[str, ...], what: str) -> dict[str, int]:
    found = {}
    for name, aliases in columns.items():
        for alias in aliases:
            if alias in header:
                found[name] = header.index(alias)
                break
    missing = [c for c in required if c not in found]
    if missing:
        raise DataError(f"{path}:1: the {what} has no column {', '.join(missing)} (expected "
                        f"{', '.join(columns)}; found {excerpt_list(header)})")
    return found


def _cell(cells: list[str], at: int | None) -> str:
    return cells[at].strip() if at is not None and at < len(cells) else ""


def parse_day(text: str) -> dt.date | None:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})\.(\d{1,2})\.(\d{4})",
                         text.strip())
    if not match:
        return None
    y, m, d = match.group(1, 2, 3) if match[1] else match.group(6, 5, 4)
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


def read_snooze(path: Path) -> list[SnoozeEntry]:
    """Every row of a snooze file; a missing id or an unreadable date is an error with
    its line. A deal listed twice keeps its latest `until`."""
    header, rows = _rows(path, "snooze file")
    at = _positions(path, header, SNOOZE_COLUMNS, ("deal_id", "until"), "snooze file")
    out = []
    for line, cells in rows:
        deal_id, until = _cell(cells, at["deal_id"]), _cell(cells, at["until"])
        if not deal_id:
            raise DataError(f"{path}:{line}: no deal id (column deal_id)")
        day = parse_day(until)
        if day is None:
            raise DataError(f"{path}:{line}: until '{excerpt(until)}' is not a date "
                            "(expected YYYY-MM-DD or DD.MM.YYYY)")
        out.append(SnoozeEntry(deal_id, day, _cell(cells, at.get("note")), line))
    return out


def read_plan(path: Path) -> list[PlanTarget]:
    """Targets from a plan CSV: month (YYYY-MM), manager (empty: the team), amount."""
    header, rows = _rows(path, "plan file")
    at = _positions(path, header, PLAN_COLUMNS, ("month", "amount"), "plan file")
    out = []
    seen: dict[tuple[str, str], int] = {}
    amounts = [_cell(cells, at["amount"]) for _, cells in rows]
    for (line, cells), amount, value in zip(rows, amounts, _numbers(amounts)):
        month, manager = _cell(cells, at["month"]), _cell(cells, at.get("manager"))
        try:
            month_range(month)
        except ValueError as exc:
            raise DataError(f"{path}:{line}: {excerpt(str(exc))}") from None
        if value is None or value <= 0:
            raise DataError(f"{path}:{line}: amount '{excerpt(amount)}' is not a number above "
                            "0 (e.g. 1500000 or 1 500 000,50)")
        key = (month, manager.casefold())
        if key in seen:
            raise DataError(f"{path}:{line}: {month} / {excerpt(manager) or 'team'} is "
                            f"already planned on line {seen[key]}")
        seen[key] = line
        out.append(PlanTarget(month=month, manager=manager or None, amount=value))
    if not out:
        raise DataError(f"{path}: the plan file has a header but no targets")
    return out


def _numbers(texts: list[str]) -> list[float | None]:
    """The amounts with the deals reader's rules for the decimal mark (io.values), so
    `1,250` in a plan is 1250 as it is in an export, never 1.25; None where a text is not
    one amount (io.values.AMOUNT_SHAPE: "1,5 млн" is no amount, not 1.5). One query for
    the whole file: a query per line compiles its regular expressions again each time
    (~10 ms a line), and none when every amount is plain digits (most plans: compiling
    the rules' expressions costs ~8 ms, a tenth of what a plan adds to an audit)."""
    if all(text.isascii() and text.isdigit() for text in texts):
        return [float(text) for text in texts]
    values = pl.select(amount_from_text(pl.Series(texts, dtype=pl.String))).to_series()
    return [value if value is not None and math.isfinite(value) else None
            for value in values]
