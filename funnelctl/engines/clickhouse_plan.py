"""engine: clickhouse: the sales plan of a deals funnel (metrics/plan.py, docs/money.md).

The plan's per-(manager, day) tables come from SQL (engines/plan_sql.py): the won amount
and deals by close date, the won deals without an amount, the weighted open pipeline by
expected close, the deals per manager; the same metrics/plan.plan_lines_from makes the
report's lines of them, and the same check the behind-pace findings, as on Polars."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import polars as pl

from funnelctl.audit.forecast import plan_keys_from, require_one_currency, require_plan_columns
from funnelctl.checks_forecast import check_plan
from funnelctl.config import Config, Funnel
from funnelctl.engines.clickhouse_money import MoneyColumns, currency_blocks_of
from funnelctl.engines.forecast_sql import open_deals_sql
from funnelctl.engines.money_sql import M_MANAGER
from funnelctl.engines.plan_sql import deals_per_manager_sql, pipeline_days_sql, won_days_sql
from funnelctl.errors import ConfigError
from funnelctl.io.plan_files import read_plan
from funnelctl.metrics.plan import plan_days, plan_lines_from, unpriced_note_from
from funnelctl.report import Finding, FunnelResult
from funnelctl.report_forecast import PlanResult, StageProbability

EPOCH_DAY = dt.date(1970, 1, 1)
_SCHEMA = {"manager": pl.String, "_day": pl.Date, "_sum": pl.Float64, "_n": pl.UInt32}


def add_plan(run: Callable, money: MoneyColumns, funnel: Funnel, config: Config,
             result: FunnelResult, probabilities: list[StageProbability], day: dt.date,
             has_closed: bool) -> list[Finding]:
    """result.plan as of `day` and its findings, as audit/forecast.forecast_and_plan
    makes them on Polars. `run(builder)`: clickhouse_money's."""
    require_plan_columns(config, funnel, [c for c, mapped in (
        ("amount", money.amount), ("closed_at", has_closed)) if mapped])
    require_expected_date(config, funnel, money)
    codes, blocks = currency_blocks_of(run, money, funnel, config)
    require_one_currency(config, funnel, codes)
    targets = funnel.plan.targets or read_plan(funnel.plan.path)
    won_days, pipe_days = (tuple(_number(d) for d in span) for span in plan_days(targets, day))
    mgr = M_MANAGER in money.carried
    won = run(lambda deals, params: won_days_sql(deals, params, blocks, won_days, mgr))
    pipeline = run(lambda deals, params: pipeline_days_sql(open_deals_sql(
        deals, params, blocks, codes[0], [p.probability for p in probabilities],
        _number(day), [], mgr), params, pipe_days)) if money.expected else []
    data = ({r["mgr"]: int(r["n"]) for r in run(lambda deals, _: deals_per_manager_sql(deals))}
            if mgr else {})
    keys, no_deals = plan_keys_from(config, data, targets)
    lines = plan_lines_from(_table(won, mgr), _table(pipeline, mgr), targets, day,
                            config.norms.calendar if config.norms else None, keys)
    unpriced = [(_date(r["day"]), int(r["unpriced"])) for r in won]
    result.plan = PlanResult(as_of=day, lines=lines, currency=codes[0],
                             source=funnel.plan.path.name if funnel.plan.path else None,
                             notes=unpriced_note_from(unpriced, targets, day),
                             no_deals=no_deals)
    return check_plan(result)


def require_expected_date(config: Config, funnel: Funnel, money: MoneyColumns) -> None:
    """An expected close stored as text is not read on ClickHouse: the plan's pipeline
    and coverage would miss it, so it is an error naming the column, not a 0."""
    header = money.text_dates.get("expected_close")
    if header is None:
        return
    i = config.funnels.index(funnel)
    raise ConfigError(
        f"{config.where(('funnels', i, 'plan'))}: column '{header}' (expected_close) is "
        "text: engine: clickhouse reads the plan's pipeline from a Date / DateTime expected "
        "close; store it as a date or run this source on engine: polars (docs/engines.md)")


def _table(rows: list[dict], has_manager: bool) -> pl.LazyFrame:
    """plan_sql's rows as metrics/plan.plan_lines_from reads them: per (manager, `_day`),
    `_sum` and `_n` (no manager column when the source maps none)."""
    frame = pl.DataFrame([{"manager": r["mgr"], "_day": _date(r["day"]), "_sum": float(r["s"]),
                           "_n": int(r["n"])} for r in rows], schema=_SCHEMA)
    return (frame if has_manager else frame.drop("manager")).lazy()


def _number(day: dt.date) -> int:
    return (day - EPOCH_DAY).days


def _date(number) -> dt.date:
    return EPOCH_DAY + dt.timedelta(days=int(number))
