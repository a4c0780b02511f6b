"""The SQL of a deals funnel's sales plan on ClickHouse (metrics/plan.py): only
aggregates come back, per (manager, day) of the plan's days the won amount and won deals
(with those without an amount) by close date, the weighted open pipeline by expected
close, and the deals per manager (for the name matching). Values are parameters
(Params), never pasted."""

from __future__ import annotations

from funnelctl.engines.deals_sql import DAY_US, WON
from funnelctl.engines.money_sql import M_MANAGER, Blocks, _cohort
from funnelctl.engines.sql import Params, quote_identifier


def manager_sql(has_manager: bool) -> str:
    return quote_identifier(M_MANAGER) if has_manager else "CAST(NULL, 'Nullable(String)')"


def won_days_sql(deals: str, params: Params, blocks: Blocks, days: tuple[int, int],
                 has_manager: bool) -> str:
    """Per (mgr, day: days since 1970 of the wall close date) in `days` (first, last):
    the won deals' amount (a missing one adds 0, as Polars sums), deals and the deals
    without an amount."""
    first, last = (params.bind(d, "Int64") for d in days)
    return (f"SELECT {manager_sql(has_manager)} AS mgr, intDiv(closed_us, {DAY_US}) AS day, "
            "sum(ifNull(amt, 0.)) AS s, count() AS n, countIf(isNull(amt)) AS unpriced\n"
            f"FROM (\n{_cohort(deals, params, None, blocks)}\n)\n"
            f"WHERE outcome = {WON} AND isNotNull(closed_us) AND day BETWEEN {first} AND {last}"
            "\nGROUP BY mgr, day")


def pipeline_days_sql(open_sql: str, params: Params, days: tuple[int, int]) -> str:
    """Per (mgr, day of the expected close) in `days`: the open deals' weighted amount
    (amount x their stage's probability) and the priced ones without a probability.
    `open_sql`: forecast_sql.open_deals_sql."""
    first, last = (params.bind(d, "Int64") for d in days)
    return ("SELECT mgr, day, sum(ifNull(amt * p, 0.)) AS s, "
            "countIf(isNotNull(amt) AND isNull(p)) AS n\n"
            f"FROM (\n{open_sql}\n)\nWHERE day BETWEEN {first} AND {last}\nGROUP BY mgr, day")


def deals_per_manager_sql(deals: str) -> str:
    """The funnel's deals per manager (metrics/plan.manager_keys' counts)."""
    mgr = quote_identifier(M_MANAGER)
    return (f"SELECT {mgr} AS mgr, count() AS n FROM (\n{deals}\n)\n"
            f"WHERE isNotNull({mgr}) GROUP BY mgr")
