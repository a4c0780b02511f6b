"""The deals-snapshot funnels: read each deals source once, a depth per deal for every
funnel over it, metrics and checks per period."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterator
from functools import reduce

import polars as pl

from funnelctl.audit.cohort import KeptFunnel, in_period, lost_without_stage, unknown_loss_stage
from funnelctl.audit.forecast import deal_forward_view
from funnelctl.audit.history import history_quality, record_unmatched, stuck_moment
from funnelctl.audit.manager_fold import fold_deals
from funnelctl.audit.money import add_money, money_input, summarised
from funnelctl.audit.waterfall import SinceSnapshot, latest_date, read_older, snapshot_waterfall
from funnelctl.checks import (
    check_empty_period,
    check_funnel,
    check_stage_values,
)
from funnelctl.checks_money import check_money
from funnelctl.config import Config, Funnel
from funnelctl.errors import ConfigError, UsageError
from funnelctl.io.deals import DUPLICATE, Deals, read_deals
from funnelctl.io.history import History, read_history
from funnelctl.io.presets import with_preset_outcomes
from funnelctl.io.readers import open_source
from funnelctl.io.rejects import ledger, problem_summary, source_quality
from funnelctl.metrics.breakdown import summarise
from funnelctl.metrics.funnel import (
    DEPTH,
    deal_depths,
    suspect_values,
)
from funnelctl.metrics.history import classify, furthest_stages, place_lost_deals
from funnelctl.metrics.periods import DateRange, today_in
from funnelctl.report import Finding, FunnelResult, SourceQuality

# (result, the result over the comparison period or None, findings) of one funnel.
FunnelRun = tuple[FunnelResult, FunnelResult | None, list[Finding]]


def deal_funnels(config: Config, dates: DateRange, before: DateRange | None,
                 qualities: dict[str, SourceQuality], rejects: list[pl.DataFrame],
                 as_of: dt.date | None = None,
                 since: SinceSnapshot | None = None,
                 keep: list | None = None) -> Iterator[FunnelRun]:
    """(result, the result over `before` or None, findings) for every deal funnel; stuck
    deals (max_days) are judged at the end of the period or of `as_of`. With `since`, the
    funnels over its source get the waterfall from that older export to this one. `keep`
    gets each funnel's deals, result and stage history (the scorecard)."""
    moment = stuck_moment(dates, as_of or today_in(config.timezone))
    histories: dict[str, History] = {}
    for source_name, deals in read_deal_sources(config, qualities, as_of).items():
        rejects += [ledger(source_name, deals.rejects), ledger(source_name, deals.problems)]
        quality = qualities[source_name]
        deals.frame, fold = fold_deals(deals.frame, config)
        quality.notes += fold.notes
        managers = sorted(fold.written_as())  # each manager's name as shown
        users = [f for f in config.funnels if f.source == source_name]
        frames = funnel_frames(deals, users, quality, rejects)
        present = deals.frame["stage"].unique().drop_nulls().cast(pl.String).to_list()
        older = (read_older(config, since, users, funnel_frames,
                            sorted({c for f in users for c in f.breakdown}), rejects, as_of,
                            fold)
                 if since and since.source == source_name else None)
        quality.notes += older.notes if older is not None else []
        for k, (funnel, frame) in enumerate(zip(users, frames)):
            entries = None
            if funnel.stage_history:
                history = linked_history(config, funnel.stage_history, histories, qualities,
                                         rejects, as_of)
                entries = classify(history.frame, funnel)
                frame = place_lost_deals(frame, furthest_stages(entries))
            cohort = in_period(frame, dates)
            money = money_input(cohort, config.money, funnel, config.where(("money", "rates")))
            result, tables = summarised(money, funnel, "deals", config.significance)
            found = check_funnel(result, funnel)
            add_money(result, money, funnel, tables)
            found += check_money(result, funnel)
            found += check_stage_values(funnel, suspect_values(funnel, present))
            found += check_empty_period(result, dates.start, dates.end,
                                        frame["created_at"].max())
            found += unknown_loss_stage(result, quality, funnel,
                                        lost_without_stage(cohort))
            # (a funnel's frame with every deal of the source has the source's managers)
            found += deal_forward_view(config, funnel, frame, result, moment, entries,
                                       managers if frame.height == deals.frame.height else None)
            if older is not None:
                result.waterfall = snapshot_waterfall(
                    config, funnel, frame, older, k,
                    int((deals.rejects["reason"] == DUPLICATE).sum()), latest_date(deals.frame))
            if keep is not None:
                keep.append(KeptFunnel(funnel, frame, result, entries, fold))
            earlier = summarise(in_period(frame, before), funnel, kind="deals",
                                significance=config.significance) if before else None
            yield result, earlier, found
    yield from clickhouse_deal_funnels(config, dates, before, qualities, as_of, since)


def clickhouse_deal_funnels(config: Config, dates: DateRange, before: DateRange | None,
                            qualities: dict[str, SourceQuality], as_of: dt.date | None,
                            since: SinceSnapshot | None) -> Iterator[FunnelRun]:
    """The deals sources with engine: clickhouse (engines/clickhouse_deals.py)."""
    for name, source in config.sources.items():
        users = [f for f in config.funnels if f.source == name]
        if source.kind != "deals" or source.engine != "clickhouse" or not users:
            continue
        if since is not None and since.source == name:
            raise UsageError(f"--since-snapshot: source '{name}' runs on engine: clickhouse, "
                             "where the waterfall does not run (it needs every deal of both "
                             "exports); use engine: polars for it")
        from funnelctl.engines.clickhouse_deals import deal_funnels as on_clickhouse

        yield from on_clickhouse(config, name, source, users, dates, before, qualities, as_of)


def read_deal_sources(config: Config, qualities: dict[str, SourceQuality],
                      as_of: dt.date | None = None) -> dict[str, Deals]:
    """Read each deals source once, whatever number of funnels use it."""
    out = {}
    for name, source in config.sources.items():
        users = [f for f in config.funnels if f.source == name]
        if not users or source.kind in ("stage_history", "events") or \
                source.engine == "clickhouse":
            continue
        if source.kind != "deals":
            raise ConfigError(f"source '{name}': funnels over kind '{source.kind}' are not "
                              "supported (use kind: deals, stage_history or events)")
        breakdown = sorted({col for f in users for col in f.breakdown})
        raw = open_source(name, source)
        deals = read_deals(raw, source, config.timezone, breakdown, as_of)
        out[name] = deals
        qualities[name] = source_quality(raw, deals.rows_read, deals.rejects,
                                         notes=deals.notes)
        qualities[name].value_problems = problem_summary(deals.problems)
    return out


def require_pipeline_column(deals: Deals, funnels: list[Funnel], source: str) -> None:
    named = [f.name for f in funnels if f.pipeline is not None]
    if named and "pipeline" not in deals.frame.columns:
        raise ConfigError(f"funnel '{named[0]}' has `pipeline:` but source '{source}' maps no "
                          f"pipeline column: add it under sources.{source}.columns")


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
    return [frame.filter(pl.col(DEPTH).is_not_null()) if frame[DEPTH].null_count() else frame
            for frame in frames]


def linked_history(config: Config, name: str, cache: dict[str, History],
                   qualities: dict[str, SourceQuality], rejects: list[pl.DataFrame],
                   as_of: dt.date | None) -> History:
    """A funnel's `stage_history:` source, read once; its data quality is recorded here
    unless a funnel of its own records it."""
    if name not in cache:
        source = config.sources[name]
        raw = open_source(name, source)
        cache[name] = read_history(raw, source, config.timezone, [], as_of)
        if not any(f.source == name for f in config.funnels):
            qualities[name] = history_quality(raw, cache[name])
            rejects.append(ledger(name, cache[name].rejects))
    return cache[name]
