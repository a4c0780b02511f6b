"""Periods at the ends of the calendar: a named usage error (exit 2), never an overflow."""

from __future__ import annotations

import datetime as dt

import pytest

from funnelctl.errors import UsageError
from funnelctl.metrics.periods import FIRST_DAY, LAST_DAY, previous_period, resolve_period
from tests.conftest import ROOT, assert_error

CONFIGS = [ROOT / "configs" / "demo.yaml", ROOT / "configs" / "store.yaml",
           ROOT / "configs" / "templates" / "b2b.yaml"]


@pytest.mark.parametrize(("args", "message"), [
    (["--period", "0001-01-01..0001-01-05", "--compare", "previous"],
     "--period start: 0001-01-01 is outside the dates an audit can use"),
    (["--period", "0001-01-02..0001-01-05", "--compare", "previous"],
     "--compare previous: the 4 days before 0001-01-02 start before 0001-01-02"),
    (["--period", "9999-12-25..9999-12-31", "--compare", "previous"],
     "--period start: 9999-12-25 is outside"),
    (["--period", "2024-01-01..9999-12-31"], "--period end: 9999-12-31 is outside"),
    (["--period", "yesterday", "--as-of", "0001-01-02"],
     "--period: 0001-01-01 is outside the dates an audit can use"),
    (["--period", "last-month", "--as-of", "0001-01-15"],
     "--period: 'last-month' as of 0001-01-15 starts before 0001-01-02"),
    (["--period", "last-week", "--as-of", "0001-01-03"], "'last-week' as of 0001-01-03"),
    (["--period", "this-month", "--as-of", "9999-12-31"], "--as-of: 9999-12-31 is outside"),
    (["--as-of", "9999-12-31"], "--as-of: 9999-12-31 is outside"),
])
@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.name)
def test_periods_past_the_calendar_are_named_errors(cli, config, args, message):
    assert_error(cli("audit", config, *args), message)


@pytest.mark.parametrize("args", [
    ["--period", "0001-01-09..0001-01-15", "--compare", "previous", "--as-of", "9998-12-30"],
    ["--period", "last-month", "--as-of", "9998-12-30", "--compare", "previous"],
    ["--period", "9998-12-24..9998-12-30", "--as-of", "9998-12-30", "--compare", "previous"],
])
@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.name)
def test_periods_just_inside_the_calendar_run(cli, config, args):
    """An empty period is a finding or an error about the data, never an overflow."""
    result = cli("audit", config, *args, "--fail-on", "never")
    assert "unexpected error" not in result.stderr and "Traceback" not in result.stderr
    assert result.exit_code in (0, 2), result.stderr
    if result.exit_code == 2:
        assert "no usable rows" in result.stderr or "out of range" in result.stderr


def test_bounds_in_the_library():
    assert resolve_period("last-7-days", LAST_DAY).end == LAST_DAY - dt.timedelta(days=1)
    assert previous_period(resolve_period(f"{FIRST_DAY + dt.timedelta(days=3)}..{FIRST_DAY + dt.timedelta(days=5)}", LAST_DAY)).start == FIRST_DAY  # noqa: E501
    with pytest.raises(UsageError):
        previous_period(resolve_period(f"{FIRST_DAY}..{FIRST_DAY}", LAST_DAY))
