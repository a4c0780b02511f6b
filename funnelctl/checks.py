"""Thresholds -> verdicts and findings; findings -> the overall verdict and exit code."""

from __future__ import annotations

from funnelctl.checks_quality import check_source, mark_low_confidence
from funnelctl.config import Funnel, Threshold
from funnelctl.config.norms import BelowShare
from funnelctl.errors import ExitCode
from funnelctl.plural import plural
from funnelctl.report import (
    INSUFFICIENT,
    SEVERITY_RANK,
    Bottleneck,
    Change,
    Comparison,
    Finding,
    FunnelResult,
    NormsResult,
    Severity,
    StageResult,
    StageVerdict,
)

# Share of a funnel's deals lost at an unknown stage before it is a finding.
LOSS_STAGE_UNKNOWN_WARN = 0.05
# Share of deals whose stage history breaks the funnel's order before it is a warning;
# below it the inconsistent deals are still reported, as an "ok" finding.
INCONSISTENT_SHARE_WARN = 0.05

__all__ = ["check_source", "mark_low_confidence"]  # data quality: checks_quality.py


TEST_NAME = {"z": "a two-proportion test", "fisher": "Fisher's exact test"}


def p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def grade(value: float | None, threshold: Threshold | None) -> Severity | None:
    if value is None or threshold is None:
        return None
    if value >= threshold.good:
        return "ok"
    return "warn" if value >= threshold.acceptable else "fail"


def sampled_grade(value: float | None, threshold: Threshold | None, trials: int,
                  min_sample: int) -> StageVerdict | None:
    """The grade, or "insufficient" when fewer than min_sample trials stand behind it: a
    conversion of 2 out of 3 says nothing about the stage."""
    verdict = grade(value, threshold)
    return INSUFFICIENT if verdict is not None and trials < min_sample else verdict


def grade_stages(stages: list[StageResult], funnel: Funnel) -> None:
    """Each stage's verdict from its threshold and the entered count of the stage before."""
    for k, (result, stage) in enumerate(zip(stages, funnel.stages)):
        if k:
            result.min_sample = funnel.stage_min_sample(stage)
        result.verdict = sampled_grade(result.conversion_from_previous, stage.conversion,
                                       stages[k - 1].entered if k else 0,
                                       result.min_sample or 0)


def well_sampled(stages: list[StageResult]) -> list[StageResult]:
    """Stages 2..n with a conversion behind which stand at least min_sample entries."""
    return [s for k, s in enumerate(stages) if k and s.conversion_from_previous is not None
            and stages[k - 1].entered >= (s.min_sample or 0)]


def check_funnel(result: FunnelResult, funnel: Funnel) -> list[Finding]:
    """Grade each stage (and the win rate), pick the bottleneck, and list the findings."""
    findings = []
    grade_stages(result.stages, funnel)
    for segment_list in result.breakdowns.values():
        for seg in segment_list:
            grade_stages(seg.stages, funnel)
    result.insufficient_stages = sum(s.verdict == INSUFFICIENT for s in result.stages)
    for stage_result, stage in zip(result.stages, funnel.stages):
        if stage_result.verdict in ("warn", "fail"):
            findings.append(Finding(
                severity=stage_result.verdict, code="stage_conversion",
                subject=f"{funnel.name} / {stage.name}",
                message=(f"conversion into '{stage.name}' is "
                         f"{stage_result.conversion_from_previous:.1%} "
                         f"(95% CI {stage_result.ci_low:.1%}–{stage_result.ci_high:.1%}); "
                         f"good ≥ {stage.conversion.good:.0%}, "
                         f"acceptable ≥ {stage.conversion.acceptable:.0%}"),
                value=stage_result.conversion_from_previous,
                threshold=stage.conversion.acceptable if stage_result.verdict == "fail"
                else stage.conversion.good,
                params={"stage": stage.name, "conversion": stage_result.conversion_from_previous,
                        "ci_low": stage_result.ci_low, "ci_high": stage_result.ci_high,
                        "good": stage.conversion.good, "acceptable": stage.conversion.acceptable},
            ))
    closed = (result.won or 0) + (result.lost or 0)
    result.win_rate_verdict = sampled_grade(result.win_rate, funnel.win_rate, closed,
                                            funnel.min_sample)
    if result.win_rate_verdict in ("warn", "fail"):
        findings.append(Finding(
            severity=result.win_rate_verdict, code="win_rate", subject=funnel.name,
            message=(f"win rate is {result.win_rate:.1%}; good ≥ {funnel.win_rate.good:.0%}, "
                     f"acceptable ≥ {funnel.win_rate.acceptable:.0%}"),
            value=result.win_rate, threshold=funnel.win_rate.acceptable
            if result.win_rate_verdict == "fail" else funnel.win_rate.good,
            params={"win_rate": result.win_rate, "good": funnel.win_rate.good,
                    "acceptable": funnel.win_rate.acceptable}))
    result.bottleneck = find_bottleneck(result, funnel)
    findings.extend(segment_findings(result))
    return findings


def check_stage_values(funnel: Funnel, suspects: list[tuple[str, str, str]]) -> list[Finding]:
    """Configured values that no row has while a look-alike goes unclaimed: a typo that
    silently moves deals out of the funnel and its numbers with them."""
    return [Finding(
        severity="warn", code="stage_value_not_in_data", subject=f"{funnel.name} / {meaning}",
        message=f"value '{value}' is in no row of the data; did you mean '{close}'?",
        params={"value": value, "close": close})
        for meaning, value, close in suspects]


def check_empty_period(result: FunnelResult, start, end, newest) -> list[Finding]:
    """A period without a single deal: in a nightly run, usually an export that stopped."""
    if start is None or result.entities:
        return []
    last = f"; the newest in the data was created on {newest:%Y-%m-%d}" if newest else ""
    return [Finding(severity="warn", code="empty_period", subject=result.name,
                    message=f"no deals created in {start}..{end}{last}", value=0.0,
                    params={"start": str(start), "end": str(end),
                            "newest": f"{newest:%Y-%m-%d}" if newest else None})]


def check_loss_stages(result: FunnelResult, unknown: int) -> list[Finding]:
    """Lost deals without a stage at loss are left out of the stage conversions (DESIGN.md),
    which then rest on the other deals: warn when they are many (5% of deals)."""
    if not unknown:
        return []
    share = unknown / result.entities if result.entities else 0.0
    if share < LOSS_STAGE_UNKNOWN_WARN or len(result.stages) < 2:
        return []
    return [Finding(
        severity="warn", code="loss_stage_unknown", subject=result.name,
        message=(plural(unknown, ("{n} lost deal ({share}) has no known loss stage and is",
                                  "{n} lost deals ({share}) have no known loss stage and are"))
                 .format(n=unknown, share=f"{share:.0%}")
                 + " left out of the stage conversions (still in the win rate); map lost_stage "
                 "or a status column"),
        value=share, threshold=LOSS_STAGE_UNKNOWN_WARN, params={"n": unknown, "share": share})]


def find_bottleneck(result: FunnelResult, funnel: Funnel) -> Bottleneck | None:
    """The stage furthest below its good threshold; with none below, the lowest conversion.
    A stage with too small a sample (below min_sample) is never the bottleneck."""
    measured = well_sampled(result.stages)
    good = {s.name: s.conversion.good for s in funnel.stages if s.conversion}
    shortfalls = [(good[r.name] - r.conversion_from_previous, r) for r in measured
                  if r.name in good and r.conversion_from_previous < good[r.name]]
    if shortfalls:
        gap, worst = max(shortfalls, key=lambda item: item[0])
        return Bottleneck(worst.name, worst.conversion_from_previous,
                          f"furthest below its threshold: {gap * 100:.1f} pp under good",
                          reason_code="below_good", gap=gap)
    if not measured:
        return None
    worst = min(measured, key=lambda r: r.conversion_from_previous)
    return Bottleneck(worst.name, worst.conversion_from_previous, "lowest stage conversion")


def segment_findings(result: FunnelResult) -> list[Finding]:
    """Segments whose overall conversion is significantly below the rest of the funnel."""
    overall = result.stages[-1].conversion_from_first
    tested = sum(seg.p_value is not None for segs in result.breakdowns.values() for seg in segs)
    findings = []
    for column, segs in result.breakdowns.items():
        for seg in segs:
            conv = seg.stages[-1].conversion_from_first
            if seg.differs and conv is not None and overall is not None and conv < overall:
                findings.append(Finding(
                    severity="warn", code="segment_below", subject=f"{result.name} / "
                    f"{column} = {seg.value}",
                    message=(f"overall conversion {conv:.1%} vs {overall:.1%} for the whole "
                             f"funnel; lower than the rest's by {TEST_NAME[seg.test]}, "
                             f"{p_text(seg.p_adjusted)} adjusted for {tested} segment "
                             f"{plural(tested, 'test|tests')} "
                             f"({p_text(seg.p_value)} alone)"),
                    value=conv, threshold=overall,
                    params={"conversion": conv, "overall": overall, "p": seg.p_adjusted,
                            "p_raw": seg.p_value, "test": seg.test, "tests": tested,
                            "funnel": result.name, "column": column, "segment": seg.value}))
    return findings


def check_history(result: FunnelResult, funnel: Funnel) -> list[Finding]:
    """Stage-history findings: an inconsistent funnel, and deals stuck past max_days."""
    findings = []
    counts = result.consistency
    if counts and counts.inconsistent:
        findings.append(Finding(
            severity="warn" if counts.share > INCONSISTENT_SHARE_WARN else "ok",
            code="inconsistent_funnel", subject=funnel.name,
            message=(f"{counts.inconsistent} of {counts.deals} "
                     f"{plural(counts.deals, 'deal|deals')} ({counts.share:.1%}) "
                     f"{plural(counts.inconsistent, 'does|do')} not follow the stage order: "
                     f"{counts.moved_backwards} moved backwards, "
                     f"{counts.skipped_stages} skipped stages"),
            value=counts.share, threshold=INCONSISTENT_SHARE_WARN,
            params={"n": counts.inconsistent, "deals": counts.deals, "share": counts.share,
                    "back": counts.moved_backwards, "skipped": counts.skipped_stages}))
    findings.extend(
        Finding(severity="warn", code="stuck_deals", subject=f"{funnel.name} / {stage.name}",
                message=(plural(stage.stuck, ("{n} open deal has", "{n} open deals have"))
                         .format(n=stage.stuck) + f" sat in '{stage.name}' for more than "
                         f"{stage.max_days:g} {plural(stage.max_days, 'day|days')} "
                         f"(longest {stage.stuck_oldest_days:.1f} d)"),
                value=float(stage.stuck), threshold=stage.max_days,
                params={"stage": stage.name, "stuck": stage.stuck,
                        "max_days": f"{stage.max_days:g}",
                        "oldest": round(stage.stuck_oldest_days, 1)})
        for stage in result.stages if stage.stuck)
    return findings


def check_comparison(comparison: Comparison) -> list[Finding]:
    """A warning for each stage, funnel or manager that is significantly worse than before."""
    before = comparison.previous_period
    since = f"{before.start}..{before.end}" if before.start else "all-data"
    findings = []
    for funnel in comparison.funnels:
        found = [_worse(ch, "stage_worse", f"{funnel.funnel} / {ch.subject}",
                        f"conversion into '{ch.subject}'", since)
                 for ch in funnel.stages if ch.worse]
        if funnel.overall.worse:
            found.append(_worse(funnel.overall, "overall_worse", funnel.funnel,
                                "overall conversion", since))
        for finding in found:
            finding.params["funnel"] = funnel.funnel
        findings += found
    findings += [_worse(ch, "manager_worse", ch.subject, "share of good days", since)
                 for ch in comparison.managers or [] if ch.worse]
    return findings


def _worse(ch: Change, code: str, subject: str, what: str, since: str) -> Finding:
    return Finding(
        severity="warn", code=code, subject=subject,
        message=(f"{what} fell from {ch.previous:.1%} to {ch.current:.1%} compared with "
                 f"{since} ({TEST_NAME[ch.test]}, {p_text(ch.p_adjusted)} adjusted, "
                 f"{p_text(ch.p_value)} alone)"),
        value=ch.current, threshold=ch.previous,
        params={"previous": ch.previous, "current": ch.current, "since": since,
                "p": ch.p_adjusted, "p_raw": ch.p_value, "test": ch.test,
                "subject": ch.subject})


def overall_verdict(findings: list[Finding]) -> Severity:
    worst = max((SEVERITY_RANK[f.severity] for f in findings), default=0)
    return next(s for s, rank in SEVERITY_RANK.items() if rank == worst)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: -SEVERITY_RANK[f.severity])


def exit_code(verdict: Severity, fail_on: str) -> ExitCode:
    """0 when the verdict is below --fail-on, 1 at or above it; `never` always gives 0."""
    if fail_on == "never":
        return ExitCode.OK
    return ExitCode.FINDINGS if SEVERITY_RANK[verdict] >= SEVERITY_RANK[fail_on] else ExitCode.OK


def check_norms(result: NormsResult, limits: BelowShare) -> list[Finding]:
    """A finding per manager whose share of below-norm working days is over the limits."""
    findings = []
    for m in result.managers:
        if m.verdict not in ("warn", "fail"):
            continue
        empty = f", {m.empty_days} with no activity at all" if m.empty_days else ""
        findings.append(Finding(
            severity=m.verdict, code="norms_below", subject=f"norms / {m.manager}",
            message=(f"{m.below_days} of {m.working_days} working "
                     f"{plural(m.working_days, 'day|days')} below the norm "
                     f"({m.below_share:.1%}{empty}); warn above {limits.warn:.0%}, "
                     f"fail above {limits.fail:.0%}"),
            value=m.below_share, threshold=limits.fail if m.verdict == "fail" else limits.warn,
            params={"manager": m.manager, "below": m.below_days, "days": m.working_days,
                    "share": m.below_share, "empty": m.empty_days,
                    "warn": limits.warn, "fail": limits.fail}))
    return findings
