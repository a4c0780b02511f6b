"""Layout of the time-to-convert histogram (HTML): per bucket, a bar for the time from
step 1 and one for the time from the step before, scaled to the step's largest bucket.
Geometry only, in the style of chart.py; the counts come from the report."""

from __future__ import annotations

from dataclasses import dataclass

from funnelctl.report_trends import TimeToConvert

WIDTH = 440
HEIGHT = 150
TOP = 16  # room for the count above the tallest bar
BOTTOM = 22  # room for the bucket labels
LEFT = 4
BAR_GAP = 2


@dataclass(frozen=True)
class HistBar:
    series: str  # "first" or "previous"
    bucket: str  # the bucket's label (English; the template words it)
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class HistLabel:
    bucket: str
    x: float  # centre of the bucket


@dataclass(frozen=True)
class Histogram:
    width: int
    height: int
    base_y: int
    bars: list[HistBar]
    labels: list[HistLabel]


def histogram_chart(times: TimeToConvert) -> Histogram | None:
    """None when the step has no time at all."""
    series = [(name, dist) for name, dist in (("first", times.from_first),
                                              ("previous", times.from_previous)) if dist]
    if not series:
        return None
    buckets = [b.label for b in series[0][1].histogram]
    top = max((b.count for _, d in series for b in d.histogram), default=0) or 1
    slot = (WIDTH - LEFT) / len(buckets)
    bar_w = (slot - 8 - BAR_GAP * (len(series) - 1)) / len(series)
    plot_h = HEIGHT - TOP - BOTTOM
    bars = []
    for i, label in enumerate(buckets):
        for j, (name, dist) in enumerate(series):
            count = dist.histogram[i].count
            h = count / top * plot_h
            x = LEFT + i * slot + 4 + j * (bar_w + BAR_GAP)
            bars.append(HistBar(name, label, count, round(x, 1), round(TOP + plot_h - h, 1),
                                round(bar_w, 1), round(h, 1)))
    labels = [HistLabel(label, round(LEFT + (i + 0.5) * slot, 1))
              for i, label in enumerate(buckets)]
    return Histogram(WIDTH, HEIGHT, TOP + plot_h, bars, labels)
