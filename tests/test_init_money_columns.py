"""`init --from-export` writes the columns the forecast, max_days and the money views read:
expected_close, stage_changed_at and currency, from a preset's headers or, without a preset,
from header words whose values agree (dates that read as dates, a few currency codes).
Expected values are counted by hand from the rows written here."""

from __future__ import annotations

from tests.test_init_export import init


def forecast_rows(report: dict) -> dict[tuple[str, str | None], tuple[int, float]]:
    rows = report["funnels"][0]["forecast"]["rows"]
    return {(r["bucket"], r["month"]): (r["deals"], r["amount"]) for r in rows}


def test_amocrm_expected_close_is_written_and_the_forecast_reads_it(run, audit_json, tmp_path):
    # Closed deals (4, 5) have no expected close: a blank cell, not a bad date.
    export = tmp_path / "amocrm.csv"
    export.write_text(
        "ID,Бюджет,Ответственный,Дата создания сделки,Этап сделки,Дата закрытия,"
        "Ожидаемая дата закрытия\n"
        "1,100000,Анна,01.10.2026 10:00:00,Первичный контакт,,15.12.2026\n"
        "2,200000,Анна,02.10.2026 10:00:00,Переговоры,,20.12.2026\n"
        "3,50000,Пётр,03.10.2026 10:00:00,Переговоры,,10.01.2027\n"
        "4,300000,Пётр,04.10.2026 10:00:00,Успешно реализовано,05.11.2026 12:00:00,\n"
        "5,70000,Анна,05.10.2026 10:00:00,Закрыто и не реализовано,06.11.2026 12:00:00,\n"
        "6,40000,Пётр,06.10.2026 10:00:00,Первичный контакт,,20.11.2026\n",
        encoding="utf-8")
    config, text = init(run, export, tmp_path)
    assert config["sources"]["deals"]["preset"] == "amocrm"
    assert config["sources"]["deals"]["columns"]["expected_close"] == "Ожидаемая дата закрытия"
    assert ('expected_close: "Ожидаемая дата закрытия"  # header known to the amocrm preset, '
            "datetime (%d.%m.%Y)") in text
    assert "#   Ожидаемая дата закрытия:" not in text  # no longer listed as not mapped
    report = audit_json(tmp_path / "funnelctl.yaml", "--as-of", "2026-12-01")
    # open: 1, 2, 3, 6; deal 6's 20.11 is before 2026-12-01: overdue
    assert report["funnels"][0]["forecast"]["open_deals"] == 4
    rows = forecast_rows(report)
    assert rows[("overdue", None)] == (1, 40000.0)
    assert rows[("month", "2026-12")] == (2, 300000.0)
    assert rows[("month", "2027-01")] == (1, 50000.0)
    assert sum(deals for deals, _ in rows.values()) == 4


def test_english_export_without_a_preset_maps_expected_close_currency_and_stage_change(
        run, audit_json, tmp_path):
    export = tmp_path / "deals.csv"
    export.write_text(
        "Deal number,Stage,Created,Stage changed,Expected close date,Amount,Currency\n"
        "101,Lead,2026-09-01,2026-09-01,2026-12-10,1000,USD\n"
        "102,Lead,2026-09-02,2026-09-20,2026-12-20,2000,EUR\n"
        "103,Proposal,2026-09-03,2026-10-01,2027-01-15,3000,USD\n"
        "104,Proposal,2026-09-04,2026-10-02,,4000,USD\n"
        "105,Won,2026-09-05,2026-11-01,,5000,EUR\n", encoding="utf-8")
    config, text = init(run, export, tmp_path)
    source = config["sources"]["deals"]
    assert "preset" not in source
    columns = source["columns"]
    assert columns["expected_close"] == "Expected close date"
    assert columns["currency"] == "Currency"
    assert columns["stage_changed_at"] == "Stage changed"
    assert 'expected_close: "Expected close date"  # header, datetime (%Y-%m-%d)' in text
    assert 'currency: "Currency"  # header, 2 distinct values' in text
    # A planned close date is no closed_at, and no header serves two roles without a preset
    assert "closed_at" not in columns
    assert len(set(columns.values())) == len(columns)
    report = audit_json(tmp_path / "funnelctl.yaml", "--as-of", "2026-12-01")
    forecast = report["funnels"][0]["forecast"]
    by_month = {(r["month"], r["currency"]): (r["deals"], r["amount"])
                for r in forecast["rows"] if r["bucket"] == "month"}
    assert by_month == {("2026-12", "USD"): (1, 1000.0), ("2026-12", "EUR"): (1, 2000.0),
                        ("2027-01", "USD"): (1, 3000.0)}
    no_date = [r for r in forecast["rows"] if r["bucket"] == "no_date"]
    assert sum(r["deals"] for r in no_date) == 1  # deal 104: open, no expected close


def test_text_named_like_a_date_or_many_codes_named_currency_are_not_mapped(run, tmp_path):
    export = tmp_path / "deals.csv"
    export.write_text(
        "ID,Stage,Created,Amount,Expected close date,Currency\n"
        + "".join(f"{i},{'Lead' if i % 2 else 'Demo'},2026-09-{i:02d},100,{when},{i * 1.5}\n"
                  for i, when in enumerate(["next quarter", "soon", "Q1", "after summer",
                                            "soon", "Q1"], start=1)),
        encoding="utf-8")
    config, text = init(run, export, tmp_path)
    columns = config["sources"]["deals"]["columns"]
    assert "expected_close" not in columns and "currency" not in columns
    assert columns["amount"] == "Amount"  # the rates are not the amount either
    assert "#   Expected close date: text, 4 distinct values" in text
    assert "#   Currency: number, 6 distinct values" in text
