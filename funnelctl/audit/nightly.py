"""The run-history part of `audit()`: compare with the last recorded run, flag stages
whose conversion is outside what recent runs make normal, and record this run."""

from __future__ import annotations

from funnelctl.config.history import Anomaly
from funnelctl.config.stats import Significance
from funnelctl.history import RunRecord, period_key
from funnelctl.metrics.anomaly import normal_band
from funnelctl.metrics.compare import compare_entered, compare_managers
from funnelctl.metrics.periods import DateRange
from funnelctl.report import Comparison, Finding, FunnelResult, NormsResult, Period


def last_run_comparison(last: RunRecord, funnels: list[FunnelResult],
                        norms: NormsResult | None, significance: Significance
                        ) -> tuple[Comparison, list[Finding]]:
    """This run against the numbers the last run recorded. A funnel the last run did not
    have, or had with other stages, is not compared: an "ok" finding says so."""
    comparison = Comparison(Period(last.start, last.end, last.as_of), significance.level,
                            significance.correction, basis="last-run",
                            recorded_at=last.recorded_at)
    notes = []
    for result in funnels:
        before = last.funnels.get(result.name)
        names = [s.name for s in result.stages]
        if before is None or [s.name for s in before.stages] != names:
            why = "had no such funnel" if before is None else "had other stages"
            notes.append(not_compared(result.name, last, why))
            continue
        comparison.funnels.append(compare_entered(
            result.name, names, [s.entered for s in before.stages], before.entities,
            [s.entered for s in result.stages], result.entities, significance))
    if norms is not None:
        now = {m.manager: (m.good_days, norms.working_days) for m in norms.managers}
        comparison.managers = compare_managers(last.managers, now, significance)
    return comparison, notes


def not_compared(funnel: str, last: RunRecord, why: str) -> Finding:
    return Finding(severity="ok", code="not_compared", subject=funnel,
                   message=f"not compared: the last recorded run ({last.period}) {why}",
                   params={"period": last.period, "why": why})


def no_earlier_run(history_name: str) -> Finding:
    return Finding(severity="ok", code="no_earlier_run", subject="history",
                   message=f"no earlier run of this config is recorded in {history_name}: "
                           "nothing to compare with yet", params={"file": history_name})


def anomaly_findings(runs: list[RunRecord], dates: DateRange, funnels: list[FunnelResult],
                     rule: Anomaly) -> list[Finding]:
    """A finding per stage whose conversion is outside the band of the last `rule.runs`
    recorded runs of other periods (a rerun of this period is not its own baseline).
    Below the band is a warning; above it is reported as "ok", for a person to look at."""
    this = period_key(dates.start, dates.end)
    recent = [r for r in runs if r.period != this][-rule.runs:]
    findings = []
    for result in funnels:
        for k in range(1, len(result.stages)):
            stage, prior = result.stages[k], result.stages[k - 1]
            earlier = [pair for run in recent
                       if (pair := stage_counts(run, result.name, prior.name, stage.name))]
            band = normal_band(earlier, prior.entered, rule.rule, rule.z, rule.min_runs)
            rate = stage.conversion_from_previous
            if band is None or rate is None or not band.outside(rate):
                continue
            low = rate < band.low
            findings.append(Finding(
                severity="warn" if low else "ok", code="stage_anomaly",
                subject=f"{result.name} / {stage.name}",
                message=(f"conversion into '{stage.name}' is {rate:.1%}, "
                         f"{'below' if low else 'above'} the normal {band.low:.1%}–"
                         f"{band.high:.1%} of the last {band.runs} runs "
                         f"(recent {band.mean:.1%}; {rule.rule}, z = {rule.z:g})"),
                value=rate, threshold=band.low if low else band.high,
                params={"stage": stage.name, "conversion": rate, "low": band.low,
                        "high": band.high, "mean": band.mean, "runs": band.runs,
                        "rule": rule.rule, "z": rule.z, "direction": "below" if low
                        else "above"}))
    return findings


def stage_counts(run: RunRecord, funnel: str, prior: str, stage: str) -> tuple[int, int] | None:
    """(entered the stage, entered the one before) in a recorded run, when that run had the
    two stages next to each other; else None (the funnel changed since)."""
    record = run.funnels.get(funnel)
    if record is None:
        return None
    names = [s.name for s in record.stages]
    if stage not in names or names.index(stage) == 0 or names[names.index(stage) - 1] != prior:
        return None
    k = names.index(stage)
    return record.stages[k].entered, record.stages[k - 1].entered
