"""Each CRM's sample export, audited through its preset, against counts worked out here
with the plain csv module and the semantics of DESIGN.md written out by hand."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from funnelctl.cli import app

ROOT = Path(__file__).resolve().parent.parent

SAMPLES = ROOT / "sample_data"


def funnel_counts(rows, stages, *, won=(), lost=(), status=None, lost_stage=None):
    """entered per stage, won, lost: first row per deal; a won deal passed every stage; a
    lost deal passed up to its stage at loss when known, else no stage at all (it counts
    in won / lost only); an open deal passed up to its current stage; deals at a stage
    outside the funnel are left out."""
    index = {s: i for i, s in enumerate(stages, 1)}
    seen, depths, outcomes = set(), [], []
    for deal_id, stage, state, at_loss in rows:
        if deal_id in seen:
            continue
        seen.add(deal_id)
        if status is not None:
            outcome = status[state]
            loss_depth = index.get(stage)
        else:
            outcome = "won" if stage in won else "lost" if stage in lost else "open"
            loss_depth = index.get(at_loss) if lost_stage else None
        if outcome == "won":
            depth = len(stages)
        elif outcome == "lost":
            depth = loss_depth or 0
        else:
            depth = index.get(stage)
        if depth is None:
            continue
        depths.append(depth)
        outcomes.append(outcome)
    entered = [sum(d >= k for d in depths) for k in range(1, len(stages) + 1)]
    return entered, outcomes.count("won"), outcomes.count("lost")


def audit_json(runner, config: str) -> dict:
    result = runner.invoke(app, ["audit", str(ROOT / "configs" / config), "--format", "json",
                                 "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def check(report: dict, expected) -> None:
    funnel = report["funnels"][0]
    entered, won, lost = expected
    assert [s["entered"] for s in funnel["stages"]] == entered
    assert (funnel["won"], funnel["lost"]) == (won, lost)


def stages_of(config: str) -> list[str]:
    import yaml

    data = yaml.safe_load((ROOT / "configs" / config).read_text(encoding="utf-8"))
    return [s["name"] for s in data["funnels"][0]["stages"]]


def test_amocrm_cp1251_export(runner) -> None:
    with open(SAMPLES / "amocrm_deals_cp1251.csv", encoding="cp1251", newline="") as fh:
        records = list(csv.reader(fh, delimiter=";"))
    header, body = records[0], records[1:]
    col = {name: header.index(name) for name in header}  # first copy of a duplicated name

    def parses(text: str) -> bool:
        try:
            dt.datetime.strptime(text, "%d.%m.%Y %H:%M:%S")
            return True
        except ValueError:
            return False

    rows = [(r[col["ID"]], r[col["Этап сделки"]], None, r[col["Этап отказа"]])
            for r in body if parses(r[col["Дата создания сделки"]])]
    expected = funnel_counts(rows, stages_of("amocrm.yaml"), won={"Успешно реализовано"},
                             lost={"Закрыто и не реализовано"}, lost_stage=True)
    report = audit_json(runner, "amocrm.yaml")
    check(report, expected)
    quality = report["data_quality"]["sources"][0]
    assert quality["detected"]["encoding"] == "cp1251"
    assert quality["detected"]["separator"] == ";"
    assert quality["reasons"]["unparseable created_at"] == len(body) - len(rows)


def test_bitrix24_export_with_product_rows(runner) -> None:
    with open(SAMPLES / "bitrix24_deals.csv", encoding="utf-8-sig", newline="") as fh:
        body = list(csv.DictReader(fh, delimiter=";"))
    status = {"В работе": "open", "Успешные": "won", "Неуспешные": "lost"}
    rows = [(r["ID"], r["Стадия сделки"], r["Группа стадий"], None) for r in body]
    expected = funnel_counts(rows, stages_of("bitrix24.yaml"), status=status)
    report = audit_json(runner, "bitrix24.yaml")
    check(report, expected)
    quality = report["data_quality"]["sources"][0]
    # A deal's rows, one per product, are one deal whose value is the sum of their Сумма.
    rows_of = collections.Counter(r["ID"] for r in body)
    several = [n for n in rows_of.values() if n > 1]
    assert "duplicate deal id" not in quality["reasons"] and quality["rows_read"] == len(body)
    assert f"{sum(several)} product rows of {len(several)} deals read as one deal each" in \
        quality["notes"]
    won = sum(float(r["Сумма"]) for r in body if r["Группа стадий"] == "Успешные")
    assert report["funnels"][0]["money"]["won_revenue"] == won
    assert quality["detected"]["encoding"] == "utf-8-sig"
    assert any("ends with a separator" in n for n in quality["notes"])


def test_hubspot_export(runner) -> None:
    with open(SAMPLES / "hubspot_deals.csv", encoding="utf-8", newline="") as fh:
        body = list(csv.DictReader(fh))
    rows = [(r["Record ID"], r["Deal Stage"], None, None) for r in body]
    expected = funnel_counts(rows, stages_of("hubspot.yaml"), won={"Closed Won"},
                             lost={"Closed Lost"})
    check(audit_json(runner, "hubspot.yaml"), expected)


def test_pipedrive_export(runner) -> None:
    with open(SAMPLES / "pipedrive_deals.csv", encoding="utf-8", newline="") as fh:
        body = list(csv.DictReader(fh))
    rows = [(r["Deal - ID"], r["Deal - Stage"], r["Deal - Status"], None) for r in body]
    expected = funnel_counts(rows, stages_of("pipedrive.yaml"),
                             status={"Open": "open", "Won": "won", "Lost": "lost"})
    check(audit_json(runner, "pipedrive.yaml"), expected)


def test_salesforce_report_with_footer(runner) -> None:
    with open(SAMPLES / "salesforce_opportunities.csv", encoding="utf-8", newline="") as fh:
        body = [r for r in csv.DictReader(fh) if r["Stage"] is not None]  # footer: one field
    rows = [(r["Opportunity Name"], r["Stage"], None, None) for r in body]
    expected = funnel_counts(rows, stages_of("salesforce.yaml"), won={"Closed Won"},
                             lost={"Closed Lost"})
    report = audit_json(runner, "salesforce.yaml")
    check(report, expected)
    quality = report["data_quality"]["sources"][0]
    assert quality["detected"]["footer_lines_removed"] == 3
    assert quality["detected"]["date_order"] == {"Created Date": "day-first",
                                                 "Close Date": "day-first"}


@pytest.mark.parametrize("name", ["amocrm", "bitrix24", "hubspot", "pipedrive", "salesforce"])
def test_auto_preset_picks_each_crm(runner, name: str) -> None:
    files = {"amocrm": "amocrm_deals_cp1251.csv", "bitrix24": "bitrix24_deals.csv",
             "hubspot": "hubspot_deals.csv", "pipedrive": "pipedrive_deals.csv",
             "salesforce": "salesforce_opportunities.csv"}
    result = runner.invoke(app, ["inspect", str(SAMPLES / files[name]), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["preset"] == name
