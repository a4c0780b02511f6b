"""Manager activity norms: grade every manager's working days and ISO weeks (pure Polars).

Input is the daily-totals frame of io/activities.py (manager, date, calls, meetings).
Every manager (the roster, or everyone seen in the period's data) gets every working day
of the period, a day without activity being a below day; activity on weekends and
holidays adds to the totals but is not graded. A roster entry with dates is graded from
its `from` to its `to` only (its own count of working days; its activity outside them is
left out and counted), and a team's members are graded by the team's rules.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import polars as pl

from funnelctl.config.norms import Calendar, Daily, Minimums, Norms, Weekly
from funnelctl.managers import name_key
from funnelctl.metrics.periods import DateRange
from funnelctl.report import (
    CalendarDays,
    DayGrade,
    ManagerNorms,
    NormsResult,
    NormsTotals,
    WeekGrade,
)

WORKING = "working"
WEEK = "week_start"
DAILY_COLUMNS = ["manager", "date", "calls", "meetings"]
DAY_COLUMNS = ["manager", "team", "date", WORKING, "calls", "meetings", "grade"]
COUNTS = ("good_days", "acceptable_days", "below_days", "empty_days", "calls", "meetings")


MANAGER_SCHEMA = {"manager": pl.String, "_from": pl.Date, "_to": pl.Date, "team": pl.String}


def grade_norms(daily: pl.DataFrame, norms: Norms, dates: DateRange,
                source: str = "", language: str = "en",
                days_out: list[pl.DataFrame] | None = None) -> NormsResult:
    """`daily`: the manager-day counts (manager, date, calls, meetings; one row per
    manager and day, any engine's). `language`: of the country calendar's holiday names.
    `days_out` gets the graded days frame (day_grades), for the scorecard's manager-weeks.

    The grading is one lazy plan over that small table, collected once: each eager step
    on a frame of a few thousand rows costs more in overhead than in work."""
    start, end = graded_range(daily, dates)
    in_range = daily if dates.start is None else daily.filter(
        pl.col("date").is_between(start, end, closed="both"))
    roster = norms.roster_names()
    managers = roster if roster is not None else sorted(
        in_range.get_column("manager").unique().to_list())
    away = [] if start is None else [
        m.name for m in norms.members() or []
        if (m.from_ and m.from_ > end) or (m.to and m.to < start)]
    managers = [m for m in managers if m not in away]
    people = manager_frame(managers, norms)
    calendar, calendar_days = calendar_frame(start, end, norms.calendar, with_days=True,
                                             language=language)
    listed = in_range.lazy().filter(pl.col("manager").is_in(managers))
    graded = listed.join(people.lazy(), on="manager").filter(within_dates()).select(
        DAILY_COLUMNS)
    days = day_grades(graded, calendar.lazy(), norms, people.lazy())
    days, summary, weeks, outside, unlisted = pl.collect_all([
        days, manager_summary(days, norms), week_grades(days, start, end, norms, people.lazy()),
        outside_dates(listed, people.lazy()), unlisted_managers(in_range.lazy(), roster)])
    if days_out is not None:
        days_out.append(days)
    working_days = int(calendar.get_column(WORKING).sum())
    return NormsResult(
        source=source, start=start, end=end, working_days=working_days,
        managers=build_managers(managers, summary, days, weeks, working_days, people),
        totals=NormsTotals(**{c: int(summary.get_column(c).sum()) for c in COUNTS}),
        unlisted_managers=dict(unlisted.iter_rows()), outside_dates=dict(outside.iter_rows()),
        calendar=calendar_days, not_in_period=away,
    )


def manager_frame(managers: list[str], norms: Norms) -> pl.DataFrame:
    """manager, _from, _to (the roster dates, null: the period's), team (null: none)."""
    dates = {m.name: (m.from_, m.to) for m in norms.members() or []}
    teams = {name_key(member): t.name for t in norms.teams for member in t.members}
    rows = [(m, *dates.get(m, (None, None)), teams.get(name_key(m))) for m in managers]
    return pl.DataFrame(rows, schema=MANAGER_SCHEMA, orient="row")


def within_dates() -> pl.Expr:
    """The row's date lies inside the manager's roster dates (open ends: no bound)."""
    return pl.col("date").is_between(pl.col("_from").fill_null(dt.date.min),
                                     pl.col("_to").fill_null(dt.date.max))


def outside_dates(daily: pl.LazyFrame, people: pl.LazyFrame) -> pl.LazyFrame:
    """manager, n: roster managers' calls + meetings before their `from` or after their
    `to`."""
    before, after = pl.col("date") < pl.col("_from"), pl.col("date") > pl.col("_to")
    return (daily.join(people, on="manager").filter(before.fill_null(False)
                                                    | after.fill_null(False))
            .group_by("manager").agg(n=(pl.col("calls") + pl.col("meetings")).sum())
            .filter(pl.col("n") > 0).sort("manager"))


def graded_range(daily: pl.DataFrame, dates: DateRange) -> tuple[dt.date | None, dt.date | None]:
    """The period's dates, or the first to the last activity date when there is no period."""
    if dates.start is not None:
        return dates.start, dates.end
    if daily.height == 0:
        return None, None
    return daily.get_column("date").min(), daily.get_column("date").max()


def unlisted_managers(daily: pl.LazyFrame, roster: list[str] | None) -> pl.LazyFrame:
    """manager, activities: managers with activity in the period who are not on the
    roster (none without a roster), their calls + meetings."""
    if roster is None:
        daily = daily.clear()
    else:
        daily = daily.filter(~pl.col("manager").is_in(roster))
    return (daily.group_by("manager")
            .agg(activities=(pl.col("calls") + pl.col("meetings")).sum()).sort("manager"))


def calendar_frame(start: dt.date | None, end: dt.date | None, calendar: Calendar,
                   with_days: bool = False, language: str = "en"):
    """Every date of the range, with whether it is a working day: a workday of the week
    that is no holiday, or a transferred working day (the country's, or working_dates:).
    With `with_days`, also the CalendarDays the report shows."""
    used = CalendarDays(country=calendar.country)
    if start is None:
        frame = pl.DataFrame(schema={"date": pl.Date, WORKING: pl.Boolean})
        return (frame, used) if with_days else frame
    off, extra = list(calendar.holidays), list(calendar.working_dates)
    if calendar.country:
        from funnelctl.production_calendar import country_days  # only with a country

        country = country_days(calendar.country, start, end, language)
        off += country.days_off
        extra += country.working
        used.holidays = {d.isoformat(): n for d, n in sorted(country.days_off.items())}
    # A date the user lists in holidays: stays a day off even if the country works it.
    extra = [d for d in extra if d not in calendar.holidays]
    dates = pl.date_range(start, end, interval="1d", eager=True).alias("date").to_frame()
    working = ((pl.col("date").dt.weekday().is_in(calendar.workday_numbers())
                & ~pl.col("date").is_in(off)) | pl.col("date").is_in(extra))
    frame = dates.with_columns(working.alias(WORKING))
    weekday = {WEEKDAYS_ISO[n] for n in calendar.workday_numbers()}
    used.working_dates = sorted(d for d in set(extra) if start <= d <= end
                                and WEEKDAYS_ISO[d.isoweekday()] not in weekday)
    return (frame, used) if with_days else frame


WEEKDAYS_ISO = {i + 1: i for i in range(7)}


def meets_any(rules: list[Minimums]) -> pl.Expr:
    """True where the day meets at least one rule (every minimum of that rule)."""
    return pl.any_horizontal(
        (pl.col("calls") >= r.calls) & (pl.col("meetings") >= r.meetings) for r in rules)


def day_grade(daily: Daily) -> pl.Expr:
    return (pl.when(meets_any(daily.good)).then(pl.lit("good"))
            .when(meets_any(daily.acceptable)).then(pl.lit("acceptable"))
            .otherwise(pl.lit("below")))


def by_team(norms: Norms, rule, top) -> pl.Expr:
    """`rule(team)` for each team's members, `top` for everyone else (null: top-level)."""
    expr = top
    for team in norms.teams:
        own = rule(team)
        if own is not None:
            expr = pl.when(pl.col("team") == team.name).then(own).otherwise(expr)
    return expr


def day_grades(daily: pl.LazyFrame, calendar: pl.LazyFrame, norms: Norms,
               people: pl.LazyFrame) -> pl.LazyFrame:
    """manager, team, date, working, calls, meetings, grade, week_start: every (manager,
    working day) pair inside the manager's dates, plus the off-calendar days with
    activity (grade null)."""
    grid = people.join(calendar.filter(pl.col(WORKING)), how="cross").filter(within_dates())
    worked = grid.join(daily, on=["manager", "date"], how="left").with_columns(
        pl.col("calls", "meetings").fill_null(0))
    off = daily.join(calendar.filter(~pl.col(WORKING)), on="date", how="inner").join(
        people, on="manager", how="left")
    grade = by_team(norms, lambda t: t.daily and day_grade(t.daily), day_grade(norms.daily))
    worked = worked.with_columns(grade=grade)
    off = off.with_columns(grade=pl.lit(None, pl.String))
    return (pl.concat([worked.select(DAY_COLUMNS), off.select(DAY_COLUMNS)])
            .with_columns(pl.col("date").dt.truncate("1w").alias(WEEK))
            .sort("manager", "date"))


def manager_summary(days: pl.LazyFrame, norms: Norms) -> pl.LazyFrame:
    """Counts per manager; `working_days` is the manager's own (inside its roster dates)."""
    grade, activity = pl.col("grade"), pl.col("calls") + pl.col("meetings")
    summary = days.group_by("manager").agg(
        working_days=grade.is_not_null().sum(),
        good_days=(grade == "good").sum(),
        acceptable_days=(grade == "acceptable").sum(),
        below_days=(grade == "below").sum(),
        empty_days=(pl.col(WORKING) & (activity == 0)).sum(),
        calls=pl.col("calls").sum(),
        meetings=pl.col("meetings").sum(),
    )
    # Counts against limit x days, not a float share: Polars divides by a scalar through
    # its reciprocal (3 / 5 -> 0.6000000000000001), which could tip a share at the limit.
    # Multiplying is exact where Python's is (the same IEEE product), then rounded as before.
    below, limits, n = pl.col("below_days"), norms.below_share, pl.col("working_days")
    verdict = (pl.when(below > (n * limits.fail).round(9)).then(pl.lit("fail"))
               .when(below > (n * limits.warn).round(9)).then(pl.lit("warn"))
               .otherwise(pl.lit("ok")))
    return summary.with_columns(verdict=verdict)


def week_grade(weekly: Weekly) -> pl.Expr:
    limits, meetings = weekly.meetings, pl.col("meetings")
    if limits is None:  # no weekly norm: shown, not graded
        return pl.lit(None, pl.String)
    return (pl.when(meetings >= limits.excellent).then(pl.lit("excellent"))
            .when(meetings >= limits.good).then(pl.lit("good")).otherwise(pl.lit("below")))


def week_grades(days: pl.LazyFrame, start: dt.date | None, end: dt.date | None,
                norms: Norms, people: pl.LazyFrame) -> pl.LazyFrame:
    """Meetings per manager and ISO week; a week is graded only when every calendar
    workday of it lies inside the range and inside the manager's roster dates (a partial
    week would be graded unfairly)."""
    workdays = norms.calendar.workday_numbers()
    monday = pl.col(WEEK)
    first = monday + pl.duration(days=workdays[0] - 1)
    last = monday + pl.duration(days=workdays[-1] - 1)
    lo, hi = pl.lit(start, pl.Date), pl.lit(end, pl.Date)
    full = ((first >= pl.max_horizontal(lo, pl.col("_from").fill_null(lo)))
            & (last <= pl.min_horizontal(hi, pl.col("_to").fill_null(hi))))
    grade = pl.when(~full).then(pl.lit(None, pl.String)).otherwise(
        by_team(norms, lambda t: t.weekly and week_grade(t.weekly), week_grade(norms.weekly)))
    weeks = days.group_by("manager", WEEK).agg(meetings=pl.col("meetings").sum())
    weeks = weeks.join(people, on="manager", how="left")
    return weeks.with_columns(grade=grade, week=monday.dt.strftime("%G-W%V")).sort(
        "manager", WEEK)


def build_managers(managers: list[str], summary: pl.DataFrame, days: pl.DataFrame,
                   weeks: pl.DataFrame, working_days: int,
                   people: pl.DataFrame | None = None) -> list[ManagerNorms]:
    """Report objects, in roster (or name) order; the grids become per-manager lists."""
    day_lists = per_manager(days, DayGrade, ["date", "calls", "meetings", "grade"])
    week_lists = per_manager(weeks, WeekGrade, ["week", WEEK, "meetings", "grade"])
    rows = {r["manager"]: r for r in summary.to_dicts()}
    info = {} if people is None else {r["manager"]: r for r in people.to_dicts()}
    out = []
    for name in managers:
        r = rows.get(name) or dict.fromkeys(COUNTS, 0) | {"verdict": "ok", "working_days": 0}
        own = info.get(name, {})
        n = r["working_days"]
        out.append(ManagerNorms(
            manager=name, good_days=r["good_days"], acceptable_days=r["acceptable_days"],
            below_days=r["below_days"], calls=r["calls"], meetings=r["meetings"],
            verdict=r["verdict"], empty_days=r["empty_days"],
            below_share=r["below_days"] / n if n else None,
            days=day_lists[name], weeks=week_lists[name], working_days=n,
            team=own.get("team"), active_from=own.get("_from"), active_to=own.get("_to")))
    return out


def per_manager(frame: pl.DataFrame, make, columns: list[str]) -> dict[str, list]:
    """manager -> [make(*row) for its rows, in frame order]: whole columns to Python
    lists once (a norms report has one row per manager-day; iter_rows is slower)."""
    made = list(map(make, *(frame.get_column(c).to_list() for c in columns)))
    out: dict[str, list] = defaultdict(list)
    for name, item in zip(frame.get_column("manager").to_list(), made):
        out[name].append(item)
    return out
