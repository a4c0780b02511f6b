"""Resolve `--period` (START..END or a relative name) to inclusive dates.

Relative names are for nightly runs and never include the as-of day itself except
`this-month` (month to date): a run at 01:00 audits complete days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from funnelctl.errors import UsageError

RELATIVE_NAMES = ("yesterday", "last-7-days", "last-week", "this-month", "last-month")


@dataclass(frozen=True)
class DateRange:
    start: dt.date | None
    end: dt.date | None

    def __str__(self) -> str:
        if self.start is None:
            return "all data"
        return f"{self.start}..{self.end}"


def today_in(timezone: str) -> dt.date:
    return dt.datetime.now(ZoneInfo(timezone)).date()


def parse_date(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{what}: '{text}' is not a date (expected YYYY-MM-DD)") from None


def resolve_period(spec: str, as_of: dt.date) -> DateRange:
    """`2024-01-01..2024-03-31` or one of RELATIVE_NAMES, relative to `as_of`."""
    spec = spec.strip()
    if ".." in spec:
        start_text, end_text = spec.split("..", 1)
        start = parse_date(start_text, "--period start")
        end = parse_date(end_text, "--period end")
        if end < start:
            raise UsageError(f"--period: end {end} is before start {start}")
        return DateRange(start, end)
    if spec == "yesterday":
        day = as_of - dt.timedelta(days=1)
        return DateRange(day, day)
    if spec == "last-7-days":
        return DateRange(as_of - dt.timedelta(days=7), as_of - dt.timedelta(days=1))
    if spec == "last-week":
        monday = as_of - dt.timedelta(days=as_of.weekday() + 7)
        return DateRange(monday, monday + dt.timedelta(days=6))
    if spec == "this-month":
        return DateRange(as_of.replace(day=1), as_of)
    if spec == "last-month":
        last_day = as_of.replace(day=1) - dt.timedelta(days=1)
        return DateRange(last_day.replace(day=1), last_day)
    raise UsageError(
        f"--period: '{spec}' is not START..END nor one of: {', '.join(RELATIVE_NAMES)}"
    )


def previous_period(period: DateRange) -> DateRange:
    """The period of the same length just before `period` (for comparisons)."""
    if period.start is None or period.end is None:
        raise UsageError("a comparison needs a period (--period or period: in the config)")
    length = period.end - period.start + dt.timedelta(days=1)
    return DateRange(period.start - length, period.end - length)
