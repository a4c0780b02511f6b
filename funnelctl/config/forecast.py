"""The forecast and plan keys of a deals funnel: `plan:` (sales targets per month or period,
team and per manager, inline or a CSV file) and `snooze:` (deals kept out of the stuck and
overdue findings until a date). Stage `probability:` and `max_days: auto` are on the stage
(models.py); what they mean is in metrics/forecast.py and metrics/stuck.py."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from funnelctl.config.base import Model, empty_list, not_above

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_range(text: str) -> tuple[dt.date, dt.date]:
    """'2026-11' -> (2026-11-01, 2026-11-30); ValueError on anything else."""
    match = MONTH.match(text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"month '{text}' is not a month: expected YYYY-MM, e.g. 2026-11")
    year, month = int(match[1]), int(match[2])
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


class PlanPeriod(Model):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> PlanPeriod:
        not_above(self, "start", "end")
        return self


class PlanTarget(Model):
    """One target: an amount to win in a month (`month: 2026-11`) or a period (`period:
    {start, end}`), for one manager or, without `manager`, for the whole team."""

    amount: float = Field(gt=0)
    month: str | None = None
    period: PlanPeriod | None = None
    manager: str | None = None

    @field_validator("month", mode="before")
    @classmethod
    def _month(cls, v: Any) -> Any:
        if isinstance(v, dt.date):  # YAML reads 2026-11-01 as a date
            raise ValueError("month is YYYY-MM (e.g. 2026-11); for other dates use period: "
                             "{start, end}")
        if v is not None:
            month_range(str(v))
        return v

    @field_validator("manager")
    @classmethod
    def _manager(cls, v: str | None) -> str | None:
        return v.strip() or None if v is not None else None

    @model_validator(mode="after")
    def _one_span(self) -> PlanTarget:
        if (self.month is None) == (self.period is None):
            raise ValueError("a plan target needs exactly one of month: (YYYY-MM) or period: "
                             "{start, end}")
        return self

    def dates(self) -> tuple[dt.date, dt.date]:
        if self.period is not None:
            return self.period.start, self.period.end
        return month_range(self.month or "")


class Plan(Model):
    """`plan:` on a funnel: a list of targets, or the path of a CSV (month, manager, amount)
    relative to the config, read when the audit runs (io/plan_files.py)."""

    path: Path | None = None
    targets: list[PlanTarget] = Field(default_factory=empty_list)

    @model_validator(mode="before")
    @classmethod
    def _forms(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"path": data}
        if isinstance(data, list):
            return {"targets": data}
        return data

    @model_validator(mode="after")
    def _something(self) -> Plan:
        if self.path is None and not self.targets:
            raise ValueError("plan needs targets (a list of {month, amount, manager?}) or the "
                             "path of a CSV file with columns month, manager, amount")
        if self.path is not None and self.targets:
            raise ValueError("plan takes either a file (path) or targets, not both")
        seen: dict[tuple[dt.date, dt.date, str | None], int] = {}
        for n, target in enumerate(self.targets, 1):
            key = (*target.dates(), target.manager.lower() if target.manager else None)
            if key in seen:
                who = f"manager '{target.manager}'" if target.manager else "the team"
                raise ValueError(f"plan target {n} repeats target {seen[key]}: {who} for "
                                 f"{key[0]}..{key[1]}; give each span and manager one target")
            seen[key] = n
        return self


class Snooze(Model):
    """`snooze: snoozed.csv` on a funnel: a CSV with deal_id, until (a date) and an optional
    note; a listed deal stays out of the stuck and overdue findings up to and including
    `until`."""

    path: Path

    @model_validator(mode="before")
    @classmethod
    def _path_alone(cls, data: Any) -> Any:
        return {"path": data} if isinstance(data, str) else data
