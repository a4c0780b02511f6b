"""A deal funnel in money: value per stage, won revenue and deal size, the stage where the
most money is lost, loss reasons, the sales-cycle target and sales velocity.

Pure functions over the frame of one funnel's deals (depth, outcome, cycle_days, and
`amount` / `currency` when the source maps them). Amounts in several currencies are
never added up: `currency_blocks` splits them per currency, or converts them with rates.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from funnelctl.metrics.funnel import CYCLE_DAYS, DEPTH, OUTCOME
from funnelctl.metrics.stats import ratio
from funnelctl.report import (
    CycleTargetResult,
    LossReason,
    Money,
    MoneySegment,
    StageValue,
    ValueBottleneck,
    Velocity,
)

AMOUNT = "amount"
CURRENCY = "currency"
EMPTY_REASON = "(empty)"


def sales_velocity(open_deals: int, win_rate: float | None, average_won: float | None,
                   cycle_days: float | None, small_sample: bool = False) -> Velocity:
    """Sales velocity (money per day) = open deals x win rate x average won deal / median
    cycle days, with its four factors. per_day is None when a factor is missing or the
    cycle is 0 days (no rate per day can be read from it).

    A pure function of four numbers: the manager scorecard calls it with a manager's own
    factors, the funnel and segment views with theirs.
    """
    per_day = None
    if win_rate is not None and average_won is not None and cycle_days:
        per_day = open_deals * win_rate * average_won / cycle_days
    return Velocity(open_deals=open_deals, win_rate=win_rate, average_won=average_won,
                    cycle_days=cycle_days, per_day=per_day, small_sample=small_sample)


def currency_blocks(frame: pl.DataFrame, default: str | None, rates: dict[str, float]
                    ) -> tuple[list[tuple[str | None, pl.DataFrame, dict[str, int]]], list[str]]:
    """[(currency, its deals, {converted currency: deals})], and the currencies that have
    no rate. One block when every amount is in one currency (a blank cell is `default`),
    or when `rates` convert them into `default`; else one block per currency, biggest
    first. Deals without an amount stay in their block (they count, add nothing)."""
    if CURRENCY not in frame.columns:
        return [(default, frame, {})], []
    code = pl.col(CURRENCY).fill_null(pl.lit(default, pl.String)) if default else pl.col(CURRENCY)
    frame = frame.with_columns(code.alias(CURRENCY))
    counts = (frame.filter(pl.col(AMOUNT).is_not_null()).group_by(CURRENCY).len()
              .sort(["len", CURRENCY], descending=[True, False], nulls_last=True))
    present = counts[CURRENCY].to_list()
    if len(present) <= 1:
        return [(present[0] if present else default, frame, {})], []
    if rates:
        known = {**rates, default: 1.0}
        missing = [c for c in present if c not in known]
        if missing:
            return [], [str(c) for c in missing]
        factor = pl.col(CURRENCY).replace_strict(known, default=None, return_dtype=pl.Float64)
        converted = {str(c): int(n) for c, n in counts.iter_rows() if c != default}
        return [(default, frame.with_columns((pl.col(AMOUNT) * factor).alias(AMOUNT)),
                 converted)], []
    return [(c, frame.filter(pl.col(CURRENCY).eq_missing(pl.lit(c, pl.String))), {})
            for c in present], []


def _cells(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Deals, amounts and amount counts per (by..., depth, outcome): a small table every
    money number is read from."""
    return frame.group_by([*by, DEPTH, OUTCOME]).agg(
        pl.len().alias("deals"),
        pl.col(AMOUNT).sum().alias("value"),
        pl.col(AMOUNT).count().alias("priced"),
    )


def _won_stats(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    won = pl.col(OUTCOME) == "won"
    aggs = [pl.col(AMOUNT).filter(won).median().alias("median"),
            pl.col(CYCLE_DAYS).filter(won & pl.col(CYCLE_DAYS).is_not_null()).median()
            .alias("cycle")]
    return frame.group_by(by).agg(aggs) if by else frame.select(aggs)


def _sum(rows: Iterable[dict], key: str = "value", **where: object) -> float:
    return float(sum(r[key] or 0 for r in rows
                     if all(_matches(r, k, v) for k, v in where.items())))


def _matches(row: dict, key: str, want: object) -> bool:
    if key == "depth_min":
        return row[DEPTH] is not None and row[DEPTH] >= want
    return row[key] == want


def stage_values(cells: list[dict], n: int) -> list[StageValue]:
    """Per stage: entered (depth >= k), moved on (depth >= k+1; the last stage: won), lost
    at it and open in it."""
    out = []
    for k in range(1, n + 1):
        entered = _sum(cells, depth_min=k)
        moved = _sum(cells, depth_min=k + 1) if k < n else _sum(cells, outcome="won")
        out.append(StageValue(entered=entered, moved_on=moved,
                              lost=_sum(cells, depth=k, outcome="lost"),
                              open=_sum(cells, depth=k, outcome="open"),
                              lost_deals=int(_sum(cells, "deals", depth=k, outcome="lost"))))
    return out


def value_bottleneck(names: list[str], values: list[StageValue]) -> ValueBottleneck | None:
    """The stage with the most value lost (ties: the earlier stage), or None when no money
    was lost at a known stage."""
    total = sum(v.lost for v in values)
    if total <= 0:
        return None
    k = max(range(len(values)), key=lambda i: (values[i].lost, -i))
    return ValueBottleneck(stage=names[k], lost=values[k].lost, share=values[k].lost / total)


def _segment(value: str, cells: list[dict], median: float | None, cycle: float | None,
             min_sample: int) -> MoneySegment:
    won_deals = int(_sum(cells, "priced", outcome="won"))
    revenue = _sum(cells, outcome="won")
    won, lost = _sum(cells, "deals", outcome="won"), _sum(cells, "deals", outcome="lost")
    open_deals = int(_sum(cells, "deals", outcome="open"))
    mean = revenue / won_deals if won_deals else None
    few = won_deals < min_sample
    return MoneySegment(
        value=value, deals=int(_sum(cells, "deals")), won_deals=won_deals, won_revenue=revenue,
        deal_mean=mean, deal_median=float(median) if median is not None else None,
        open_value=_sum(cells, outcome="open"), lost_value=_sum(cells, outcome="lost"),
        velocity=sales_velocity(open_deals, ratio(int(won), int(won + lost)), mean,
                                float(cycle) if cycle is not None else None,
                                small_sample=won + lost < min_sample or few),
        small_sample=few)


def money_view(frame: pl.DataFrame, names: list[str], currency: str | None,
               min_sample: int, converted: dict[str, int] | None = None) -> Money:
    """The funnel in money over `frame` (one currency, or converted into one)."""
    cells = _cells(frame, []).to_dicts()
    stats = _won_stats(frame, []).row(0, named=True)
    whole = _segment("", cells, stats["median"], stats["cycle"], min_sample)
    values = stage_values(cells, len(names))
    managers = segment_money(frame, "manager", min_sample) if "manager" in frame.columns else {}
    return Money(
        currency=currency, stages=values, won_revenue=whole.won_revenue,
        won_deals=whole.won_deals, deal_mean=whole.deal_mean, deal_median=whole.deal_median,
        open_value=whole.open_value, lost_value=whole.lost_value,
        lost_value_unplaced=_sum(cells, depth=0, outcome="lost"), deals=whole.deals,
        deals_without_amount=int(whole.deals - _sum(cells, "priced")),
        bottleneck=value_bottleneck(names, values), velocity=whole.velocity,
        managers=list(managers.values()), converted=converted or {},
        small_sample=whole.small_sample)


def segment_money(frame: pl.DataFrame, column: str | pl.Expr, min_sample: int
                  ) -> dict[str, MoneySegment]:
    """Segment label -> its money (won revenue, deal size, velocity), biggest revenue first.
    `column` is a column name or an expression of the segment label (aliased "segment")."""
    label = (pl.col(column).fill_null("(empty)") if isinstance(column, str) else column)
    labelled = frame.with_columns(label.cast(pl.String).alias("_segment"))
    cells = _cells(labelled, ["_segment"])
    stats = {r["_segment"]: r for r in _won_stats(labelled, ["_segment"]).iter_rows(named=True)}
    by: dict[str, list[dict]] = {}
    for row in cells.iter_rows(named=True):
        by.setdefault(row["_segment"], []).append(row)
    out = {key: _segment(key, rows, stats[key]["median"], stats[key]["cycle"], min_sample)
           for key, rows in by.items()}
    return dict(sorted(out.items(), key=lambda kv: (-kv[1].won_revenue, kv[0])))


def loss_reasons(frame: pl.DataFrame, names: list[str], priced: bool) -> list[LossReason]:
    """Per loss reason of the lost deals: deals, share of the lost deals, value (when the
    amounts are in one currency), and the stages they were lost at (known stages only).
    Most deals first. A plain count: no test per reason."""
    if "loss_reason" not in frame.columns:
        return []
    lost = frame.filter(pl.col(OUTCOME) == "lost")
    if not lost.height:
        return []
    reason = pl.col("loss_reason").fill_null(EMPTY_REASON).replace("", EMPTY_REASON)
    by = [reason.alias("reason"), DEPTH]
    multi = priced and CURRENCY in lost.columns and lost[CURRENCY].n_unique() > 1
    if multi:
        by.append(CURRENCY)
    value = pl.col(AMOUNT).sum() if priced else pl.lit(None, pl.Float64)
    rows = lost.group_by(by).agg(pl.len().alias("deals"), value.alias("value")).to_dicts()
    out: dict[str, LossReason] = {}
    for row in rows:
        item = out.setdefault(row["reason"], LossReason(
            reason=row["reason"], deals=0, share=None, value=0.0 if priced and not multi else None,
            value_by_currency={} if multi else None))
        item.deals += row["deals"]
        if row[DEPTH]:
            stage = names[row[DEPTH] - 1]
            item.stages[stage] = item.stages.get(stage, 0) + row["deals"]
        if multi:
            cur = str(row[CURRENCY])
            item.value_by_currency[cur] = item.value_by_currency.get(cur, 0.0) + (row["value"] or 0)
        elif priced:
            item.value += row["value"] or 0.0
    for item in out.values():
        item.share = item.deals / lost.height
        item.stages = dict(sorted(item.stages.items(), key=lambda kv: (-kv[1], kv[0])))
    return sorted(out.values(), key=lambda r: (-r.deals, r.reason))


def cycle_target(frame: pl.DataFrame, good: float, acceptable: float) -> CycleTargetResult:
    """The median cycle of the won deals against the target; the share of won deals over
    `good`."""
    cycles = frame.filter((pl.col(OUTCOME) == "won") & pl.col(CYCLE_DAYS).is_not_null())
    row = cycles.select(pl.col(CYCLE_DAYS).median().alias("median"), pl.len().alias("n"),
                        (pl.col(CYCLE_DAYS) > good).sum().alias("over")).row(0, named=True)
    median = row["median"]
    verdict = None
    if median is not None:
        verdict = "ok" if median <= good else "warn" if median <= acceptable else "fail"
    return CycleTargetResult(good=good, acceptable=acceptable,
                             median=float(median) if median is not None else None,
                             verdict=verdict, won_deals=int(row["n"]), over_good=int(row["over"]),
                             over_good_share=ratio(int(row["over"]), int(row["n"])))
