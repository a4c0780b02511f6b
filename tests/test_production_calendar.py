"""The production calendar (`calendar: {country: RU}`) against Russia's published one.

2024, five-day week (Government decree No. 1314 of 10.08.2023 "On moving days off in
2024"; as published e.g. at tls-cons.ru/sudebnaya-praktika/postanovlenie-pravitelstva-rf-
ot-10-08-2023-n-1314/ and noncoring.ru/novosti/perenos-vihodnih-dnej): days off 1-8
January, 23 February, 8 March, 29-30 April, 1 May, 9-10 May, 12 June, 4 November, 30-31
December; working Saturdays 27 April, 2 November, 28 December. That gives 248 working days
in 2024 (the published total for the five-day week).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import polars as pl

from funnelctl.config.norms import Calendar
from funnelctl.metrics.norms import WORKING, calendar_frame
from tests.conftest import assert_error
from tests.norms_support import by_name, daily, grade, write_log, write_norms_config

D = dt.date
DAYS_OFF_2024 = ([D(2024, 1, d) for d in range(1, 9)]
                 + [D(2024, 2, 23), D(2024, 3, 8), D(2024, 4, 29), D(2024, 4, 30),
                    D(2024, 5, 1), D(2024, 5, 9), D(2024, 5, 10), D(2024, 6, 12),
                    D(2024, 11, 4), D(2024, 12, 30), D(2024, 12, 31)])
WORKING_SATURDAYS_2024 = [D(2024, 4, 27), D(2024, 11, 2), D(2024, 12, 28)]


def year(calendar: Calendar, y: int = 2024) -> pl.DataFrame:
    return calendar_frame(D(y, 1, 1), D(y, 12, 31), calendar)


def test_russia_2024_matches_the_published_calendar():
    frame = year(Calendar(country="RU"))
    working = set(frame.filter(pl.col(WORKING)).get_column("date").to_list())
    weekdays = {D(2024, 1, 1) + dt.timedelta(days=i) for i in range(366)}
    weekdays = {d for d in weekdays if d.weekday() < 5}
    expected = (weekdays - set(DAYS_OFF_2024)) | set(WORKING_SATURDAYS_2024)
    assert working == expected
    assert len(working) == 248
    # Days off on a weekend (6-7 January) change no count; the listed weekdays do.
    assert all(d not in working for d in DAYS_OFF_2024)
    assert all(d in working for d in WORKING_SATURDAYS_2024)


def test_without_a_country_only_the_week_and_holidays_count():
    frame = year(Calendar())
    assert frame.filter(pl.col(WORKING)).height == 262  # the weekdays of 2024
    assert not frame.filter(pl.col("date") == D(2024, 4, 27)).get_column(WORKING).item()


def test_holidays_and_working_dates_add_to_the_country():
    calendar = Calendar(country="ru", holidays=[D(2024, 6, 13), D(2024, 11, 2)],
                        working_dates=[D(2024, 6, 15)])
    assert calendar.country == "RU"
    frame = year(calendar)
    is_working = dict(frame.iter_rows())
    assert is_working[D(2024, 6, 13)] is False  # a company day off
    assert is_working[D(2024, 11, 2)] is False  # holidays: wins over the country's Saturday
    assert is_working[D(2024, 6, 15)] is True  # a Saturday worked by the company
    assert frame.filter(pl.col(WORKING)).height == 248 - 2 + 1


def test_graded_days_follow_the_country_calendar():
    # 22 Apr .. 5 May 2024: Mon-Fri 22-26, Sat 27 (working), Mon 29 / Tue 30 / Wed 1 off,
    # Thu 2, Fri 3: 5 + 1 + 2 = 8 working days.
    frame = daily(("A", D(2024, 4, 27), 50, 0), ("A", D(2024, 4, 29), 50, 0))
    result = grade(frame, D(2024, 4, 22), D(2024, 5, 5), calendar={"country": "RU"})
    a = by_name(result)["A"]
    assert result.working_days == a.working_days == 8
    assert a.good_days == 1  # the Saturday; the 29th is a day off, not graded
    assert a.calls == 100
    assert result.calendar.country == "RU"
    assert result.calendar.working_dates == [D(2024, 4, 27)]
    assert set(result.calendar.holidays) == {"2024-04-29", "2024-04-30", "2024-05-01"}


def test_the_holidays_package_is_imported_only_with_a_country():
    code = ("import sys, funnelctl.cli, funnelctl.metrics.norms, funnelctl.config; "
            "print('holidays' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_an_unknown_country_is_a_config_error(cli, tmp_path):
    write_log(tmp_path, [("A", "2024-02-05 10:00", "call")])
    config = write_norms_config(tmp_path, "  calendar: {country: XX}\n")
    assert_error(cli("audit", config), "audit.yaml:9", "norms.calendar.country",
                 "unknown country 'XX'")


def test_holiday_names_follow_the_language_not_the_machine_locale(monkeypatch):
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    monkeypatch.setenv("LC_ALL", "ru_RU.UTF-8")
    from funnelctl.production_calendar import country_days

    unity = D(2026, 11, 4)
    assert country_days("RU", unity, unity).days_off == {unity: "Unity Day"}
    assert country_days("RU", unity, unity, "ru").days_off == {unity: "День народного единства"}
    # a country without Russian names falls back to English
    assert country_days("DE", D(2026, 10, 3), D(2026, 10, 3), "ru").days_off == {
        D(2026, 10, 3): "German Unity Day"}
