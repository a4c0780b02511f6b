"""Absurd numbers in norms: a daily-totals cell of inf, 1e308 or 2**63 rejects its row
(the audit goes on); a norms rule of 10**12 calls is a config error naming the line."""

from __future__ import annotations

import json

import polars as pl
import pytest

from tests.conftest import assert_error

CONFIG = ("version: 1\nsources:\n  a: {{path: {path}, kind: activities}}\n"
          "norms:\n  source: a\n  calendar: {{workdays: [mon, tue, wed, thu, fri]}}\n{rules}")


def audit(cli, tmp_path, path: str, rules: str = ""):
    config = tmp_path / "c.yaml"
    config.write_text(CONFIG.format(path=path, rules=rules), encoding="utf-8")
    return cli("audit", config, "--format", "json", "--fail-on", "never")


def test_huge_daily_totals_reject_their_row(cli, tmp_path):
    (tmp_path / "a.csv").write_text(
        "manager,date,calls,meetings\n"
        "Ann,2024-01-01,inf,1\n"                    # line 2
        "Ann,2024-01-02,1e308,1\n"                  # line 3
        f"Ann,2024-01-03,{2**63},1\n"               # line 4
        "Ann,2024-01-04,30,1\n"                     # kept
        "Ann,2024-01-05,12,-inf\n"                  # line 6: negative meetings
        "Ann,2024-01-08,5,100001\n"                 # line 7: over the bound
        "Ann,2024-01-09,100000,0\n", encoding="utf-8")  # kept: the bound itself
    result = audit(cli, tmp_path, "a.csv")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    source = data["data_quality"]["sources"][0]
    assert (source["rows_read"], source["rows_rejected"]) == (7, 5)
    assert source["reasons"] == {"calls over 100,000 a day": 3, "negative meetings": 1,
                                 "meetings over 100,000 a day": 1}
    (ann,) = data["norms"]["managers"]
    assert (ann["calls"], ann["meetings"]) == (100_030, 1)


def test_huge_daily_totals_in_parquet(cli, tmp_path):
    pl.DataFrame({"manager": ["Ann", "Ann", "Bob"], "date": ["2024-01-01", "2024-01-02",
                                                             "2024-01-02"],
                  "calls": [float("inf"), 1e308, 3.0], "meetings": [1.0, 2.0, 4.0]}
                 ).write_parquet(tmp_path / "a.parquet")
    data = json.loads(audit(cli, tmp_path, "a.parquet").stdout)
    assert data["data_quality"]["sources"][0]["reasons"] == {"calls over 100,000 a day": 2}
    assert [(m["manager"], m["calls"], m["meetings"]) for m in data["norms"]["managers"]] == [
        ("Bob", 3, 4)]


@pytest.mark.parametrize("rule", ["good: [{calls: 1000000000000}]",
                                  "good: [{meetings: 100001}]"])
def test_an_absurd_norms_rule_is_a_config_error(cli, tmp_path, rule):
    (tmp_path / "a.csv").write_text("manager,date,calls,meetings\nAnn,2024-01-01,1,1\n")
    result = audit(cli, tmp_path, "a.csv", f"  daily:\n    {rule}\n")
    assert_error(result, "c.yaml:8", "norms.daily.good.0", "less than or equal to 100000")


def test_an_absurd_weekly_rule_is_a_config_error(cli, tmp_path):
    (tmp_path / "a.csv").write_text("manager,date,calls,meetings\nAnn,2024-01-01,1,1\n")
    result = audit(cli, tmp_path, "a.csv", "  weekly: {meetings: {excellent: 99999999999}}\n")
    assert_error(result, "c.yaml:7", "norms.weekly.meetings.excellent")
