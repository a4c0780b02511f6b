"""Config pieces of event funnels: `window:` durations, `where:` values, and the checks
that need the sources' kinds (a window only on event funnels, and always there)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from funnelctl.config import Config

PropertyValue = str | int | float | bool
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")


def parse_duration(text: str) -> int:
    """'30m', '36h', '7d' -> seconds."""
    found = _DURATION.match(str(text))
    if not found or int(found[1]) == 0:
        raise ValueError(f"'{text}' is not a duration: expected a positive whole number and a "
                         "unit, e.g. 30m, 36h, 7d (units: s, m, h, d, w)")
    return int(found[1]) * DURATION_UNITS[found[2]]


def event_funnel_problems(config: Config) -> list[tuple[tuple, str]]:
    """(key path, message) for settings that do not fit the kind of the funnel's source."""
    problems = []
    for i, funnel in enumerate(config.funnels):
        if funnel.source not in config.sources:
            continue  # reported as an unknown source
        events = config.sources[funnel.source].kind == "events"
        if events and funnel.window is None:
            problems.append((("funnels", i), f"funnel '{funnel.name}' over an events source "
                                             "needs window: (e.g. 30m, 36h, 7d)"))
        elif not events and funnel.window is not None:
            problems.append((("funnels", i, "window"), "window applies to event funnels only"))
        for j, stage in enumerate(funnel.stages):
            if not events and stage.where:
                problems.append((("funnels", i, "stages", j, "where"),
                                 "where applies to event funnels only"))
    return problems
