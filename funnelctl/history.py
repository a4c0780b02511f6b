"""The run-history store: each audit's key numbers in a local SQLite file.

One run per (config, period): a rerun of the same period replaces its rows in one
transaction, so two audits writing the same file at once leave one complete run each,
never a mix. Readers get plain records, ordered by when they were recorded.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from funnelctl.errors import DataError
from funnelctl.report import Report

# How long a writer waits for another one to finish its transaction.
BUSY_TIMEOUT_S = 30.0
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    config TEXT NOT NULL, period TEXT NOT NULL, period_start TEXT, period_end TEXT,
    as_of TEXT, recorded_at TEXT NOT NULL, verdict TEXT NOT NULL, tool_version TEXT,
    PRIMARY KEY (config, period));
CREATE TABLE IF NOT EXISTS funnels (
    config TEXT NOT NULL, period TEXT NOT NULL, funnel TEXT NOT NULL, kind TEXT,
    entities INTEGER NOT NULL, PRIMARY KEY (config, period, funnel));
CREATE TABLE IF NOT EXISTS stages (
    config TEXT NOT NULL, period TEXT NOT NULL, funnel TEXT NOT NULL,
    position INTEGER NOT NULL, stage TEXT NOT NULL, entered INTEGER NOT NULL,
    conversion REAL, value REAL, PRIMARY KEY (config, period, funnel, position));
CREATE TABLE IF NOT EXISTS managers (
    config TEXT NOT NULL, period TEXT NOT NULL, manager TEXT NOT NULL,
    good_days INTEGER NOT NULL, working_days INTEGER NOT NULL, good_share REAL,
    PRIMARY KEY (config, period, manager));
"""
TABLES = ("runs", "funnels", "stages", "managers")


@dataclass
class StageRecord:
    name: str
    entered: int
    conversion: float | None  # from the previous stage, as the report had it
    value: float | None = None


@dataclass
class FunnelRecord:
    kind: str | None
    entities: int
    stages: list[StageRecord] = field(default_factory=list)


@dataclass
class RunRecord:
    config: str
    period: str  # the key: all-data, a date, or START--END
    start: dt.date | None
    end: dt.date | None
    as_of: dt.date | None
    recorded_at: str
    verdict: str
    funnels: dict[str, FunnelRecord] = field(default_factory=dict)
    managers: dict[str, tuple[int, int]] = field(default_factory=dict)  # (good, working days)
    tool_version: str | None = None


def period_key(start: dt.date | None, end: dt.date | None) -> str:
    """The same text as {period} in --output: all-data, one date, or START--END."""
    if start is None:
        return "all-data"
    return start.isoformat() if start == end else f"{start.isoformat()}--{end.isoformat()}"


def config_key(config_path: str | Path) -> str:
    """Runs are keyed by the config's file name, so moving the folder keeps the history."""
    return Path(config_path).name


@contextmanager
def connect(path: Path, create: bool = True) -> Iterator[sqlite3.Connection]:
    """An open store; every failure to use it is a DataError naming the file."""
    if not create and not path.is_file():
        raise DataError(f"{path}: no run history yet (an audit with history: in the config "
                        "records one)")
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise DataError(f"{path}: cannot open the run history: {exc}") from None
    try:
        conn.executescript(SCHEMA)
        yield conn
    except sqlite3.DatabaseError as exc:
        raise DataError(f"{path}: cannot use the run history: {exc}") from None
    finally:
        conn.close()


def record_run(path: Path, config: str, report: Report) -> RunRecord:
    """Write the report's key numbers as the run of its period, replacing an earlier one."""
    run = run_of(config, report)
    with connect(path) as conn:
        conn.execute("BEGIN IMMEDIATE")  # one writer at a time, the others wait
        try:
            for table in TABLES:
                conn.execute(f"DELETE FROM {table} WHERE config = ? AND period = ?",
                             (config, run.period))
            _insert(conn, run)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return run


def run_of(config: str, report: Report) -> RunRecord:
    """The numbers of a report that the history keeps."""
    p = report.period
    # When it was recorded, to the microsecond: what orders runs, so "the last run" is
    # the one written last even when two runs fall in the same second.
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
    run = RunRecord(config, period_key(p.start, p.end), p.start, p.end, p.as_of, now,
                    report.verdict, tool_version=report.tool_version)
    for funnel in report.funnels:
        # `value`: the amount that entered the stage (deal funnels with an amount in one
        # currency, or converted into one); else null.
        run.funnels[funnel.name] = FunnelRecord(funnel.kind, funnel.entities, [
            StageRecord(s.name, s.entered, s.conversion_from_previous,
                        s.value.entered if s.value is not None else None)
            for s in funnel.stages])
    if report.norms is not None:
        days = report.norms.working_days
        run.managers = {m.manager: (m.good_days, days) for m in report.norms.managers}
    return run


def _insert(conn: sqlite3.Connection, run: RunRecord) -> None:
    key = (run.config, run.period)
    iso = [d.isoformat() if d else None for d in (run.start, run.end, run.as_of)]
    conn.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 (*key, *iso, run.recorded_at, run.verdict, run.tool_version))
    for name, funnel in run.funnels.items():
        conn.execute("INSERT INTO funnels VALUES (?, ?, ?, ?, ?)",
                     (*key, name, funnel.kind, funnel.entities))
        conn.executemany("INSERT INTO stages VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
            (*key, name, i, s.name, s.entered, s.conversion, s.value)
            for i, s in enumerate(funnel.stages)])
    conn.executemany("INSERT INTO managers VALUES (?, ?, ?, ?, ?, ?)", [
        (*key, name, good, days, good / days if days else None)
        for name, (good, days) in run.managers.items()])


def load_runs(path: Path, config: str, create: bool = True) -> list[RunRecord]:
    """Every recorded run of a config, oldest first (by when it was recorded)."""
    with connect(path, create=create) as conn:
        rows = conn.execute("SELECT period, period_start, period_end, as_of, recorded_at, "
                            "verdict FROM runs WHERE config = ? ORDER BY recorded_at, period",
                            (config,)).fetchall()
        runs = {period: RunRecord(config, period, *map(_date, (start, end, as_of)), at, verdict)
                for period, start, end, as_of, at, verdict in rows}
        for period, name, kind, entities in conn.execute(
                "SELECT period, funnel, kind, entities FROM funnels WHERE config = ? "
                "ORDER BY rowid", (config,)):
            runs[period].funnels[name] = FunnelRecord(kind, entities)
        for period, name, stage, entered, conversion, value in conn.execute(
                "SELECT period, funnel, stage, entered, conversion, value FROM stages "
                "WHERE config = ? ORDER BY period, funnel, position", (config,)):
            runs[period].funnels[name].stages.append(StageRecord(stage, entered, conversion,
                                                                 value))
        for period, name, good, days in conn.execute(
                "SELECT period, manager, good_days, working_days FROM managers "
                "WHERE config = ? ORDER BY rowid", (config,)):
            runs[period].managers[name] = (good, days)
    return list(runs.values())


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None
