"""Layout of a trend chart (`funnelctl history --format html`): one small line chart per
stage or manager, runs left to right. Geometry only, in the style of chart.py.

The vertical axis spans whole tens of percent around the series (its bounds are labelled),
so a move of a few points is visible without pretending the scale starts at zero. A run
without trials leaves a gap in the line rather than a point at 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH = 440
HEIGHT = 110
LEFT = 44  # room for the axis labels
RIGHT = 12
TOP = 10
BOTTOM = 22  # room for the first and last period


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    value: float
    period: str


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    left: int
    top: int
    bottom_y: int
    low: float  # the axis bounds, fractions
    high: float
    lines: list[str]  # polyline points, one per unbroken run of values
    dots: list[Dot]
    first_period: str
    last_period: str


def axis_bounds(values: list[float]) -> tuple[float, float]:
    """Whole tens of percent around the values: 0.42..0.57 -> 0.4..0.6."""
    low = math.floor(min(values) * 10 + 1e-9) / 10
    high = math.ceil(max(values) * 10 - 1e-9) / 10
    if high <= low:
        low, high = max(0.0, low - 0.1), min(1.0, high + 0.1)
        if high <= low:  # a flat 0% or 100%
            low, high = (0.0, 0.1) if low == 0 else (0.9, 1.0)
    return low, high


def trend_chart(periods: list[str], values: list[float | None]) -> TrendChart | None:
    """The chart of one series; None when no run has a value."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    low, high = axis_bounds(known)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / (len(values) - 1) if len(values) > 1 else 0.0
    dots, lines, segment = [], [], []
    for i, (period, value) in enumerate(zip(periods, values)):
        if value is None:
            if segment:
                lines.append(" ".join(segment))
            segment = []
            continue
        x = round(LEFT + (i * step if len(values) > 1 else plot_w / 2), 1)
        y = round(TOP + (high - value) / (high - low) * plot_h, 1)
        dots.append(Dot(x, y, value, period))
        segment.append(f"{x},{y}")
    if segment:
        lines.append(" ".join(segment))
    return TrendChart(WIDTH, HEIGHT, LEFT, TOP, HEIGHT - BOTTOM, low, high, lines, dots,
                      periods[0], periods[-1])
