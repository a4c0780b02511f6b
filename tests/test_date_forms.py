"""Date forms of real exports, read by the deals, stage-history and activities readers.

Every expected value is worked out by hand from the text in the test:
- two-digit years pivot like strptime's %y: 00-68 -> 20xx, 69-99 -> 19xx;
- Europe/Moscow is UTC+3 all year (no DST since 2014), Asia/Yekaterinburg UTC+5.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import polars as pl
import pytest

from funnelctl.cli import app
from funnelctl.config import Source
from funnelctl.io.activities import read_activities
from funnelctl.io.date_formats import reading_from_sample
from funnelctl.io.deals import read_deals
from funnelctl.io.events import read_events
from funnelctl.io.history import read_history
from funnelctl.io.readers import open_source
from funnelctl.io.values import parse_datetime

D = dt.datetime


def deals_of(tmp_path: Path, text: str, timezone: str = "UTC", **source: object):
    path = tmp_path / "deals.csv"
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    config = Source(path=path, kind="deals", **source)
    return read_deals(open_source("deals", config), config, timezone, [])


def created(deals) -> dict[str, dt.datetime]:
    return dict(deals.frame.select("deal_id", "created_at").iter_rows())


def parsed(values: list[str], timezone: str = "UTC") -> list[dt.datetime | None]:
    sample = pl.Series(values)
    frame = pl.DataFrame({"v": sample})
    return frame.select(parse_datetime(pl.col("v"), reading_from_sample(sample), timezone)) \
        .to_series().to_list()


def test_two_digit_years_pivot_like_strptime():
    # 68 is the last year of the 2000s, 69 the first of the 1900s; never the year 24.
    assert parsed(["15.03.24", "01.01.68", "01.01.69", "31.12.99", "01.01.00"]) == [
        D(2024, 3, 15), D(2068, 1, 1), D(1969, 1, 1), D(1999, 12, 31), D(2000, 1, 1)]


def test_dotted_two_digit_years_with_times_in_deals(tmp_path):
    deals = deals_of(tmp_path, """
        deal_id,stage,created_at
        1,new,15.03.24 10:21:05
        2,new,1.4.24 9:05
        3,new,31.12.23
    """)
    assert created(deals) == {"1": D(2024, 3, 15, 10, 21, 5), "2": D(2024, 4, 1, 9, 5),
                              "3": D(2023, 12, 31)}
    assert deals.rejects.height == 0


def test_dashed_day_first_dates_two_and_four_digit_years(tmp_path):
    # Dashed dates are day-first: 05-01-24 is January 5 (31-12 proves the order too).
    deals = deals_of(tmp_path, """
        deal_id,stage,created_at
        1,new,31-12-24 23:59
        2,new,05-01-24
        3,new,31-12-2024
        4,new,05-01-2024 08:00:00
    """)
    assert created(deals) == {"1": D(2024, 12, 31, 23, 59), "2": D(2024, 1, 5),
                              "3": D(2024, 12, 31), "4": D(2024, 1, 5, 8)}


def test_us_two_digit_years_month_first(tmp_path):
    # Salesforce's US default M/D/YY: 3/13/24 can only be March 13, so 1/5/24 is Jan 5.
    deals = deals_of(tmp_path, """
        deal_id,stage,created_at
        1,new,3/13/24
        2,new,1/5/24 2:30 PM
        3,new,12/1/99
    """)
    assert created(deals) == {"1": D(2024, 3, 13), "2": D(2024, 1, 5, 14, 30),
                              "3": D(1999, 12, 1)}
    assert deals.frame.height == 3


def test_slashed_two_digit_years_day_first_when_a_day_is_above_12(tmp_path):
    deals = deals_of(tmp_path, """
        deal_id,stage,created_at
        1,new,13/03/24
        2,new,05/03/24
    """)
    assert created(deals) == {"1": D(2024, 3, 13), "2": D(2024, 3, 5)}


def test_undecidable_slashed_short_dates_are_month_first():
    assert parsed(["1/5/24", "2/3/24"]) == [D(2024, 1, 5), D(2024, 2, 3)]


def test_a_column_mixing_dates_with_and_without_a_time(tmp_path):
    # A date alone is midnight local time.
    deals = deals_of(tmp_path, """
        deal_id,stage,created_at
        1,new,15.03.2024
        2,new,16.03.2024 10:00
        3,new,17.03.2024 10:00:30
    """, timezone="Europe/Moscow")
    assert created(deals) == {"1": D(2024, 3, 15), "2": D(2024, 3, 16, 10),
                              "3": D(2024, 3, 17, 10, 0, 30)}


@pytest.mark.parametrize(("text", "local"), [
    ("2024-01-31 22:30:00 UTC", D(2024, 2, 1, 1, 30)),
    ("2024-01-31 22:30 Z", D(2024, 2, 1, 1, 30)),
    ("31.01.2024 22:30:00 GMT", D(2024, 2, 1, 1, 30)),
    ("01.02.2024 01:30 MSK", D(2024, 2, 1, 1, 30)),
    ("2024-02-01 03:30:00+05:00", D(2024, 2, 1, 1, 30)),
    ("2024-02-01 03:30:00 +0500", D(2024, 2, 1, 1, 30)),
    ("1/31/2024 5:30 PM -05:00", D(2024, 2, 1, 1, 30)),
    ("2024-01-31T22:30:00Z", D(2024, 2, 1, 1, 30)),
])
def test_an_explicit_zone_or_offset_wins_over_the_config_zone(tmp_path, text, local):
    # Each is 2024-01-31 22:30 UTC, i.e. 01:30 on Feb 1 in Moscow (UTC+3).
    deals = deals_of(tmp_path, f"deal_id,stage,created_at\n1,new,{text}\n2,new,{text[:10]}\n",
                     timezone="Europe/Moscow")
    assert created(deals)["1"] == local


def test_naive_values_next_to_zoned_ones_stay_in_the_config_zone(tmp_path):
    deals = deals_of(tmp_path, """
        deal_id,stage,created_at
        1,new,01.02.2024 01:30 MSK
        2,new,01.02.2024 01:30
    """, timezone="Asia/Yekaterinburg")
    # 01:30 Moscow = 22:30 UTC = 03:30 in Yekaterinburg; the naive value is local already.
    assert created(deals) == {"1": D(2024, 2, 1, 3, 30), "2": D(2024, 2, 1, 1, 30)}


def test_date_format_list_is_tried_in_order(tmp_path):
    deals = deals_of(tmp_path, """
        deal_id,stage,created_at
        1,new,20240315
        2,new,16 03 2024
        3,new,2024-03-17
    """, date_format=["%Y%m%d", "%d %m %Y"])
    assert created(deals) == {"1": D(2024, 3, 15), "2": D(2024, 3, 16)}
    # A configured list is used exactly: the ISO date matches none of its formats.
    assert deals.rejects.rows() == [(4, "unparseable created_at", "2024-03-17")]


def test_date_format_with_two_digit_year_pivots_too(tmp_path):
    deals = deals_of(tmp_path, "deal_id,stage,created_at\n1,new,90/12/31\n2,new,24/03/15\n"
                     "3,new,69/12/31\n", date_format="%y/%m/%d")
    assert created(deals) == {"1": D(1990, 12, 31), "2": D(2024, 3, 15)}
    # 69 is 1969, before the plausible range: rejected, not read as 2069.
    assert deals.rejects.rows() == [(4, "created_at out of range", "69/12/31")]


def test_sub_second_precision_is_kept_in_deals_and_history(tmp_path):
    deals = deals_of(tmp_path, """
        deal_id,stage,created_at
        1,new,2024-01-31 10:00:00.123456
        2,new,2024-01-31T10:00:00.250
        3,new,31.01.2024 10:00:00.5
    """)
    assert created(deals) == {"1": D(2024, 1, 31, 10, 0, 0, 123456),
                              "2": D(2024, 1, 31, 10, 0, 0, 250000),
                              "3": D(2024, 1, 31, 10, 0, 0, 500000)}
    path = tmp_path / "history.csv"
    path.write_text("deal_id,stage,entered_at\nd1,A,2024-01-31 10:00:00.001\n"
                    "d1,B,2024-01-31 10:00:00.002\n", encoding="utf-8")
    source = Source(path=path, kind="stage_history")
    history = read_history(open_source("h", source), source, "UTC", [])
    assert history.frame["entered_at"].to_list() == [D(2024, 1, 31, 10, 0, 0, 1000),
                                                     D(2024, 1, 31, 10, 0, 0, 2000)]
    assert history.frame.schema["entered_at"] == pl.Datetime("us")


@pytest.mark.parametrize("digits", ["1706740200", "1706740200000", "1706740200000000",
                                    "1706740200000000000"], ids=["s", "ms", "us", "ns"])
def test_text_epochs_of_any_unit(tmp_path, digits):
    # 1706740200 s = 2024-01-31 22:30 UTC = Feb 1 01:30 in Moscow.
    deals = deals_of(tmp_path, f"deal_id,stage,created_at\n1,new,{digits}\n",
                     timezone="Europe/Moscow")
    assert created(deals) == {"1": D(2024, 2, 1, 1, 30)}


@pytest.mark.parametrize("scale", [1, 1000, 10**6, 10**9], ids=["s", "ms", "us", "ns"])
def test_integer_epochs_of_any_unit_in_parquet(tmp_path, scale):
    path = tmp_path / "deals.parquet"
    pl.DataFrame({"deal_id": [1], "stage": ["new"],
                  "created_at": [1706740200 * scale + (scale > 1)]}).write_parquet(path)
    source = Source(path=path, kind="deals")
    deals = read_deals(open_source("d", source), source, "UTC", [])
    assert deals.frame["created_at"].dt.truncate("1s").to_list() == [D(2024, 1, 31, 22, 30)]


def events_of(path: Path, timezone: str = "UTC"):
    source = Source(path=path, kind="events")
    return read_events(open_source("e", source), source, timezone, ["a", "b"], [])


def test_event_timestamps_keep_microseconds_and_read_zone_words(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("entity_id,event,ts\nu1,a,2024-01-31 22:30:00.000001 UTC\n"
                    "u1,b,01.02.2024 01:30:00.000250 MSK\nu2,a,01.02.2024 01:30:00.5\n",
                    encoding="utf-8")
    # u2's time is naive: read in Moscow, 22:30:00.5 UTC.
    utc = dt.timezone.utc
    assert events_of(path, "Europe/Moscow").frame["ts"].to_list() == [
        D(2024, 1, 31, 22, 30, 0, 1, tzinfo=utc), D(2024, 1, 31, 22, 30, 0, 250, tzinfo=utc),
        D(2024, 1, 31, 22, 30, 0, 500000, tzinfo=utc)]


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_integer_event_timestamps_of_any_unit(tmp_path, unit):
    scale = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[unit]
    path = tmp_path / "events.parquet"
    # The second event is one tick of the unit later (1 ns is below µs: read as equal).
    pl.DataFrame({"entity_id": ["u1", "u1"], "event": ["a", "b"],
                  "ts": [1706740200 * scale, 1706740200 * scale + 1]}).write_parquet(path)
    got = events_of(path).frame["ts"].to_list()
    first = D(2024, 1, 31, 22, 30, tzinfo=dt.timezone.utc)
    tick = {"s": dt.timedelta(seconds=1), "ms": dt.timedelta(milliseconds=1),
            "us": dt.timedelta(microseconds=1), "ns": dt.timedelta(0)}[unit]
    assert got == [first, first + tick]


def test_inspect_shows_the_formats_it_really_uses(runner, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Deal,Created,Closed,Moved\n1,31-12-24 10:00,3/13/24,15.03.24 10:00 MSK\n"
                    "2,05-01-24,1/5/24,16.03.24 11:00 MSK\n3,06-01-24,,\n", encoding="utf-8")
    result = runner.invoke(app, ["inspect", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    types = {c["name"]: c["type"] for c in json.loads(result.stdout)["columns"]}
    # Most used first: two of the three created dates have no time.
    assert types["Created"] == "datetime (%d-%m-%y | %d-%m-%y %H:%M)"
    assert types["Closed"] == "datetime (%m/%d/%y)"
    assert types["Moved"] == "datetime (%d.%m.%y %H:%M + zone)"


def test_formats_come_from_the_values_where_the_first_rows_are_empty(tmp_path):
    # amoCRM: open deals first, "не закрыта" in their close date; the sample looks further.
    rows = [f"{i},new,01.02.2024,не закрыта" for i in range(1, 2051)]
    rows += [f"{i},new,01.02.2024,15.03.24 10:00" for i in range(2051, 2101)]
    deals = deals_of(tmp_path, "deal_id,stage,created_at,closed_at\n" + "\n".join(rows) + "\n")
    closed = deals.frame["closed_at"]
    assert closed.null_count() == 2050
    assert closed.drop_nulls().unique().to_list() == [D(2024, 3, 15, 10)]
    assert deals.rejects.height == 0


def test_activity_timestamps_with_fractions_fall_on_their_local_day(tmp_path):
    # 23:59:59.999 UTC is 02:59:59.999 next day in Moscow; 20:59:59.999999 UTC stays Jan 31.
    path = tmp_path / "act.csv"
    path.write_text("manager,ts,type\nA,2024-01-31T23:59:59.999Z,call\n"
                    "A,2024-01-31T20:59:59.999999Z,call\n", encoding="utf-8")
    source = Source(path=path, kind="activities")
    daily = read_activities(open_source("a", source), source, "Europe/Moscow").daily
    assert sorted(daily.select("date", "calls").iter_rows()) == [
        (dt.date(2024, 1, 31), 1), (dt.date(2024, 2, 1), 1)]
