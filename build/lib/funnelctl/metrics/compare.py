"""Period over period: which proportions got worse, and which of those changes are real.

Pure functions over the report model: a change is significant only when the pooled
two-proportion z-test gives p below `significance`; a lower number that the test cannot
tell from noise is shown but not flagged.
"""

from __future__ import annotations

from funnelctl.metrics.stats import ratio, two_proportion_p_value
from funnelctl.report import Change, FunnelComparison, FunnelResult


def change(subject: str, previous: tuple[int, int], current: tuple[int, int],
           significance: float) -> Change:
    """Compare successes/trials of the previous period with those of the current one."""
    (x_prev, n_prev), (x_cur, n_cur) = previous, current
    before, now = ratio(x_prev, n_prev), ratio(x_cur, n_cur)
    p_value = two_proportion_p_value(x_cur, n_cur, x_prev, n_prev)
    significant = p_value is not None and p_value < significance
    delta = now - before if before is not None and now is not None else None
    return Change(
        subject=subject, previous=before, current=now,
        previous_successes=x_prev, previous_trials=n_prev,
        current_successes=x_cur, current_trials=n_cur,
        change=delta, p_value=p_value, significant=significant,
        worse=significant and delta is not None and delta < 0,
    )


def compare_funnel(current: FunnelResult, previous: FunnelResult,
                   significance: float) -> FunnelComparison:
    """Stage conversions (from the previous stage) and the overall conversion, then vs now."""
    now = [s.entered for s in current.stages]
    before = [s.entered for s in previous.stages]
    stages = [
        change(stage.name, (before[k], before[k - 1]), (now[k], now[k - 1]), significance)
        for k, stage in enumerate(current.stages) if k > 0
    ]
    overall = change("overall", (before[-1], before[0]), (now[-1], now[0]), significance)
    return FunnelComparison(funnel=current.name, previous_entities=previous.entities,
                            current_entities=current.entities, stages=stages, overall=overall)


def compare_managers(previous: dict[str, tuple[int, int]], current: dict[str, tuple[int, int]],
                     significance: float) -> list[Change]:
    """Each manager's share of good working days, (good days, working days) per period.

    A manager missing from one period counts as having no days there (no test is run).
    """
    names = list(dict.fromkeys([*current, *previous]))
    return [change(name, previous.get(name, (0, 0)), current.get(name, (0, 0)), significance)
            for name in names]
