"""The audit of funnels over stage_history sources: read, classify, summarise, time."""

from __future__ import annotations

import datetime as dt

import polars as pl

from funnelctl.config import Config, Funnel
from funnelctl.io.history import History, read_history
from funnelctl.io.readers import RawSource, open_source
from funnelctl.metrics.breakdown import summarise
from funnelctl.metrics.funnel import LOSS_STAGE_KNOWN, OUTCOME
from funnelctl.metrics.history import (
    BACKWARDS,
    ROLE,
    SKIPPED,
    classify,
    consistency_counts,
    deal_outcomes,
)
from funnelctl.metrics.stats import ratio
from funnelctl.metrics.timing import stuck_deals, time_in_stage
from funnelctl.periods import DateRange
from funnelctl.report import Consistency, FunnelResult, SlowestStage, SourceQuality, TimeInStage


def read_history_sources(config: Config,
                         qualities: dict[str, SourceQuality]) -> dict[str, History]:
    """Read each stage_history source used by a funnel, once."""
    out = {}
    for name, source in config.sources.items():
        users = [f for f in config.funnels if f.source == name]
        if not users or source.kind != "stage_history":
            continue
        breakdown = sorted({col for f in users for col in f.breakdown})
        raw = open_source(name, source)
        out[name] = read_history(raw, source, config.timezone, breakdown)
        qualities[name] = history_quality(raw, out[name])
    return out


def history_quality(raw: RawSource, history: History) -> SourceQuality:
    reasons = (history.rejects.group_by("reason").len()
               .sort(["len", "reason"], descending=[True, False]))
    return SourceQuality(
        name=raw.name, path=str(raw.path), rows_read=history.rows_read,
        rows_rejected=history.rejects["line"].n_unique(),
        reasons=dict(reasons.iter_rows()),
        detected={**raw.detected, "layout": history.layout},
        notes=[*raw.notes, *history.notes],
    )


def stuck_moment(dates: DateRange, as_of: dt.date) -> dt.datetime:
    """Stuck deals are judged at the end of the period's last day, or of the as-of day."""
    day = min(dates.end, as_of) if dates.end else as_of
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def history_funnel(history: History, funnel: Funnel, dates: DateRange, moment: dt.datetime,
                   quality: SourceQuality) -> FunnelResult:
    """One funnel over a stage history; deals count in the period they first appear in."""
    entries = classify(history.frame, funnel)
    _note_unmatched(entries, funnel, quality)
    keep = [c for c in dict.fromkeys(["manager", *funnel.breakdown]) if c in entries.columns]
    deals = deal_outcomes(entries, funnel, keep)
    no_loss_stage = deals.filter((pl.col(OUTCOME) == "lost") & ~pl.col(LOSS_STAGE_KNOWN)).height
    if no_loss_stage:
        quality.notes.append(f"{funnel.name}: {no_loss_stage} lost deals entered no funnel "
                             "stage before the loss (counted at the first stage)")
    if dates.start is not None:
        deals = deals.filter(pl.col("created_at").dt.date()
                             .is_between(dates.start, dates.end, closed="both"))
    result = summarise(deals, funnel, kind="stage_history")
    cohort = entries.join(deals.select("deal_id"), on="deal_id", how="semi")
    _add_timing(result, funnel, cohort, stuck_deals(entries, funnel, moment))
    counts = consistency_counts(deals)
    result.consistency = Consistency(
        deals=counts["deals"], inconsistent=counts["inconsistent"],
        moved_backwards=counts[BACKWARDS], skipped_stages=counts[SKIPPED],
        share=ratio(counts["inconsistent"], counts["deals"]))
    return result


def _add_timing(result: FunnelResult, funnel: Funnel, cohort: pl.DataFrame,
                stuck: dict[int, dict]) -> None:
    times = time_in_stage(cohort, len(funnel.stages))
    for i, (stage_result, stage) in enumerate(zip(result.stages, funnel.stages), 1):
        if i in times:
            stage_result.time_in_stage = TimeInStage(**times[i])
        stage_result.max_days = stage.max_days
        if i in stuck:
            stage_result.stuck = stuck[i]["stuck"]
            stage_result.stuck_oldest_days = stuck[i]["oldest_days"]
    timed = [s for s in result.stages if s.time_in_stage]
    if timed:
        slowest = max(timed, key=lambda s: s.time_in_stage.median_days)
        result.slowest_stage = SlowestStage(slowest.name, slowest.time_in_stage.median_days,
                                            slowest.time_in_stage.p90_days)


def _note_unmatched(entries: pl.DataFrame, funnel: Funnel, quality: SourceQuality) -> None:
    """Entries whose stage matches nothing are counted and shown, then play no part."""
    unmatched = entries.filter(pl.col(ROLE).is_null())
    if not unmatched.height:
        return
    counts = unmatched.group_by("stage").len().sort("len", descending=True)
    for value, count in counts.iter_rows():
        key = str(value)
        quality.unmatched_stages[key] = quality.unmatched_stages.get(key, 0) + count
    quality.reasons[f"stage matches no stage of funnel '{funnel.name}'"] = unmatched.height
    quality.rows_rejected += unmatched.height
