"""The norms part of `audit()`: read the activities source, grade it, describe its quality."""

from __future__ import annotations

import polars as pl

from funnelctl.config import Config
from funnelctl.io.activities import read_activities
from funnelctl.io.readers import open_source
from funnelctl.io.rejects import ledger, source_quality
from funnelctl.metrics.norms import grade_norms
from funnelctl.metrics.periods import DateRange
from funnelctl.report import NormsResult, SourceQuality


def norms_report(config: Config, dates: DateRange, qualities: dict[str, SourceQuality],
                 rejects: list[pl.DataFrame], before: DateRange | None = None,
                 ) -> tuple[NormsResult | None, NormsResult | None]:
    """Grade every manager's working days in the period (and, given `before`, in that
    earlier period too); the source's quality goes into `qualities` and its rejected rows
    into the `rejects` ledger."""
    if config.norms is None:
        return None, None
    name = config.norms.source
    source = config.sources[name]
    raw = open_source(name, source)
    activities = read_activities(raw, source, config.timezone)
    result = grade_norms(activities.daily, config.norms, dates, source=name)
    earlier = None
    if before and _has_activity(activities.daily, before):
        # A period before the export starts is "no data", not a run of below days.
        earlier = grade_norms(activities.daily, config.norms, before, source=name)
    rejects.append(ledger(name, activities.rejects))
    notes = []
    if activities.other_types:
        notes.append("activity types neither call nor meeting, not graded (map them with "
                     "type_values): " + ", ".join(
                         f"'{t}' ({n:,})" for t, n in list(activities.other_types.items())[:8]))
    if result.unlisted_managers:
        notes.append("managers not on the roster, not graded: " + ", ".join(
            f"{m} ({n:,} calls + meetings)" for m, n in result.unlisted_managers.items()))
    qualities[name] = source_quality(raw, activities.rows_read, activities.rejects,
                                     detected=raw.detected | {"shape": activities.shape},
                                     notes=notes)
    qualities[name].other_types = activities.other_types
    return result, earlier


def good_day_counts(result: NormsResult | None) -> dict[str, tuple[int, int]]:
    """manager -> (good days, working days): what a period comparison tests."""
    if result is None:
        return {}
    return {m.manager: (m.good_days, result.working_days) for m in result.managers}


def _has_activity(daily: pl.DataFrame, dates: DateRange) -> bool:
    return daily.filter(pl.col("date").is_between(dates.start, dates.end)).height > 0
