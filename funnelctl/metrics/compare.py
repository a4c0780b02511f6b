"""Period over period: which proportions got worse, and which of those changes are real.

Pure functions over the report model. Each proportion is tested (Fisher's exact test when
an expected cell is below 5, else the pooled two-proportion z-test); the p-values of one
family (a funnel's stages and its overall conversion; the managers) are adjusted together
(Holm by default), and a change is significant only when its adjusted p is below the level.
A lower number that the test cannot tell from noise is shown but not flagged.
"""

from __future__ import annotations

from funnelctl.config.stats import Significance
from funnelctl.metrics.funnel import conversion_bases
from funnelctl.metrics.stats import adjust, proportion_test, ratio
from funnelctl.report import Change, FunnelComparison, FunnelResult


def change(subject: str, previous: tuple[int, int], current: tuple[int, int],
           significance: float | None = None) -> Change:
    """Compare successes/trials of the previous period with those of the current one.

    Without `significance` only the raw p is set (`judge` decides over the whole family);
    with a level, the change is judged alone, as a family of one.
    """
    (x_prev, n_prev), (x_cur, n_cur) = previous, current
    before, now = ratio(x_prev, n_prev), ratio(x_cur, n_cur)
    p_value, test = proportion_test(x_cur, n_cur, x_prev, n_prev)
    delta = now - before if before is not None and now is not None else None
    result = Change(
        subject=subject, previous=before, current=now,
        previous_successes=x_prev, previous_trials=n_prev,
        current_successes=x_cur, current_trials=n_cur,
        change=delta, p_value=p_value, significant=False, worse=False, test=test,
    )
    if significance is not None:
        judge([result], Significance(level=significance, correction="none"))
    return result


def judge(family: list[Change], significance: Significance | float) -> list[Change]:
    """Adjust the family's p-values and mark the changes that are real (and worse)."""
    if not isinstance(significance, Significance):  # a bare level: the default correction
        significance = Significance(level=significance)
    for ch, p in zip(family, adjust([c.p_value for c in family], significance.correction)):
        ch.p_adjusted = p
        ch.significant = p is not None and p < significance.level
        ch.worse = ch.significant and ch.change is not None and ch.change < 0
    return family


def compare_funnel(current: FunnelResult, previous: FunnelResult,
                   significance: Significance | float) -> FunnelComparison:
    """Stage conversions (from the previous stage) and the overall conversion, then vs now."""
    return compare_entered(current.name, [s.name for s in current.stages],
                           [s.entered for s in previous.stages], previous.entities,
                           [s.entered for s in current.stages], current.entities, significance,
                           conversion_bases([s.optional for s in current.stages]))


def compare_entered(funnel: str, names: list[str], before: list[int], previous_entities: int,
                    now: list[int], current_entities: int,
                    significance: Significance | float,
                    bases: list[int | None] | None = None) -> FunnelComparison:
    """The same from the entered counts per stage (what the run history keeps); bases:
    the stage each conversion is from (default the one before; optional event steps)."""
    bases = bases or [None, *range(len(names) - 1)]
    stages = [change(name, (before[k], before[bases[k]]), (now[k], now[bases[k]]))
              for k, name in enumerate(names) if k > 0]
    overall = change("overall", (before[-1], before[0]), (now[-1], now[0]))
    judge([*stages, overall], significance)
    return FunnelComparison(funnel=funnel, previous_entities=previous_entities,
                            current_entities=current_entities, stages=stages, overall=overall)


def compare_managers(previous: dict[str, tuple[int, int]], current: dict[str, tuple[int, int]],
                     significance: Significance | float) -> list[Change]:
    """Each manager's share of good working days, (good days, working days) per period.

    A manager missing from one period counts as having no days there (no test is run).
    """
    names = list(dict.fromkeys([*current, *previous]))
    return judge([change(name, previous.get(name, (0, 0)), current.get(name, (0, 0)))
                  for name in names], significance)
