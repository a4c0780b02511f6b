"""What a funnel says about the days ahead, once each deal has its depth and outcome:
stage probabilities, stuck deals (with `max_days: auto` learned and snoozed deals held
back), the weighted forecast with its overdue deals, and the plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import polars as pl

from funnelctl.audit.money import rated_blocks
from funnelctl.checks import check_history
from funnelctl.checks_forecast import check_overdue, check_plan
from funnelctl.config import Config, Funnel
from funnelctl.config.forecast import PlanTarget
from funnelctl.errors import ConfigError
from funnelctl.io.plan_files import read_plan, read_snooze
from funnelctl.metrics.forecast import (
    CURRENCY,
    EXPECTED,
    forecast,
    open_pipeline,
    stage_probabilities,
    weighted,
)
from funnelctl.metrics.plan import manager_keys, plan_lines, unpriced_won_note
from funnelctl.metrics.stuck import (
    learn_limits,
    limits_of,
    per_deal_times,
    snapshot_times,
    stuck_in_history,
    stuck_in_snapshot,
)
from funnelctl.metrics.value import AMOUNT
from funnelctl.report import Finding, FunnelResult
from funnelctl.report_forecast import LearnedMaxDays, PlanResult, Snoozed


def reference_day(moment: dt.datetime) -> dt.date:
    """The day stuck deals, overdue deals and the plan are judged on (the moment is the
    end of that day: audit/history.stuck_moment)."""
    return (moment - dt.timedelta(days=1)).date()


def snoozes(funnel: Funnel, frame: pl.DataFrame, day: dt.date) -> tuple[set[str], Snoozed | None]:
    """(ids of the funnel's deals snoozed on `day`, the counts the report shows)."""
    def known(listed: set[str]) -> set[str]:
        # (the ids as text only when a snooze file lists some: a typed id from Parquet
        # is cast, ~0.1 s at 3M deals)
        ids = frame["deal_id"].cast(pl.String)
        return set(ids.filter(ids.is_in(sorted(listed))).to_list())

    return snoozes_among(funnel, day, known)


def snoozes_among(funnel: Funnel, day: dt.date, known: Callable[[set[str]], set[str]]
                  ) -> tuple[set[str], Snoozed | None]:
    """snoozes(), with `known(ids)`: which of the snooze file's ids are the funnel's deals
    (any engine's)."""
    if funnel.snooze is None:
        return set(), None
    entries = read_snooze(funnel.snooze.path)
    until: dict[str, dt.date] = {}
    for entry in entries:  # a deal listed twice keeps its latest date
        until[entry.deal_id] = max(entry.until, until.get(entry.deal_id, entry.until))
    ids = known(set(until)) if until else set()
    active = {d for d, u in until.items() if d in ids and u >= day}
    expired = sum(1 for d, u in until.items() if d in ids and u < day)
    return active, Snoozed(path=funnel.snooze.path.name, active=len(active), expired=expired,
                           unknown=sum(1 for d in until if d not in ids))


def learned_limits(config: Config, funnel: Funnel, times: pl.DataFrame | None
                   ) -> tuple[dict[int, LearnedMaxDays], dict[int, float]]:
    if any(s.max_days == "auto" for s in funnel.stages) and times is None:
        i = config.funnels.index(funnel)
        j = next(j for j, s in enumerate(funnel.stages) if s.max_days == "auto")
        raise ConfigError(
            f"{config.where(('funnels', i, 'stages', j, 'max_days'))}: max_days: auto learns "
            "the limit from how long deals stayed in the stage, which a snapshot does not "
            "say: give the funnel a stage_history: source, or map \"Date entered\" columns "
            "for its stages (or set a number of days)")
    learned = learn_limits(times, funnel) if times is not None else {}
    return learned, limits_of(funnel, learned)


def add_stuck(result: FunnelResult, funnel: Funnel, stuck: dict[int, dict],
              learned: dict[int, LearnedMaxDays], limits: dict[int, float]) -> int:
    """Put the stuck counts and lists on the stage results; returns the snoozed deals
    that would have been stuck."""
    hidden = 0
    for i, (stage_result, stage) in enumerate(zip(result.stages, funnel.stages), 1):
        stage_result.max_days = limits.get(i)
        stage_result.max_days_learned = learned.get(i)
        if i in stuck:
            stage_result.stuck = stuck[i]["stuck"]
            stage_result.stuck_oldest_days = stuck[i]["oldest_days"]
            stage_result.stuck_deals = stuck[i]["deals"]
            stage_result.stuck_by_manager = stuck[i].get("by_manager", {})
            for deal in stage_result.stuck_deals:
                deal.stage = stage.name
            hidden += stuck[i]["snoozed"]
    return hidden


def judge_stuck(config: Config, funnel: Funnel, result: FunnelResult,
                times: pl.DataFrame | None, snoozed: Snoozed | None,
                stuck_of: Callable[[dict[int, float]], dict[int, dict]]) -> None:
    """The limits (learned from `times` where `auto`), the stuck deals `stuck_of(limits)`
    finds put on the stages, and the snoozed deals that would have been stuck counted."""
    judge_stuck_with(result, funnel, *learned_limits(config, funnel, times), snoozed, stuck_of)


def judge_stuck_with(result: FunnelResult, funnel: Funnel, learned: dict[int, LearnedMaxDays],
                     limits: dict[int, float], snoozed: Snoozed | None,
                     stuck_of: Callable[[dict[int, float]], dict[int, dict]]) -> None:
    """judge_stuck with the limits already learned (any engine's)."""
    hidden = add_stuck(result, funnel, stuck_of(limits), learned, limits)
    if snoozed:
        snoozed.hidden_stuck = hidden


def history_stuck(config: Config, funnel: Funnel, result: FunnelResult, entries: pl.DataFrame,
                  moment: dt.datetime) -> list[Finding]:
    """Stuck deals of a stage-history funnel (limits learned from the same history)."""
    day = reference_day(moment)
    active, snoozed = snoozes(funnel, entries, day)
    result.snoozed = snoozed
    if not any(s.max_days for s in funnel.stages):
        return check_history(result, funnel)
    judge_stuck(config, funnel, result, per_deal_times(entries), snoozed,
                lambda limits: stuck_in_history(entries, limits, moment, active))
    return check_history(result, funnel)


def deal_forward_view(config: Config, funnel: Funnel, frame: pl.DataFrame,
                      result: FunnelResult, moment: dt.datetime,
                      entries: pl.DataFrame | None,
                      managers: list[str] | None = None) -> list[Finding]:
    """Probabilities, stuck deals, forecast and plan of a deals funnel over all its deals
    (`frame`); `entries`: its classified stage history, when it has one; `managers`: the
    distinct manager names of `frame` when the caller knows them."""
    day = reference_day(moment)
    found: list[Finding] = []
    active, snoozed = snoozes(funnel, frame, day)
    probabilities = stage_probabilities(frame, funnel)
    for stage_result, probability in zip(result.stages, probabilities):
        stage_result.probability = probability
    if any(s.max_days for s in funnel.stages):
        require_stage_changed(config, funnel, "stage_changed_at" in frame.columns)
        times = per_deal_times(entries) if entries is not None else snapshot_times(frame, funnel)
        judge_stuck(config, funnel, result, times, snoozed,
                    lambda limits: stuck_in_snapshot(frame, limits, moment, active))
        found += check_history(result, funnel)
    found += forecast_and_plan(config, funnel, frame, result, day, active, snoozed,
                               probabilities, managers)
    result.snoozed = snoozed
    return found


def forecast_and_plan(config: Config, funnel: Funnel, frame: pl.DataFrame,
                      result: FunnelResult, day: dt.date, active: set[str],
                      snoozed: Snoozed | None, probabilities: list,
                      managers: list[str] | None = None) -> list[Finding]:
    """The weighted forecast with its overdue deals, and the plan, of the funnel's deals
    (`frame`: depth = each open deal's current stage, outcome, amount, expected_close,
    closed_at, manager), as of `day`; `active`: the snoozed deal ids."""
    found: list[Finding] = []
    priced = priced_blocks(config, funnel, frame) if AMOUNT in frame.columns else []
    open_deals = None  # the forecast's open deals, which the plan's pipeline reads too
    if priced and EXPECTED in frame.columns:
        deals = pl.concat([b for _, b in priced], how="vertical_relaxed")
        open_deals = open_pipeline(deals, probabilities, day, active)
        result.forecast = forecast(deals, funnel, probabilities, day, active, open_deals)
        if snoozed:
            every = sum(r.deals for r in result.forecast.rows if r.bucket == "overdue")
            snoozed.hidden_overdue = every - result.forecast.overdue.deals
        found += check_overdue(result)
    if funnel.plan is not None:
        require_plan_columns(config, funnel, frame.columns)
        currency, amounts = one_currency(config, funnel, priced)
        targets = funnel.plan.targets or read_plan(funnel.plan.path)
        keys, no_deals = plan_keys(config, amounts, targets, managers)
        # (a plan is in one currency: the forecast's open deals are the amounts' own)
        pipeline = open_deals if open_deals is not None else weighted(amounts.lazy(),
                                                                      probabilities)
        lines = plan_lines(amounts, pipeline, targets, day,
                           config.norms.calendar if config.norms else None, keys)
        result.plan = PlanResult(as_of=day, lines=lines, currency=currency,
                                 source=funnel.plan.path.name if funnel.plan.path else None,
                                 notes=unpriced_won_note(amounts, targets, day),
                                 no_deals=no_deals)
        found += check_plan(result)
    return found


def priced_blocks(config: Config, funnel: Funnel, frame: pl.DataFrame
                  ) -> list[tuple[str | None, pl.DataFrame]]:
    """The funnel's deals per currency (metrics/value.currency_blocks: one block when all
    amounts are in one currency or `money.rates` convert them), each block's currency in
    its `currency` column."""
    return [(code, block.with_columns(pl.lit(code, pl.String).alias(CURRENCY)))
            for code, block, _ in rated_blocks(frame, config.money, funnel,
                                               config.where(("money", "rates")))]


def plan_keys(config: Config, deals: pl.DataFrame | pl.LazyFrame, targets: list[PlanTarget],
              names: list[str] | None = None) -> tuple[dict[str, str], list[str]]:
    """metrics/plan.manager_keys over the deals' managers (`names`, their distinct names,
    when the caller has them), with the config's aliases."""
    deals = deals.lazy()
    # The distinct names only, not their deals: a name's key does not depend on how many
    # deals it has (that picks the spelling a report shows, which the keys do not keep).
    if names is None:
        names = (deals.select(pl.col("manager").unique().drop_nulls().sort()).collect()
                 .to_series().to_list() if "manager" in deals.collect_schema().names() else [])
    return plan_keys_from(config, dict.fromkeys(names, 1), targets)


def plan_keys_from(config: Config, data: dict[str, int], targets: list[PlanTarget]
                   ) -> tuple[dict[str, str], list[str]]:
    """plan_keys from the deals per manager (any engine's)."""
    return manager_keys(data, targets, config.managers.aliases, config.managers.ignore,
                        config.norms.roster_names() if config.norms else None)


def one_currency(config: Config, funnel: Funnel, priced: list[tuple[str | None, pl.DataFrame]]
                 ) -> tuple[str | None, pl.DataFrame]:
    """A plan is one amount per target: the won deals must be in one currency too."""
    require_one_currency(config, funnel, [code for code, _ in priced])
    return priced[0]


def require_one_currency(config: Config, funnel: Funnel, codes: list[str | None]) -> None:
    """The plan's error when the deals' amounts are in several currency blocks."""
    if len(codes) == 1:
        return
    i = config.funnels.index(funnel)
    listed = ", ".join(str(code) for code in codes)
    raise ConfigError(
        f"{config.where(('funnels', i, 'plan'))}: the plan is one amount per target, but the "
        f"deals of funnel '{funnel.name}' are in several currencies ({listed}): give "
        "money: {currency: ..., rates: {...}} to convert them")


def require_plan_columns(config: Config, funnel: Funnel, columns: list[str]) -> None:
    """The plan needs the amount and the close date (`columns`: the deals' columns)."""
    missing = [c for c in ("amount", "closed_at") if c not in columns]
    if missing:
        i = config.funnels.index(funnel)
        raise ConfigError(
            f"{config.where(('funnels', i, 'plan'))}: the plan compares won amounts by close "
            f"date, and source '{funnel.source}' maps no {' and no '.join(missing)} column: "
            f"map it under sources.{funnel.source}.columns")


def require_stage_changed(config: Config, funnel: Funnel, mapped: bool) -> None:
    """max_days needs to know when a deal entered its stage; a snapshot says so only with a
    "stage changed at" / "last modified" column. Without one it is an error, not ignored."""
    if mapped or not any(s.max_days for s in funnel.stages):
        return
    i = config.funnels.index(funnel)
    j = next(j for j, s in enumerate(funnel.stages) if s.max_days)
    raise ConfigError(
        f"{config.where(('funnels', i, 'stages', j, 'max_days'))}: max_days on a deals "
        f"snapshot needs the date each deal entered its stage: map stage_changed_at under "
        f"sources.{funnel.source}.columns (a \"stage changed at\" or \"last modified\" "
        "column), or use a stage_history source")
