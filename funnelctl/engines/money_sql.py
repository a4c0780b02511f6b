"""The SQL of a deals funnel's money view on ClickHouse (docs/money.md): only aggregates
come back, the tables metrics/value.py makes with its group-bys over (depth, outcome) and
(segment, outcome), and the lost deals per (loss reason, depth, currency).

Each deal carries its amount (a number column as Float64), its currency code (the
reader's code of the column's text, worked out in Python on the distinct values and sent
back as array parameters) and its loss reason's label (engines/clickhouse_money.py).
Values from the config or the data are parameters (Params), never pasted.
"""

from __future__ import annotations

from dataclasses import dataclass

from funnelctl.engines.deals_sql import LOST, WON, bind_text, created_in, quoted
from funnelctl.engines.sql import Params, linear, quote_identifier

M_AMOUNT, M_CURRENCY, M_LOSS = "m:amount", "m:currency", "m:loss"
# The forecast's: the expected close (days since 1970, the wall date) and the manager.
M_EXPECTED, M_MANAGER = "m:expected", "m:manager"
# Stuck deals' (carried only when a funnel of the source has max_days): the stage change
# (wall time, microseconds) and the reader's own currency code (no default), as listed.
M_CHANGED, M_CODE = "m:changed", "m:code"
# max_days: auto's: the i-th "Date entered" column (wall microseconds), M_ENTERED + i.
M_ENTERED = "m:entered:"
# The grouping sets of money_sql: the whole funnel (its medians), per depth, per manager;
# a breakdown column j is SET_BREAKDOWN + j, its folded "(other)" medians SET_REST + j.
SET_WHOLE, SET_DEPTH, SET_MANAGER, SET_BREAKDOWN, SET_REST = 0, 1, 2, 3, 100


def bind_nullable(params: Params, values: list, kind: str) -> str:
    """An Array(Nullable(kind)) parameter: strings quoted and escaped, numbers as repr."""
    items = [quoted(v) if kind == "String" or v is None else repr(float(v)) for v in values]
    return bind_text(params, "[" + ",".join(items) + "]", f"Array(Nullable({kind}))")


def currency_code(raw_sql: str, params: Params, raws: list[str], codes: list[str | None],
                  default: str | None) -> str:
    """A deal's currency code: its raw text's code (null: blank), else `default`."""
    code = (f"if(isNull({raw_sql}), NULL, arrayElement({bind_nullable(params, codes, 'String')}, "
            f"indexOf({params.bind(raws, 'Array(String)')}, assumeNotNull({raw_sql}))))")
    return f"ifNull({code}, {params.bind(default)})" if default else code


@dataclass
class Blocks:
    """How the deals split into money blocks (metrics/value.block_plan): `split`, one
    block per currency; else one block, its amounts times `rates[currency]` when given."""

    split: bool
    rates: dict[str, float] | None = None


def _cohort(deals: str, params: Params, days: tuple[int, int] | None, blocks: Blocks) -> str:
    """The period's deals with their block (its currency, or NULL: the one block) and
    amount (converted when the block converts)."""
    column = quote_identifier(M_CURRENCY)
    block = column if blocks.split else "CAST(NULL, 'Nullable(String)')"
    amount = quote_identifier(M_AMOUNT)
    if blocks.rates:
        codes = list(blocks.rates)
        factors = bind_nullable(params, [blocks.rates[c] for c in codes], "Float64")
        amount = (f"{amount} * arrayElement({factors}, "
                  f"indexOf({params.bind(codes, 'Array(String)')}, {column}))")
    return (f"SELECT *, {block} AS blk, {amount} AS amt FROM (\n{deals}\n) "
            f"WHERE {created_in(params, days)}")


def currencies_sql(deals: str, params: Params, days: tuple[int, int] | None) -> str:
    """Per currency code of the period's deals: how many have an amount."""
    return (f"SELECT {quote_identifier(M_CURRENCY)} AS code, "
            f"count({quote_identifier(M_AMOUNT)}) AS priced FROM (\n{deals}\n) "
            f"WHERE {created_in(params, days)} GROUP BY code")


def money_sql(deals: str, params: Params, days: tuple[int, int] | None, blocks: Blocks,
              sets: list[tuple[int, str, list[str] | None]]) -> str:
    """Per (block, set, key, outcome): the deals, their summed amount (a missing one adds
    0, as Polars sums), how many have one; and over the won deals the median amount and
    median cycle (Polars' interpolation). `sets`: (set id, the key's SQL over a deal, the
    kept values: the key is then '(other)' for a deal of none of them, else '')."""
    keys = [(i, key if kept is None else
             f"if(has({params.bind(kept, 'Array(String)')}, {key}), '', '(other)')")
            for i, key, kept in sets]
    joined = ", ".join(f"tuple(toUInt8({i}), toNullable(toString({key})))" for i, key in keys)
    inner = ["count() AS deals", "sum(ifNull(amt, 0.)) AS value", "count(amt) AS priced",
             f"arraySort(groupArrayIf(amt, outcome = {WON} AND isNotNull(amt))) AS amounts",
             f"arraySort(groupArrayIf(cycle, outcome = {WON} AND isNotNull(cycle))) AS cycles"]
    grouped = (f"SELECT blk, s.1 AS set, s.2 AS key, outcome, {', '.join(inner)}\n"
               f"FROM (\n{_cohort(deals, params, days, blocks)}\n)\nARRAY JOIN [{joined}] AS s\n"
               "GROUP BY blk, set, key, outcome")
    return (f"SELECT blk, set, key, outcome, deals, value, priced, "
            f"{linear(0.5, 'amounts')} AS median, {linear(0.5)} AS cycle\n"
            f"FROM (\n{grouped}\n)")


def lost_sql(deals: str, params: Params, days: tuple[int, int] | None, blocks: Blocks | None
             ) -> str:
    """Per (loss reason, depth[, block]) of the period's lost deals: the deals and, with
    `blocks`, their summed amount (NULL where none of them has one: unknown, not 0)."""
    if blocks is None:  # no amounts: counts only
        body = f"SELECT *, NULL AS blk, NULL AS amt FROM (\n{deals}\n) WHERE " + \
            created_in(params, days)
    else:
        body = _cohort(deals, params, days, blocks)
    return (f"SELECT {quote_identifier(M_LOSS)} AS loss_reason, depth, blk, "
            f"count() AS deals, if(count(amt) > 0, sum(ifNull(amt, 0.)), NULL) AS value "
            f"FROM (\n{body}\n) "
            f"WHERE outcome = {LOST} GROUP BY loss_reason, depth, blk")
