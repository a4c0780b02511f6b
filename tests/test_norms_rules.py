"""Every boundary of the article's norms table (DOMAIN.md), worked out by hand.

Good if ANY: 3 meetings; 2 meetings + 10 calls; 1 meeting + 30 calls; 50 calls.
Acceptable (if not good) if ANY: 2 meetings; 1 meeting + 15 calls; 25 calls.
Weekly meetings: 8-10 good, 11 or more excellent.
"""

from __future__ import annotations

import pytest

from tests.norms_support import MON, daily, day, grade, write_log, write_norms_config

# (meetings, calls, grade): each row is the table read by hand, at and around its edges.
DAY_CASES = [
    (3, 0, "good"),          # 3 meetings
    (2, 10, "good"),         # 2 meetings and at least 10 calls
    (2, 9, "acceptable"),    # one call short: still 2 meetings -> acceptable
    (1, 30, "good"),         # 1 meeting and 30 calls
    (1, 29, "acceptable"),   # one call short of good; 1 + 15 holds
    (1, 15, "acceptable"),   # the acceptable edge
    (1, 14, "below"),        # one call short of acceptable; 14 < 25 calls
    (0, 50, "good"),         # 50 calls
    (0, 49, "acceptable"),   # 49 >= 25
    (0, 25, "acceptable"),
    (0, 24, "below"),
    (2, 0, "acceptable"),    # 2 meetings alone
    (0, 0, "below"),         # nothing
]


@pytest.mark.parametrize(("meetings", "calls", "expected"), DAY_CASES)
def test_day_grade_boundaries(meetings, calls, expected):
    result = grade(daily(("A", MON, calls, meetings)), MON, MON)
    (graded,) = result.managers[0].days
    assert graded.grade == expected
    assert (graded.calls, graded.meetings) == (calls, meetings)


def test_day_grades_add_up_per_manager():
    # Mon good (50 calls), Tue acceptable (2 meetings), Wed below (24 calls), Thu/Fri nothing.
    frame = daily(("A", day(0), 50, 0), ("A", day(1), 0, 2), ("A", day(2), 24, 0))
    m = grade(frame, day(0), day(4)).managers[0]
    assert (m.good_days, m.acceptable_days, m.below_days, m.empty_days) == (1, 1, 3, 2)
    assert (m.calls, m.meetings) == (74, 2)


def test_a_day_with_no_row_is_below():
    m = grade(daily(("A", day(0), 50, 0)), day(0), day(1)).managers[0]
    assert [d.grade for d in m.days] == ["good", "below"]
    assert (m.days[1].calls, m.days[1].meetings) == (0, 0)


@pytest.mark.parametrize(("meetings", "expected"),
                         [(7, "below"), (8, "good"), (10, "good"), (11, "excellent")])
def test_weekly_meeting_grades(meetings, expected):
    # The whole of ISO week 2024-W06 is in the period; all meetings on Monday.
    m = grade(daily(("A", MON, 0, meetings)), day(0), day(6)).managers[0]
    (week,) = m.weeks
    assert (week.week, week.start, week.meetings, week.grade) == ("2024-W06", MON, meetings,
                                                                 expected)


def test_weekly_meetings_add_up_over_the_week():
    frame = daily(*(("A", day(i), 0, 2) for i in range(5)), ("A", day(5), 0, 1))  # 10 + Sat 1
    (week,) = grade(frame, day(0), day(6)).managers[0].weeks
    assert (week.meetings, week.grade) == (11, "excellent")


def test_config_rules_replace_the_defaults():
    frame = daily(("A", day(0), 10, 0), ("A", day(1), 5, 0), ("A", day(2), 4, 0))
    result = grade(frame, day(0), day(2), daily={"good": [{"calls": 10}],
                                                 "acceptable": [{"calls": 5}]})
    assert [d.grade for d in result.managers[0].days] == ["good", "acceptable", "below"]


def test_weekly_thresholds_come_from_the_config():
    result = grade(daily(("A", MON, 0, 6)), day(0), day(6),
                   weekly={"meetings": {"excellent": 9, "good": 6}})
    assert result.managers[0].weeks[0].grade == "good"


def test_boundaries_end_to_end_from_an_activity_log(cli, tmp_path):
    # Per-row log: Mon 2 meetings + 10 calls (good), Tue 2 + 9 (acceptable),
    # Wed 1 + 14 (below); labels in English and Russian, any case.
    rows = []
    for offset, meetings, calls in ((0, 2, 10), (1, 2, 9), (2, 1, 14)):
        stamp = f"{day(offset)} 10:00:00"
        rows += [("Анна", stamp, "Встреча" if i % 2 else "Meeting") for i in range(meetings)]
        rows += [("Анна", stamp, ("Исходящий звонок", "call", "Звонок")[i % 3])
                 for i in range(calls)]
    write_log(tmp_path, rows)
    report = cli.json("audit", write_norms_config(tmp_path), "--period",
                      f"{day(0)}..{day(2)}")
    m = report["norms"]["managers"][0]
    assert [d["grade"] for d in m["days"]] == ["good", "acceptable", "below"]
    assert (m["good_days"], m["acceptable_days"], m["below_days"]) == (1, 1, 1)
    assert (m["calls"], m["meetings"]) == (33, 5)
