"""The money view of a deal funnel (snapshot or stage history), attached to its result:
value per stage, won revenue and deal size, velocity, per segment and manager, loss
reasons and the cycle-time target. The numbers come from metrics/value.py."""

from __future__ import annotations

import polars as pl

from funnelctl.config import Funnel
from funnelctl.config.money import Money as MoneyConfig
from funnelctl.errors import ConfigError
from funnelctl.metrics.value import (
    AMOUNT,
    currency_blocks,
    cycle_target,
    loss_reasons,
    money_view,
    prepare,
    rest_money,
    segment_money,
)
from funnelctl.report import INSUFFICIENT, FunnelResult


def add_money(result: FunnelResult, deals: pl.DataFrame, funnel: Funnel,
              config: MoneyConfig, rates_at: str = "money.rates") -> None:
    """Fill result.money (or money_by_currency), the stages' and segments' value, the loss
    reasons and the cycle target from the funnel's deals in the period. `rates_at` names
    the config key for an error about a currency without a rate."""
    names = [s.name for s in funnel.stages]
    priced = AMOUNT in deals.columns
    if funnel.cycle_days is not None:
        target = cycle_target(deals, funnel.cycle_days.good, funnel.cycle_days.acceptable)
        if target.verdict is not None and target.won_deals < funnel.min_sample:
            target.verdict = INSUFFICIENT
        result.cycle_target = target
    if not priced:
        result.loss_reasons = loss_reasons(deals, names, priced=False)
        return
    blocks, missing = currency_blocks(deals, config.currency, config.rates)
    if missing:
        raise ConfigError(
            f"{rates_at}: no rate for {', '.join(missing)}, which the amounts of funnel "
            f"'{funnel.name}' are in: add it (units of {config.currency} per 1 {missing[0]})")
    blocks = [(currency, prepare(frame), converted) for currency, frame, converted in blocks]
    # Every manager's money, unless the managers are a breakdown (then their segments,
    # folded as the funnel's `segments:` says, hold it).
    managers = "manager" in deals.columns and "manager" not in funnel.breakdown
    views = [money_view(frame, names, currency, funnel.min_sample, converted, managers)
             for currency, frame, converted in blocks]
    single = len(views) == 1
    frame = blocks[0][1] if single else deals
    result.loss_reasons = loss_reasons(frame, names, priced=True)
    if not single:
        result.money_by_currency = views
        return
    money = result.money = views[0]
    result.value_bottleneck = money.bottleneck
    for stage, value in zip(result.stages, money.stages):
        stage.value = value
    for column, segs in result.breakdowns.items():
        # One group-by per column; the folded "other" row from the segments it holds.
        by_value = segment_money(frame, column, funnel.min_sample)
        kept = [seg.value for seg in segs if not seg.folded]
        folded = [m for value, m in by_value.items() if value not in kept]
        for seg in segs:
            seg.money = (rest_money(frame, column, folded, kept, seg.value, funnel.min_sample)
                         if seg.folded else by_value.get(seg.value))
