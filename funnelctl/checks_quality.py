"""Data-quality findings: how much of a source could not be read, and which findings that
makes less trustworthy (the `data_quality: {warn, fail}` levels of the config)."""

from __future__ import annotations

from funnelctl.config.stats import DataQualityLimits
from funnelctl.plural import plural
from funnelctl.report import Finding, FunnelResult, SourceQuality

# Reasons that are counted but lose no deal: a repeated deal id (Bitrix24's row per
# product: the deal still counts once), a blank line; stage values that match no stage
# have a finding of their own.
KEPT_REASONS = ("duplicate deal id", "blank line")
# Findings about a source itself, not computed from its rows.
SOURCE_CODES = ("rows_rejected", "unmatched_stage_values")


def unreadable(quality: SourceQuality) -> dict[str, int]:
    """Rejected rows per reason, without those that lose nothing."""
    return {r: n for r, n in quality.reasons.items()
            if r not in KEPT_REASONS and not r.startswith("stage matches no stage")}


def rejected_share(quality: SourceQuality) -> float:
    return sum(unreadable(quality).values()) / quality.rows_read if quality.rows_read else 0.0


def check_source(quality: SourceQuality,
                 limits: DataQualityLimits | None = None) -> list[Finding]:
    """Unmatched stage values (warn), and unreadable rows: warn above `warn`, fail at `fail`."""
    limits = limits or DataQualityLimits()
    findings = []
    if quality.unmatched_stages:
        shown = ", ".join(f"'{v}' ({n})" for v, n in list(quality.unmatched_stages.items())[:5])
        findings.append(Finding(
            severity="warn", code="unmatched_stage_values", subject=quality.name,
            message=f"stage values that match no stage, won or lost value: {shown}",
            value=float(sum(quality.unmatched_stages.values())), params={"values": shown},
            source=quality.name))
    reasons = unreadable(quality)
    count = sum(reasons.values())
    share = count / quality.rows_read if quality.rows_read else 0.0
    quality.rejected_share = share
    if share > limits.warn:
        severity = "fail" if share >= limits.fail else "warn"
        findings.append(Finding(
            severity=severity, code="rows_rejected", subject=quality.name,
            message=f"{count} of {quality.rows_read} {plural(quality.rows_read, 'row|rows')} "
                    f"unreadable ({share:.1%}): "
                    + ", ".join(f"{r} ({n})" for r, n in reasons.items()),
            value=share, threshold=limits.fail if severity == "fail" else limits.warn,
            params={"count": count, "rows": quality.rows_read, "share": share,
                    "reasons": reasons},
            source=quality.name))
    return findings


def mark_low_confidence(findings: list[Finding], funnels: list[FunnelResult],
                        qualities: dict[str, SourceQuality],
                        limits: DataQualityLimits) -> None:
    """Findings (and funnels) computed from a source whose unreadable share is above
    `warn` are low-confidence: the numbers stand on part of the data only."""
    low = {name for name, q in qualities.items() if rejected_share(q) > limits.warn}
    for funnel in funnels:
        funnel.low_confidence = funnel.source in low
    for finding in findings:
        finding.low_confidence = finding.source in low and finding.code not in SOURCE_CODES
