"""The audit of funnels over stage_history sources: read, classify, summarise, time."""

from __future__ import annotations

import datetime as dt

import polars as pl

from funnelctl.audit.cohort import (
    NO_STAGE_BEFORE_LOSS,
    KeptFunnel,
    add_outcome_notes,
    in_period,
    lost_without_stage,
)
from funnelctl.audit.history_forecast import history_forward_view
from funnelctl.audit.manager_fold import ManagerFold, fold_history
from funnelctl.audit.money import add_money, money_input, summarised
from funnelctl.audit.waterfall import history_waterfall
from funnelctl.config import Config, Funnel
from funnelctl.io.history import History, read_history
from funnelctl.io.readers import LINE, RawSource, open_source
from funnelctl.io.rejects import ledger, source_quality
from funnelctl.metrics.breakdown import EMPTY, summarise
from funnelctl.metrics.history import (
    BACKWARDS,
    ROLE,
    SKIPPED,
    classify,
    consistency_counts,
    deal_outcomes,
    with_latest_values,
)
from funnelctl.metrics.periods import DateRange
from funnelctl.metrics.stats import ratio
from funnelctl.metrics.timing import time_in_stage
from funnelctl.plural import plural
from funnelctl.report import (
    Consistency,
    Finding,
    FunnelResult,
    SlowestStage,
    SourceQuality,
    TimeInStage,
)


def read_history_sources(config: Config, qualities: dict[str, SourceQuality],
                         rejects: list[pl.DataFrame] | None = None,
                         as_of: dt.date | None = None
                         ) -> dict[str, tuple[History, ManagerFold]]:
    """Read each stage_history source used by a funnel, once, with its manager names
    folded (audit/manager_fold, said in its data-quality notes); its unusable rows go
    into the `rejects` ledger."""
    out = {}
    for name, source in config.sources.items():
        users = [f for f in config.funnels if f.source == name]
        if not users or source.kind != "stage_history":
            continue
        breakdown = sorted({col for f in users for col in f.breakdown})
        raw = open_source(name, source)
        history = read_history(raw, source, config.timezone, breakdown, as_of)
        qualities[name] = history_quality(raw, history)
        history.frame, fold = fold_history(history.frame, config)
        qualities[name].notes += fold.notes
        out[name] = history, fold
        if rejects is not None:
            rejects.append(ledger(name, history.rejects))
    return out


def history_quality(raw: RawSource, history: History) -> SourceQuality:
    # A HubSpot row can hold several bad cells: count rows, list every cell's reason.
    return source_quality(raw, history.rows_read, history.rejects,
                          rows_rejected=history.rejects["line"].n_unique(),
                          detected={**raw.detected, "layout": history.layout},
                          notes=history.notes)


def stuck_moment(dates: DateRange, as_of: dt.date) -> dt.datetime:
    """Stuck deals are judged at the end of the period's last day, or of the as-of day."""
    day = min(dates.end, as_of) if dates.end else as_of
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def history_funnel(history: History, funnel: Funnel, dates: DateRange, moment: dt.datetime,
                   quality: SourceQuality, config: Config,
                   rejects: list[pl.DataFrame] | None = None,
                   before: DateRange | None = None, kept: list[KeptFunnel] | None = None,
                   fold: ManagerFold | None = None
                   ) -> tuple[FunnelResult, FunnelResult | None, list[Finding]]:
    """One funnel over a stage history; deals count in the period they first appear in.
    Entries whose stage matches nothing go into the `rejects` ledger. With `before`, also
    the stage counts over that period (all a comparison needs), from the same deals; and
    the stuck-deal findings and the pipeline waterfall from the start to the end of the
    period. `kept` gets every deal, the result, the entries and `fold`, how the history's
    manager names were folded (the scorecard)."""
    significance = config.significance
    entries = classify(history.frame, funnel)
    record_unmatched(entries.filter(pl.col(ROLE).is_null()), [funnel.name], quality, rejects)
    # Per deal: its owner and breakdowns, and for the money view and the forecast its
    # latest amount, currency and expected close, edit rows included (as the waterfall).
    keep = [c for c in dict.fromkeys(["manager", *funnel.breakdown]) if c in entries.columns]
    every_deal = with_latest_values(deal_outcomes(entries, funnel, keep), entries,
                                    history.edits)
    earlier = (summarise(in_period(every_deal, before), funnel, kind="stage_history",
                         significance=significance) if before else None)
    deals = in_period(every_deal, dates)
    no_loss_stage = lost_without_stage(deals)
    if no_loss_stage:
        quality.notes.append(plural(no_loss_stage, NO_STAGE_BEFORE_LOSS).format(
            f=funnel.name, n=no_loss_stage))
    money = money_input(deals, config.money, funnel, config.where(("money", "rates")))
    result, tables = summarised(money, funnel, "stage_history", significance)
    add_outcome_notes(result, no_loss_stage)
    add_money(result, money, funnel, tables)
    cohort = entries.join(deals.select("deal_id"), on="deal_id", how="semi")
    _add_timing(result, cohort, len(funnel.stages))
    counts = consistency_counts(deals)
    result.consistency = Consistency(
        deals=counts["deals"], inconsistent=counts["inconsistent"],
        moved_backwards=counts[BACKWARDS], skipped_stages=counts[SKIPPED],
        share=ratio(counts["inconsistent"], counts["deals"]))
    if before is not None:
        result.waterfall = history_waterfall(config, entries, funnel, dates, history.edits)
    if kept is not None:
        kept.append(KeptFunnel(funnel, every_deal, result, entries, fold or ManagerFold()))
    return result, earlier, history_forward_view(config, funnel, result, entries, every_deal,
                                                 moment)


def _add_timing(result: FunnelResult, cohort: pl.DataFrame, n_stages: int) -> None:
    times = time_in_stage(cohort, n_stages)
    for i, stage_result in enumerate(result.stages, 1):
        if i in times:
            stage_result.time_in_stage = TimeInStage(**times[i])
    timed = [s for s in result.stages if s.time_in_stage]
    if timed:
        slowest = max(timed, key=lambda s: s.time_in_stage.median_days)
        result.slowest_stage = SlowestStage(slowest.name, slowest.time_in_stage.median_days,
                                            slowest.time_in_stage.p90_days)


def record_unmatched(unmatched: pl.DataFrame, funnel_names: list[str],
                     quality: SourceQuality, rejects: list[pl.DataFrame] | None = None) -> None:
    """Rows (LINE, stage) whose stage matches no stage of the source's funnels: counted per
    value, shown, written to the rejects ledger with their line; then they play no part."""
    if not unmatched.height:
        return
    # An empty stage is named as the project names every empty value, not 'None'.
    named = pl.col("stage").cast(pl.String).replace("", None).fill_null(EMPTY)
    counts = unmatched.group_by(named).len().sort("len", descending=True)
    for key, count in counts.iter_rows():
        quality.unmatched_stages[key] = quality.unmatched_stages.get(key, 0) + count
    reason = "stage matches no stage of funnel " + ", ".join(f"'{n}'" for n in funnel_names)
    quality.reasons[reason] = unmatched.height
    quality.rows_rejected += unmatched.height
    if rejects is not None:
        rejects.append(ledger(quality.name, unmatched.select(
            line=LINE, reason=pl.lit(reason), value="stage")))
