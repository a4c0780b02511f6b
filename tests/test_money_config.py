"""The money settings: errors name the file and line; each preset's currency column is read
on the bundled exports (checked against the files' own currency cells)."""

from __future__ import annotations

import csv

import pytest

from tests.conftest import ROOT, assert_error, write_csv

CONFIG = """version: 1
{money}
sources:
  deals:
    path: deals.csv
    kind: deals
    columns: {{deal_id: ID, stage: Stage, created_at: Created, amount: Amount}}
funnels:
  - name: F
    source: deals
    stages: [{{name: A}}, {{name: B}}]
{cycle}
"""


def config(tmp_path, money="", cycle=""):
    write_csv(tmp_path / "deals.csv", ["ID", "Stage", "Created", "Amount"],
              [["1", "A", "2024-01-02", "10"]])
    path = tmp_path / "audit.yaml"
    path.write_text(CONFIG.format(money=money, cycle=cycle), encoding="utf-8")
    return path


@pytest.mark.parametrize(("money", "cycle", "fragments"), [
    ("money: {currency: RUB, ratez: {}}", "", ["audit.yaml:2", "unknown key 'ratez'",
                                                "did you mean 'rates'"]),
    ("money: {rates: {USD: 90}}", "", ["audit.yaml:2", "rates need `currency`"]),
    ("money: {currency: RUB, rates: {USD: -1}}", "", ["audit.yaml:2", "rate of USD must be a "
                                                       "positive number"]),
    ("", "    cycle_days: {good: 20, acceptable: 12}", [
        "audit.yaml:12", "good (20.0) must not be above acceptable (12.0)"]),
    ("", "    cycle_days: {good: twelve, acceptable: 20}", ["audit.yaml:12", "good"]),
])
def test_bad_money_settings_are_file_line_errors(cli, tmp_path, money, cycle, fragments):
    assert_error(cli("audit", config(tmp_path, money, cycle)), *fragments)


def test_good_settings_run(cli, tmp_path):
    report = cli.json("audit", config(tmp_path, "money: {currency: rub}",
                                      "    cycle_days: {good: 12, acceptable: 20}"))
    assert report["funnels"][0]["money"]["currency"] == "RUB"  # upper-cased
    assert report["funnels"][0]["cycle_target"]["median"] is None  # no won deal


@pytest.mark.parametrize(("name", "file", "column", "expected"), [
    ("bitrix24", "bitrix24_deals.csv", "Валюта", {"Российский рубль": "RUB"}),
    ("pipedrive", "pipedrive_deals.csv", "Deal - Currency", {"GBP": "GBP"}),
])
def test_the_presets_read_the_currency_column(cli, name, file, column, expected):
    path = ROOT / "sample_data" / file
    with open(path, encoding="utf-8-sig", newline="") as fh:
        delimiter = ";" if name == "bitrix24" else ","
        cells = {row[column] for row in csv.DictReader(fh, delimiter=delimiter)}
    assert cells == set(expected)  # the sample has one currency, written this way
    report = cli.json("audit", ROOT / "configs" / f"{name}.yaml")
    for funnel in report["funnels"]:
        assert funnel["money"]["currency"] == next(iter(expected.values()))
