"""engine: clickhouse: what a deals funnel says about the days ahead, as
audit/forecast.deal_forward_view on Polars: the snoozes, stuck deals (metrics/stuck.py),
the forecast (clickhouse_forecast.py) and the plan (clickhouse_plan.py). Only aggregates
and bounded lists come back (engines/stuck_sql.py); metrics/stuck.stuck_from makes the
stages' stuck counts of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from funnelctl.audit.forecast import (
    judge_stuck_with,
    learned_limits,
    reference_day,
    require_stage_changed,
    snoozes_among,
)
from funnelctl.checks import check_history
from funnelctl.checks_forecast import check_overdue
from funnelctl.config import Config, Funnel
from funnelctl.engines.clickhouse_forecast import add_forecast
from funnelctl.engines.clickhouse_money import MoneyColumns
from funnelctl.engines.clickhouse_plan import add_plan
from funnelctl.engines.deals_sql import micros, snoozed_sql
from funnelctl.engines.money_sql import M_CHANGED
from funnelctl.engines.stuck_sql import (
    learned_sql,
    stuck_listed_sql,
    stuck_managers_sql,
    stuck_sql,
    waiting_sql,
)
from funnelctl.errors import ConfigError
from funnelctl.metrics.funnel import stage_date_columns
from funnelctl.metrics.stuck import (
    DAYS,
    QUANTILE,
    auto_stages,
    learned_from,
    limits_of,
    stuck_from,
)
from funnelctl.report import Finding, FunnelResult
from funnelctl.report_forecast import StageProbability


def forward_view(run: Callable, money: MoneyColumns, funnel: Funnel, config: Config,
                 result: FunnelResult, probabilities: list[StageProbability],
                 moment: dt.datetime, has_closed: bool) -> list[Finding]:
    """Snoozes, stuck deals and the forecast of a deals funnel as of the end of
    `moment`'s day before (the probabilities are already on the stages). `run(builder)`:
    the rows of builder(the funnel's deals SQL, a fresh copy of its params)."""
    day = reference_day(moment)
    active, snoozed = snoozes_among(funnel, day, lambda ids: snoozed_known(run, ids))
    found: list[Finding] = []
    if any(s.max_days for s in funnel.stages):
        require_dates(config, funnel, money)
        require_stage_changed(config, funnel, M_CHANGED in money.carried)
        judge_stuck_with(result, funnel, *_limits(run, money, funnel, config), snoozed,
                         lambda limits: _stuck(run, money, limits, moment, active))
        found += check_history(result, funnel)
    add_forecast(run, money, funnel, config, result, probabilities, day, active)
    if snoozed and result.forecast:
        every = sum(r.deals for r in result.forecast.rows if r.bucket == "overdue")
        snoozed.hidden_overdue = every - result.forecast.overdue.deals
    found += check_overdue(result)
    if funnel.plan is not None:
        found += add_plan(run, money, funnel, config, result, probabilities, day, has_closed)
    result.snoozed = snoozed
    return found


def snoozed_known(run: Callable, ids: set[str]) -> set[str]:
    """Which of a snooze file's deal ids are the funnel's deals (ids as an Array param)."""
    return {r["id"] for r in run(lambda deals, params: snoozed_sql(deals, params, sorted(ids)))}


def require_dates(config: Config, funnel: Funnel, money: MoneyColumns) -> None:
    """A stage change stored as text is not read on ClickHouse: max_days is then an
    error naming the column, not a silent nothing."""
    header = money.text_dates.get("stage_changed_at")
    if header is None:
        return
    i = config.funnels.index(funnel)
    j = next(j for j, s in enumerate(funnel.stages) if s.max_days)
    raise ConfigError(
        f"{config.where(('funnels', i, 'stages', j, 'max_days'))}: column '{header}' "
        "(stage_changed_at) is text: engine: clickhouse reads the stage change for max_days "
        "from a Date / DateTime column; store it as a date or run this source on engine: "
        "polars (docs/engines.md)")


def _limits(run: Callable, money: MoneyColumns, funnel: Funnel, config: Config
            ) -> tuple[dict, dict[int, float]]:
    """(learned thresholds, limits) as audit/forecast.learned_limits: `max_days: auto`
    learned from the funnel's "Date entered" columns on the server (engines/stuck_sql.py);
    without such columns it is the Polars engine's error."""
    auto = auto_stages(funnel)
    dated = [(k, money.entered[c]) for k, c in stage_date_columns(list(money.entered), funnel)]
    if auto:
        require_entered_dates(config, funnel, money)
    if not auto or not dated:
        return learned_limits(config, funnel, None)
    rows = run(lambda deals, params: learned_sql(deals, params, dated, auto, QUANTILE))
    learned = learned_from({int(r["k"]): (_float(r["q"]), int(r["n"])) for r in rows}, funnel)
    return learned, limits_of(funnel, learned)


def require_entered_dates(config: Config, funnel: Funnel, money: MoneyColumns) -> None:
    """A "Date entered" column of the funnel's stages stored as text is not read on
    ClickHouse: max_days: auto is then an error naming it, not a threshold learned from
    fewer deals."""
    text = stage_date_columns(list(money.text_entered), funnel)
    if not text:
        return
    i = config.funnels.index(funnel)
    j = auto_stages(funnel)[0] - 1
    header = money.text_entered[text[0][1]]
    raise ConfigError(
        f"{config.where(('funnels', i, 'stages', j, 'max_days'))}: column '{header}' is "
        "text: engine: clickhouse learns max_days: auto from \"Date entered\" columns "
        "stored as Date / DateTime; store it as a date or run this source on engine: polars "
        "(docs/engines.md)")


def _stuck(run: Callable, money: MoneyColumns, limits: dict[int, float],
           moment: dt.datetime, held: set[str]) -> dict[int, dict]:
    """metrics/stuck.stuck_from of the waiting deals' aggregates."""
    if not limits:
        return {}

    def rows(builder: Callable[[str], str]) -> list[dict]:
        return run(lambda deals, params: builder(waiting_sql(
            deals, params, limits, micros(moment), sorted(held), set(money.carried))))

    counts = rows(stuck_sql)
    per_stage = [{"_at": int(r["at"]), "stuck": int(r["stuck"]), "oldest": _float(r["oldest"])}
                 for r in counts if int(r["stuck"])]
    hidden = {int(r["at"]): int(r["snoozed"]) for r in counts if int(r["snoozed"])}
    listed = [{"_at": int(r["at"]), "deal_id": r["id"], DAYS: float(r["days"]),
               "manager": r["mgr"], "amount": _float(r["amt"]), "currency": r["code"]}
              for r in rows(stuck_listed_sql)]
    managers = [(int(r["at"]), r["mgr"], int(r["deals"])) for r in rows(stuck_managers_sql)]
    return stuck_from(limits, per_stage, hidden, listed, managers)


def _float(value) -> float | None:
    return float(value) if value is not None else None
