"""A deal id written twice: with modified_at mapped (HubSpot's Last Modified Date), or
else stage_changed_at, the copy changed last is the deal, not the first one written;
ties and copies without a date keep the first, as an export without the column does.
The other copies are `duplicate deal id` rejects with their line. Both engines agree.
Values worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import yaml

from tests.conftest import write_csv
from tests.engine_support import report_json

HEADER = ["Record ID", "Deal Name", "Pipeline", "Deal Stage", "Amount", "Deal owner",
          "Create Date", "Close Date", "Last Modified Date"]
CREATED = "2026-03-02 09:00"
CLOSED = "2026-07-20 10:00"
WON, LOST, SENT, QUALIFIED = "Closed Won", "Closed Lost", "Contract Sent", "Qualified To Buy"


def deal(id_, stage, amount, modified):
    closed = CLOSED if stage in (WON, LOST) else ""
    return [id_, f"Deal {id_}", "Sales Pipeline", stage, amount, "Alex", CREATED, closed,
            modified]


ROWS = [  # line 1 is the header
    deal("1", WON, "100", "2026-05-10 08:00"),          # line 2: once, won 100
    deal("2", SENT, "200", "2026-05-01 08:00"),         # line 3: the older copy first
    deal("2", WON, "250", "2026-05-20 08:00"),          # line 4: newest: won 250
    deal("3", WON, "300", "2026-06-15 08:00"),          # line 5: the newer copy first: won 300
    deal("3", SENT, "280", "2026-06-01 08:00"),         # line 6
    deal("4", LOST, "400", "2026-06-10 08:00"),         # line 7: equal dates: the first, lost
    deal("4", WON, "450", "2026-06-10 08:00"),          # line 8
    deal("5", QUALIFIED, "500", "2026-04-01 08:00"),    # line 9: once, open
    deal("6", WON, "600", ""),                          # line 10: a copy without a date:
    deal("6", SENT, "610", "2026-07-01 08:00"),         # line 11: the first, won 600
]
# Newest: won 1, 2, 3, 6 = 4 deals, 100 + 250 + 300 + 600 = 1250; lost 4; duplicates at
# lines 3, 6, 8, 11. The first rows (no Last Modified Date): won 1, 3, 6 = 3 deals,
# 100 + 300 + 600 = 1000; deal 2 open at Contract Sent; duplicates at lines 4, 6, 8, 11.
CONFIG = {
    "version": 1, "timezone": "UTC",
    "sources": {"deals": {"path": "deals.csv", "kind": "deals", "preset": "hubspot"}},
    "funnels": [{"name": "Sales", "source": "deals",
                 "stages": [{"name": QUALIFIED}, {"name": SENT}]}],
}
AS_OF = dt.date(2026, 12, 1)
# Deal 6 has a copy without a date: of the 4 repeated ids, 1 is kept by file order.
NEWEST_NOTE = ("4 rows repeat a deal id: of each repeated id the newest by modified_at "
               "is kept; of 1 id with a copy without a modified_at, the first copy in "
               "file order: no date to choose the newest")
FIRST_NOTE = ("4 rows repeat a deal id: of each repeated id the first copy in file order is "
              "kept: no modified_at or stage_changed_at to choose the newest")


def export(tmp_path, header=HEADER, rows=ROWS):
    """The config over the export as CSV, the way HubSpot writes it."""
    write_csv(tmp_path / "deals.csv", header, rows)
    path = tmp_path / "audit.yaml"
    path.write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    return path


def won(report: dict) -> tuple[int, int, float]:
    funnel = report["funnels"][0]
    return funnel["won"], funnel["lost"], funnel["money"]["won_revenue"]


def test_the_newest_copy_is_the_deal(cli, tmp_path):
    config = export(tmp_path)
    ledger = tmp_path / "rejects.csv"
    report = cli.json("audit", config, "--as-of", "2026-12-01", "--rejects", ledger)
    assert won(report) == (4, 1, 1250)
    quality = report["data_quality"]["sources"][0]
    assert quality["reasons"] == {"duplicate deal id": 4}
    assert NEWEST_NOTE in quality["notes"]
    assert ledger.read_text(encoding="utf-8").splitlines()[1:] == [
        f'"deals",{line},"duplicate deal id","{id_}"'
        for line, id_ in ((3, 2), (6, 3), (8, 4), (11, 6))]


def test_without_the_date_column_the_first_copy_is_the_deal(cli, tmp_path):
    config = export(tmp_path, HEADER[:-1], [r[:-1] for r in ROWS])
    ledger = tmp_path / "rejects.csv"
    report = cli.json("audit", config, "--as-of", "2026-12-01", "--rejects", ledger)
    assert won(report) == (3, 1, 1000)
    assert report["funnels"][0]["stages"][1]["entered"] == 4  # 2 (Contract Sent), 1, 3, 6
    assert FIRST_NOTE in report["data_quality"]["sources"][0]["notes"]
    assert ledger.read_text(encoding="utf-8").splitlines()[1:] == [
        f'"deals",{line},"duplicate deal id","{id_}"'
        for line, id_ in ((4, 2), (6, 3), (8, 4), (11, 6))]


@pytest.mark.parametrize("dated, note", [
    (True, "повторы id сделки: из копий каждой сделки оставлена самая новая по "
           "modified_at, а у 1 id с копией без modified_at — первая по порядку в "
           "файле: нет даты, чтобы выбрать самую новую; строк-повторов 4"),
    (False, "повторы id сделки: из копий каждой сделки оставлена первая по порядку в файле "
            "— нет modified_at или stage_changed_at, чтобы выбрать самую новую; "
            "строк-повторов 4")], ids=["newest", "first copy"])
def test_the_note_in_russian(cli, tmp_path, dated, note):
    config = export(tmp_path) if dated else export(tmp_path, HEADER[:-1], [r[:-1] for r in ROWS])
    result = cli("audit", config, "--as-of", "2026-12-01", "--lang", "ru",
                 "--format", "markdown", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    assert note in result.stdout


def test_every_copy_dated_the_note_names_only_the_newest(cli, tmp_path):
    # without deal 6 (lines 10-11): 3 rows repeat ids 2, 3, 4, each copy with a date
    config = export(tmp_path, rows=ROWS[:-2])
    report = cli.json("audit", config, "--as-of", "2026-12-01")
    assert won(report) == (3, 1, 650)  # won 1, 2, 3: 100 + 250 + 300; lost 4
    notes = report["data_quality"]["sources"][0]["notes"]
    assert [n for n in notes if "repeat" in n] == [
        "3 rows repeat a deal id: of each repeated id the newest by modified_at is kept"]


def typed(rows: list[list[str]], dated: bool) -> pl.DataFrame:
    """The export as Parquet would store it (ClickHouse reads amounts stored as numbers):
    the amount a number, the dates typed; Last Modified Date typed or ISO text."""
    frame = pl.DataFrame([dict(zip(HEADER, r, strict=True)) for r in rows])
    dates = ["Create Date", "Close Date", *(["Last Modified Date"] if dated else [])]
    return frame.with_columns(pl.col("Amount").cast(pl.Float64),
                              pl.col(dates).replace("", None).str.to_datetime("%Y-%m-%d %H:%M"))


@pytest.mark.parametrize("dated", [True, False], ids=["datetime", "text"])
def test_both_engines_keep_the_newest_copy(tmp_path, dated):
    pytest.importorskip("chdb")
    typed(ROWS, dated).write_parquet(tmp_path / "deals.parquet")
    source = {"path": str(tmp_path / "deals.parquet"), "kind": "deals", "preset": "hubspot"}
    config = {**CONFIG, "sources": {"deals": source}}
    polars = report_json(config, tmp_path / "polars.yaml", as_of=AS_OF)
    on_clickhouse = {**CONFIG, "sources": {"deals": {**source, "engine": "clickhouse",
                                                     "url": "chdb:"}}}
    clickhouse = report_json(on_clickhouse, tmp_path / "clickhouse.yaml", as_of=AS_OF)
    assert clickhouse == polars
    assert won(clickhouse) == (4, 1, 1250)
    quality = clickhouse["data_quality"]["sources"][0]
    assert quality["reasons"] == {"duplicate deal id": 4}
    assert NEWEST_NOTE in quality["notes"]


def test_both_engines_keep_the_first_copy_without_the_date_column(tmp_path):
    pytest.importorskip("chdb")
    typed(ROWS, True).drop("Last Modified Date").write_parquet(tmp_path / "deals.parquet")
    source = {"path": str(tmp_path / "deals.parquet"), "kind": "deals", "preset": "hubspot"}
    polars = report_json({**CONFIG, "sources": {"deals": source}}, tmp_path / "p.yaml",
                         as_of=AS_OF)
    clickhouse = report_json({**CONFIG, "sources": {"deals": {
        **source, "engine": "clickhouse", "url": "chdb:"}}}, tmp_path / "c.yaml", as_of=AS_OF)
    assert clickhouse == polars
    assert won(clickhouse) == (3, 1, 1000)
    assert FIRST_NOTE in clickhouse["data_quality"]["sources"][0]["notes"]


def test_a_table_names_its_earliest_created_copy_in_both_languages():
    """engine: clickhouse over a table (no row order) keeps the earliest created copy
    (docs/engines.md): the note says that, not file order."""
    from funnelctl.io.deals import EARLIEST_COPY, duplicate_note
    from funnelctl.render.labels_ru import note_text

    note = duplicate_note(2, None, first=EARLIEST_COPY)
    assert note == ("2 rows repeat a deal id: of each repeated id the earliest created copy "
                    "(a table has no row order) is kept: no modified_at or stage_changed_at "
                    "to choose the newest")
    assert note_text(note, "ru") == (
        "повторы id сделки: из копий каждой сделки оставлена самая ранняя по дате создания "
        "(в таблице нет порядка строк) — нет modified_at или stage_changed_at, чтобы выбрать "
        "самую новую; строк-повторов 2")
    dated = duplicate_note(1, "stage_changed_at", 1, EARLIEST_COPY)
    assert note_text(dated, "ru") == (
        "повторы id сделки: из копий каждой сделки оставлена самая новая по stage_changed_at, "
        "а у 1 id с копией без stage_changed_at — самая ранняя по дате создания (в таблице "
        "нет порядка строк): нет даты, чтобы выбрать самую новую; строк-повторов 1")


TWO_DATES = [*HEADER, "Date entered current stage"]
TWO_COPIES = [  # deal 7 twice in one stage (entered 2026-05-01), its amount edited since
    [*deal("7", SENT, "200", "2026-05-02 08:00"), "2026-05-01 08:00"],  # line 2: stale
    [*deal("7", SENT, "250", "2026-05-20 08:00"), "2026-05-01 08:00"],  # line 3: newest
    [*deal("8", QUALIFIED, "100", "2026-04-01 08:00"), "2026-04-01 08:00"],  # line 4
]
# By Last Modified Date: deal 7 is line 3's (250), line 2 the duplicate; open value
# 250 + 100 = 350. By Date entered current stage the copies tie and line 2's 200 won.


def test_a_hubspot_record_copied_in_one_stage_is_its_last_modified_copy(cli, tmp_path):
    config = export(tmp_path, TWO_DATES, TWO_COPIES)
    ledger = tmp_path / "rejects.csv"
    report = cli.json("audit", config, "--as-of", "2026-12-01", "--rejects", ledger)
    assert report["funnels"][0]["money"]["open_value"] == 350
    assert ledger.read_text(encoding="utf-8").splitlines()[1:] == [
        '"deals",2,"duplicate deal id","7"']
    assert "1 row repeats a deal id: of each repeated id the newest by modified_at is kept" \
        in report["data_quality"]["sources"][0]["notes"]


def test_both_engines_keep_the_last_modified_copy_of_a_hubspot_record(tmp_path):
    pytest.importorskip("chdb")
    frame = pl.DataFrame([dict(zip(TWO_DATES, r, strict=True)) for r in TWO_COPIES])
    dates = ["Create Date", "Last Modified Date", "Date entered current stage"]
    frame.with_columns(pl.col("Amount").cast(pl.Float64),
                       pl.col(dates).str.to_datetime("%Y-%m-%d %H:%M"),
                       pl.col("Close Date").replace("", None).str.to_datetime()
                       ).write_parquet(tmp_path / "deals.parquet")
    source = {"path": str(tmp_path / "deals.parquet"), "kind": "deals", "preset": "hubspot"}
    polars = report_json({**CONFIG, "sources": {"deals": source}}, tmp_path / "p.yaml",
                         as_of=AS_OF)
    clickhouse = report_json({**CONFIG, "sources": {"deals": {
        **source, "engine": "clickhouse", "url": "chdb:"}}}, tmp_path / "c.yaml", as_of=AS_OF)
    assert clickhouse == polars
    assert clickhouse["funnels"][0]["money"]["open_value"] == 350
