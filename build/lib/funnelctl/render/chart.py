"""Layout of the SVG funnel chart: where each bar and label goes. Geometry only, no numbers
are computed here beyond scaling a bar to its stage's entered count.

Labels sit in a left column and the bars are centred in the right one, so the picture is
a funnel; between two bars a band joins them and carries the conversion, tinted by the
stage's verdict. The SVG scales with the page (viewBox), so fonts are set large enough to
stay legible at phone width.
"""

from __future__ import annotations

from dataclasses import dataclass

from funnelctl.report import FunnelResult

WIDTH = 440
LABEL_WIDTH = 180
BAR_AREA = WIDTH - LABEL_WIDTH
BAR_HEIGHT = 40
GAP = 30  # room for the band and its conversion label
NAME_LIMIT = 20  # characters of a stage name shown in the chart (the table has it whole)
COUNT_INSIDE = 64  # a bar at least this wide holds its count; a narrower one has it beside


@dataclass(frozen=True)
class Bar:
    name: str  # shortened for the chart
    full_name: str
    entered: int
    share_of_first: float | None
    x: float
    y: float
    width: float
    bottleneck: bool

    @property
    def count_inside(self) -> bool:
        return self.width >= COUNT_INSIDE


@dataclass(frozen=True)
class Band:
    """The trapezoid between two bars, and the conversion shown on it."""

    points: str
    label_y: float
    conversion: float | None
    verdict: str | None
    bottleneck: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[Bar]
    bands: list[Band]


def shorten(name: str, limit: int = NAME_LIMIT) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def funnel_chart(funnel: FunnelResult) -> Chart:
    bottleneck = funnel.bottleneck.stage if funnel.bottleneck else None
    largest = max((s.entered for s in funnel.stages), default=0) or 1
    centre = LABEL_WIDTH + BAR_AREA / 2
    bars = []
    for i, stage in enumerate(funnel.stages):
        width = max(stage.entered / largest * BAR_AREA, 2.0)
        bars.append(Bar(
            name=shorten(stage.name), full_name=stage.name, entered=stage.entered,
            share_of_first=stage.conversion_from_first,
            x=round(centre - width / 2, 1), y=i * (BAR_HEIGHT + GAP), width=round(width, 1),
            bottleneck=stage.name == bottleneck,
        ))
    bands = []
    for upper, lower, stage in zip(bars, bars[1:], funnel.stages[1:]):
        top, bottom = upper.y + BAR_HEIGHT, lower.y
        points = (f"{upper.x},{top} {upper.x + upper.width},{top} "
                  f"{lower.x + lower.width},{bottom} {lower.x},{bottom}")
        bands.append(Band(points=points, label_y=top + GAP / 2,
                          conversion=stage.conversion_from_previous, verdict=stage.verdict,
                          bottleneck=lower.bottleneck))
    height = len(bars) * (BAR_HEIGHT + GAP) - GAP if bars else 0
    return Chart(WIDTH, int(height), LABEL_WIDTH, BAR_HEIGHT, bars, bands)
