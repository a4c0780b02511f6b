"""Currencies as exports write them -> one code per currency (RUB, USD, EUR ...).

A currency column may hold ISO codes (`USD`), symbols (`$`, `₽`), or names (Bitrix24's
`Российский рубль`); a Salesforce multi-currency amount carries its code in the text
(`USD 485,000.00`). Codes we do not know are kept as written (upper case), so two
spellings of one currency can only stay apart, never be added up wrongly.
"""

from __future__ import annotations

import polars as pl

from funnelctl.io.values import CURRENCY_WORD, clean_text, known_code

# Lower-case spelling -> code. Symbols shared by several currencies ($) mean the usual one.
ALIASES = {
    "₽": "RUB", "руб": "RUB", "руб.": "RUB", "р.": "RUB", "rur": "RUB", "рубль": "RUB",
    "российский рубль": "RUB", "рубли": "RUB", "rub": "RUB",
    "$": "USD", "us$": "USD", "доллар": "USD", "доллар сша": "USD", "доллары": "USD",
    "usd": "USD",
    "€": "EUR", "евро": "EUR", "eur": "EUR",
    "£": "GBP", "фунт стерлингов": "GBP", "gbp": "GBP",
    "₸": "KZT", "тенге": "KZT", "kzt": "KZT",
    "br": "BYN", "белорусский рубль": "BYN", "byn": "BYN",
    "¥": "CNY", "юань": "CNY", "китайский юань": "CNY", "cny": "CNY",
    "₴": "UAH", "гривна": "UAH", "uah": "UAH",
}


def currency_expr(column: str, markers: list[str]) -> pl.Expr:
    """The currency column read as codes; blank cells (and null markers) are null."""
    text = clean_text(column, markers)
    return normalise(pl.when(text != "").then(text))


def normalise(text: pl.Expr) -> pl.Expr:
    low = text.str.to_lowercase()
    return (pl.when(low.is_in(list(ALIASES))).then(low.replace_strict(
                ALIASES, default=None, return_dtype=pl.String))
            .otherwise(text.str.to_uppercase()))


def currency_in_amount(amount_text: pl.Expr) -> pl.Expr:
    """The currency an amount's text names (`USD 485,000.00`, `1 234,50 ₽`, `$1,234`,
    `1500 руб.`, `1500 rub`: an ISO 4217 code in any case), else null; the same words
    amount_from_text reads, so an amount is read with its currency or not at all."""
    return normalise(pl.when(known_code(amount_text))
                     .then(amount_text.str.extract(CURRENCY_WORD, 1)))


def amount_currency(cell: pl.Expr | None, amount_text: pl.Expr, amount: pl.Expr
                    ) -> tuple[pl.Expr, pl.Expr]:
    """(currency, conflict) of a text amount: the currency column's code (`cell`, None
    without a column), else, where the cell is blank, the code the read amount names
    (`1500 rub`); `conflict` is true where both name one and they differ (cell EUR,
    amount `1500 rub`): then neither is taken, the amount is left out and said so."""
    written = pl.when(amount.is_not_null()).then(currency_in_amount(amount_text))
    if cell is None:
        return written, pl.lit(False)
    return pl.coalesce(cell, written), (cell != written).fill_null(False)
