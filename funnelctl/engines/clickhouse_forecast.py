"""engine: clickhouse: the forecast of a deals funnel (metrics/forecast.py, docs/money.md).

The open deals' aggregates come from SQL (engines/forecast_sql.py): per (bucket, month,
currency) the deals, amount and weighted amount; the overdue deals per currency and per
manager; the LIST_LIMIT oldest overdue deals with only the listed columns. The same
metrics/forecast.forecast_from makes the report's Forecast of them, as on Polars. The
currency blocks are the Polars engine's over all the funnel's deals (value.block_plan)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import polars as pl

from funnelctl.config import Config, Funnel
from funnelctl.engines.clickhouse_money import MoneyColumns, currency_blocks_of
from funnelctl.engines.forecast_sql import (
    grouped_sql,
    late_sql,
    listed_sql,
    managers_sql,
    open_deals_sql,
)
from funnelctl.engines.money_sql import M_MANAGER
from funnelctl.metrics.forecast import CURRENCY, forecast_from
from funnelctl.metrics.funnel import DEPTH
from funnelctl.report import FunnelResult
from funnelctl.report_forecast import StageProbability

EPOCH_DAY = dt.date(1970, 1, 1)


def add_forecast(run: Callable, money: MoneyColumns, funnel: Funnel, config: Config,
                 result: FunnelResult, probabilities: list[StageProbability], day: dt.date,
                 held: set[str] | frozenset = frozenset()) -> None:
    """result.forecast as of `day` (the snoozed ids `held` out of the overdue deals), when
    the source has amounts and an expected close. `run(builder)`: clickhouse_money's."""
    if not (money.amount and money.expected):
        return
    codes, blocks = currency_blocks_of(run, money, funnel, config)
    code = None if blocks.split else codes[0]
    weights = [p.probability for p in probabilities]

    def rows(builder: Callable[[str], str]) -> list[dict]:
        return run(lambda deals, params: builder(open_deals_sql(
            deals, params, blocks, code, weights, (day - EPOCH_DAY).days, sorted(held),
            M_MANAGER in money.carried)))

    grouped = _grouped_frame(rows(grouped_sql))
    counts = (int(grouped["deals"].sum()), int(grouped["without_amount"].sum()))
    late = pl.DataFrame([(r["cur"], float(r["amount"]), int(r["deals"]))
                         for r in rows(late_sql)],
                        schema={CURRENCY: pl.String, "amount": pl.Float64, "deals": pl.Int64},
                        orient="row").sort(CURRENCY)
    listed = pl.DataFrame(
        [{"deal_id": r["id"], "manager": r["mgr"], DEPTH: int(r["depth"]),
          "amount": _float(r["amt"]), CURRENCY: r["cur"],
          "_day": EPOCH_DAY + dt.timedelta(days=int(r["day"]))} for r in rows(listed_sql)],
        schema={"deal_id": pl.String, "manager": pl.String, DEPTH: pl.Int64,
                "amount": pl.Float64, CURRENCY: pl.String, "_day": pl.Date})
    managers = pl.DataFrame([(r["mgr"], int(r["deals"])) for r in rows(managers_sql)],
                            schema={"manager": pl.String, "len": pl.Int64}, orient="row")
    result.forecast = forecast_from(grouped, counts, late, listed, managers, funnel, day)


def _grouped_frame(rows: list[dict]) -> pl.DataFrame:
    """grouped_sql's rows as forecast_from reads them, sorted as metrics/forecast sorts."""
    return pl.DataFrame(
        [{"_rank": int(r["rank"]), "_month": dt.date.fromisoformat(r["month"])
          if r["month"] else None, CURRENCY: r["cur"], "deals": int(r["deals"]),
          "amount": float(r["amount"]), "weighted": float(r["weighted"]),
          "_unweighted": bool(int(r["unweighted"])),
          "without_amount": int(r["without_amount"])} for r in rows],
        schema={"_rank": pl.Int8, "_month": pl.Date, CURRENCY: pl.String, "deals": pl.Int64,
                "amount": pl.Float64, "weighted": pl.Float64, "_unweighted": pl.Boolean,
                "without_amount": pl.Int64}).sort("_rank", "_month", CURRENCY, nulls_last=True)


def _float(value) -> float | None:
    return float(value) if value is not None else None
