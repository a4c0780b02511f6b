"""The scorecard part of `audit()`: the deal and stage-history funnels' managers matched
to the graded managers (managers.match_names: normalised names, the config's aliases and
ignore:), then metrics/scorecard over the period's deals and their dated stage moves
(metrics/advances)."""

from __future__ import annotations

import polars as pl

from funnelctl.audit.cohort import KeptFunnel, in_period
from funnelctl.audit.money import money_input
from funnelctl.config import Config
from funnelctl.errors import ConfigError
from funnelctl.managers import match_names
from funnelctl.metrics.advances import deal_moves
from funnelctl.metrics.periods import DateRange
from funnelctl.metrics.scorecard import (
    KPI_WORDS,
    MIN_MANAGERS,
    FunnelDeals,
    KpiChoice,
    activity_correlations,
    known_outcomes,
    kpi_stages,
    manager_weeks,
    norms_outcome_contrasts,
    scorecards,
    unfinished_weeks,
    weekly_table,
)
from funnelctl.metrics.value import AMOUNT
from funnelctl.plural import plural
from funnelctl.report import Finding, FunnelResult, NormsResult
from funnelctl.report_scorecard import ManagerScorecard, Scorecard

NO_MANAGER = ""


def left_out_note(funnel: str) -> str:
    """The data-quality note of a deals funnel on engine: clickhouse with a manager
    column: the scorecard matches each deal's manager and dated stage moves, which that
    engine does not send (engines/clickhouse_deals.py), so it is left out, said so."""
    return (f"{funnel}: left out of the manager scorecard (engine: clickhouse sends no deal "
            "rows; run the source on engine: polars to include it)")


def scorecard_report(config: Config, norms: NormsResult | None, kept: list[KeptFunnel],
                     graded_days: list[pl.DataFrame] | None = None
                     ) -> tuple[list[ManagerScorecard], Scorecard | None, list[Finding]]:
    """Each graded manager's scorecard, the team view and its findings; nothing without
    norms or a deal funnel that maps a manager column. `graded_days`: the norms' day
    grades (metrics/norms.day_grades), for the manager-weeks."""
    order = [f.name for f in config.funnels]
    kept = sorted((k for k in kept if "manager" in k.frame.columns),
                  key=lambda k: order.index(k.funnel.name))
    if norms is None or not kept or not norms.managers:
        return [], None, []
    rows = deal_names(kept)
    graded = [m.manager for m in norms.managers]
    match = match_names({k: v for k, v in rows.items() if k != NO_MANAGER}, graded,
                        config.managers.aliases, config.managers.ignore)
    counts_as = {k: v for k, v in match.counts_as.items() if v in graded}
    unmatched = {n: rows[n] for n in sorted(match.counts_as)
                 if n not in counts_as and n not in match.ambiguous}
    # The same period as the grades: the audit's, or the activity's first to last day.
    same = DateRange(norms.start, norms.end)
    funnels = [funnel_deals(k, same, counts_as, config) for k in kept]
    cards, kpis = scorecards(norms, funnels, kpi_choices(config, funnels))
    # Each manager's names as written: those the deal views fold into one are listed too.
    spellings: dict[str, set[str]] = {}
    for k in kept:
        for shown, written in k.folded.written_as().items():
            spellings.setdefault(shown, set()).update(written)
    names: dict[str, list[str]] = {}
    for name, manager in counts_as.items():
        names.setdefault(manager, []).extend(spellings.get(name, [name]))
    for card in cards:
        card.deal_names = sorted(names.get(card.manager, []))
    days = graded_days[0] if graded_days else None
    table = weekly_table(days, funnels, norms.end)
    stats = config.significance
    card = Scorecard(
        funnels=[f.name for f in funnels], unmatched=unmatched,
        ambiguous=dict(sorted(match.ambiguous.items())),
        unassigned=rows.get(NO_MANAGER, 0) + sum(match.ignored.values()),
        kpi_stages={k: kpis[k][1] for k in KPI_WORDS},
        kpi_funnels={k: funnel for k, (funnel, _) in kpis.items()},
        correlations=activity_correlations(table, MIN_MANAGERS, known_outcomes(funnels),
                                           stats.level, stats.correction),
        min_managers=MIN_MANAGERS, correction=stats.correction,
        weeks=manager_weeks(table, graded),
        unfinished_weeks=unfinished_weeks(days, norms.end),
        advances_from={f.name: f.advances_from for f in funnels})
    return cards, card, contrast_findings(
        norms_outcome_contrasts(cards, stats.level, stats.correction))


def kpi_choices(config: Config, funnels: list[FunnelDeals]) -> dict[str, KpiChoice]:
    """kpi -> (funnel, stage) from `scorecard: kpis:`: a funnel left out is the first
    with managers, a stage left out found by its words (metrics/scorecard.kpi_stages). A
    named funnel without managers is kept by name (its KPI is then unknown); a stage the
    default funnel does not have is a config error (the config check could not know the
    default)."""
    stages = {f.name: f.stages for f in funnels}
    first = funnels[0].name if funnels else None
    out: dict[str, KpiChoice] = {}
    for kpi, source in config.scorecard.kpis:
        name = source.funnel or first
        stage = getattr(source, "stage", None)
        if kpi in KPI_WORDS and name in stages:
            if stage is None:
                stage = kpi_stages(stages[name])[kpi]
            elif stage not in stages[name]:
                raise ConfigError(
                    f"{config.where(('scorecard', 'kpis', kpi, 'stage'))}: the default funnel "
                    f"'{name}' (the first with managers) has no stage '{stage}': name the "
                    f"funnel (scorecard.kpis.{kpi}.funnel)")
        out[kpi] = (name, stage)
    return out


def deal_names(kept: list[KeptFunnel]) -> dict[str, int]:
    """The deals' manager names (NO_MANAGER: none) -> their deals, over every deal of the
    funnels: a deal created before the period can still advance or be won in it."""
    frames = [k.frame.select(pl.col("manager").fill_null(NO_MANAGER)) for k in kept]
    counts = pl.concat(frames).group_by("manager").len()
    return dict(counts.iter_rows())


def funnel_deals(kept: KeptFunnel, dates: DateRange, counts_as: dict[str, str],
                 config: Config) -> FunnelDeals:
    """The funnel's deals under the matched names (others: null, left out of every card);
    the period's cohort goes through audit/money's money_input, as the money view's does,
    so amounts are converted with the rates, and in several currencies without rates
    are not added up (no money per manager)."""
    funnel, result = kept.funnel, kept.result
    frame = kept.frame.with_columns(pl.col("manager").replace_strict(
        counts_as, default=None, return_dtype=pl.String))
    cohort = in_period(frame, dates)
    if AMOUNT in cohort.columns:
        money = money_input(cohort, config.money, funnel, config.where(("money", "rates")))
        cohort = money.frame if len(money.blocks) == 1 else cohort.drop(AMOUNT)
    moves, basis, wins_dated = deal_moves(frame, funnel, kept.entries)
    owners = frame.select(pl.col("deal_id").cast(pl.String), "manager").drop_nulls()
    currency = result.money.currency if result.money is not None else config.money.currency
    return FunnelDeals(name=funnel.name, stages=[s.name for s in funnel.stages],
                       cohort=cohort, frame=frame, min_sample=funnel.min_sample,
                       currency=currency, stuck=stuck_counts(result, counts_as),
                       overdue=overdue_counts(result, counts_as),
                       moves=moves.join(owners, on="deal_id", how="inner"),
                       advances_from=basis, wins_dated=wins_dated)


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
            message=(f"{c.manager} {norms} but wins {c.won} of {c.closed} closed "
                     f"{plural(c.closed, 'deal|deals')} in "
                     f"{c.funnel}, {word} the rest of the team ({c.team_won} of "
                     f"{c.team_closed}; p = {c.p_value:.3g}, adjusted {c.p_adjusted:.3g})"),
            value=c.won / c.closed, params={
                "manager": c.manager, "funnel": c.funnel, "verdict": c.verdict,
                "won": c.won, "closed": c.closed, "team_won": c.team_won,
                "team_closed": c.team_closed, "p_value": c.p_value,
                "p_adjusted": c.p_adjusted, "test": c.test, "lower": c.lower,
                "direction": word, "why": norms, "p": c.p_adjusted, "p_raw": c.p_value}))
    return out
