"""A deal funnel in money: value per stage, won revenue and deal size, the stage where the
most money is lost, loss reasons, the sales-cycle target and sales velocity.

Pure functions over the frame of one funnel's deals (depth, outcome, cycle_days, and
`amount` / `currency` when the source maps them). Amounts in several currencies are
never added up: `currency_blocks` splits them per currency, or converts them with rates.
"""

from __future__ import annotations

import polars as pl

from funnelctl.io.values import EDGES
from funnelctl.metrics.funnel import CYCLE_DAYS, DEPTH, OUTCOME
from funnelctl.metrics.outcome_tables import (
    AMOUNT,
    IS_WON,
    in_cents,
    outcome_tables,
    summed_by_segment,
)
from funnelctl.metrics.stats import ratio
from funnelctl.report import (
    EMPTY,
    NO_CURRENCY,
    CycleTargetResult,
    LossReason,
    Money,
    MoneySegment,
    StageValue,
    ValueBottleneck,
    Velocity,
)

CURRENCY = "currency"


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
    first, then the currencies that only deals without an amount have. Deals without an
    amount stay in their block (they count, add nothing); no deal is left out."""
    if CURRENCY not in frame.columns:
        return [(default, frame, {})], []
    code = pl.col(CURRENCY).fill_null(pl.lit(default, pl.String)) if default else pl.col(CURRENCY)
    frame = frame.with_columns(code.alias(CURRENCY))
    counts = (frame.filter(pl.col(AMOUNT).is_not_null()).group_by(CURRENCY).len()
              .sort(["len", CURRENCY], descending=[True, False], nulls_last=True))
    codes, converted, missing = block_plan(list(counts.iter_rows()),
                                           frame[CURRENCY].unique().to_list(), default, rates)
    if missing:
        return [], missing
    if converted:
        known = {**rates, default: 1.0}
        factor = pl.col(CURRENCY).replace_strict(known, default=None, return_dtype=pl.Float64)
        return [(default, frame.with_columns((pl.col(AMOUNT) * factor).alias(AMOUNT)),
                 converted)], []
    if len(codes) == 1:
        return [(codes[0], frame, {})], []
    return [(c, frame.filter(pl.col(CURRENCY).eq_missing(pl.lit(c, pl.String))), {})
            for c in codes], []


def block_plan(counts: list[tuple[str | None, int]], codes: list[str | None],
               default: str | None, rates: dict[str, float]
               ) -> tuple[list[str | None], dict[str, int], list[str]]:
    """currency_blocks' choice, from the deals with an amount per currency (most first,
    then by code) and every currency the deals have (a blank one already `default`):
    (the blocks' currencies, {converted currency: deals} when `rates` convert every
    amount into `default`, the currencies without a rate). One currency code with
    nothing converted is one block of every deal. Any engine's counts."""
    present = [c for c, _ in counts]
    if len(present) <= 1:
        return [present[0] if present else default], {}, []
    if rates:
        known = {**rates, default: 1.0}
        missing = [str(c) for c in present if c not in known]
        if missing:
            return [], {}, missing
        return [default], {str(c): int(n) for c, n in counts if c != default}, []
    # A currency whose deals all lack an amount still gets its block (after the priced
    # ones): its deals count in the forecast, overdue and loss reasons, adding no value.
    unpriced = sorted((c for c in codes if c not in present), key=lambda c: (c is None, c or ""))
    return present + unpriced, {}, []


def _sums() -> list[pl.Expr]:
    """A segment's money sums and counts, over its rows of an outcome table; `priced`:
    the deals with an amount."""
    def total(column: str, outcome: str | None = None) -> pl.Expr:
        values = pl.col(column)
        return (values if outcome is None else values.filter(pl.col(OUTCOME) == outcome)).sum()

    return [total("deals").alias("deals"), total("deals", "won").alias("won"),
            total("deals", "lost").alias("lost"), total("deals", "open").alias("open"),
            total("priced", "won").alias("won_priced"), total("value", "won").alias("revenue"),
            total("value", "open").alias("open_value"),
            total("value", "lost").alias("lost_value"), total("priced").alias("priced")]


def _depth_table(table: pl.DataFrame, n: int) -> dict[int, dict]:
    """Per depth 0..n (0: lost, stage unknown), from the (depth, outcome) table: the
    amount of every deal, of the lost and of the open deals, and the lost deals."""
    out = {k: {"value": 0.0, "lost": 0.0, "lost_deals": 0, "open": 0.0} for k in range(n + 1)}
    for depth, outcome, deals, value, _ in table.iter_rows():
        if depth not in out:
            continue
        out[depth]["value"] += value or 0.0
        if outcome in ("lost", "open"):
            out[depth][outcome] += value or 0.0
        if outcome == "lost":
            out[depth]["lost_deals"] += deals
    return out


_NONE = {"median": None, "cycle": None}  # a segment without won deals


def stage_values(depths: dict[int, dict], won: float, n: int) -> list[StageValue]:
    """Per stage from the per-depth table: entered (depth >= k), moved on (depth >= k+1;
    the last stage: won), lost at it and open in it."""
    def get(k: int, key: str) -> float:
        return float((depths.get(k) or {}).get(key) or 0)

    at = [get(k, "value") for k in range(n + 1)]
    return [StageValue(entered=sum(at[k:]), moved_on=sum(at[k + 1:]) if k < n else won,
                       lost=get(k, "lost"), open=get(k, "open"),
                       lost_deals=int(get(k, "lost_deals")))
            for k in range(1, n + 1)]


def value_bottleneck(names: list[str], values: list[StageValue]) -> ValueBottleneck | None:
    """The stage with the most value lost (ties: the earlier stage), or None when no money
    was lost at a known stage."""
    total = sum(v.lost for v in values)
    if total <= 0:
        return None
    k = max(range(len(values)), key=lambda i: (values[i].lost, -i))
    return ValueBottleneck(stage=names[k], lost=values[k].lost, share=values[k].lost / total)


def _segment(value: str, row: dict, min_sample: int) -> MoneySegment:
    won_deals, revenue = int(row["won_priced"]), float(row["revenue"] or 0.0)
    mean = revenue / won_deals if won_deals else None
    closed = int(row["won"] + row["lost"])
    few = won_deals < min_sample
    cycle = row["cycle"]
    return MoneySegment(
        value=value, deals=int(row["deals"]), won_deals=won_deals, won_revenue=revenue,
        deal_mean=mean, deal_median=float(row["median"]) if row["median"] is not None else None,
        open_value=float(row["open_value"] or 0.0), lost_value=float(row["lost_value"] or 0.0),
        velocity=sales_velocity(int(row["open"]), ratio(int(row["won"]), closed), mean,
                                float(cycle) if cycle is not None else None,
                                small_sample=closed < min_sample or few),
        small_sample=few, won_count=int(row["won"]), lost_count=int(row["lost"]))


def money_from(table: pl.DataFrame, medians: dict, names: list[str], currency: str | None,
               min_sample: int, converted: dict[str, int] | None,
               managers: dict[str, MoneySegment]) -> Money:
    """The funnel in money (one currency, or converted into one) from its aggregates (any
    engine's): the (depth, outcome) table of _outcome_table, the won deals' medians
    ({median, cycle}), the managers' money."""
    row = table.select(_sums()).row(0, named=True) | medians
    whole, whole_priced = _segment("", row, min_sample), int(row["priced"])
    depths = _depth_table(table, len(names))
    values = stage_values(depths, whole.won_revenue, len(names))
    return Money(
        currency=currency, stages=values, won_revenue=whole.won_revenue,
        won_deals=whole.won_deals, deal_mean=whole.deal_mean, deal_median=whole.deal_median,
        open_value=whole.open_value, lost_value=whole.lost_value,
        lost_value_unplaced=float(depths[0]["lost"]),
        deals=whole.deals,
        deals_without_amount=whole.deals - whole_priced,
        bottleneck=value_bottleneck(names, values), velocity=whole.velocity,
        managers=list(managers.values()), converted=converted or {},
        small_sample=whole.small_sample)


def segment_money(frame: pl.DataFrame, column: str, min_sample: int
                  ) -> dict[str, MoneySegment]:
    """Segment value -> its money (won revenue, deal size, velocity), most revenue first."""
    tables = outcome_tables(frame, [column], priced=True)
    return segments_from(summed_by_segment(tables.by_column[column]), tables.won_by[column],
                         min_sample)


def segments_from(table: pl.DataFrame, medians: dict[str, dict], min_sample: int
                  ) -> dict[str, MoneySegment]:
    """segment_money from its aggregates (any engine's): the (_segment, outcome) table of
    _outcome_table and each segment's won medians."""
    rows = table.group_by("_segment").agg(_sums())
    out = {row["_segment"]: _segment(row["_segment"], row | medians.get(row["_segment"], _NONE),
                                     min_sample)
           for row in rows.iter_rows(named=True)}
    return dict(sorted(out.items(), key=lambda kv: (-kv[1].won_revenue, kv[0])))










def rest_from(medians: dict, folded: list[MoneySegment], label: str, min_sample: int
              ) -> MoneySegment:
    """rest_money from the folded row's own won medians (any engine's)."""
    row = dict(medians)
    row |= {"deals": sum(k.deals for k in folded), "won_priced": sum(k.won_deals for k in folded),
            "revenue": sum(k.won_revenue for k in folded),
            "open_value": sum(k.open_value for k in folded),
            "lost_value": sum(k.lost_value for k in folded),
            "open": sum(k.velocity.open_deals for k in folded),
            "won": sum(k.won_count for k in folded), "lost": sum(k.lost_count for k in folded)}
    return _segment(label, row, min_sample)


def loss_groups(frame: pl.DataFrame | pl.LazyFrame, priced: bool) -> pl.LazyFrame | None:
    """The lost deals and their value per (loss_reason, depth[, currency]), lazily: what
    reasons_from reads; None without a loss_reason column."""
    columns = frame.collect_schema().names()
    if "loss_reason" not in columns:
        return None
    by = ["loss_reason", DEPTH]
    if priced and CURRENCY in columns:
        by.append(CURRENCY)
    # Null, not 0, where no deal of the group has an amount: its value is unknown.
    known = pl.col(AMOUNT).count() > 0
    value = pl.when(known).then(in_cents(pl.col(AMOUNT).sum())) if priced \
        else pl.lit(None, pl.Float64)
    # Lazily, so the filter reads only the columns the group-by needs.
    return (frame.lazy().filter(pl.col(OUTCOME) == "lost").group_by(by)
            .agg(pl.len().alias("deals"), value.alias("value")))


def reasons_from(grouped: pl.LazyFrame, names: list[str], priced: bool) -> list[LossReason]:
    """Per loss reason of the lost deals: deals, share of the lost deals, value (when the
    amounts are in one currency, else per currency), and the stages they were lost at
    (known stages only); most deals first; a plain count, no test per reason. From its
    aggregates (any engine's): the lost deals and their value per (loss_reason,
    depth[, currency]) of loss_groups. The reasons are trimmed and the blank ones named on
    the grouped rows (the deals reader leaves them as written); sorted, so the values
    below are added up in one order."""
    by = [c for c in grouped.collect_schema().names() if c not in ("deals", "value")]
    text = pl.col("loss_reason").cast(pl.String).str.strip_chars(EDGES)
    rows = (grouped.with_columns(reason=pl.when(text.is_null() | (text == ""))
                                 .then(pl.lit(EMPTY)).otherwise(text))
            .sort("reason", *by[1:], "loss_reason", nulls_last=True).collect().to_dicts())
    # Values per currency when the lost deals are in more than one.
    multi = len(by) > 2 and len({row[CURRENCY] for row in rows}) > 1
    if not rows:
        return []
    total = sum(row["deals"] for row in rows)
    out: dict[str, LossReason] = {}
    for row in rows:
        item = out.setdefault(row["reason"], LossReason(
            reason=row["reason"], deals=0, share=None, value=None,
            value_by_currency={} if multi else None))
        item.deals += row["deals"]
        if row[DEPTH]:
            stage = names[row[DEPTH] - 1]
            item.stages[stage] = item.stages.get(stage, 0) + row["deals"]
        if multi:
            cur = row[CURRENCY] or NO_CURRENCY
            item.value_by_currency[cur] = _known_sum(item.value_by_currency.get(cur), row["value"])
        elif priced:
            item.value = _known_sum(item.value, row["value"])
    for item in out.values():
        item.share = item.deals / total
        item.stages = dict(sorted(item.stages.items(), key=lambda kv: (-kv[1], kv[0])))
    return sorted(out.values(), key=lambda r: (-r.deals, r.reason))


def _known_sum(total: float | None, value: float | None) -> float | None:
    """total + value, where None is an unknown value (no deal with an amount): a sum of
    unknowns stays unknown, a known value adds to it."""
    if value is None:
        return total
    return value if total is None else total + value


def cycle_counts(frame: pl.DataFrame | pl.LazyFrame, good: float) -> pl.LazyFrame:
    """The won deals' median cycle, their number and how many are over `good`, lazily
    (cycle_target_from's numbers)."""
    cycles = frame.lazy().filter(IS_WON & pl.col(CYCLE_DAYS).is_not_null())
    return cycles.select(pl.col(CYCLE_DAYS).median().alias("median"), pl.len().alias("n"),
                         (pl.col(CYCLE_DAYS) > good).sum().alias("over"))


def cycle_target_from(median: float | None, won: int, over: int, good: float,
                      acceptable: float) -> CycleTargetResult:
    """The cycle target from the won deals' median cycle, their number and how many are
    over `good`: any engine's aggregates."""
    verdict = None
    if median is not None:
        verdict = "ok" if median <= good else "warn" if median <= acceptable else "fail"
    return CycleTargetResult(good=good, acceptable=acceptable,
                             median=float(median) if median is not None else None,
                             verdict=verdict, won_deals=won, over_good=over,
                             over_good_share=ratio(over, won))
