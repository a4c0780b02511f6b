"""Manager activity norms: grade every manager's working days and ISO weeks (pure Polars).

Input is the daily-totals frame of io/activities.py (manager, date, calls, meetings).
Every manager (the roster, or everyone seen in the period's data) gets every working day
of the period, a day without activity being a below day; activity on weekends and
holidays adds to the totals but is not graded.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import polars as pl

from funnelctl.config.norms import Calendar, Minimums, Norms
from funnelctl.metrics.periods import DateRange
from funnelctl.report import DayGrade, ManagerNorms, NormsResult, NormsTotals, WeekGrade

WORKING = "working"
WEEK = "week_start"
COUNTS = ("good_days", "acceptable_days", "below_days", "empty_days", "calls", "meetings")


def grade_norms(daily: pl.DataFrame, norms: Norms, dates: DateRange,
                source: str = "") -> NormsResult:
    start, end = graded_range(daily, dates)
    if start is None:
        in_range = daily.clear()
    else:
        in_range = daily.filter(pl.col("date").is_between(start, end, closed="both"))
    managers = norms.roster if norms.roster is not None else sorted(
        in_range.get_column("manager").unique().to_list())
    unlisted = unlisted_managers(in_range, norms.roster)
    in_range = in_range.filter(pl.col("manager").is_in(managers))
    calendar = calendar_frame(start, end, norms.calendar)
    days = day_grades(in_range, managers, calendar, norms)
    working_days = int(calendar.get_column(WORKING).sum())
    summary = manager_summary(days, working_days, norms)
    weeks = week_grades(days, start, end, norms)
    return NormsResult(
        source=source, start=start, end=end, working_days=working_days,
        managers=build_managers(managers, summary, days, weeks, working_days),
        totals=NormsTotals(**{c: int(summary.get_column(c).sum()) for c in COUNTS}),
        unlisted_managers=unlisted,
    )


def graded_range(daily: pl.DataFrame, dates: DateRange) -> tuple[dt.date | None, dt.date | None]:
    """The period's dates, or the first to the last activity date when there is no period."""
    if dates.start is not None:
        return dates.start, dates.end
    if daily.height == 0:
        return None, None
    return daily.get_column("date").min(), daily.get_column("date").max()


def unlisted_managers(daily: pl.DataFrame, roster: list[str] | None) -> dict[str, int]:
    """Managers with activity in the period who are not on the roster: calls + meetings."""
    if roster is None:
        return {}
    out = (daily.filter(~pl.col("manager").is_in(roster)).group_by("manager")
           .agg(activities=(pl.col("calls") + pl.col("meetings")).sum()).sort("manager"))
    return dict(out.iter_rows())


def calendar_frame(start: dt.date | None, end: dt.date | None,
                   calendar: Calendar) -> pl.DataFrame:
    """Every date of the range, with whether it is a working day."""
    if start is None:
        return pl.DataFrame(schema={"date": pl.Date, WORKING: pl.Boolean})
    dates = pl.date_range(start, end, interval="1d", eager=True).alias("date").to_frame()
    working = (pl.col("date").dt.weekday().is_in(calendar.workday_numbers())
               & ~pl.col("date").is_in(calendar.holidays))
    return dates.with_columns(working.alias(WORKING))


def meets_any(rules: list[Minimums]) -> pl.Expr:
    """True where the day meets at least one rule (every minimum of that rule)."""
    return pl.any_horizontal(
        (pl.col("calls") >= r.calls) & (pl.col("meetings") >= r.meetings) for r in rules)


def day_grades(daily: pl.DataFrame, managers: list[str], calendar: pl.DataFrame,
               norms: Norms) -> pl.DataFrame:
    """manager, date, calls, meetings, working, grade: every (manager, working day) pair,
    plus the off-calendar days with activity (grade null)."""
    roster = pl.DataFrame({"manager": managers}, schema={"manager": pl.String})
    grid = roster.join(calendar.filter(pl.col(WORKING)), how="cross")
    worked = grid.join(daily, on=["manager", "date"], how="left").with_columns(
        pl.col("calls", "meetings").fill_null(0))
    off = daily.join(calendar.filter(~pl.col(WORKING)), on="date", how="inner")
    grade = (pl.when(meets_any(norms.daily.good)).then(pl.lit("good"))
             .when(meets_any(norms.daily.acceptable)).then(pl.lit("acceptable"))
             .otherwise(pl.lit("below")))
    worked = worked.with_columns(grade=grade)
    off = off.with_columns(grade=pl.lit(None, pl.String))
    return (pl.concat([worked, off.select(worked.columns)])
            .with_columns(pl.col("date").dt.truncate("1w").alias(WEEK))
            .sort("manager", "date"))


def manager_summary(days: pl.DataFrame, working_days: int, norms: Norms) -> pl.DataFrame:
    grade, activity = pl.col("grade"), pl.col("calls") + pl.col("meetings")
    summary = days.group_by("manager").agg(
        good_days=(grade == "good").sum(),
        acceptable_days=(grade == "acceptable").sum(),
        below_days=(grade == "below").sum(),
        empty_days=(pl.col(WORKING) & (activity == 0)).sum(),
        calls=pl.col("calls").sum(),
        meetings=pl.col("meetings").sum(),
    )
    # Counts against limit x days, not a float share: Polars divides by a scalar through
    # its reciprocal (3 / 5 -> 0.6000000000000001), which could tip a share at the limit.
    below, limits = pl.col("below_days"), norms.below_share
    verdict = (pl.when(below > round(limits.fail * working_days, 9)).then(pl.lit("fail"))
               .when(below > round(limits.warn * working_days, 9)).then(pl.lit("warn"))
               .otherwise(pl.lit("ok")))
    return summary.with_columns(verdict=verdict)


def week_grades(days: pl.DataFrame, start: dt.date | None, end: dt.date | None,
                norms: Norms) -> pl.DataFrame:
    """Meetings per manager and ISO week; a week is graded only when every calendar
    workday of it lies inside the range (a partial week would be graded unfairly)."""
    workdays = norms.calendar.workday_numbers()
    monday = pl.col(WEEK)
    full = ((monday + pl.duration(days=workdays[0] - 1) >= pl.lit(start))
            & (monday + pl.duration(days=workdays[-1] - 1) <= pl.lit(end)))
    limits = norms.weekly.meetings
    meetings = pl.col("meetings")
    grade = (pl.when(~full).then(pl.lit(None, pl.String))
             .when(meetings >= limits.excellent).then(pl.lit("excellent"))
             .when(meetings >= limits.good).then(pl.lit("good")).otherwise(pl.lit("below")))
    weeks = days.group_by("manager", WEEK).agg(meetings=pl.col("meetings").sum())
    return weeks.with_columns(grade=grade, week=monday.dt.strftime("%G-W%V")).sort(
        "manager", WEEK)


def build_managers(managers: list[str], summary: pl.DataFrame, days: pl.DataFrame,
                   weeks: pl.DataFrame, working_days: int) -> list[ManagerNorms]:
    """Report objects, in roster (or name) order; the grids become per-manager lists."""
    day_lists: dict[str, list[DayGrade]] = defaultdict(list)
    for name, date, calls, meetings, grade in days.select(
            "manager", "date", "calls", "meetings", "grade").iter_rows():
        day_lists[name].append(DayGrade(date, calls, meetings, grade))
    week_lists: dict[str, list[WeekGrade]] = defaultdict(list)
    for name, week, monday, meetings, grade in weeks.select(
            "manager", "week", WEEK, "meetings", "grade").iter_rows():
        week_lists[name].append(WeekGrade(week, monday, meetings, grade))
    rows = {r["manager"]: r for r in summary.to_dicts()}
    out = []
    for name in managers:
        r = rows.get(name) or dict.fromkeys(COUNTS, 0) | {"verdict": "ok"}
        out.append(ManagerNorms(
            manager=name, good_days=r["good_days"], acceptable_days=r["acceptable_days"],
            below_days=r["below_days"], calls=r["calls"], meetings=r["meetings"],
            verdict=r["verdict"], empty_days=r["empty_days"],
            below_share=r["below_days"] / working_days if working_days else None,
            days=day_lists[name], weeks=week_lists[name]))
    return out
