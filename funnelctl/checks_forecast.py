"""Findings of the forecast and the plan: open deals past their expected close, and
targets behind pace (or missed). Messages are English; params carry the numbers for the
report's language (render/labels_ru.py)."""

from __future__ import annotations

from funnelctl.plural import plural
from funnelctl.report import Finding, FunnelResult

# The overdue finding's opening and its pronoun, in the form its count takes.
LATE = ("{n} open deal is past its expected close",
        "{n} open deals are past their expected close")
THEM = "it|them"


def _money(value: float) -> str:
    return f"{value:,.0f}"


def _amounts(amounts: dict[str, float]) -> str:
    return "; ".join(f"{_money(v)}{' ' + c if c else ''}" for c, v in amounts.items()) or "0"


def check_overdue(result: FunnelResult) -> list[Finding]:
    forecast = result.forecast
    if forecast is None or not forecast.overdue.deals:
        return []
    late = forecast.overdue
    oldest = late.listed[0] if late.listed else None
    since = f", the oldest expected {oldest.expected_close}" if oldest else ""
    return [Finding(
        severity="warn", code="overdue_deals", subject=result.name,
        message=(plural(late.deals, LATE).format(n=late.deals)
                 + f" as of {forecast.as_of} (value {_amounts(late.amounts)}{since}): close "
                 f"{plural(late.deals, THEM)}, or move the date"),
        value=float(late.deals),
        params={"n": late.deals, "as_of": str(forecast.as_of), "value": _amounts(late.amounts),
                "amounts": late.amounts,
                "oldest": str(oldest.expected_close) if oldest else None})]


def check_plan(result: FunnelResult) -> list[Finding]:
    if result.plan is None:
        return []
    findings = []
    for line in result.plan.lines:
        if not line.behind or line.status != "running":  # a finished one: its table row
            continue
        who = line.manager or "team"
        span = f"{line.start}..{line.end}"
        pace = (f"; needs {_money(line.pace_needed)} per working day for the "
                f"{line.days_left} left" if line.pace_needed is not None else "")
        cover = (f"; weighted pipeline covers {line.coverage:.0%} of the rest"
                 if line.coverage is not None else "")
        if line.status == "finished":
            message = (f"won {_money(line.won)} of the {_money(line.plan)} planned for {span} "
                       f"({line.attainment:.0%}): the plan was missed")
        else:
            message = (f"won {_money(line.won)} of {_money(line.plan)} planned for {span} "
                       f"({line.attainment:.0%}) by {result.plan.as_of}, below the "
                       f"{_money(line.expected_by_now or 0.0)} a steady pace would have"
                       f"{pace}{cover} (judged once 20% or more of the working days are gone)")
        findings.append(Finding(
            severity="warn", code="plan_missed" if line.status == "finished" else "plan_behind",
            subject=f"{result.name} / {who}", message=message,
            value=line.attainment, threshold=(line.expected_by_now or 0.0) / line.plan,
            params={"funnel": result.name, "manager": line.manager, "start": str(line.start),
                    "end": str(line.end),
                    "won": _money(line.won), "plan": _money(line.plan),
                    "attainment": line.attainment,
                    "expected": _money(line.expected_by_now or 0.0),
                    "pace": _money(line.pace_needed) if line.pace_needed is not None else None,
                    "days_left": line.days_left, "coverage": line.coverage,
                    "as_of": str(result.plan.as_of)}))
    return findings
