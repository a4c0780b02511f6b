"""The money view of a deal funnel (snapshot or stage history), attached to its result:
value per stage, won revenue and deal size, velocity, per segment and manager, loss
reasons and the cycle-time target. The numbers come from metrics/value.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from funnelctl.config import Funnel
from funnelctl.config.money import Money as MoneyConfig
from funnelctl.config.stats import Significance
from funnelctl.errors import ConfigError
from funnelctl.metrics.breakdown import summarise_outcomes
from funnelctl.metrics.funnel import DEPTH, OUTCOME
from funnelctl.metrics.outcome_tables import OutcomeTables, outcome_tables, summed_by_segment
from funnelctl.metrics.value import (
    AMOUNT,
    CURRENCY,
    currency_blocks,
    cycle_counts,
    cycle_target_from,
    loss_groups,
    money_from,
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


def money_segments(deals: pl.DataFrame, funnel: Funnel) -> list[str]:
    """The segment columns of the money view besides the funnel's breakdown: every
    manager's money, unless the managers are a breakdown (then their segments, folded as
    the funnel's `segments:` says, hold it)."""
    return ["manager"] if "manager" in deals.columns and "manager" not in funnel.breakdown \
        else []


def summarised(money_in: MoneyInput, funnel: Funnel, kind: str,
               significance: Significance | None) -> tuple[FunnelResult, OutcomeTables]:
    """The funnel's summary over money_in.frame and, for the money view of deals in one
    currency, the outcome tables it was made from (with the amounts' sums and the
    managers), which add_money then reads instead of grouping the deals again."""
    one = len(money_in.blocks) == 1
    return summarise_outcomes(money_in.frame, funnel, kind, significance,
                              also=money_segments(money_in.frame, funnel) if one else [],
                              priced=one)


def add_money(result: FunnelResult, money_in: MoneyInput, funnel: Funnel,
              tables: OutcomeTables) -> None:
    """Fill result.money (or money_by_currency), the stages' and segments' value, the loss
    reasons and the cycle target from the funnel's deals in the period; `tables`: the
    outcome tables of summarised (priced when the deals are in one currency)."""
    names = [s.name for s in funnel.stages]
    deals = money_in.frame
    managers = bool(money_segments(deals, funnel))
    if len(money_in.blocks) != 1:
        return per_currency_money(result, money_in, funnel, names, managers)
    return one_currency_money(result, deals, funnel, names, money_in.blocks[0], managers,
                              tables)


def graded(funnel: Funnel, target: CycleTargetResult) -> CycleTargetResult:
    """The cycle target, its verdict INSUFFICIENT on fewer won deals than min_sample."""
    if target.verdict is not None and target.won_deals < funnel.min_sample:
        target.verdict = INSUFFICIENT
    return target


# A money aggregate's key: ("cycle", None) or ("loss", None).
Got = dict[tuple, pl.DataFrame]


def collected(queries: dict[tuple, pl.LazyFrame]) -> Got:
    """Every query collected at once, so Polars runs them side by side."""
    return dict(zip(queries, pl.collect_all(queries.values())))


def cycle_and_loss_queries(deals: pl.DataFrame, lost: pl.DataFrame | pl.LazyFrame,
                           cycle_good: float | None, priced: bool) -> dict[tuple, pl.LazyFrame]:
    """The cycle target's counts over `deals` (every deal, or just the won ones) and the
    loss reasons' groups over `lost` (the lost deals, or every deal), lazily, for one
    collect_all."""
    queries: dict[tuple, pl.LazyFrame] = {}
    if cycle_good is not None:
        queries[("cycle", None)] = cycle_counts(deals, cycle_good)
    grouped = loss_groups(lost, priced=priced)
    if grouped is not None:
        queries[("loss", None)] = grouped
    return queries


def one_currency_money(result: FunnelResult, deals: pl.DataFrame, funnel: Funnel,
                       names: list[str], block: tuple[str | None, pl.DataFrame, dict[str, int]],
                       managers: bool, tables: OutcomeTables) -> None:
    """add_money of deals in one currency (or converted into one), from their outcome
    tables; the cycle target and the loss reasons collected at once."""
    currency, _, converted = block
    columns = [*result.breakdowns, *(["manager"] if managers else [])]
    cycle = funnel.cycle_days
    # One currency: the lost deals need no currency key (a converted block's column still
    # names the amounts' original currencies).
    got = collected(cycle_and_loss_queries(tables.won_deals, deals.drop(CURRENCY, strict=False),
                                           cycle.good if cycle else None, priced=True))
    add_cycle_and_losses(result, got, funnel, names, priced=True)
    money, segments = money_assembled(tables, columns, names, currency, converted,
                                      funnel.min_sample, managers)
    attach_money(result, money, segments,
                 lambda column, folded, _, label: rest_from(
                     tables.rest[column], folded, label, funnel.min_sample))


def per_currency_money(result: FunnelResult, money_in: MoneyInput, funnel: Funnel,
                       names: list[str], managers: bool) -> None:
    """add_money of deals in several currencies (one money view per currency block, the
    loss reasons valued per currency) or without amounts (the loss reasons counted, no
    value): the cycle target's and the loss reasons' aggregates collected at once, each
    block's money from its outcome tables, assembled as for one currency."""
    blocks, cycle = money_in.blocks, funnel.cycle_days
    got = collected(cycle_and_loss_queries(
        money_in.frame, _lost_by_block(blocks) if blocks else money_in.frame,
        cycle.good if cycle else None, priced=bool(blocks)))
    add_cycle_and_losses(result, got, funnel, names, priced=bool(blocks))
    columns = ["manager"] if managers else []
    if blocks:
        result.money_by_currency = [
            money_assembled(outcome_tables(frame, columns, priced=True), columns, names,
                            currency, converted, funnel.min_sample, managers)[0]
            for currency, frame, converted in blocks]


def add_cycle_and_losses(result: FunnelResult, got: Got, funnel: Funnel, names: list[str],
                         priced: bool) -> None:
    """The cycle target and the loss reasons from their collected aggregates."""
    cycle = funnel.cycle_days
    if cycle is not None:
        row = got[("cycle", None)].row(0, named=True)
        result.cycle_target = graded(funnel, cycle_target_from(
            row["median"], int(row["n"]), int(row["over"]), cycle.good, cycle.acceptable))
    lost = got.get(("loss", None))
    result.loss_reasons = [] if lost is None else reasons_from(lost.lazy(), names, priced)


def money_assembled(tables: OutcomeTables, columns: list[str], names: list[str],
                    currency: str | None, converted: dict[str, int] | None, min_sample: int,
                    managers: bool) -> tuple[Money, dict[str, dict[str, MoneySegment]]]:
    """(the money view of one currency, each segment column's money by segment value)
    from its priced outcome tables."""
    segments = {c: segments_from(summed_by_segment(tables.by_column[c]), tables.won_by[c],
                                 min_sample)
                for c in columns}
    money = money_from(tables.whole, tables.won, names, currency, min_sample, converted,
                       segments.get("manager", {}) if managers else {})
    return money, segments


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
