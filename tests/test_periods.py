"""Relative periods resolved by hand against a fixed as-of date."""

from __future__ import annotations

import datetime as dt

import pytest

from funnelctl.errors import UsageError
from funnelctl.metrics.periods import previous_period, resolve_period

AS_OF = dt.date(2024, 3, 13)  # a Wednesday


@pytest.mark.parametrize(("spec", "start", "end"), [
    ("yesterday", "2024-03-12", "2024-03-12"),
    ("last-7-days", "2024-03-06", "2024-03-12"),
    ("last-week", "2024-03-04", "2024-03-10"),       # Monday..Sunday of the week before
    ("this-month", "2024-03-01", "2024-03-13"),
    ("last-month", "2024-02-01", "2024-02-29"),      # leap year
    ("2024-01-01..2024-01-31", "2024-01-01", "2024-01-31"),
])
def test_resolve(spec, start, end):
    period = resolve_period(spec, AS_OF)
    assert (str(period.start), str(period.end)) == (start, end)


def test_last_month_in_january_is_december():
    period = resolve_period("last-month", dt.date(2024, 1, 10))
    assert (str(period.start), str(period.end)) == ("2023-12-01", "2023-12-31")


def test_previous_period_has_the_same_length():
    prev = previous_period(resolve_period("2024-03-01..2024-03-10", AS_OF))
    assert (str(prev.start), str(prev.end)) == ("2024-02-20", "2024-02-29")


@pytest.mark.parametrize("spec", ["last-fortnight", "2024-01-01..", "2024-02-30..2024-03-01"])
def test_bad_specs(spec):
    with pytest.raises(UsageError):
        resolve_period(spec, AS_OF)
