"""The scorecard part of `audit()`: the deal funnels' managers matched to the graded
managers (managers.match_names: normalised names, the config's aliases and ignore:),
then metrics/scorecard over the period's deals."""

from __future__ import annotations

import polars as pl

from funnelctl.audit.cohort import in_period
from funnelctl.config import Config, Funnel
from funnelctl.managers import match_names
from funnelctl.metrics.periods import DateRange
from funnelctl.metrics.scorecard import (
    MIN_MANAGERS,
    FunnelDeals,
    activity_correlations,
    norms_outcome_contrasts,
    scorecards,
    weekly_table,
)
from funnelctl.metrics.value import AMOUNT, CURRENCY
from funnelctl.report import Finding, FunnelResult, NormsResult
from funnelctl.report_scorecard import ManagerScorecard, Scorecard

NO_MANAGER = ""

# (funnel, every deal of it, its period cohort, its result): what deal_funnels keeps.
KeptFunnel = tuple[Funnel, pl.DataFrame, pl.DataFrame, FunnelResult]


def scorecard_report(config: Config, norms: NormsResult | None, kept: list[KeptFunnel]
                     ) -> tuple[list[ManagerScorecard], Scorecard | None, list[Finding]]:
    """Each graded manager's scorecard, the team view and its findings; nothing without
    norms or a deal funnel that maps a manager column."""
    kept = [k for k in kept if "manager" in k[1].columns]
    if norms is None or not kept or not norms.managers:
        return [], None, []
    # The same period as the grades: the audit's, or the activity's first to last day.
    same = DateRange(norms.start, norms.end)
    kept = [(f, frame, in_period(frame, same), result) for f, frame, _, result in kept]
    rows: dict[str, int] = {}
    for _, _, cohort, _ in kept:
        for name, n in cohort.group_by("manager").len().iter_rows():
            key = NO_MANAGER if name is None else name
            rows[key] = rows.get(key, 0) + n
    graded = [m.manager for m in norms.managers]
    match = match_names({k: v for k, v in rows.items() if k != NO_MANAGER}, graded,
                        config.managers.aliases, config.managers.ignore)
    counts_as = {k: v for k, v in match.counts_as.items() if v in graded}
    unmatched = {n: rows[n] for n in sorted(match.counts_as)
                 if n not in counts_as and n not in match.ambiguous}
    funnels = [funnel_deals(f, frame, cohort, result, counts_as, config)
               for f, frame, cohort, result in kept]
    cards, stages = scorecards(norms, funnels)
    names: dict[str, list[str]] = {}
    for name, manager in counts_as.items():
        names.setdefault(manager, []).append(name)
    for card in cards:
        card.deal_names = sorted(names.get(card.manager, []))
    table = weekly_table(norms, funnels, norms.end)
    card = Scorecard(
        funnels=[f.name for f in funnels], unmatched=unmatched,
        ambiguous=dict(sorted(match.ambiguous.items())),
        unassigned=rows.get(NO_MANAGER, 0) + sum(match.ignored.values()),
        kpi_stages=stages, correlations=activity_correlations(table, MIN_MANAGERS),
        min_managers=MIN_MANAGERS)
    stats = config.significance
    return cards, card, contrast_findings(
        norms_outcome_contrasts(cards, stats.level, stats.correction))


def funnel_deals(funnel: Funnel, frame: pl.DataFrame, cohort: pl.DataFrame,
                 result: FunnelResult, counts_as: dict[str, str], config: Config
                 ) -> FunnelDeals:
    """The funnel's deals under the matched names (others: null, left out of every card);
    amounts in several currencies without rates are not added up (no money per manager)."""
    def matched(f: pl.DataFrame) -> pl.DataFrame:
        f = f.with_columns(pl.col("manager").replace_strict(counts_as, default=None,
                                                            return_dtype=pl.String))
        if AMOUNT in f.columns and CURRENCY in f.columns and not config.money.rates \
                and f[CURRENCY].drop_nulls().n_unique() > 1:
            f = f.drop(AMOUNT)
        return f
    currency = result.money.currency if result.money is not None else config.money.currency
    return FunnelDeals(name=funnel.name, stages=[s.name for s in funnel.stages],
                       cohort=matched(cohort), frame=matched(frame),
                       min_sample=funnel.min_sample, currency=currency,
                       stuck=stuck_counts(result, counts_as),
                       overdue=overdue_counts(result, counts_as))


def _matched(counts: dict[str, int], counts_as: dict[str, str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for name, n in counts.items():
        if (manager := counts_as.get(name)) is not None:
            out[manager] = out.get(manager, 0) + n
    return out


def stuck_counts(result: FunnelResult, counts_as: dict[str, str]) -> dict[str, int] | None:
    """manager -> stuck deals over every stage with a limit (None: no stage judged)."""
    judged = [s for s in result.stages if s.stuck is not None]
    if not judged:
        return None
    counts: dict[str, int] = {}
    for stage in judged:
        for name, n in stage.stuck_by_manager.items():
            counts[name] = counts.get(name, 0) + n
    return _matched(counts, counts_as)


def overdue_counts(result: FunnelResult, counts_as: dict[str, str]) -> dict[str, int] | None:
    if result.forecast is None:
        return None
    return _matched(result.forecast.overdue.by_manager, counts_as)


def contrast_findings(contrasts) -> list[Finding]:
    out = []
    for c in contrasts:
        word = "below" if c.lower else "above"
        norms = "meets the activity norms" if c.verdict == "ok" else "fails the activity norms"
        out.append(Finding(
            severity="warn", code="scorecard_norms_outcome",
            subject=f"scorecard / {c.manager}",
            message=(f"{c.manager} {norms} but wins {c.won} of {c.closed} closed deals in "
                     f"{c.funnel}, {word} the rest of the team ({c.team_won} of "
                     f"{c.team_closed}; p = {c.p_value:.3g}, adjusted {c.p_adjusted:.3g})"),
            value=c.won / c.closed, params={
                "manager": c.manager, "funnel": c.funnel, "verdict": c.verdict,
                "won": c.won, "closed": c.closed, "team_won": c.team_won,
                "team_closed": c.team_closed, "p_value": c.p_value,
                "p_adjusted": c.p_adjusted, "test": c.test, "lower": c.lower,
                "direction": word, "why": norms, "p": c.p_adjusted, "p_raw": c.p_value}))
    return out
