"""`funnelctl inspect` and `funnelctl init --from-export`."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from funnelctl.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"


def test_inspect_shows_encoding_separator_columns_preset_and_stage_counts(runner) -> None:
    result = runner.invoke(app, ["inspect", str(SAMPLES / "amocrm_deals_cp1251.csv")])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "encoding 'cp1251'" in out and "separator ';'" in out
    assert "preset: amocrm" in out
    assert "Дата создания сделки" in out and "datetime (%d.%m.%Y %H:%M:%S%.f)" in out
    # stage counts, checked against the file read with the csv module
    import csv

    with open(SAMPLES / "amocrm_deals_cp1251.csv", encoding="cp1251", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    stage = rows[0].index("Этап сделки")
    count = sum(1 for r in rows[1:] if r[stage] == "Переговоры")
    assert f"{count:>7}  Переговоры" in out


def test_inspect_json_lists_columns_with_types_and_nulls(runner, tmp_path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("Record ID,Deal Stage,Create Date,Amount\n1,Closed Won,2024-01-02 10:00,"
                    "\n2,Closed Won,2024-01-03 11:00,100\n3,Qualified To Buy,,-\n",
                    encoding="utf-8")
    result = runner.invoke(app, ["inspect", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["preset"] == "hubspot"
    types = {c["name"]: (c["type"], c["nulls"], c["maps_to"]) for c in data["columns"]}
    assert types["Record ID"] == ("integer", 0, "deal_id")
    assert types["Create Date"] == ("datetime (%Y-%m-%d %H:%M)", 1, "created_at")
    assert types["Amount"] == ("integer", 2, "amount")
    assert data["stage_values"] == [["Closed Won", 2], ["Qualified To Buy", 1]]


def test_inspect_names_every_role_of_a_header(runner, tmp_path) -> None:
    """HubSpot's Close Date is a closed deal's closed_at and an open deal's expected close
    (the preset maps it to both, and init writes both): inspect says both, not the last."""
    path = tmp_path / "d.csv"
    path.write_text("Record ID,Deal Stage,Create Date,Close Date\n"
                    "1,Closed Won,2024-01-02 10:00,2024-02-01 10:00\n", encoding="utf-8")
    result = runner.invoke(app, ["inspect", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    roles = {c["name"]: c["maps_to"] for c in json.loads(result.stdout)["columns"]}
    assert roles["Close Date"] == "closed_at, expected_close"
    assert roles["Create Date"] == "created_at"


def test_init_from_export_writes_a_config_that_validates(runner, tmp_path) -> None:
    out = tmp_path / "conf" / "funnel.yaml"
    result = runner.invoke(app, ["init", "--from-export", str(SAMPLES / "bitrix24_deals.csv"),
                                 "--output", str(out)])
    assert result.exit_code == 0, result.output
    config = yaml.safe_load(out.read_text(encoding="utf-8"))
    funnel = config["funnels"][0]
    assert config["sources"]["deals"]["preset"] == "bitrix24"
    # Stage order from the probability the export carries (10, 30, 50, 70, 90 %).
    assert [s["name"] for s in funnel["stages"]] == [
        "Новая", "Подготовка документов", "Счёт на предоплату", "В работе", "Финальный счёт"]
    assert (funnel["won"], funnel["lost"]) == (["Сделка успешна"], ["Сделка провалена"])
    check = runner.invoke(app, ["validate", str(out)])
    assert check.exit_code == 0, check.output
    assert "every stage value matches" in check.stdout


def test_init_orders_stages_by_deal_count_without_other_evidence(runner, tmp_path) -> None:
    data = tmp_path / "d.csv"
    rows = ["Deal - ID,Deal - Stage,Deal - Status,Deal - Deal created"]
    rows += [f"{i},{stage},Open,2024-01-02 10:00:00" for i, stage in
             enumerate(["Pitch"] * 2 + ["Intro"] * 5 + ["Contract"] * 1 + ["Call"] * 3)]
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "c.yaml"
    result = runner.invoke(app, ["init", "--from-export", str(data), "-o", str(out)])
    assert result.exit_code == 0, result.output
    stages = yaml.safe_load(out.read_text(encoding="utf-8"))["funnels"][0]["stages"]
    assert [s["name"] for s in stages] == ["Intro", "Call", "Pitch", "Contract"]
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["sources"]["deals"]["path"] == "d.csv"


def test_init_refuses_to_overwrite(runner, tmp_path) -> None:
    out = tmp_path / "c.yaml"
    out.write_text("keep me", encoding="utf-8")
    result = runner.invoke(app, ["init", "--from-export", str(SAMPLES / "hubspot_deals.csv"),
                                 "-o", str(out)])
    assert result.exit_code == 2 and "already exists" in result.stderr
    assert out.read_text(encoding="utf-8") == "keep me"


def test_init_orders_amocrm_stages_like_its_default_pipeline(runner, tmp_path) -> None:
    out = tmp_path / "amo.yaml"
    result = runner.invoke(app, ["init", "--from-export", str(SAMPLES / "amocrm_deals.csv"),
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    stages = [s["name"] for s in yaml.safe_load(out.read_text(encoding="utf-8"))
              ["funnels"][0]["stages"]]
    # DOMAIN.md: first contact, offer sent, negotiation, decision (after amoCRM's incoming).
    assert stages == ["Неразобранное", "Первичный контакт", "КП отправлено", "Переговоры",
                      "Принимают решение"]


def test_inspect_types_names_ids_and_iso_timestamps(runner, tmp_path) -> None:
    data = tmp_path / "t.csv"
    data.write_text('Deal,Title,At,Amount,Share\n'
                    'D-1,Acme deal 5,2026-09-04T01:35:13Z,"USD 485,000.00",90%\n'
                    'D-2,Bluebay 7,2026-09-05T01:35:13Z,"£1,250.50",45%\n', encoding="utf-8")
    result = runner.invoke(app, ["inspect", str(data), "--format", "json"])
    assert result.exit_code == 0, result.output
    types = {c["name"]: c["type"] for c in json.loads(result.stdout)["columns"]}
    assert types == {"Deal": "text", "Title": "text", "At": "datetime (%Y-%m-%dT%H:%M:%S%.f%#z)",
                     "Amount": "amount as text", "Share": "amount as text"}
