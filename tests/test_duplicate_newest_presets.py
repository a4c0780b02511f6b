"""A deal exported twice in one stage, its amount edited between the exports: both copies
share the CRM's stage-change date (Pipedrive `Deal - Last stage change`, Bitrix24
`Дата перемещения`), so only the record-modified date (`Deal - Update time`, `Дата
изменения`, mapped by the presets as modified_at) says which copy is current. The audit
keeps the later-modified copy, whichever is written first, on both engines; time in stage
still comes from the stage-change column. Values worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import yaml

from funnelctl.io.presets import match_columns
from tests.conftest import write_csv
from tests.engine_support import report_json
from tests.test_bitrix24_product_rows import bitrix_bytes

AS_OF = dt.date(2026, 12, 1)
NOTE = "2 rows repeat a deal id: of each repeated id the newest by modified_at is kept"

PIPEDRIVE_HEADER = ["Deal - ID", "Deal - Title", "Deal - Owner", "Deal - Value",
                    "Deal - Currency", "Deal - Pipeline", "Deal - Stage", "Deal - Status",
                    "Deal - Deal created", "Deal - Last stage change", "Deal - Update time"]


def pipedrive(id_, stage, value, moved, updated):
    return [id_, f"Deal {id_}", "Maria Lopez", value, "EUR", "Sales", stage, "Open",
            "2026-01-30 15:55:37", moved, updated]


PIPEDRIVE_ROWS = [  # line 1 is the header
    pipedrive("5012", "Qualified", "20000", "2026-02-11 09:12:03", "2026-02-11 09:12:03"),
    pipedrive("5012", "Qualified", "25000", "2026-02-11 09:12:03", "2026-03-02 14:00:00"),
    pipedrive("5013", "Proposal Made", "40000", "2026-02-20 10:00:00", "2026-03-05 11:30:00"),
    pipedrive("5013", "Proposal Made", "30000", "2026-02-20 10:00:00", "2026-02-20 10:00:00"),
    pipedrive("5014", "Qualified", "5000", "2026-02-01 08:00:00", "2026-02-01 08:00:00"),
]
# 5012: line 3 updated later (25000), line 2 the duplicate; 5013: line 4 (40000), line 5
# the duplicate. Open value 25000 + 40000 + 5000 = 70000 (by the tied stage change, file
# order: 20000 + 40000 + 5000 = 65000).

BITRIX_HEADER = ["ID", "Название сделки", "Стадия сделки", "Группа стадий", "Воронка", "Сумма",
                 "Валюта", "Ответственный", "Дата создания", "Дата перемещения",
                 "Дата изменения"]


def bitrix(id_, stage, amount, moved, modified):
    return [id_, f"Сделка {id_}", stage, "В работе", "Общая", amount, "Российский рубль",
            "Ольга Петрова", "03.04.2024 11:02:45", moved, modified]


DOCS, INVOICE = "Подготовка документов", "Счёт на предоплату"
BITRIX_ROWS = [  # line 1 is the header
    bitrix("1021", DOCS, "250000.00", "10.04.2024 16:00:00", "10.04.2024 16:00:00"),
    bitrix("1021", DOCS, "275000.50", "10.04.2024 16:00:00", "15.04.2024 09:30:10"),
    bitrix("1022", INVOICE, "90000.00", "12.04.2024 10:00:00", "20.04.2024 12:00:00"),
    bitrix("1022", INVOICE, "80000.00", "12.04.2024 10:00:00", "12.04.2024 10:00:00"),
    bitrix("1023", "Новая", "10000.00", "05.04.2024 09:00:00", "05.04.2024 09:00:00"),
]
# 1021: line 3 modified later (275000.50), line 2 the duplicate; 1022: line 4 (90000),
# line 5 the duplicate. Open value 275000.50 + 90000 + 10000 = 375000.50 (by the tied
# Дата перемещения, file order: 250000 + 90000 + 10000 = 350000).

CASES = {  # preset: (header, rows, funnel stages, the date format, duplicates' lines, open value)
    "pipedrive": (PIPEDRIVE_HEADER, PIPEDRIVE_ROWS, ["Qualified", "Proposal Made"],
                  "%Y-%m-%d %H:%M:%S", [(2, "5012"), (5, "5013")], 70000),
    "bitrix24": (BITRIX_HEADER, BITRIX_ROWS, ["Новая", DOCS, INVOICE],
                 "%d.%m.%Y %H:%M:%S", [(2, "1021"), (5, "1022")], 375000.50),
}


def config(preset: str, path: str) -> dict:
    return {"version": 1, "timezone": "UTC",
            "sources": {"deals": {"path": path, "kind": "deals", "preset": preset}},
            "funnels": [{"name": "Sales", "source": "deals",
                         "stages": [{"name": s} for s in CASES[preset][2]]}]}


def write_export(tmp_path, preset: str, encoding: str):
    """The export as the CRM writes it: Pipedrive plain CSV; Bitrix24 every field quoted,
    ';' after each, a BOM (cloud) or cp1251 (on-premise)."""
    header, rows = CASES[preset][:2]
    if preset == "bitrix24":
        (tmp_path / "deals.csv").write_bytes(bitrix_bytes(header, rows, encoding))
    else:
        write_csv(tmp_path / "deals.csv", header, rows, encoding=encoding)
    path = tmp_path / "audit.yaml"
    path.write_text(yaml.safe_dump(config(preset, "deals.csv"), allow_unicode=True),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize(("preset", "encoding"), [
    ("pipedrive", "utf-8"), ("bitrix24", "utf-8-sig"), ("bitrix24", "cp1251")])
def test_the_later_modified_copy_in_one_stage_is_the_deal(cli, tmp_path, preset, encoding):
    ledger = tmp_path / "rejects.csv"
    report = cli.json("audit", write_export(tmp_path, preset, encoding),
                      "--as-of", "2026-12-01", "--rejects", ledger)
    duplicates, open_value = CASES[preset][4:]
    assert report["funnels"][0]["money"]["open_value"] == open_value
    assert ledger.read_text(encoding="utf-8").splitlines()[1:] == [
        f'"deals",{line},"duplicate deal id","{id_}"' for line, id_ in duplicates]
    assert NOTE in report["data_quality"]["sources"][0]["notes"]


def test_a_bitrix24_export_with_only_its_modified_date_orders_copies_by_it(cli, tmp_path):
    # Bitrix24's usual export: no Дата перемещения, Дата изменения read as both dates.
    # The copies differ in it, so the same copies are kept: open value 375000.50.
    moved = BITRIX_HEADER.index("Дата перемещения")
    (tmp_path / "deals.csv").write_bytes(bitrix_bytes(
        BITRIX_HEADER[:moved] + BITRIX_HEADER[moved + 1:],
        [r[:moved] + r[moved + 1:] for r in BITRIX_ROWS], "utf-8-sig"))
    (tmp_path / "audit.yaml").write_text(yaml.safe_dump(config("bitrix24", "deals.csv"),
                                                        allow_unicode=True), encoding="utf-8")
    report = cli.json("audit", tmp_path / "audit.yaml", "--as-of", "2026-12-01")
    assert report["funnels"][0]["money"]["open_value"] == 375000.50
    quality = report["data_quality"]["sources"][0]
    assert quality["reasons"] == {"duplicate deal id": 2}
    assert NOTE in quality["notes"]


@pytest.mark.parametrize("preset", sorted(CASES))
def test_both_engines_keep_the_later_modified_copy(tmp_path, preset):
    pytest.importorskip("chdb")
    header, rows, _, date_format, _, open_value = CASES[preset]
    dates = header[8:]  # created, stage change, modified in both headers
    amount = {"pipedrive": "Deal - Value", "bitrix24": "Сумма"}[preset]
    # Parquet as ClickHouse reads it: amounts stored as numbers, dates typed
    pl.DataFrame([dict(zip(header, r, strict=True)) for r in rows]).with_columns(
        pl.col(amount).cast(pl.Float64), pl.col(dates).str.to_datetime(date_format)
    ).write_parquet(tmp_path / "deals.parquet")
    polars_config = config(preset, str(tmp_path / "deals.parquet"))
    clickhouse_config = config(preset, str(tmp_path / "deals.parquet"))
    clickhouse_config["sources"]["deals"] |= {"engine": "clickhouse", "url": "chdb:"}
    polars = report_json(polars_config, tmp_path / "p.yaml", as_of=AS_OF)
    clickhouse = report_json(clickhouse_config, tmp_path / "c.yaml", as_of=AS_OF)
    assert clickhouse == polars
    assert clickhouse["funnels"][0]["money"]["open_value"] == open_value
    assert NOTE in clickhouse["data_quality"]["sources"][0]["notes"]


@pytest.mark.parametrize(("preset", "moved", "modified"), [
    ("pipedrive", "Deal - Last stage change", "Deal - Update time"),
    ("bitrix24", "Дата перемещения", "Дата изменения")])
def test_time_in_stage_still_comes_from_the_stage_change_column(preset, moved, modified):
    found = match_columns(preset, ["ID", modified, moved])
    assert (found["stage_changed_at"], found["modified_at"]) == (moved, modified)
    # an export with only the modified date: it is both (as stage_changed_at before)
    only = match_columns(preset, ["ID", modified])
    assert (only["stage_changed_at"], only["modified_at"]) == (modified, modified)
