"""Presets: header matching, `preset: auto`, `columns:` overriding a preset, won / lost."""

from __future__ import annotations

import json
from pathlib import Path

from funnelctl.cli import app
from funnelctl.io import presets


def test_headers_match_after_normalising_case_spaces_and_punctuation() -> None:
    found = presets.match_columns("pipedrive", ["DEAL  -  STAGE", "deal_id", "Deal-Deal created"])
    assert found == {"stage": "DEAL  -  STAGE", "deal_id": "deal_id",
                     "created_at": "Deal-Deal created"}


def test_auto_picks_the_preset_knowing_most_headers() -> None:
    # Both amoCRM and Bitrix24 are Russian; only Bitrix24 says "Стадия сделки".
    bitrix = ["ID", "Название сделки", "Стадия сделки", "Дата создания", "Сумма", "Валюта"]
    amo = ["ID", "Название сделки", "Этап сделки", "Дата создания сделки", "Бюджет"]
    assert presets.pick(bitrix) == "bitrix24"
    assert presets.pick(amo) == "amocrm"
    assert presets.pick(["foo", "bar"]) is None


def write(tmp_path: Path, csv_text: str, source_yaml: str, funnel_yaml: str) -> Path:
    (tmp_path / "d.csv").write_text(csv_text, encoding="utf-8")
    config = tmp_path / "c.yaml"
    config.write_text("version: 1\nsources:\n  deals:\n    path: d.csv\n    kind: deals\n"
                      f"{source_yaml}funnels:\n  - name: F\n    source: deals\n{funnel_yaml}",
                      encoding="utf-8")
    return config


def run(runner, config: Path) -> dict:
    result = runner.invoke(app, ["audit", str(config), "-f", "json", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_auto_records_its_choice_and_uses_preset_won_lost(runner, tmp_path) -> None:
    csv_text = ("Opportunity ID,Opportunity Name,Stage,Created Date,Fiscal Period\n"
                "1,A,Prospecting,1/2/2024,Q1\n2,B,Closed Won,1/3/2024,Q1\n"
                "3,C,Closed Lost,1/4/2024,Q1\n4,D,Proposal,1/5/2024,Q1\n")
    config = write(tmp_path, csv_text, "    preset: auto\n",
                   "    stages: [{name: Prospecting}, {name: Proposal}]\n")
    report = run(runner, config)
    assert report["data_quality"]["sources"][0]["detected"]["preset"] == "salesforce (auto)"
    funnel = report["funnels"][0]
    # won passes both stages; lost has no loss stage: in no stage; open at its stage.
    assert [s["entered"] for s in funnel["stages"]] == [3, 2]
    assert funnel["lost_stage_unknown"] == 1
    assert (funnel["won"], funnel["lost"]) == (1, 1)


def test_config_columns_override_the_preset(runner, tmp_path) -> None:
    csv_text = ("Deal - ID,Deal - Stage,Deal - Status,Deal - Deal created,Real stage\n"
                "1,Old,Open,2024-01-02 10:00:00,B\n2,Old,Open,2024-01-02 10:00:00,A\n")
    config = write(tmp_path, csv_text,
                   "    preset: pipedrive\n    columns: {stage: Real stage}\n",
                   "    stages: [{name: A}, {name: B}]\n")
    funnel = run(runner, config)["funnels"][0]
    assert [s["entered"] for s in funnel["stages"]] == [2, 1]


def test_bitrix24_stage_semantics_column_gives_won_and_lost(runner, tmp_path) -> None:
    csv_text = ('"ID";"Стадия сделки";"Группа стадий";"Дата создания";\n'
                '"1";"Новая";"В работе";"01.02.2024 10:00:00";\n'
                '"2";"Сделка успешна";"Успешные";"01.02.2024 10:00:00";\n'
                '"3";"Сделка провалена";"Неуспешные";"01.02.2024 10:00:00";\n'
                '"4";"Счёт";"S";"01.02.2024 10:00:00";\n')
    config = write(tmp_path, csv_text, "    preset: bitrix24\n",
                   "    stages: [{name: Новая}, {name: Счёт}]\n")
    funnel = run(runner, config)["funnels"][0]
    assert (funnel["won"], funnel["lost"]) == (2, 1)
    # Deal 3 is lost at "Сделка провалена", which says nothing of where: in no stage.
    assert [s["entered"] for s in funnel["stages"]] == [3, 2]


def test_unknown_preset_name_is_a_config_error(runner, tmp_path) -> None:
    config = write(tmp_path, "a\n1\n", "    preset: hubspt\n", "    stages: [{name: A}]\n")
    result = runner.invoke(app, ["audit", str(config)])
    assert result.exit_code == 2
    assert "c.yaml:6" in result.stderr and "did you mean 'hubspot'" in result.stderr
