"""The SQL of a deals funnel's forecast on ClickHouse (metrics/forecast.py): only
aggregates come back, the open deals per (bucket, month, currency, snoozed) with their
amount and weighted amount, the overdue deals per manager, and the LIST_LIMIT oldest
overdue deals with only the listed columns.

Each open deal at a funnel stage carries its amount (converted with `money.rates` as in
the money view: money_sql._cohort), its block's currency, its expected close as a day
number and its stage's probability (an array parameter indexed by depth). Values are
parameters (Params), never pasted."""

from __future__ import annotations

from funnelctl.engines.deals_sql import OPEN
from funnelctl.engines.money_sql import M_EXPECTED, M_MANAGER, Blocks, _cohort, bind_nullable
from funnelctl.engines.sql import Params, quote_identifier
from funnelctl.report_forecast import LIST_LIMIT


def open_deals_sql(deals: str, params: Params, blocks: Blocks, code: str | None,
                   probabilities: list[float | None], as_of_day: int, held: list[str],
                   has_manager: bool) -> str:
    """The funnel's open deals at a stage: id, mgr, depth, amt, cur ('' for none), day,
    p (the stage's probability), rank (0 overdue, 1 a month from the as-of day on, 2 no
    date: metrics/forecast.BUCKETS) and held (snoozed: its id is in `held`). `code`: the
    one block's currency (None: each deal's own, the blocks are split)."""
    cur = "blk" if code is None else params.bind(code)
    p = bind_nullable(params, probabilities, "Float64")
    ids = params.bind(held, "Array(String)")
    day = quote_identifier(M_EXPECTED)
    mgr = quote_identifier(M_MANAGER) if has_manager else "CAST(NULL, 'Nullable(String)')"
    today = params.bind(as_of_day, "Int64")
    return (f"SELECT id, {mgr} AS mgr, depth, amt, ifNull({cur}, '') AS cur, {day} AS day, "
            f"arrayElement({p}, depth) AS p, "
            f"multiIf(isNull(day), 2, day < {today}, 0, 1) AS rank, has({ids}, id) AS held\n"
            f"FROM (\n{_cohort(deals, params, None, blocks)}\n)\n"
            f"WHERE outcome = {OPEN} AND depth >= 1")


def grouped_sql(open_sql: str) -> str:
    """Per (rank, month, cur): deals, amount (a missing one adds 0, as Polars
    sums), weighted, whether an amount had no probability, deals without an amount."""
    return ("SELECT rank, if(rank = 1, toString(toStartOfMonth(toDate(day))), NULL) AS month, "
            "cur, count() AS deals, sum(ifNull(amt, 0.)) AS amount, "
            "sum(ifNull(amt * p, 0.)) AS weighted, "
            "max(isNull(p) AND isNotNull(amt)) AS unweighted, "
            "countIf(isNull(amt)) AS without_amount\n"
            f"FROM (\n{open_sql}\n)\nGROUP BY rank, month, cur")


def late_sql(open_sql: str) -> str:
    """The overdue deals (not snoozed) per currency: their amount and count."""
    return ("SELECT cur, sum(ifNull(amt, 0.)) AS amount, count() AS deals "
            f"FROM (\n{open_sql}\n)\nWHERE rank = 0 AND NOT held GROUP BY cur")


def listed_sql(open_sql: str) -> str:
    """The LIST_LIMIT overdue deals (not snoozed) of the oldest expected close, then id."""
    return (f"SELECT id, mgr, depth, amt, cur, day FROM (\n{open_sql}\n)\n"
            f"WHERE rank = 0 AND NOT held ORDER BY day, id LIMIT {LIST_LIMIT}")


def managers_sql(open_sql: str) -> str:
    """Overdue deals (not snoozed) per manager (deals without one left out)."""
    return (f"SELECT mgr, count() AS deals FROM (\n{open_sql}\n)\n"
            "WHERE rank = 0 AND NOT held AND isNotNull(mgr) GROUP BY mgr ORDER BY mgr")
