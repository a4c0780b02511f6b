"""Config of an event funnel's exclusion steps (`exclude:`) and the checks of them and of
optional stages (`optional: true`): names, order, and the order modes they work with.
Semantics: docs/event-funnels.md ("Exclusion steps", "Optional steps")."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import Field, field_validator

from funnelctl.config.base import Model
from funnelctl.config.events import Where, where_before, where_columns

# The order modes exclusions and optional steps are defined for (the walk of windowFunnel,
# with or without strictly increasing times).
STEP_MODES = ("default", "strict_increase")


class Exclusion(Model):
    """An event that spoils an attempt when it comes between two of the funnel's steps."""

    match: list[str] = Field(min_length=1)  # event names, any of them
    where: Where = Field(default_factory=dict)  # the event's properties, as for a stage
    between: list[str] = Field(min_length=2, max_length=2)  # [step a, step b], by name

    @field_validator("match", mode="before")
    @classmethod
    def _scalar_to_list(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("where", mode="before")
    @classmethod
    def _operators(cls, v: Any) -> Any:
        return where_before(v)

    def values(self) -> list[str]:
        return self.match

    def where_columns(self) -> set[str]:
        return where_columns(self.where)


def step_problems(funnel: Any, i: int, events: bool) -> list[tuple[tuple, str]]:
    """(key path, message) for the exclusions and optional stages of funnel number i."""
    problems: list[tuple[tuple, str]] = []
    optional = [j for j, stage in enumerate(funnel.stages) if stage.optional]
    if not events:
        if funnel.exclude:
            problems.append((("funnels", i, "exclude"), "exclude applies to event funnels only"))
        return problems  # `optional` is reported with the other event-only stage keys
    if (funnel.exclude or optional) and not funnel.order_modes() <= {"strict_increase"}:
        what = "exclude" if funnel.exclude else "optional steps"
        at = ("funnels", i, "exclude") if funnel.exclude else \
            ("funnels", i, "stages", optional[0], "optional")
        order = funnel.order if isinstance(funnel.order, str) else \
            f"[{', '.join(funnel.order)}]"
        problems.append((at, f"{what} work with order: {' or '.join(STEP_MODES)}, not with "
                         f"order: {order}"))
    n = len(funnel.stages)
    if optional and optional[0] == 0:
        problems.append((("funnels", i, "stages", 0, "optional"),
                         "the first step cannot be optional: every attempt starts at it"))
    if optional and optional[-1] == n - 1 and n > 1:
        problems.append((("funnels", i, "stages", n - 1, "optional"),
                         "the last step cannot be optional: the funnel's conversion is into it"))
    names = [stage.name for stage in funnel.stages]
    for j, exclusion in enumerate(funnel.exclude):
        at = ("funnels", i, "exclude", j, "between")
        positions = []
        for name in exclusion.between:
            if name not in names:
                close = difflib.get_close_matches(name, names, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                problems.append((at, f"unknown step '{name}'{hint} (the funnel's steps: "
                                 f"{', '.join(names)})"))
            else:
                positions.append(names.index(name))
        if len(positions) != 2:
            continue
        a, b = positions
        if a >= b:
            problems.append((at, f"between: ['{exclusion.between[0]}', "
                             f"'{exclusion.between[1]}'] is out of order: the first step must "
                             "come before the second in the funnel"))
        elif funnel.stages[a].optional or funnel.stages[b].optional:
            problems.append((at, "an exclusion's steps must be required ones (an attempt may "
                             "skip an optional step, leaving nothing to be between)"))
        elif clash := _same_event(exclusion, funnel.stages[a:b + 1]):
            problems.append((("funnels", i, "exclude", j, "match"),
                             f"'{clash[0]}' is also the event of step '{clash[1]}' (between "
                             "those steps it would exclude the funnel's own events; as in "
                             "PostHog, an exclusion cannot be a step's event: give one of "
                             "them a where:)"))
    return problems


def _same_event(exclusion: Exclusion, stages: list) -> tuple[str, str] | None:
    """(event, step) when the exclusion, without `where:`, names the event of one of the
    steps it lies between (or of those two steps) that has no `where:` either."""
    if exclusion.where:
        return None
    for stage in stages:
        shared = [n for n in exclusion.values() if n in stage.values()]
        if shared and not stage.where:
            return shared[0], stage.name
    return None
