"""Config pieces of event funnels: `window:` durations and `where:` values (the checks
that need the sources' kinds are in references.py)."""

from __future__ import annotations

import re

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
