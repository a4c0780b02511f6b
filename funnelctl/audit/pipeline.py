"""`audit()`: config -> read -> metrics -> checks -> Report, one loop over the runs of
every funnel kind (deals.py, history.py, events.py) and the norms (norms.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from funnelctl import __version__
from funnelctl.checks import (
    check_comparison,
    check_funnel,
    check_norms,
    check_source,
    mark_low_confidence,
    overall_verdict,
    sort_findings,
)
from funnelctl.config import Config, load_config
from funnelctl.errors import UsageError
from funnelctl.io.rejects import write_rejects
from funnelctl.metrics.periods import (
    DateRange,
    in_calendar,
    previous_period,
    resolve_period,
    today_in,
)
from funnelctl.report import (
    Comparison,
    DataQuality,
    Finding,
    Period,
    Report,
    SourceQuality,
)

if TYPE_CHECKING:
    from funnelctl.audit.deals import FunnelRun
    from funnelctl.history import RunRecord

# What a config does not use is not imported: the deal, stage-history and event-funnel
# modules (with the forecast, money and waterfall ones they use), the norms, scorecard,
# run history and comparison modules are loaded by the step that needs them (start-up
# time: a norms-only audit loads none of the funnel modules).


def audit(config_path: str | Path, period: str | None = None,
          as_of: dt.date | None = None, rejects_path: Path | None = None,
          compare: str | None = None, record: bool = True,
          config: Config | None = None, since_snapshot: str | None = None) -> Report:
    """Run the audit a config describes; with rejects_path, also write the rejected rows;
    with compare="previous", also audit the period of the same length just before; with
    compare="last-run", compare with the last run in the config's history. A config with
    `history:` records the run there (unless record is False). `config`: the config at
    config_path when the caller has already loaded it. `since_snapshot`: an older export
    of a deals source (PATH or SOURCE=PATH): its funnels get the pipeline waterfall."""
    config = config or load_config(config_path)
    since = None
    if since_snapshot:
        from funnelctl.audit.waterfall import resolve_since

        since = resolve_since(config, since_snapshot, config_path)
    recorded = earlier_runs(config, config_path, compare)
    as_of = as_of or today_in(config.timezone)
    dates = choose_period(config, period, as_of)
    before = previous_period(dates) if compare == "previous" else None
    stats = config.significance
    comparison = (Comparison(Period(before.start, before.end), stats.level, stats.correction)
                  if before else None)
    findings: list[Finding] = []
    qualities: dict[str, SourceQuality] = {}
    funnels = []
    rejects: list[pl.DataFrame] = []
    kept: list = []  # the deal and stage-history funnels' deals, for the scorecard
    runs = funnel_runs(config, dates, before, qualities, rejects, as_of, since, kept)
    for result, earlier, found in runs:
        findings += with_source(found, result.source)
        funnels.append(result)
        if comparison:
            from funnelctl.metrics.compare import compare_funnel

            comparison.funnels.append(compare_funnel(result, earlier, stats))
    order = [f.name for f in config.funnels]
    funnels.sort(key=lambda r: order.index(r.name))
    if comparison:
        comparison.funnels.sort(key=lambda c: order.index(c.funnel))
    graded_days: list[pl.DataFrame] = []  # the norms' day grades, for the scorecard
    norms = norms_before = scorecard = None
    cards: list = []
    if config.norms is not None:
        from funnelctl.audit.norms import good_day_counts, norms_report

        norms, norms_before = norms_report(config, dates, qualities, rejects, before, as_of,
                                           graded_days)
        if norms is not None:
            findings += with_source(check_norms(norms, config.norms.below_share),
                                    config.norms.sources()[0])
        if kept:  # a scorecard needs a deal or stage-history funnel's deals
            from funnelctl.audit.scorecard import scorecard_report

            cards, scorecard, found = scorecard_report(config, norms, kept, graded_days)
            findings += with_source(found, config.norms.sources()[0] if found else None)
        if norms is not None and comparison:
            from funnelctl.metrics.compare import compare_managers

            comparison.managers = compare_managers(
                good_day_counts(norms_before), good_day_counts(norms), stats)
    for quality in qualities.values():
        findings += check_source(quality, config.data_quality)
    if compare == "last-run" or (config.history and config.history.anomaly):
        from funnelctl.audit.nightly import anomaly_findings, last_run_comparison, no_earlier_run
    if compare == "last-run":
        comparison, notes = (last_run_comparison(recorded[-1], funnels, norms, stats)
                             if recorded else (None, [no_earlier_run(config.history.path.name)]))
        findings += notes
    if config.history and config.history.anomaly:
        findings += anomaly_findings(recorded, dates, funnels, config.history.anomaly)
    if comparison:
        sources = {f.name: f.source for f in config.funnels}
        norms_source = config.norms.sources()[0] if config.norms else None
        for found in check_comparison(comparison):
            findings += with_source([found], sources.get(found.params.get("funnel"),
                                                         norms_source))
    mark_low_confidence(findings, funnels, qualities, config.data_quality)
    findings = sort_findings(findings)
    if rejects_path is not None:
        write_rejects(rejects_path, rejects)
    report = Report(
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
        last_run_verdict=recorded[-1].verdict if recorded else None,
        managers=cards, scorecard=scorecard,
    )
    if config.history and record:
        from funnelctl.history import config_key, record_run

        record_run(config.history.path, config_key(config_path), report)
    return report


def earlier_runs(config: Config, config_path: str | Path, compare: str | None
                 ) -> list[RunRecord]:
    """The runs the history holds before this one (none without `history:`)."""
    if config.history is None:
        if compare == "last-run":
            raise UsageError(f"--compare last-run needs a run history: add history: (e.g. "
                             f"history: reports/history.db) to {config_path}")
        return []
    from funnelctl.history import config_key, load_runs

    return load_runs(config.history.path, config_key(config_path))


def with_source(findings: list[Finding], source: str | None) -> list[Finding]:
    """Say which source each finding was computed from (for the low-confidence mark)."""
    for finding in findings:
        finding.source = finding.source or source
    return findings


def funnel_runs(config: Config, dates: DateRange, before: DateRange | None,
                qualities: dict[str, SourceQuality], rejects: list[pl.DataFrame],
                as_of: dt.date, since, kept: list) -> Iterator[FunnelRun]:
    """Every funnel's run: the deal funnels, then the stage-history ones, then the event
    funnels (none at all, and none of their modules imported, without funnels)."""
    if not config.funnels:
        return
    from funnelctl.audit.deals import deal_funnels

    yield from chain(deal_funnels(config, dates, before, qualities, rejects, as_of, since, kept),
                     history_funnels(config, dates, before, as_of, qualities, rejects, kept),
                     event_runs(config, dates, before, qualities, rejects, as_of))


def history_funnels(config: Config, dates: DateRange, before: DateRange | None,
                    as_of: dt.date, qualities: dict[str, SourceQuality],
                    rejects: list[pl.DataFrame], keep: list | None = None
                    ) -> Iterator[FunnelRun]:
    """The same for every stage-history funnel (`keep`: as deal_funnels')."""
    from funnelctl.audit.history import history_funnel, read_history_sources, stuck_moment
    from funnelctl.checks_money import check_money

    moment = stuck_moment(dates, as_of)
    for source_name, (history, fold) in read_history_sources(config, qualities, rejects,
                                                              as_of).items():
        for funnel in (f for f in config.funnels if f.source == source_name):
            result, earlier, found = history_funnel(history, funnel, dates, moment,
                                                    qualities[source_name], config, rejects,
                                                    before, keep, fold)
            yield result, earlier, (check_funnel(result, funnel) + found
                                    + check_money(result, funnel))


def event_runs(config: Config, dates: DateRange, before: DateRange | None,
               qualities: dict[str, SourceQuality], rejects: list[pl.DataFrame],
               as_of: dt.date | None = None) -> Iterator[FunnelRun]:
    """The same for every event funnel."""
    if not any(config.sources[f.source].kind == "events" for f in config.funnels):
        return
    from funnelctl.audit.events import event_funnels

    for funnel, result, earlier in event_funnels(config, dates, before, qualities, rejects,
                                                 as_of):
        yield result, earlier, check_funnel(result, funnel)


def choose_period(config: Config, period: str | None, as_of: dt.date) -> DateRange:
    """--period wins over the config's period; neither means all the data."""
    in_calendar(DateRange(as_of, as_of), "--as-of")
    if period:
        return resolve_period(period, as_of)
    if config.period:
        return in_calendar(DateRange(config.period.start, config.period.end), "period")
    return DateRange(None, None)
