"""The deals-snapshot funnels: read each deals source once, a depth per deal for every
funnel over it, metrics and checks per period."""

from __future__ import annotations

import operator
from collections.abc import Iterator
from functools import reduce

import polars as pl

from funnelctl.audit.history import record_unmatched
from funnelctl.checks import check_empty_period, check_funnel, check_loss_stages, check_stage_values
from funnelctl.config import Config, Funnel
from funnelctl.errors import ConfigError
from funnelctl.io.deals import Deals, read_deals
from funnelctl.io.presets import PRESETS
from funnelctl.io.readers import open_source
from funnelctl.io.rejects import ledger, source_quality
from funnelctl.metrics.breakdown import summarise
from funnelctl.metrics.funnel import DEPTH, LOSS_STAGE_KNOWN, OUTCOME, deal_depths, suspect_values
from funnelctl.metrics.periods import DateRange
from funnelctl.report import Finding, FunnelResult, SourceQuality

# (result, the result over the comparison period or None, findings) of one funnel.
FunnelRun = tuple[FunnelResult, FunnelResult | None, list[Finding]]


def deal_funnels(config: Config, dates: DateRange, before: DateRange | None,
                 qualities: dict[str, SourceQuality], rejects: list[pl.DataFrame]
                 ) -> Iterator[FunnelRun]:
    """(result, the result over `before` or None, findings) for every deal funnel."""
    for source_name, deals in read_deal_sources(config, qualities).items():
        rejects.append(ledger(source_name, deals.rejects))
        quality = qualities[source_name]
        users = [f for f in config.funnels if f.source == source_name]
        frames = funnel_frames(deals, users, quality, rejects)
        present = deals.frame["stage"].unique().drop_nulls().to_list()
        for funnel, frame in zip(users, frames):
            result = summarise(in_period(frame, dates), funnel, kind="deals")
            found = check_funnel(result, funnel)
            found += check_stage_values(funnel, suspect_values(funnel, present))
            found += check_empty_period(result, dates.start, dates.end,
                                        frame["created_at"].max())
            unknown = lost_without_stage(frame)
            if unknown:
                quality.notes.append(
                    f"{funnel.name}: {unknown} lost deals have no stage at loss (counted at "
                    "the first stage; map lost_stage or a status column to fix)")
            found += check_loss_stages(result, unknown)
            earlier = summarise(in_period(frame, before), funnel, kind="deals") if before \
                else None
            yield result, earlier, found


def read_deal_sources(config: Config, qualities: dict[str, SourceQuality]) -> dict[str, Deals]:
    """Read each deals source once, whatever number of funnels use it."""
    out = {}
    for name, source in config.sources.items():
        users = [f for f in config.funnels if f.source == name]
        if not users or source.kind in ("stage_history", "events"):
            continue
        if source.kind != "deals":
            raise ConfigError(f"source '{name}': funnels over kind '{source.kind}' are not "
                              "supported (use kind: deals, stage_history or events)")
        breakdown = sorted({col for f in users for col in f.breakdown})
        raw = open_source(name, source)
        deals = read_deals(raw, source, config.timezone, breakdown)
        out[name] = deals
        qualities[name] = source_quality(raw, deals.frame.height + deals.rejects.height,
                                         deals.rejects)
    return out


def with_preset_outcomes(funnel: Funnel, preset: str | None) -> Funnel:
    """A funnel that lists no won / lost values takes its preset's (e.g. amoCRM's
    "Успешно реализовано" / "Закрыто и не реализовано")."""
    if not preset or funnel.won or funnel.lost:
        return funnel
    spec = PRESETS[preset]
    return funnel.model_copy(update={"won": list(spec.get("won_stages", [])),
                                     "lost": list(spec.get("lost_stages", []))})


def funnel_frames(deals: Deals, funnels: list[Funnel], quality: SourceQuality,
                  rejects: list[pl.DataFrame] | None = None) -> list[pl.DataFrame]:
    """Depth per deal for each funnel over one source. A deal whose stage belongs to none
    of them is counted once, shown with its value, and set aside."""
    frames = [
        deal_depths(deals.frame, with_preset_outcomes(f, deals.preset), deals.has_status,
                    deals.has_lost_stage, claim_closed=len(funnels) == 1)
        for f in funnels
    ]
    unclaimed = reduce(operator.and_, (frame[DEPTH].is_null() for frame in frames))
    record_unmatched(deals.frame.filter(unclaimed), [f.name for f in funnels], quality, rejects)
    return [frame.filter(pl.col(DEPTH).is_not_null()) for frame in frames]


def lost_without_stage(frame: pl.DataFrame) -> int:
    return frame.filter((pl.col(OUTCOME) == "lost") & ~pl.col(LOSS_STAGE_KNOWN)).height


def in_period(frame: pl.DataFrame, dates: DateRange) -> pl.DataFrame:
    """Deals count when created inside the period (a cohort view)."""
    if dates.start is None:
        return frame
    day = pl.col("created_at").dt.date()
    return frame.filter(day.is_between(dates.start, dates.end, closed="both"))
