"""An event funnel's result with its time dimension: the time to convert into each step
(always) and the conversion per cohort (with `trend:`), for the audited period."""

from __future__ import annotations

import datetime as dt

import polars as pl

from funnelctl.config import Config, Funnel
from funnelctl.metrics.breakdown import summarise
from funnelctl.metrics.convert_time import time_to_convert
from funnelctl.metrics.event_trends import funnel_trend
from funnelctl.report import FunnelResult


def event_result(per_entity: pl.DataFrame, funnel: Funnel, config: Config,
                 horizon: dt.datetime | None, covered_end: dt.date | None,
                 timed: bool = True) -> FunnelResult:
    """summarise() of the entities, plus (when timed) time_to_convert per stage and the
    trend. horizon: the latest event read; covered_end: the audit period's last date."""
    result = summarise(per_entity, funnel, kind="events", significance=config.significance)
    if not timed:
        return result
    for stage, times in zip(result.stages, time_to_convert(
            per_entity, len(funnel.stages), funnel.window_seconds())):
        stage.time_to_convert = times
    if funnel.trend and "ts" in per_entity.columns:
        result.trend = funnel_trend(per_entity, funnel, config.timezone, horizon,
                                    covered_end, config.significance)
    return result


def latest_event(frame: pl.DataFrame) -> dt.datetime | None:
    return frame["ts"].max() if frame.height else None
