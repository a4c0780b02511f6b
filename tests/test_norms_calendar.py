"""Working days, periods, the roster and the per-manager verdict (worked out by hand).

Dates: 2024-02-05 is a Monday, so day(5) and day(6) are the weekend.
"""

from __future__ import annotations

from tests.norms_support import by_name, daily, day, grade


def test_weekend_and_holiday_are_not_working_days():
    # Mon..Sun with Wednesday a holiday: Mon, Tue, Thu, Fri work.
    result = grade(daily(("A", day(0), 50, 0)), day(0), day(6),
                   calendar={"holidays": [day(2)]})
    assert result.working_days == 4
    assert [d.date for d in result.managers[0].days] == [day(0), day(1), day(3), day(4)]


def test_weekend_and_holiday_activity_counts_in_totals_but_is_not_graded():
    frame = daily(("A", day(2), 50, 0), ("A", day(5), 0, 3), ("A", day(6), 25, 0))
    m = grade(frame, day(0), day(6), calendar={"holidays": [day(2)]}).managers[0]
    assert (m.calls, m.meetings) == (75, 3)
    assert (m.good_days, m.acceptable_days, m.below_days) == (0, 0, 4)
    off = [(d.date, d.grade) for d in m.days if d.grade is None]
    assert off == [(day(2), None), (day(5), None), (day(6), None)]


def test_custom_workdays():
    result = grade(daily(("A", day(5), 50, 0)), day(0), day(6),
                   calendar={"workdays": ["mon", "tue", "wed", "thu", "fri", "sat"]})
    assert result.working_days == 6
    assert result.managers[0].good_days == 1  # the Saturday now counts


def test_without_a_period_days_run_from_first_to_last_activity():
    # Tue 6 Feb .. Mon 12 Feb: Tue-Fri and Mon = 5 working days.
    frame = daily(("A", day(1), 50, 0), ("B", day(7), 50, 0))
    result = grade(frame)
    assert (result.start, result.end, result.working_days) == (day(1), day(7), 5)
    assert by_name(result)["A"].below_days == 4
    assert by_name(result)["B"].below_days == 4


def test_period_limits_the_days_and_the_totals():
    frame = daily(("A", day(0), 50, 0), ("A", day(1), 50, 0), ("A", day(7), 50, 0))
    m = grade(frame, day(1), day(4)).managers[0]
    assert (m.good_days, m.below_days, m.calls) == (1, 3, 50)


def test_roster_manager_without_rows_has_every_day_below():
    result = grade(daily(("A", day(0), 50, 0)), day(0), day(4), roster=["A", "B"])
    b = by_name(result)["B"]
    assert (b.good_days, b.acceptable_days, b.below_days, b.empty_days) == (0, 0, 5, 5)
    assert (b.calls, b.meetings, b.verdict) == (0, 0, "fail")
    assert [d.grade for d in b.days] == ["below"] * 5


def test_managers_off_the_roster_are_listed_not_graded():
    frame = daily(("A", day(0), 50, 0), ("Trainee", day(0), 7, 2))
    result = grade(frame, day(0), day(0), roster=["A"])
    assert [m.manager for m in result.managers] == ["A"]
    assert result.unlisted_managers == {"Trainee": 9}


def test_without_a_roster_every_manager_in_the_period_is_graded():
    frame = daily(("A", day(0), 50, 0), ("B", day(0), 1, 0), ("C", day(9), 1, 0))
    result = grade(frame, day(0), day(4))
    assert [m.manager for m in result.managers] == ["A", "B"]


def test_verdict_is_warn_above_20_and_fail_above_40_percent_below():
    # 5 working days; below days: A 1 (20%: not above), B 2 (40%), C 3 (60%).
    rows = [(name, day(i), 50, 0) for name, good in (("A", 4), ("B", 3), ("C", 2))
            for i in range(good)]
    result = by_name(grade(daily(*rows), day(0), day(4)))
    assert [(result[n].below_share, result[n].verdict) for n in "ABC"] == [
        (0.2, "ok"), (0.4, "warn"), (0.6, "fail")]


def test_verdict_limits_come_from_the_config():
    rows = [("A", day(i), 50, 0) for i in range(4)]  # 1 of 5 below
    m = grade(daily(*rows), day(0), day(4), below_share={"warn": 0.1, "fail": 0.15}).managers[0]
    assert m.verdict == "fail"


def test_partial_weeks_are_not_graded():
    # Wed 7 .. Tue 13 Feb: W06 has only Wed-Fri inside, W07 only Mon-Tue.
    m = grade(daily(("A", day(2), 0, 20)), day(2), day(8)).managers[0]
    assert [(w.week, w.meetings, w.grade) for w in m.weeks] == [
        ("2024-W06", 20, None), ("2024-W07", 0, None)]


def test_team_totals():
    frame = daily(("A", day(0), 50, 0), ("B", day(0), 0, 2), ("B", day(5), 3, 0))
    t = grade(frame, day(0), day(1)).totals
    assert (t.good_days, t.acceptable_days, t.below_days, t.empty_days) == (1, 1, 2, 2)
    assert (t.calls, t.meetings) == (50, 2)  # the weekend is outside the period


def test_no_activity_and_no_period_grades_nothing():
    result = grade(daily(), roster=["A"])
    assert result.working_days == 0
    assert (result.managers[0].below_days, result.managers[0].verdict) == (0, "ok")
