"""Helpers for the norms tests: tiny daily frames, activity logs and configs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from funnelctl.config.norms import Norms
from funnelctl.metrics.norms import grade_norms
from funnelctl.metrics.periods import DateRange
from tests.conftest import write_csv

MON = dt.date(2024, 2, 5)  # a Monday; 2024-02-05 .. 2024-02-11 is ISO week 2024-W06


def day(offset: int) -> dt.date:
    return MON + dt.timedelta(days=offset)


def daily(*rows: tuple[str, dt.date, int, int]) -> pl.DataFrame:
    """(manager, date, calls, meetings) rows as the canonical daily-totals frame."""
    return pl.DataFrame(rows, schema={"manager": pl.String, "date": pl.Date,
                                      "calls": pl.Int64, "meetings": pl.Int64}, orient="row")


def grade(frame: pl.DataFrame, start: dt.date | None = None, end: dt.date | None = None,
          **norms):
    return grade_norms(frame, Norms(source="act", **norms), DateRange(start, end), "act")


def by_name(result) -> dict:
    return {m.manager: m for m in result.managers}


def write_norms_config(tmp_path: Path, norms: str = "", source: str = "",
                       timezone: str = "UTC", path: str = "act.csv") -> Path:
    """A config with one activities source `act` and a norms block (YAML lines indented
    by two spaces in `norms` and four in `source`)."""
    text = (f"version: 1\ntimezone: {timezone}\nsources:\n  act:\n    path: {path}\n"
            f"    kind: activities\n{source}norms:\n  source: act\n{norms}")
    config = tmp_path / "audit.yaml"
    config.write_text(text, encoding="utf-8")
    return config


def write_log(tmp_path: Path, rows: list[tuple[str, str, str]],
              header: tuple[str, ...] = ("manager", "ts", "type")) -> Path:
    return write_csv(tmp_path / "act.csv", list(header), [list(r) for r in rows])


def norms_of(report: dict) -> dict:
    """manager -> its entry of the JSON report's norms block."""
    return {m["manager"]: m for m in report["norms"]["managers"]}


def activities_quality(report: dict) -> dict:
    return next(s for s in report["data_quality"]["sources"] if s["name"] == "act")
