"""The money view of a deal funnel (snapshot or stage history), attached to its result:
value per stage, won revenue and deal size, velocity, per segment and manager, loss
reasons and the cycle-time target. The numbers come from metrics/value.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from funnelctl.config import Funnel
from funnelctl.config.money import Money as MoneyConfig
from funnelctl.errors import ConfigError
from funnelctl.metrics.funnel import DEPTH, OUTCOME
from funnelctl.metrics.value import (
    AMOUNT,
    CURRENCY,
    by_segment,
    currency_blocks,
    cycle_target,
    cycle_target_from,
    loss_reasons,
    money_from,
    money_queries,
    money_view,
    reasons_from,
    rest_from,
    segments_from,
)
from funnelctl.report import (
    INSUFFICIENT,
    CycleTargetResult,
    FunnelResult,
    Money,
    MoneySegment,
)


@dataclass
class MoneyInput:
    """A funnel's deals ready for the money view: per currency (or converted into one);
    `frame` is what the funnel's summary runs over."""

    frame: pl.DataFrame
    blocks: list[tuple[str | None, pl.DataFrame, dict[str, int]]] = field(default_factory=list)


def money_input(deals: pl.DataFrame, config: MoneyConfig, funnel: Funnel,
                rates_at: str) -> MoneyInput:
    """The deals split per currency or converted with the rates; `rates_at` is the
    file:line of `money.rates` (Config.where) for the error about a currency without a
    rate."""
    if AMOUNT not in deals.columns:
        return MoneyInput(deals)
    blocks = rated_blocks(deals, config, funnel, rates_at)
    if len(blocks) > 1:  # segments in money need one currency
        return MoneyInput(deals, blocks)
    return MoneyInput(blocks[0][1], blocks)


def rated_blocks(deals: pl.DataFrame, config: MoneyConfig, funnel: Funnel, rates_at: str
                 ) -> list[tuple[str | None, pl.DataFrame, dict[str, int]]]:
    """metrics/value.currency_blocks, with a currency that has no rate a config error at
    `rates_at`."""
    blocks, missing = currency_blocks(deals, config.currency, config.rates)
    if missing:
        raise no_rate(missing, config, funnel, rates_at)
    return blocks


def no_rate(missing: list[str], config: MoneyConfig, funnel: Funnel, rates_at: str
            ) -> ConfigError:
    return ConfigError(
        f"{rates_at}: no rate for {', '.join(missing)}, which the amounts of funnel "
        f"'{funnel.name}' are in: add it (units of {config.currency} per 1 {missing[0]})")


def _lost_by_block(blocks: list[tuple[str | None, pl.DataFrame, dict[str, int]]]
                   ) -> pl.LazyFrame:
    """The lost deals of every currency block, each tagged with its block's currency: a
    converted block's amounts are in the money currency whatever their original column
    says, and a blank cell is the default currency, as in the money view. Lazy, with the
    columns loss_reasons reads. One block's lost deals are not tagged: all in one
    currency, they need no currency key (a group-by of half a million lost deals by one
    more key costs ~0.01 s)."""
    def lost(frame: pl.DataFrame) -> pl.LazyFrame:
        keep = [c for c in ("loss_reason", DEPTH, OUTCOME, AMOUNT) if c in frame.columns]
        return frame.lazy().filter(pl.col(OUTCOME) == "lost").select(keep)

    if len(blocks) == 1:
        return lost(blocks[0][1])
    return pl.concat([lost(frame).with_columns(pl.lit(code, pl.String).alias(CURRENCY))
                      for code, frame, _ in blocks], how="diagonal_relaxed")


def add_money(result: FunnelResult, money_in: MoneyInput, funnel: Funnel) -> None:
    """Fill result.money (or money_by_currency), the stages' and segments' value, the loss
    reasons and the cycle target from the funnel's deals in the period."""
    names = [s.name for s in funnel.stages]
    deals = money_in.frame
    # Every manager's money, unless the managers are a breakdown (then their segments,
    # folded as the funnel's `segments:` says, hold it).
    managers = "manager" in deals.columns and "manager" not in funnel.breakdown
    if len(money_in.blocks) == 1:
        return one_currency_money(result, deals, funnel, names, money_in.blocks[0], managers)
    if funnel.cycle_days is not None:
        result.cycle_target = graded(funnel, cycle_target(deals, funnel.cycle_days.good,
                                                          funnel.cycle_days.acceptable))
    if not money_in.blocks:
        result.loss_reasons = loss_reasons(deals, names, priced=False)
        return
    result.loss_reasons = loss_reasons(_lost_by_block(money_in.blocks), names, priced=True)
    result.money_by_currency = [
        money_view(frame, names, currency, funnel.min_sample, converted, managers)
        for currency, frame, converted in money_in.blocks]


def graded(funnel: Funnel, target: CycleTargetResult) -> CycleTargetResult:
    """The cycle target, its verdict INSUFFICIENT on fewer won deals than min_sample."""
    if target.verdict is not None and target.won_deals < funnel.min_sample:
        target.verdict = INSUFFICIENT
    return target


def one_currency_money(result: FunnelResult, deals: pl.DataFrame, funnel: Funnel,
                       names: list[str], block: tuple[str | None, pl.DataFrame, dict[str, int]],
                       managers: bool) -> None:
    """add_money of deals in one currency (or converted into one): every aggregate
    (metrics/value.money_queries) collected at once, so Polars runs them side by side."""
    currency, _, converted = block
    columns = [*result.breakdowns, *(["manager"] if managers else [])]
    kept = {column: [seg.value for seg in segs if not seg.folded]
            for column, segs in result.breakdowns.items() if any(s.folded for s in segs)}
    cycle = funnel.cycle_days
    queries = money_queries(deals, columns, kept, cycle.good if cycle else None)
    got = dict(zip(queries, pl.collect_all(queries.values())))
    if cycle is not None:
        row = got[("cycle", None)].row(0, named=True)
        result.cycle_target = graded(funnel, cycle_target_from(
            row["median"], int(row["n"]), int(row["over"]), cycle.good, cycle.acceptable))
    lost = got.get(("loss", None))
    result.loss_reasons = [] if lost is None else reasons_from(lost.lazy(), names, priced=True)
    segments = {c: segments_from(got[("table", c)], by_segment(got[("medians", c)]),
                                 funnel.min_sample) for c in columns}
    money = money_from(got[("table", None)], got[("medians", None)].row(0, named=True), names,
                       currency, funnel.min_sample, converted,
                       segments.get("manager", {}) if managers else {})
    attach_money(result, money, segments,
                 lambda column, folded, _, label: rest_from(
                     got[("rest", column)].row(0, named=True), folded, label,
                     funnel.min_sample))


# A folded "(other)" row's money: (column, the folded segments' money, the kept values,
# the row's label) -> its MoneySegment.
RestMoney = Callable[[str, list[MoneySegment], list[str], str], MoneySegment]


def attach_money(result: FunnelResult, money: Money,
                 by_column: dict[str, dict[str, MoneySegment]], rest: RestMoney) -> None:
    """A one-currency money view onto the result, whichever engine computed it: the
    stages' value, the value bottleneck, each segment's money (`by_column`: segment value
    -> its money, per breakdown column), a folded row's from `rest`."""
    result.money = money
    result.value_bottleneck = money.bottleneck
    for stage, value in zip(result.stages, money.stages):
        stage.value = value
    for column, segs in result.breakdowns.items():
        by_value = by_column[column]
        kept = [seg.value for seg in segs if not seg.folded]
        folded = [m for value, m in by_value.items() if value not in kept]
        for seg in segs:
            seg.money = rest(column, folded, kept, seg.value) if seg.folded \
                else by_value.get(seg.value)
