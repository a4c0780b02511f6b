"""A Bitrix24 deals export with products selected writes a deal once per product: every
deal field repeated, the product's name, price and quantity in three columns, and `Сумма`
replaced on each row by price x quantity of that product (crm.deal.list's csv template).
The rows of one deal read as one deal whose amount is the sum of its rows' amounts; a row
of the same id that differs in a deal field is a duplicate still. Values worked out by
hand in the comments."""

from __future__ import annotations

import re

import pytest

HEADER = ["ID", "Стадия сделки", "Группа стадий", "Сумма", "Валюта", "Ответственный",
          "Дата создания", "Дата изменения", "Товар", "Цена", "Количество"]
CREATED = "01.10.2026 10:00:00"
MOVED = "05.10.2026 12:00:00"


def deal(id_, stage, group, amount, manager="Анна", product=("", "", ""), created=CREATED):
    return [id_, stage, group, amount, "Российский рубль", manager, created, MOVED, *product]


ROWS = [  # line 1 is the header
    # deal 1, open at Новая, 3 products: 25000 x 2 + 12500.50 x 1 + 60000 x 1 = 122500.50
    deal("1", "Новая", "В работе", "50000.00", product=("Лицензия", "25000.00", "2")),
    deal("1", "Новая", "В работе", "12500.50", product=("Обучение", "12500.50", "1")),
    deal("1", "Новая", "В работе", "60000.00", product=("Внедрение", "60000.00", "1")),
    # deal 2, won, 2 products: 1000.25 x 3 + 499.99 x 2 = 3000.75 + 999.98 = 4000.73
    deal("2", "Сделка успешна", "Успешные", "3000.75", "Борис", ("Опора", "1000.25", "3")),
    deal("2", "Сделка успешна", "Успешные", "999.98", "Борис", ("Болт", "499.99", "2")),
    # deal 3, open at Счёт, no products: its own amount, 7000
    deal("3", "Счёт", "В работе", "7000.00"),
    # deal 4, lost, 2 products: 300 x 1, and one whose amount does not parse ("три"):
    # the deal is worth 300, the row is flagged (line 9)
    deal("4", "Сделка провалена", "Неуспешные", "300.00", product=("Опора", "300.00", "1")),
    deal("4", "Сделка провалена", "Неуспешные", "три", product=("Болт", "", "1")),
    # deal 5, lost, 2 products without an amount: its value is unknown (null), not 0
    deal("5", "Сделка провалена", "Неуспешные", "", product=("Опора", "", "")),
    deal("5", "Сделка провалена", "Неуспешные", "", product=("Болт", "", "")),
    # deal 6 at Новая, 2000, then a row of id 6 at another stage (line 13): a duplicate
    deal("6", "Новая", "В работе", "2000.00", product=("Опора", "2000.00", "1")),
    deal("6", "Счёт", "В работе", "500.00", product=("Болт", "500.00", "1")),
]
# Product rows: deals 1 (3), 2 (2), 4 (2), 5 (2) = 9 rows of 4 deals.
NOTE_EN = "9 product rows of 4 deals read as one deal each"
NOTE_RU = "строки товаров прочитаны как одна сделка каждая: строк 9, сделок 4"

CONFIG = """version: 1
sources:
  deals:
    path: deals.csv
    kind: deals
    preset: bitrix24
funnels:
  - name: F
    source: deals
    stages: [{name: Новая}, {name: Счёт}]
"""


def bitrix_bytes(header: list[str], rows: list[list[str]], encoding: str) -> bytes:
    """As Bitrix24 writes it: every field quoted, ';' after every field, LF; a UTF-8 BOM
    from a cloud portal, none in cp1251 (an on-premise one)."""
    lines = ['"' + '";"'.join(v.replace('"', '""') for v in row) + '";'
             for row in [header, *rows]]
    text = "\n".join(lines) + "\n"
    return (b"\xef\xbb\xbf" + text.encode()) if encoding == "utf-8-sig" \
        else text.encode(encoding)


def export(tmp_path, encoding="utf-8-sig", header=HEADER, rows=ROWS):
    (tmp_path / "deals.csv").write_bytes(bitrix_bytes(header, rows, encoding))
    (tmp_path / "audit.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path / "audit.yaml"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1251"])
def test_a_deals_product_rows_are_one_deal_worth_their_sum(cli, tmp_path, encoding):
    report = cli.json("audit", export(tmp_path, encoding), "--as-of", "2026-12-01")
    funnel = report["funnels"][0]
    money = funnel["money"]
    assert funnel["entities"] == 6  # deals 1 to 6
    assert (money["won_revenue"], money["won_deals"]) == (4000.73, 1)
    assert money["open_value"] == 131500.50  # 122500.50 + 7000 + 2000
    # lost: deal 4's 300; deal 5 has no amount
    assert (money["lost_value"], money["deals_without_amount"]) == (300.0, 1)
    # Value per stage: Новая is entered by deals 1, 2, 3, 6 (the lost deals' loss stage
    # is unknown): 122500.50 + 4000.73 + 7000 + 2000 = 135501.23; 1 and 6 stay
    # (124500.50); 2 and 3 move on (11000.73). Счёт: 3 stays (7000), 2 moves on (4000.73).
    new, bill = money["stages"]
    assert (new["entered"], new["open"], new["moved_on"]) == (135501.23, 124500.50, 11000.73)
    assert (bill["entered"], bill["open"], bill["moved_on"]) == (11000.73, 7000.0, 4000.73)
    quality = report["data_quality"]["sources"][0]
    assert quality["rows_read"] == 12  # every row, product rows too
    assert (quality["rows_rejected"], quality["reasons"]) == (1, {"duplicate deal id": 1})
    assert NOTE_EN in quality["notes"]
    assert quality["value_problems"]["unparseable amount"] == {
        "rows": 1, "line": 9, "value": "три"}


def test_the_conflicting_row_is_in_the_rejects_ledger(cli, tmp_path):
    config = export(tmp_path)
    ledger = tmp_path / "rejects.csv"
    result = cli("audit", config, "--as-of", "2026-12-01", "--rejects", ledger,
                 "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    lines = ledger.read_text(encoding="utf-8").splitlines()
    # Deal 6's row at Счёт is rejected; deal 4's unparseable amount is kept, flagged; no
    # product row is in the ledger.
    assert lines[1:] == ['"deals",9,"unparseable amount","три"',
                         '"deals",13,"duplicate deal id","6"']


@pytest.mark.parametrize("lang, note", [("en", NOTE_EN), ("ru", NOTE_RU)])
@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_the_note_is_in_every_renderer(cli, tmp_path, fmt, lang, note):
    result = cli("audit", export(tmp_path), "--as-of", "2026-12-01", "--format", fmt,
                 "--lang", lang, "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    # The terminal wraps a long note inside its table cell: the cell borders go first.
    assert note in " ".join(re.sub("[│┃]", " ", result.stdout).split())


def test_without_product_columns_a_repeated_id_is_a_duplicate_as_before(cli, tmp_path):
    # The same rows without Товар, Цена, Количество: a deal's later rows are duplicates
    # (deal 1: 2, deal 2: 1, deal 4: 1, deal 5: 1, deal 6: 1 = 6) and the first row's
    # amount counts: won deal 2 is worth 3000.75.
    config = export(tmp_path, header=HEADER[:-3], rows=[r[:-3] for r in ROWS])
    report = cli.json("audit", config, "--as-of", "2026-12-01")
    assert report["funnels"][0]["money"]["won_revenue"] == 3000.75
    quality = report["data_quality"]["sources"][0]
    assert quality["reasons"] == {"duplicate deal id": 6}
    assert not any("product rows" in n for n in quality["notes"])


def test_clickhouse_says_it_does_not_fold_product_rows(cli, tmp_path):
    pytest.importorskip("chdb")
    import polars as pl

    # A Parquet copy (ClickHouse reads amounts stored as numbers) with the product columns.
    frame = pl.DataFrame([dict(zip(HEADER, r, strict=True)) for r in ROWS]).with_columns(
        pl.col("Сумма").cast(pl.Float64, strict=False),
        pl.col("Дата создания", "Дата изменения").str.to_datetime("%d.%m.%Y %H:%M:%S"))
    frame.write_parquet(tmp_path / "deals.parquet")
    (tmp_path / "audit.yaml").write_text(CONFIG.replace(
        "path: deals.csv", "path: deals.parquet\n    engine: clickhouse\n    url: 'chdb:'"),
        encoding="utf-8")
    quality = cli.json("audit", tmp_path / "audit.yaml", "--as-of", "2026-12-01")[
        "data_quality"]["sources"][0]
    assert any(n.startswith("engine: clickhouse does not fold product rows yet ('Товар', "
                            "'Цена', 'Количество')") for n in quality["notes"])
    # 6 later rows of an id: deal 1: 2, deals 2, 4, 5, 6: 1 each.
    assert quality["reasons"]["duplicate deal id"] == 6
