"""A three-letter word beside an amount is its currency only when it is an ISO 4217 code
(io/iso4217.py): `1.5 MLN` is no amount in currency MLN; `1500 rub` is 1500 RUB. Expected
values worked out by hand in the comments."""

from __future__ import annotations

import polars as pl
import pytest

from funnelctl.io.currency import currency_in_amount
from funnelctl.io.values import amount_from_text
from tests.test_semantics import deals_config

SUM = {"header": ("id", "stage", "created", "closed", "sum"), "extra": ", amount: sum"}


@pytest.mark.parametrize("text", ["1.5 MLN", "2 K", "3 TYS", "1,5 mln", "USD 100 MLN"])
def test_a_word_that_is_no_currency_code_makes_no_amount(text):
    assert pl.select(amount_from_text(pl.lit(text))).item() is None


@pytest.mark.parametrize(("text", "value", "code"), [
    ("1500 rub", 1500.0, "RUB"), ("1500 usd", 1500.0, "USD"), ("eur 20", 20.0, "EUR"),
    ("1 000 chf", 1000.0, "CHF"), ("USD485", 485.0, "USD"), ("1500 RUR", 1500.0, "RUB"),
    ("1500 руб.", 1500.0, "RUB"), ("$100 USD", 100.0, "USD")])
def test_a_currency_code_in_any_case_is_the_amounts_currency(text, value, code):
    row = pl.select(amount_from_text(pl.lit(text)).alias("a"),
                    currency_in_amount(pl.lit(text)).alias("c")).row(0)
    assert row == (value, code)


@pytest.mark.parametrize("text", ["1.5 MLN", "2 K", "3 TYS"])
def test_the_deals_reader_names_the_line_of_such_an_amount(cli, tmp_path, text):
    # Line 2 (deal 1) reads 2 500; line 3 (deal 2) is the word: counted, no amount, named.
    config = deals_config(tmp_path, [("1", "A", "2024-03-10", "", "2 500"),
                                     ("2", "A", "2024-03-10", "", text)], **SUM)
    report = cli.json("audit", config, "--as-of", "2024-03-20")
    assert report["data_quality"]["sources"][0]["value_problems"] == {
        "unparseable amount": {"rows": 1, "line": 3, "value": text}}
    money = report["funnels"][0]["money"]
    assert (money["deals"], money["deals_without_amount"], money["open_value"]) == (2, 1, 2500)
    assert money["currency"] is None  # no currency "TYS" made up


def test_lower_case_codes_in_amounts_are_one_currency(cli, tmp_path):
    # 1500 rub + 2000 RUB + 500 руб. are one currency: open value 4,000 RUB, one block.
    config = deals_config(tmp_path, [("1", "A", "2024-03-10", "", "1500 rub"),
                                     ("2", "A", "2024-03-10", "", "2000 RUB"),
                                     ("3", "A", "2024-03-10", "", "500 руб.")], **SUM)
    money = cli.json("audit", config, "--as-of", "2024-03-20")["funnels"][0]["money"]
    assert (money["currency"], money["open_value"], money["deals_without_amount"]) == \
        ("RUB", 4000, 0)


def test_a_currency_column_in_lower_case_is_the_code_an_amount_names(cli, tmp_path):
    # The currency column's `rub`, `RUB` and `Rub` are one code, RUB: one block of 4,000.
    config = deals_config(tmp_path, [("1", "A", "2024-03-10", "", "1500", "rub"),
                                     ("2", "A", "2024-03-10", "", "2000", "RUB"),
                                     ("3", "A", "2024-03-10", "", "500", "Rub")],
                          header=("id", "stage", "created", "closed", "sum", "cur"),
                          extra=", amount: sum, currency: cur")
    money = cli.json("audit", config, "--as-of", "2024-03-20")["funnels"][0]["money"]
    assert (money["currency"], money["open_value"]) == ("RUB", 4000)


CUR = {"header": ("id", "stage", "created", "closed", "sum", "cur"),
       "extra": ", amount: sum, currency: cur"}


@pytest.mark.parametrize(("blank_amount", "other", "code"), [
    ("1500 rub", ("2000", "RUB"), "RUB"), ("USD 200", ("300", "usd"), "USD")])
def test_a_blank_currency_cell_takes_the_code_the_amount_names(cli, tmp_path, blank_amount,
                                                              other, code):
    # Deal 1's cell is blank, its amount names the code deal 2's cell has: one block,
    # 1500 + 2000 = 3500 RUB, 200 + 300 = 500 USD.
    config = deals_config(tmp_path, [("1", "A", "2024-03-10", "", blank_amount, ""),
                                     ("2", "A", "2024-03-10", "", *other)], **CUR)
    report = cli.json("audit", config, "--as-of", "2024-03-20")
    money = report["funnels"][0]["money"]
    assert (money["currency"], money["open_value"], money["deals_without_amount"]) == \
        (code, {"RUB": 3500, "USD": 500}[code], 0)
    assert report["data_quality"]["sources"][0]["value_problems"] == {}


def test_an_amount_naming_another_currency_than_its_cell_is_left_out_and_named(cli, tmp_path):
    # Line 2: cell EUR, amount "1500 rub": neither is taken, the amount is left out (the deal
    # counts) and named; line 3: cell RUB and "₽ 100" agree; line 4: plain 2000 EUR. So
    # the money is two blocks: EUR 2000 (deals 1 and 3, one without an amount), RUB 100.
    config = deals_config(tmp_path, [("1", "A", "2024-03-10", "", "1500 rub", "EUR"),
                                     ("2", "A", "2024-03-10", "", "₽ 100", "RUB"),
                                     ("3", "A", "2024-03-10", "", "2000", "EUR")], **CUR)
    report = cli.json("audit", config, "--as-of", "2024-03-20")
    assert report["data_quality"]["sources"][0]["value_problems"] == {
        "amount currency differs from currency column":
            {"rows": 1, "line": 2, "value": "EUR / 1500 rub"}}
    blocks = {b["currency"]: b for b in report["funnels"][0]["money_by_currency"]}
    assert (blocks["EUR"]["open_value"], blocks["EUR"]["deals_without_amount"]) == (2000, 1)
    assert (blocks["RUB"]["open_value"], blocks["RUB"]["deals_without_amount"]) == (100, 0)
    text = " ".join(cli("audit", config, "--as-of", "2024-03-20", "--format", "markdown",
                        "--fail-on", "never").stdout.split())
    assert ("the amount names another currency than the currency column: 1 row (the deal "
            "kept, the value left out); e.g. line 2") in text
