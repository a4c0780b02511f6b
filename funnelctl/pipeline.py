"""`audit()`: config -> read -> metrics -> checks -> Report. The library entry point,
exported as `funnelctl.audit` (this module is not named audit so it cannot shadow it)."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterator
from functools import reduce
from itertools import chain
from pathlib import Path

import polars as pl

from funnelctl import __version__
from funnelctl.audit_events import event_funnels
from funnelctl.audit_history import (
    history_funnel,
    read_history_sources,
    record_unmatched,
    stuck_moment,
)
from funnelctl.audit_norms import good_day_counts, norms_report
from funnelctl.checks import (
    check_comparison,
    check_empty_period,
    check_funnel,
    check_history,
    check_loss_stages,
    check_norms,
    check_source,
    check_stage_values,
    overall_verdict,
    sort_findings,
)
from funnelctl.config import Config, Funnel, load_config
from funnelctl.errors import ConfigError
from funnelctl.io.deals import Deals, read_deals
from funnelctl.io.presets import PRESETS
from funnelctl.io.readers import open_source
from funnelctl.io.rejects import ledger, source_quality, write_rejects
from funnelctl.metrics.breakdown import SIGNIFICANCE, summarise
from funnelctl.metrics.compare import compare_funnel, compare_managers
from funnelctl.metrics.funnel import (
    DEPTH,
    LOSS_STAGE_KNOWN,
    OUTCOME,
    deal_depths,
    suspect_values,
)
from funnelctl.periods import DateRange, previous_period, resolve_period, today_in
from funnelctl.report import (
    Comparison,
    DataQuality,
    Finding,
    FunnelResult,
    Period,
    Report,
    SourceQuality,
)


def audit(config_path: str | Path, period: str | None = None,
          as_of: dt.date | None = None, rejects_path: Path | None = None,
          compare: str | None = None) -> Report:
    """Run the audit a config describes; with rejects_path, also write the rejected rows;
    with compare="previous", also audit the period of the same length just before."""
    config = load_config(config_path)
    as_of = as_of or today_in(config.timezone)
    dates = choose_period(config, period, as_of)
    before = previous_period(dates) if compare == "previous" else None
    comparison = (Comparison(Period(before.start, before.end), SIGNIFICANCE)
                  if before else None)
    findings: list[Finding] = []
    qualities: dict[str, SourceQuality] = {}
    funnels = []
    rejects: list[pl.DataFrame] = []
    runs = chain(deal_funnels(config, dates, before, qualities, rejects),
                 history_funnels(config, dates, before, as_of, qualities, rejects),
                 event_runs(config, dates, before, qualities, rejects))
    for result, earlier, found in runs:
        findings += found
        funnels.append(result)
        if comparison:
            comparison.funnels.append(compare_funnel(result, earlier, SIGNIFICANCE))
    order = [f.name for f in config.funnels]
    funnels.sort(key=lambda r: order.index(r.name))
    if comparison:
        comparison.funnels.sort(key=lambda c: order.index(c.funnel))
    norms, norms_before = norms_report(config, dates, qualities, rejects, before)
    if norms is not None:
        findings += check_norms(norms, config.norms.below_share)
        if comparison:
            comparison.managers = compare_managers(
                good_day_counts(norms_before), good_day_counts(norms), SIGNIFICANCE)
    for quality in qualities.values():
        findings += check_source(quality)
    if comparison:
        findings += check_comparison(comparison)
    findings = sort_findings(findings)
    if rejects_path is not None:
        write_rejects(rejects_path, rejects)
    return Report(
        tool_version=__version__,
        generated_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
        title=config.title,
        period=Period(dates.start, dates.end, as_of),
        verdict=overall_verdict(findings),
        findings=findings,
        funnels=funnels,
        norms=norms,
        data_quality=DataQuality(list(qualities.values())),
        language=config.language,
        comparison=comparison,
    )


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


def history_funnels(config: Config, dates: DateRange, before: DateRange | None,
                    as_of: dt.date, qualities: dict[str, SourceQuality],
                    rejects: list[pl.DataFrame]) -> Iterator[FunnelRun]:
    """The same for every stage-history funnel."""
    moment = stuck_moment(dates, as_of)
    for source_name, history in read_history_sources(config, qualities, rejects).items():
        for funnel in (f for f in config.funnels if f.source == source_name):
            result = history_funnel(history, funnel, dates, moment, qualities[source_name],
                                    rejects)
            earlier = None
            if before:
                # The earlier run's notes (unmatched stages...) would repeat the report's.
                scratch = SourceQuality(source_name, "", 0, 0)
                earlier = history_funnel(history, funnel, before, moment, scratch)
            yield result, earlier, check_funnel(result, funnel) + check_history(result, funnel)


def event_runs(config: Config, dates: DateRange, before: DateRange | None,
               qualities: dict[str, SourceQuality], rejects: list[pl.DataFrame]
               ) -> Iterator[FunnelRun]:
    """The same for every event funnel."""
    for funnel, result, earlier in event_funnels(config, dates, before, qualities, rejects):
        yield result, earlier, check_funnel(result, funnel)


def choose_period(config: Config, period: str | None, as_of: dt.date) -> DateRange:
    """--period wins over the config's period; neither means all the data."""
    if period:
        return resolve_period(period, as_of)
    if config.period:
        return DateRange(config.period.start, config.period.end)
    return DateRange(None, None)


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
