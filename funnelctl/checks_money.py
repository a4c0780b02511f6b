"""The money view's findings: the sales-cycle target, and where the most money is lost
when that is not where the most deals are lost (or not the conversion bottleneck)."""

from __future__ import annotations

from funnelctl.config import Funnel
from funnelctl.plural import plural
from funnelctl.report import Finding, FunnelResult


def check_money(result: FunnelResult, funnel: Funnel) -> list[Finding]:
    return [*_cycle_findings(result, funnel), *_value_bottleneck(result, funnel)]


def _cycle_findings(result: FunnelResult, funnel: Funnel) -> list[Finding]:
    target = result.cycle_target
    if target is None or target.verdict not in ("warn", "fail"):
        return []
    return [Finding(
        severity=target.verdict, code="cycle_time", subject=funnel.name,
        message=(f"median sales cycle is {target.median:.1f} days; good ≤ {target.good:g}, "
                 f"acceptable ≤ {target.acceptable:g}; {target.over_good} of "
                 f"{target.won_deals} won {plural(target.won_deals, 'deal|deals')} "
                 f"({target.over_good_share:.0%}) took longer than {target.good:g} "
                 f"{plural(target.good, 'day|days')}"),
        value=target.median,
        threshold=target.acceptable if target.verdict == "fail" else target.good,
        params={"median": target.median, "good": target.good, "acceptable": target.acceptable,
                "over": target.over_good, "won": target.won_deals,
                "share": target.over_good_share})]


def _value_bottleneck(result: FunnelResult, funnel: Funnel) -> list[Finding]:
    """An "ok" finding that names the stage losing the most money, when the count view
    points elsewhere: most deals lost at X, most money lost at Y."""
    money, value = result.money, result.value_bottleneck
    if money is None or value is None:
        return []
    lost_deals = most_deals_lost(result)
    conversion = result.bottleneck.stage if result.bottleneck else None
    if value.stage == lost_deals and value.stage == (conversion or value.stage):
        return []
    amount = f"{value.lost:,.0f}{' ' + money.currency if money.currency else ''}"
    if value.stage == lost_deals:
        head = f"most deals and most money lost at '{value.stage}'"
    else:
        head = f"most deals lost at '{lost_deals}', most money lost at '{value.stage}'"
    return [Finding(
        severity="ok", code="value_bottleneck", subject=funnel.name,
        message=(f"{head} ({amount}, {value.share:.0%} of the value lost at known stages)"
                 + (f"; the conversion bottleneck is '{conversion}'" if conversion else "")),
        value=value.lost,
        params={"deals_stage": lost_deals, "stage": value.stage, "lost": value.lost,
                "currency": money.currency, "share": value.share,
                "bottleneck": conversion})]


def most_deals_lost(result: FunnelResult) -> str | None:
    """The stage with the most lost deals (from the money view's deal counts)."""
    counts = [v.lost_deals for v in result.money.stages] if result.money else []
    if not counts or not max(counts):
        return None
    k = max(range(len(counts)), key=lambda i: (counts[i], -i))
    return result.stages[k].name
