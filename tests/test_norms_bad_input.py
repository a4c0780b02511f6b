"""Norms config and activities files that cannot be used: exit 2, one clear line, no traceback."""

from __future__ import annotations

import json

import pytest

from tests.conftest import assert_error, write_csv
from tests.norms_support import write_log, write_norms_config

LOG = [("A", "2024-02-05 10:00", "call")]


def test_rule_with_unknown_key_names_line_and_suggests(cli, tmp_path):
    write_log(tmp_path, LOG)
    config = write_norms_config(tmp_path, norms="  daily:\n    good: [{meeting: 3}]\n")
    # line 10 of the config: "    good: [{meeting: 3}]"
    assert_error(cli("audit", config), "audit.yaml:10", "norms.daily.good.0.meeting",
                 "did you mean 'meetings'?")


def test_empty_rule_is_an_error(cli, tmp_path):
    write_log(tmp_path, LOG)
    config = write_norms_config(tmp_path, norms="  daily:\n    acceptable: [{}]\n")
    assert_error(cli("audit", config), "audit.yaml:10", "a rule needs at least one minimum")


def test_negative_minimum_is_an_error(cli, tmp_path):
    write_log(tmp_path, LOG)
    config = write_norms_config(tmp_path, norms="  daily:\n    good: [{calls: -5}]\n")
    assert_error(cli("audit", config), "audit.yaml:10", "norms.daily.good.0.calls",
                 "greater than or equal to 0")


@pytest.mark.parametrize(("block", "fragments"), [
    ("  calendar: {workdays: [monday]}\n", ("norms.calendar.workdays.0", "'mon'")),
    ("  calendar: {holidays: [2024-02-30]}\n", ("audit.yaml:9: '2024-02-30'", "real date")),
    ("  weekly: {meetings: {excellent: 5, good: 8}}\n", ("must not be above excellent",)),
    ("  below_share: {warn: 0.5, fail: 0.4}\n", ("must not be above fail",)),
    ("  below_share: {warn: 20}\n", ("norms.below_share.warn", "less than or equal to 1")),
    ("  roster: [A, B, A]\n", ("norms.roster", "names listed twice: A")),
    ("  rooster: [A]\n", ("norms.rooster", "did you mean 'roster'?")),
])
def test_bad_norms_settings(cli, tmp_path, block, fragments):
    write_log(tmp_path, LOG)
    assert_error(cli("audit", write_norms_config(tmp_path, norms=block)), "audit.yaml:",
                 *fragments)


def test_norms_source_must_exist(cli, tmp_path):
    config = tmp_path / "audit.yaml"
    config.write_text("version: 1\nsources:\n  act: {path: a.csv, kind: activities}\n"
                      "norms:\n  source: calls\n", encoding="utf-8")
    assert_error(cli("audit", config), "audit.yaml:5: norms.source",
                 "unknown source 'calls'", "sources defined: act")


def test_norms_source_must_be_activities(cli, tmp_path):
    config = tmp_path / "audit.yaml"
    config.write_text("version: 1\nsources:\n  deals: {path: d.csv, kind: deals}\n"
                      "norms:\n  source: deals\n", encoding="utf-8")
    assert_error(cli("audit", config), "audit.yaml:5: norms.source",
                 "kind 'deals'", "kind: activities")


def test_type_values_listed_twice(cli, tmp_path):
    write_log(tmp_path, LOG)
    source = "    type_values: {call: [Звонок], meeting: [звонок]}\n"
    assert_error(cli("audit", write_norms_config(tmp_path, source=source)), "audit.yaml:",
                 "both call and meeting: звонок")


def test_unknown_type_column(cli, tmp_path):
    write_log(tmp_path, [("A", "2024-02-05 10:00", "call")], header=("manager", "ts", "Тип"))
    source = "    columns: {type: Тип события}\n"
    assert_error(cli("audit", write_norms_config(tmp_path, source=source)), "act.csv",
                 "column 'Тип события' (for type) not found", "columns found: manager, ts, Тип")


def test_missing_type_column(cli, tmp_path):
    write_csv(tmp_path / "act.csv", ["manager", "ts"], [["A", "2024-02-05 10:00"]])
    assert_error(cli("audit", write_norms_config(tmp_path)), "act.csv", "no column for type",
                 "columns found: manager, ts")


def test_missing_activities_file(cli, tmp_path):
    assert_error(cli("audit", write_norms_config(tmp_path)), "act.csv", "data file not found")


def test_header_without_rows(cli, tmp_path):
    write_csv(tmp_path / "act.csv", ["manager", "ts", "type"], [])
    assert_error(cli("audit", write_norms_config(tmp_path)), "act.csv", "no data rows")


def test_daily_totals_without_a_date_column(cli, tmp_path):
    write_csv(tmp_path / "act.csv", ["manager", "calls"], [["A", "3"]])
    assert_error(cli("audit", write_norms_config(tmp_path)), "no column for date",
                 "daily totals")


def test_unparseable_timestamps_are_rejected_not_fatal(cli, tmp_path):
    write_log(tmp_path, [("A", "2024-02-05 10:00", "call"), ("A", "5 февраля", "call")])
    result = cli("audit", write_norms_config(tmp_path), "--format", "json")
    assert result.exit_code in (0, 1)
    source = json.loads(result.stdout)["data_quality"]["sources"][0]
    assert source["reasons"]["unparseable ts"] == 1


def test_validate_checks_the_activity_columns(cli, tmp_path):
    write_log(tmp_path, LOG)
    result = cli("validate", write_norms_config(tmp_path))
    assert result.exit_code == 0
    assert "activities: one row per activity (manager: 'manager', ts: 'ts', type: 'type')" \
        in result.stdout
    write_log(tmp_path, LOG, header=("manager", "ts", "kind"))
    assert_error(cli("validate", write_norms_config(tmp_path)), "no column for type")
