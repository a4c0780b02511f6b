"""Reading activities: time zones, type labels, daily totals, and rows that are rejected."""

from __future__ import annotations

import datetime as dt

import polars as pl

from tests.conftest import write_csv
from tests.norms_support import (
    activities_quality,
    norms_of,
    write_log,
    write_norms_config,
)

PERIOD = ("--period", "2024-02-05..2024-02-06")  # Monday and Tuesday


def days_of(report: dict, manager: str = "A") -> dict:
    return {d["date"]: (d["calls"], d["meetings"]) for d in norms_of(report)[manager]["days"]}


def test_naive_timestamps_are_read_in_the_config_zone(cli, tmp_path):
    write_log(tmp_path, [("A", "2024-02-05 23:30:00", "call")])
    config = write_norms_config(tmp_path, timezone="Europe/Moscow")
    assert days_of(cli.json("audit", config, *PERIOD)) == {
        "2024-02-05": (1, 0), "2024-02-06": (0, 0)}


def test_utc_text_timestamp_is_the_next_day_in_moscow(cli, tmp_path):
    # 23:30 UTC is 02:30 the next morning in Moscow (UTC+3).
    write_log(tmp_path, [("A", "2024-02-05T23:30:00Z", "call"),
                         ("A", "2024-02-05 20:59:00+00:00", "call")])
    config = write_norms_config(tmp_path, timezone="Europe/Moscow")
    assert days_of(cli.json("audit", config, *PERIOD)) == {
        "2024-02-05": (1, 0), "2024-02-06": (1, 0)}


def test_zone_aware_parquet_is_converted_to_the_config_zone(cli, tmp_path):
    stamps = [dt.datetime(2024, 2, 5, 23, 30, tzinfo=dt.timezone.utc)]
    pl.DataFrame({"manager": ["A"], "ts": stamps, "type": ["meeting"]}).write_parquet(
        tmp_path / "act.parquet")
    moscow = write_norms_config(tmp_path, timezone="Europe/Moscow", path="act.parquet")
    assert days_of(cli.json("audit", moscow, *PERIOD)) == {
        "2024-02-05": (0, 0), "2024-02-06": (0, 1)}
    utc = write_norms_config(tmp_path, timezone="UTC", path="act.parquet")
    assert days_of(cli.json("audit", utc, *PERIOD)) == {
        "2024-02-05": (0, 1), "2024-02-06": (0, 0)}


def test_default_labels_cover_english_and_russian(cli, tmp_path):
    calls = ["call", "Call", "Звонок", "Исходящий звонок", "Входящий звонок", " CALL "]
    meetings = ["meeting", "Meeting", "Встреча"]
    write_log(tmp_path, [("A", "2024-02-05 10:00", t) for t in calls + meetings])
    report = cli.json("audit", write_norms_config(tmp_path), *PERIOD)
    assert days_of(report)["2024-02-05"] == (6, 3)


def test_other_types_are_counted_in_data_quality_not_graded(cli, tmp_path):
    rows = [("A", "2024-02-05 10:00", t) for t in ("call", "Письмо", "Письмо", "Задача")]
    write_log(tmp_path, rows)
    report = cli.json("audit", write_norms_config(tmp_path), *PERIOD)
    assert days_of(report)["2024-02-05"] == (1, 0)
    quality = activities_quality(report)
    assert quality["other_types"] == {"Письмо": 2, "Задача": 1}
    assert (quality["rows_read"], quality["rows_rejected"]) == (4, 0)
    assert any("'Письмо' (2)" in note for note in quality["notes"])


def test_type_values_in_the_source_replace_the_defaults(cli, tmp_path):
    rows = [("A", "2024-02-05 10:00", t) for t in ("Outbound", "Demo", "Demo", "call")]
    write_log(tmp_path, rows)
    source = "    type_values: {call: [outbound], meeting: [demo]}\n"
    report = cli.json("audit", write_norms_config(tmp_path, source=source), *PERIOD)
    assert days_of(report)["2024-02-05"] == (1, 2)
    assert activities_quality(report)["other_types"] == {"call": 1}


def test_mapped_columns(cli, tmp_path):
    write_log(tmp_path, [("A", "05.02.2024 10:00:00", "Встреча")],
              header=("Ответственный", "Дата", "Тип"))
    source = "    columns: {manager: Ответственный, ts: Дата, type: Тип}\n"
    report = cli.json("audit", write_norms_config(tmp_path, source=source), *PERIOD)
    assert days_of(report)["2024-02-05"] == (0, 1)


def test_daily_totals_input(cli, tmp_path):
    # The same day twice adds up; an empty count is 0; Saturday counts only in totals.
    write_csv(tmp_path / "act.csv", ["manager", "date", "calls", "meetings"], [
        ["A", "05.02.2024", "20", "1"], ["A", "05.02.2024", "10", ""],
        ["A", "2024-02-06", "", "2"], ["A", "10.02.2024", "50", "0"]])
    report = cli.json("audit", write_norms_config(tmp_path), "--period",
                      "2024-02-05..2024-02-11")
    m = norms_of(report)["A"]
    assert [(d["date"], d["grade"]) for d in m["days"]][:2] == [
        ("2024-02-05", "good"), ("2024-02-06", "acceptable")]
    assert (m["good_days"], m["acceptable_days"], m["below_days"]) == (1, 1, 3)
    assert (m["calls"], m["meetings"]) == (80, 3)
    assert activities_quality(report)["detected"]["shape"] == "daily"


def test_daily_totals_from_parquet_numbers(cli, tmp_path):
    pl.DataFrame({"manager": ["A", "A"], "date": [dt.date(2024, 2, 5), dt.date(2024, 2, 6)],
                  "calls": [50, -3], "meetings": [0, 1]}).write_parquet(tmp_path / "d.parquet")
    report = cli.json("audit", write_norms_config(tmp_path, path="d.parquet"), *PERIOD)
    assert days_of(report)["2024-02-05"] == (50, 0)
    quality = activities_quality(report)
    assert quality["reasons"] == {"negative calls": 1}


def test_rejected_rows_are_counted_with_reasons(cli, tmp_path):
    write_log(tmp_path, [
        ("A", "2024-02-05 10:00", "call"),
        ("", "2024-02-05 10:00", "call"),       # line 3: no manager
        ("A", "31.02.2024 10:00", "call"),      # line 4: no such date
        ("A", "", "call"),                      # line 5: no timestamp
        ("A", "2024-02-05 11:00", ""),          # line 6: no type
    ])
    report = cli.json("audit", write_norms_config(tmp_path), *PERIOD)
    quality = activities_quality(report)
    assert (quality["rows_read"], quality["rows_rejected"]) == (5, 4)
    assert quality["reasons"] == {"missing manager": 1, "unparseable ts": 1, "missing ts": 1,
                                  "missing activity type": 1}
    assert days_of(report)["2024-02-05"] == (1, 0)
    # A quarter of the rows unreadable is a finding of its own.
    assert any(f["code"] == "rows_rejected" for f in report["findings"])


def test_rejects_ledger_has_lines_and_values(tmp_path):
    from funnelctl.config import load_config
    from funnelctl.io.activities import read_activities
    from funnelctl.io.readers import open_source

    write_log(tmp_path, [("A", "2024-02-05 10:00", "call"), ("A", "вчера", "call"),
                         (" ", "2024-02-05 10:00", "call")])
    config = load_config(write_norms_config(tmp_path))
    source = config.sources["act"]
    ledger = read_activities(open_source("act", source), source, "UTC").rejects
    assert ledger.rows() == [(3, "unparseable ts", "вчера"), (4, "missing manager", None)]


def test_bad_counts_in_daily_totals_are_rejected_with_lines(tmp_path):
    from funnelctl.config import load_config
    from funnelctl.io.activities import read_activities
    from funnelctl.io.readers import open_source

    write_csv(tmp_path / "act.csv", ["manager", "date", "calls", "meetings"], [
        ["A", "2024-02-05", "-1", "0"], ["A", "2024-02-05", "много", "0"],
        ["A", "2024-02-05", "2", "1.5"], ["A", "2024-02-05", "12", "1"]])
    source = load_config(write_norms_config(tmp_path)).sources["act"]
    activities = read_activities(open_source("act", source), source, "UTC")
    assert activities.rejects.rows() == [(2, "negative calls", "-1"),
                                         (3, "non-numeric calls", "много"),
                                         (4, "fractional meetings", "1.5")]
    assert activities.daily.rows() == [("A", dt.date(2024, 2, 5), 12, 1)]


def test_parquet_timestamps_missing_are_rejected_with_lines(tmp_path):
    """A Parquet timestamp column: a null is a missing ts (its row, line and no value),
    the other rows are counted."""
    from funnelctl.config import load_config
    from funnelctl.io.activities import read_activities
    from funnelctl.io.readers import open_source

    stamps = [dt.datetime(2024, 2, 5, 10), None, dt.datetime(2024, 2, 5, 11),
              dt.datetime(2024, 2, 6, 9), None]
    pl.DataFrame({"manager": ["A", "A", "B", "A", None], "ts": stamps,
                  "type": ["call", "call", "meeting", "meeting", "call"]}).write_parquet(
        tmp_path / "act.parquet")
    source = load_config(write_norms_config(tmp_path, path="act.parquet")).sources["act"]
    activities = read_activities(open_source("act", source), source, "UTC")
    assert activities.rejects.rows() == [(2, "missing ts", None), (5, "missing manager", None)]
    assert activities.rows_read == 5
    assert sorted(activities.daily.rows()) == [("A", dt.date(2024, 2, 5), 1, 0),
                                               ("A", dt.date(2024, 2, 6), 0, 1),
                                               ("B", dt.date(2024, 2, 5), 0, 1)]


def test_timestamps_in_several_formats_are_all_read(tmp_path):
    """A CSV column mixing ISO forms: the rows the first format does not read are read
    with the others (one day counts rows of two forms), and their rejects keep their
    lines and values."""
    from funnelctl.config import load_config
    from funnelctl.io.activities import read_activities
    from funnelctl.io.readers import open_source

    write_log(tmp_path, [
        ("A", "2024-02-05 10:00:00", "call"),     # line 2
        ("A", "2024-02-05T11:30", "call"),        # line 3: same day, another form
        ("A", "2024-02-06", "meeting"),           # line 4: a date alone
        ("B", "2024-02-06 09:15", "call"),        # line 5: no seconds
        ("B", "1900-01-01 10:00", "call"),        # line 6: read, but out of range
        ("B", "2024-13-01 10:00:00", "call"),     # line 7: no month 13
        ("", "2024-02-05T12:00", "call"),         # line 8: no manager
    ])
    source = load_config(write_norms_config(tmp_path)).sources["act"]
    activities = read_activities(open_source("act", source), source, "UTC")
    assert activities.rows_read == 7
    assert activities.rejects.rows() == [(6, "ts out of range", "1900-01-01 10:00"),
                                         (7, "unparseable ts", "2024-13-01 10:00:00"),
                                         (8, "missing manager", None)]
    assert sorted(activities.daily.rows()) == [("A", dt.date(2024, 2, 5), 2, 0),
                                               ("A", dt.date(2024, 2, 6), 0, 1),
                                               ("B", dt.date(2024, 2, 6), 1, 0)]


def test_a_totals_line_at_the_end_is_a_footer_not_a_missing_manager(tmp_path):
    """A telephony export (cp1251, `;`) ends with `Итого;;;;`: removed and counted as a
    footer line, like a Salesforce report's; a row that only starts like one is data."""
    from funnelctl.config import load_config
    from funnelctl.io.activities import read_activities
    from funnelctl.io.readers import open_source

    write_csv(tmp_path / "act.csv", ["ts", "manager", "type", "note"], [
        ["2024-02-05 10:00", "A", "call", ""],                 # line 2
        ["Итого", "", "", ""],                                 # line 3: data follows
        ["2024-02-05 11:00", "Итого", "call", ""],             # line 4: a name, not a total
        ["Итого", "", "", ""]], sep=";", encoding="cp1251")    # line 5: the footer
    source = load_config(write_norms_config(tmp_path)).sources["act"]
    raw = open_source("act", source)
    activities = read_activities(raw, source, "UTC")
    assert raw.detected["footer_lines_removed"] == 1
    assert "1 report footer line(s) removed (totals): 'Итого'" in raw.notes
    assert activities.rows_read == 3  # lines 2-4
    assert activities.rejects.rows() == [(3, "missing manager", None)]
    assert activities.rows_per_manager == {"A": 1, "Итого": 1}
