"""An event funnel's exclusions and optional steps as the walk of funnel_steps.py takes
them, and the entities an exclusion leaves out of the funnel."""

from __future__ import annotations

import polars as pl

from funnelctl.config import Funnel
from funnelctl.metrics.funnel_steps import EXCLUDED, StepRules


def uses_steps(funnel: Funnel) -> bool:
    return bool(funnel.exclude) or any(stage.optional for stage in funnel.stages)


def step_rules(funnel: Funnel) -> StepRules:
    names = [stage.name for stage in funnel.stages]
    return StepRules(
        window=funnel.window_seconds(),
        within=[None, *[stage.within_seconds() for stage in funnel.stages[1:]]],
        optional=[stage.optional for stage in funnel.stages],
        exclusions=[(names.index(x.between[0]), names.index(x.between[1]))
                    for x in funnel.exclude],
        strict_increase="strict_increase" in funnel.order_modes())


def without_excluded(frame: pl.DataFrame, funnel: Funnel) -> tuple[pl.DataFrame, int | None]:
    """The entities the funnel counts, and how many its exclusions left out (None: the
    funnel has no exclusion)."""
    if not funnel.exclude:
        return frame, None
    if EXCLUDED not in frame.columns:  # no events at all
        return frame, 0
    excluded = int(frame[EXCLUDED].sum())
    return frame.filter(~pl.col(EXCLUDED)).drop(EXCLUDED), excluded
