"""The norms part of `audit()`: read the activities sources, match the managers' names
across them, grade the result, describe each source's quality."""

from __future__ import annotations

import datetime as dt

import polars as pl

from funnelctl.config import Config
from funnelctl.config.norms import Norms
from funnelctl.io.activities import DAILY_SCHEMA, Activities, read_activities
from funnelctl.io.readers import open_source
from funnelctl.io.rejects import ledger, source_quality
from funnelctl.managers import NameMatch, match_names
from funnelctl.metrics.norms import grade_norms
from funnelctl.metrics.periods import DateRange
from funnelctl.report import NameMatches, NormsResult, SourceQuality, TeamNorms


def norms_report(config: Config, dates: DateRange, qualities: dict[str, SourceQuality],
                 rejects: list[pl.DataFrame], before: DateRange | None = None,
                 as_of: dt.date | None = None, days_out: list[pl.DataFrame] | None = None,
                 ) -> tuple[NormsResult | None, NormsResult | None]:
    """Grade every manager's working days in the period (and, given `before`, in that
    earlier period too); each source's quality goes into `qualities` and its rejected
    rows into the `rejects` ledger; `days_out` gets the period's graded days frame."""
    if config.norms is None:
        return None, None
    norms = config.norms
    read: dict[str, Activities] = {}
    raws = {}
    counted: dict[str, SourceQuality] = {}  # engine: clickhouse: rejects counted there
    for name in norms.sources():
        source = config.sources[name]
        if source.engine == "clickhouse":
            from funnelctl.engines.clickhouse_norms import read_activities as on_clickhouse

            read[name], counted[name] = on_clickhouse(name, source, config, as_of)
            continue
        raws[name] = open_source(name, source)
        read[name] = read_activities(raws[name], source, config.timezone, as_of)
    rows: dict[str, int] = {}
    for activities in read.values():
        for manager, n in activities.rows_per_manager.items():
            rows[manager] = rows.get(manager, 0) + n
    match = match_names(rows, norms.roster_names(), config.managers.aliases,
                        config.managers.ignore)
    daily = matched_daily([a.daily for a in read.values()], match)
    label = ", ".join(read)
    result = grade_norms(daily, norms, dates, source=label, language=config.language,
                         days_out=days_out)
    describe(result, norms, match, read, config)
    earlier = None
    if before and _has_activity(daily, before):
        # A period before the export starts is "no data", not a run of below days.
        earlier = grade_norms(daily, norms, before, source=label, language=config.language)
    for name, activities in read.items():
        notes = source_notes(activities, config.sources[name].min_call_seconds)
        if name in counted:
            qualities[name] = counted[name]
            qualities[name].notes += notes
        else:
            rejects.append(ledger(name, activities.rejects))
            qualities[name] = source_quality(
                raws[name], activities.rows_read, activities.rejects,
                detected=raws[name].detected | {"shape": activities.shape}, notes=notes)
        qualities[name].other_types = activities.other_types
    first = qualities[next(iter(read))]
    first.notes += team_notes(result)
    return result, earlier


def matched_daily(frames: list[pl.DataFrame], match: NameMatch) -> pl.DataFrame:
    """Every source's daily totals under the matched names, system users left out; a
    manager's day in two sources adds up."""
    daily = pl.concat([f.lazy() for f in frames]) if frames else pl.LazyFrame(
        schema=DAILY_SCHEMA)
    ignored = list(match.ignored)
    return (daily.filter(~pl.col("manager").is_in(ignored))
            .with_columns(pl.col("manager").replace(match.counts_as))
            .group_by("manager", "date").agg(pl.col("calls").sum(), pl.col("meetings").sum())
            .sort("manager", "date").cast(DAILY_SCHEMA).collect())


def describe(result: NormsResult, norms: Norms, match: NameMatch,
             read: dict[str, Activities], config: Config) -> None:
    """What the report shows beside the grades: sources, teams, names, ignored rows,
    short calls."""
    result.sources = list(read)
    result.teams = [TeamNorms(
        name=t.name, members=list(t.members),
        daily_good=[r.model_dump() for r in (t.daily or norms.daily).good],
        daily_acceptable=[r.model_dump() for r in (t.daily or norms.daily).acceptable],
        weekly_meetings=weekly_limits(t.weekly or norms.weekly)) for t in norms.teams]
    result.names = NameMatches(merged=dict(sorted(match.merged.items())),
                               ambiguous=dict(sorted(match.ambiguous.items())),
                               unmatched=list(match.unmatched))
    result.ignored_rows = dict(sorted(match.ignored.items()))
    result.short_calls = sum(a.short_calls for a in read.values())
    result.min_call_seconds = {name: config.sources[name].min_call_seconds for name in read
                               if config.sources[name].min_call_seconds is not None}


def weekly_limits(weekly) -> dict[str, int] | None:
    return None if weekly.meetings is None else weekly.meetings.model_dump()


def source_notes(activities: Activities, min_call_seconds: int | None) -> list[str]:
    notes = []
    if activities.other_types:
        notes.append("activity types neither call nor meeting, not graded (map them with "
                     "type_values): " + ", ".join(
                         f"'{t}' ({n:,})" for t, n in list(activities.other_types.items())[:8]))
    if min_call_seconds is not None:
        notes.append(f"calls shorter than {min_call_seconds} s, not counted: "
                     f"{activities.short_calls:,}")
    return notes


def team_notes(result: NormsResult) -> list[str]:
    """The roster note (on the first norms source); system users, names and roster dates
    are in the norms section's own notes (render/norms_notes.py)."""
    if not result.unlisted_managers:
        return []
    return ["managers not on the roster, not graded: " + ", ".join(
        f"{m} ({n:,} calls + meetings)" for m, n in result.unlisted_managers.items())]


def good_day_counts(result: NormsResult | None) -> dict[str, tuple[int, int]]:
    """manager -> (good days, working days): what a period comparison tests."""
    if result is None:
        return {}
    return {m.manager: (m.good_days, m.working_days) for m in result.managers}


def _has_activity(daily: pl.DataFrame, dates: DateRange) -> bool:
    return daily.filter(pl.col("date").is_between(dates.start, dates.end)).height > 0
