"""The sales plan: attainment, the pace still needed, and pipeline coverage, per target.

For a target of `plan` over start..end, as of day D (the end of the audit period or the
as-of day, whichever is first):
- won: the amount of the funnel's won deals whose close date falls in start..min(end, D)
  (of the target's manager; for the team, of everyone);
- attainment = won / plan; remaining = max(plan - won, 0);
- working days: the norms calendar's working days (metrics/norms.calendar_frame: default
  Monday to Friday; holidays, a country's production calendar and working dates as the
  norms configure them) in start..end; elapsed = those up to D, days_left = those after D;
- pace needed = remaining / days_left, per working day (a period with no working day left
  has none); expected by now = plan x elapsed / working days (a straight line);
  (none when the span has no working day);
- behind: won below expected by now, while the period runs and once at least 20% of its
  working days are gone (earlier it is too soon to tell); once it is over, below plan;
- coverage = weighted open pipeline / remaining, where the pipeline is the open deals
  (of the manager) whose expected close falls in start..end, overdue ones included (they
  are still open), each worth amount x its stage's probability; none once the period is
  over, and none (the weight unknown) when such a deal has an amount but no probability.
A team line missing from the plan is the sum of the managers' targets of the same span,
measured over those managers only.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from funnelctl.config.forecast import PlanTarget
from funnelctl.config.norms import Calendar
from funnelctl.metrics.forecast import EXPECTED, WEIGHT
from funnelctl.metrics.funnel import OUTCOME
from funnelctl.metrics.norms import WORKING, calendar_frame
from funnelctl.report_forecast import PlanLine

MIN_ELAPSED = 0.2  # the share of a span's working days gone before it can be behind


def working_days(start: dt.date, end: dt.date, calendar: Calendar) -> int:
    if end < start:
        return 0
    return int(calendar_frame(start, end, calendar)[WORKING].sum())


def with_team_lines(targets: list[PlanTarget]) -> list[tuple[PlanTarget, list[str] | None]]:
    """(target, the managers a derived team line covers, else None) for every target, plus
    a team line per span that has manager targets but none for the team."""
    out: list[tuple[PlanTarget, list[str] | None]] = [(t, None) for t in targets]
    spans: dict[tuple[dt.date, dt.date], list[PlanTarget]] = {}
    for target in targets:
        spans.setdefault(target.dates(), []).append(target)
    for (start, end), group in spans.items():
        if any(t.manager is None for t in group):
            continue
        team = PlanTarget(period={"start": start, "end": end},
                          amount=sum(t.amount for t in group))
        out.append((team, [t.manager for t in group if t.manager]))
    return out


def plan_lines(deals: pl.DataFrame, open_weighted: pl.DataFrame, targets: list[PlanTarget],
               day: dt.date, calendar: Calendar | None = None) -> list[PlanLine]:
    """One line per target (and derived team line) that has started by `day`, or that
    starts later (status "future"). `deals`: depth, outcome, closed_at, amount, manager;
    `open_weighted`: the open deals with their probability (metrics.forecast.weighted)."""
    calendar = calendar or Calendar()
    # Summed per manager and day once: each target then reads a few thousand rows.
    won = (deals.filter(pl.col(OUTCOME) == "won")
           .group_by(_manager(deals).alias("_who"), pl.col("closed_at").dt.date().alias("_day"))
           .agg(pl.col("amount").sum(), pl.len().alias("_n")))
    pipeline = (open_weighted.group_by(
        _manager(open_weighted).alias("_who"),
        (pl.col(EXPECTED).dt.date() if EXPECTED in open_weighted.columns
         else pl.lit(None, pl.Date)).alias("_day"))
        .agg((pl.col("amount") * pl.col(WEIGHT)).sum().alias("_w"),
             (pl.col("amount").is_not_null() & pl.col(WEIGHT).is_null()).sum()
             .alias("_unknown")))
    lines = []
    spans: dict[tuple[dt.date, dt.date], tuple[int, int, int]] = {}
    for target, members in with_team_lines(targets):
        start, end = target.dates()
        who = _who_filter(target.manager, members)
        upto = min(end, day)
        won_here = won.filter(who & pl.col("_day").is_between(start, upto))
        won_amount = float(won_here["amount"].sum() or 0.0)
        won_deals = int(won_here["_n"].sum() or 0)
        days = spans.get((start, end))
        if days is None:  # the same for every target of the span
            days = spans[(start, end)] = (
                working_days(start, end, calendar), working_days(start, upto, calendar),
                working_days(max(start, day + dt.timedelta(days=1)), end, calendar))
        total, elapsed, left = days
        remaining = max(target.amount - won_amount, 0.0)
        # No working day in the span: nothing is due by any day of it.
        expected = target.amount * elapsed / total if total else None
        status = "future" if day < start else ("finished" if day >= end else "running")
        pipe = pipeline.filter(who & pl.col("_day").is_between(start, end))
        # A priced deal without a probability: the weight is unknown, not 0.
        # Rounded to cents: a float sum's last digits follow the summation order, which
        # the group-by does not fix; the report must read the same run after run.
        weighted_pipe = (None if int(pipe["_unknown"].sum() or 0)
                         else round(float(pipe["_w"].sum() or 0.0), 2))
        # Too early to tell: not behind before MIN_ELAPSED of the working days are gone.
        judged = expected is not None and elapsed >= MIN_ELAPSED * total
        lines.append(PlanLine(
            manager=target.manager, start=start, end=end, plan=target.amount,
            won=won_amount, won_deals=won_deals,
            attainment=won_amount / target.amount, remaining=remaining,
            working_days=total, days_left=left, expected_by_now=expected,
            pace_needed=remaining / left if left else None,
            weighted_pipeline=weighted_pipe,
            coverage=(weighted_pipe / remaining if remaining and weighted_pipe is not None
                      and status != "finished" else None),
            behind=(status == "running" and judged and won_amount < (expected or 0.0))
            or (status == "finished" and won_amount < target.amount),
            status=status, derived=members is not None,
            too_early=status == "running" and expected is not None and not judged))
    return sorted(lines, key=lambda ln: (ln.start, ln.end, ln.manager is not None,
                                         ln.manager or ""))


def _manager(frame: pl.DataFrame) -> pl.Expr:
    if "manager" in frame.columns:
        return pl.col("manager").str.strip_chars().str.to_lowercase()
    return pl.lit(None, pl.String)


def _who_filter(manager: str | None, members: list[str] | None) -> pl.Expr:
    if manager is not None:
        return (pl.col("_who") == manager.strip().lower()).fill_null(False)
    if members is not None:
        return pl.col("_who").is_in([m.strip().lower() for m in members]).fill_null(False)
    return pl.lit(True)
