"""The SQL of a deals funnel's stuck deals on ClickHouse (metrics/stuck.py): only
aggregates come back, per stage with a limit the deals over it (not snoozed) with the
longest wait, the snoozed ones, the deals per manager, and the LIST_LIMIT longest waiting
with only the listed columns. Values are parameters (Params), never pasted."""

from __future__ import annotations

from funnelctl.engines.deals_sql import OPEN, bind_ints
from funnelctl.engines.money_sql import M_AMOUNT, M_CHANGED, M_CODE, M_MANAGER, bind_nullable
from funnelctl.engines.sql import Params, linear, quote_identifier
from funnelctl.report_forecast import LIST_LIMIT

# The listed columns (metrics/stuck.LIST_COLUMNS): carried name, alias, NULL when absent.
_LISTED = ((M_MANAGER, "mgr", "CAST(NULL, 'Nullable(String)')"),
           (M_AMOUNT, "amt", "CAST(NULL, 'Nullable(Float64)')"),
           (M_CODE, "code", "CAST(NULL, 'Nullable(String)')"))


def waiting_sql(deals: str, params: Params, limits: dict[int, float], moment_us: int,
                held: list[str], carried: set[str]) -> str:
    """The open deals over their stage's limit (metrics/stuck.stuck_in_snapshot): at
    (depth), id, days since the stage change before `moment_us` (whole seconds times
    1/86400, as Polars divides), held (snoozed: its id is in `held`), and the listed
    columns the source has."""
    stages = bind_ints(params, list(limits))
    bounds = bind_nullable(params, list(limits.values()), "Float64")
    moment = params.bind(moment_us, "Int64")
    per_day = params.bind(1 / 86400.0, "Float64")
    changed = quote_identifier(M_CHANGED)
    listed = "".join(f", {quote_identifier(name) if name in carried else none} AS {alias}"
                     for name, alias, none in _LISTED)
    days = f"intDiv({moment} - {changed}, 1000000) * {per_day}"
    return (f"SELECT depth AS at, id, {days} AS days, "
            f"has({params.bind(held, 'Array(String)')}, id) AS held{listed}\n"
            f"FROM (\n{deals}\n)\n"
            f"WHERE outcome = {OPEN} AND {changed} < {moment} AND has({stages}, depth) "
            f"AND {days} > arrayElement({bounds}, indexOf({stages}, depth))")


def stuck_sql(waiting: str) -> str:
    """Per stage: the deals over the limit not snoozed, the longest wait, the snoozed."""
    return ("SELECT at, countIf(NOT held) AS stuck, "
            "if(countIf(NOT held) = 0, NULL, maxIf(days, NOT held)) AS oldest, "
            f"countIf(held) AS snoozed FROM (\n{waiting}\n)\nGROUP BY at")


def stuck_listed_sql(waiting: str) -> str:
    """Per stage the LIST_LIMIT longest waiting deals (not snoozed), then by id."""
    return (f"SELECT at, id, days, mgr, amt, code FROM (\n{waiting}\n)\nWHERE NOT held "
            f"ORDER BY at, days DESC, id LIMIT {LIST_LIMIT} BY at")


def stuck_managers_sql(waiting: str) -> str:
    """Per (stage, manager) the deals over the limit (not snoozed), sorted by manager."""
    return (f"SELECT at, mgr, count() AS deals FROM (\n{waiting}\n)\n"
            "WHERE NOT held AND isNotNull(mgr) GROUP BY at, mgr ORDER BY mgr, at")


def learned_sql(deals: str, params: Params, dated: list[tuple[int, str]], stages: list[int],
                quantile: float) -> str:
    """Per stage of `stages` (max_days: auto): the `quantile` (Polars' linear
    interpolation) of the days the deals that left it spent in it, and how many, as
    metrics/stuck.snapshot_times + learn_limits: each deal's dated entries (`dated`: (stage
    index, carried column) in the Polars engine's order, then a closed deal's close)
    sorted by time (ties in that order), each stage entry left at the next entry; a
    deal's days in a stage summed over its entries."""
    items = [f"tuple({quote_identifier(col)}, toInt32({k}), toUInt32({i}))"
             for i, (k, col) in enumerate(dated)]
    items.append(f"tuple(if(outcome != {OPEN}, closed_us, NULL), toInt32(0), "
                 f"toUInt32({len(dated)}))")
    per_day = params.bind(1 / 86400.0, "Float64")
    kept = (f"arraySort(x -> (x.1, x.3), arrayFilter(x -> isNotNull(x.1), "
            f"[{', '.join(items)}]))")
    spans = ("arrayMap(i -> tuple(e[i].2, intDiv(assumeNotNull(e[i + 1].1) - "
             f"assumeNotNull(e[i].1), 1000000) * {per_day}), "
             "arrayFilter(i -> e[i].2 != 0, range(1, toUInt64(length(e)))))")
    per_deal = (f"SELECT id, s.1 AS k, sum(s.2) AS d FROM (SELECT id, {spans} AS spans "
                f"FROM (SELECT id, {kept} AS e FROM (\n{deals}\n)))\n"
                f"ARRAY JOIN spans AS s WHERE has({bind_ints(params, stages)}, k) "
                "GROUP BY id, k")
    return (f"SELECT k, {linear(quantile, 'ds')} AS q, length(ds) AS n FROM (\n"
            f"SELECT k, arraySort(groupArray(d)) AS ds FROM (\n{per_deal}\n) GROUP BY k)")
