"""Norms that fit a real team: roster dates, teams, system users, aliases, a telephony
export (every row a call, durations) and min_call_seconds. Numbers worked out by hand.

Dates: 2024-02-05 (day 0) is a Monday; days 0-4 and 7-11 are the two weeks' workdays.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import assert_error, write_csv
from tests.norms_support import by_name, daily, day, grade, norms_of, write_norms_config


def test_roster_dates_grade_each_manager_on_its_own_days():
    frame = daily(("A", day(1), 50, 0), ("A", day(8), 50, 0), ("B", day(0), 0, 3),
                  ("B", day(4), 0, 3), ("C", day(9), 25, 0))
    roster = [{"name": "A", "from": day(7)}, {"name": "B", "to": day(2)}, "C"]
    result = grade(frame, day(0), day(13), roster=roster)
    a, b, c = (by_name(result)[n] for n in "ABC")
    assert result.working_days == 10
    # A from the second Monday: 5 working days, one good; the call day before is not graded
    assert (a.working_days, a.good_days, a.below_days, a.calls) == (5, 1, 4, 50)
    assert [d.date for d in a.days] == [day(i) for i in range(7, 12)]
    assert result.outside_dates == {"A": 50, "B": 3}
    # B until Wednesday: Mon good (3 meetings), Tue and Wed below; Friday's meetings left out
    assert (b.working_days, b.good_days, b.below_days, b.meetings) == (3, 1, 2, 3)
    assert str(b.active_to) == "2024-02-07" and b.active_from is None
    # C: the whole period
    assert (c.working_days, c.acceptable_days, c.below_days) == (10, 1, 9)
    # shares and verdicts on the manager's own days: A 4/5 = 0.8, B 2/3, C 9/10
    assert a.below_share == pytest.approx(0.8) and b.below_share == pytest.approx(2 / 3)
    assert (a.verdict, b.verdict, c.verdict) == ("fail", "fail", "fail")
    # weekly meetings: a week is graded only when the manager's dates cover its workdays
    assert [(w.week, w.grade) for w in a.weeks] == [("2024-W07", "below")]
    assert [(w.week, w.grade) for w in b.weeks] == [("2024-W06", None)]
    assert result.totals.below_days == 4 + 2 + 9


def test_a_manager_whose_dates_miss_the_period_is_not_graded():
    result = grade(daily(("A", day(0), 50, 0)), day(0), day(4),
                   roster=["A", {"name": "Later", "from": day(20)}])
    assert [m.manager for m in result.managers] == ["A"]
    assert result.not_in_period == ["Later"]


def test_teams_have_their_own_rules_and_the_rest_the_top_level_ones():
    # 40 calls: below the top-level norm (25 calls acceptable, 50 good) -> acceptable;
    # the phone team's good is 40 calls, acceptable 20.
    frame = daily(("Phone", day(0), 40, 0), ("Phone", day(1), 20, 0), ("Field", day(0), 40, 0),
                  ("Phone", day(2), 0, 1))
    teams = [{"name": "Phone sales", "members": ["Phone"],
              "daily": {"good": [{"calls": 40}], "acceptable": [{"calls": 20}]},
              "weekly": {"meetings": {"excellent": 2, "good": 1}}}]
    result = grade(frame, day(0), day(4), teams=teams)
    phone, field = by_name(result)["Phone"], by_name(result)["Field"]
    assert (phone.good_days, phone.acceptable_days, phone.below_days) == (1, 1, 3)
    assert phone.team == "Phone sales" and field.team is None
    assert (field.good_days, field.acceptable_days, field.below_days) == (0, 1, 4)
    assert [w.grade for w in phone.weeks] == ["good"]  # 1 meeting, team's good is 1
    assert [w.grade for w in field.weeks] == ["below"]  # top-level good is 8


@pytest.mark.parametrize(("block", "fragments"), [
    ("  teams:\n    - {name: T1, members: [A]}\n    - {name: T2, members: [a]}\n",
     ("a is in two teams (T1 and T2)",)),
    ("  roster: [A]\n  teams: [{name: T, members: [B]}]\n", ("B (team T) is not on the roster",)),
    ("  roster: [{name: A, from: 2024-03-01, to: 2024-02-01}]\n",
     ("to (2024-02-01) is before from (2024-03-01)",)),
    ("  roster: [A, {name: ' a '}]\n", ("names listed twice",)),
    ("  roster: [{name: A, since: 2024-03-01}]\n", ("unknown key 'since'",)),
])
def test_team_and_roster_config_errors(cli, tmp_path, block, fragments):
    write_csv(tmp_path / "act.csv", ["manager", "ts", "type"], [["A", "2024-02-05 10:00", "call"]])
    assert_error(cli("audit", write_norms_config(tmp_path, norms=block)), "audit.yaml:",
                 *fragments)


def test_an_alias_to_a_name_off_the_roster_is_a_config_error(cli, tmp_path):
    write_csv(tmp_path / "act.csv", ["manager", "ts", "type"], [["A", "2024-02-05 10:00", "call"]])
    config = write_norms_config(tmp_path, norms="  roster: [A]\n")
    config.write_text(config.read_text(encoding="utf-8") + "managers:\n  aliases: {17: Bee}\n",
                      encoding="utf-8")
    assert_error(cli("audit", config), "audit.yaml:", "managers.aliases",
                 "alias '17' -> 'Bee'", "not on norms.roster")


# A CRM log (meetings) and a telephony export (every row a call, "mm:ss" durations, the
# manager written with initials or as a user id, a system user): Mon 5 .. Fri 9 Feb 2024.
CRM = [["Анна Смирнова", "05.02.2024 10:00", "Встреча"],
       ["Анна Смирнова", "05.02.2024 12:00", "Встреча"],
       ["0", "05.02.2024 12:00", "Встреча"],
       ["Борис Петров", "06.02.2024 11:00", "Встреча"]]
PHONE = ([["Смирнова А.", f"05.02.2024 1{i % 10}:0{i % 6}", "01:05"] for i in range(9)]
         + [["Смирнова А.", "05.02.2024 17:00", "00:29"],  # short: under 30 s
            ["Смирнова А.", "05.02.2024 17:01", "00:30"],  # exactly 30 s: counted
            ["17", "06.02.2024 09:00", "1:02:03"],  # user id 17 = Борис Петров
            ["17", "06.02.2024 09:30", "0:00:10"],  # short
            ["Система", "06.02.2024 10:00", "02:00"],
            ["Система", "06.02.2024 10:05", "02:00"],
            ["Смирнова А.", "07.02.2024 10:00", "ок"],  # unreadable duration: rejected
            ["Смирнова Алла", "07.02.2024 10:00", "05:00"]])  # not on the roster


def telephony_config(tmp_path, min_seconds: str = "    min_call_seconds: 30\n"):
    write_csv(tmp_path / "crm.csv", ["Ответственный", "Дата", "Тип"], CRM)
    write_csv(tmp_path / "phone.csv", ["Сотрудник", "Начало звонка", "Длительность"], PHONE,
              sep=";")
    config = tmp_path / "audit.yaml"
    config.write_text(
        "version: 1\nperiod: {start: 2024-02-05, end: 2024-02-09}\nsources:\n"
        "  crm:\n    path: crm.csv\n    kind: activities\n    date_format: '%d.%m.%Y %H:%M'\n"
        "    columns: {manager: Ответственный, ts: Дата, type: Тип}\n"
        "  phone:\n    path: phone.csv\n    kind: activities\n    date_format: '%d.%m.%Y %H:%M'\n"
        "    columns: {manager: Сотрудник, ts: Начало звонка, duration: Длительность}\n"
        f"    type_values: {{type: call}}\n{min_seconds}"
        "norms:\n  source: [crm, phone]\n  roster: [Анна Смирнова, Борис Петров]\n"
        "managers:\n  aliases: {17: Борис Петров}\n  ignore: [система]\n", encoding="utf-8")
    return config


def test_a_telephony_export_adds_calls_under_the_matched_names(cli, tmp_path):
    result = cli("audit", telephony_config(tmp_path), "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    norms = report["norms"]
    anna, boris = norms_of(report)["Анна Смирнова"], norms_of(report)["Борис Петров"]
    # Anna on Monday: 2 meetings (CRM) + 9 calls of 65 s + one of 30 s = 10 calls ->
    # good (2 meetings and 10 calls); the 29 s call is not counted.
    monday = next(d for d in anna["days"] if d["date"] == "2024-02-05")
    assert (monday["calls"], monday["meetings"], monday["grade"]) == (10, 2, "good")
    assert (anna["calls"], anna["meetings"], anna["good_days"]) == (10, 2, 1)
    # Boris: 1 meeting + 1 call of 1:02:03 on Tuesday -> below; the 10 s call not counted
    assert (boris["calls"], boris["meetings"], boris["below_days"]) == (1, 1, 5)
    assert norms["short_calls"] == 2
    assert norms["min_call_seconds"] == {"phone": 30}
    assert norms["ignored_rows"] == {"0": 1, "Система": 2}
    assert norms["sources"] == ["crm", "phone"]
    assert norms["names"]["merged"] == {"17": "Борис Петров", "Смирнова А.": "Анна Смирнова"}
    assert norms["names"]["unmatched"] == ["Смирнова Алла"]
    assert norms["unlisted_managers"] == {"Смирнова Алла": 1}
    phone = next(s for s in report["data_quality"]["sources"] if s["name"] == "phone")
    assert phone["rows_read"] == len(PHONE)
    assert phone["reasons"] == {"unparseable duration": 1}
    assert any("calls shorter than 30 s, not counted: 2" in n for n in phone["notes"])


def test_without_min_call_seconds_every_call_counts(cli, tmp_path):
    result = cli("audit", telephony_config(tmp_path, min_seconds=""), "--format", "json",
                 "--fail-on", "never")
    report = json.loads(result.stdout)
    # every telephony row of Anna is a call, the unreadable duration too (not read)
    assert norms_of(report)["Анна Смирнова"]["calls"] == 12
    assert report["norms"]["short_calls"] == 0


def test_min_call_seconds_without_a_duration_column_is_an_error(cli, tmp_path):
    write_csv(tmp_path / "act.csv", ["manager", "ts"], [["A", "2024-02-05 10:00"]])
    config = write_norms_config(
        tmp_path, source="    type_values: {type: call}\n    min_call_seconds: 30\n")
    assert_error(cli("audit", config), "act.csv", "min_call_seconds needs a duration column",
                 "columns.duration")


def test_type_for_the_whole_source_and_lists_are_exclusive(cli, tmp_path):
    write_csv(tmp_path / "act.csv", ["manager", "ts"], [["A", "2024-02-05 10:00"]])
    config = write_norms_config(tmp_path,
                                source="    type_values: {type: call, meeting: [Встреча]}\n")
    assert_error(cli("audit", config), "audit.yaml:", "type: call makes every row a call")


def test_a_team_without_a_weekly_norm_has_no_week_graded():
    frame = daily(("Phone", day(0), 60, 0), ("Field", day(0), 0, 9))
    teams = [{"name": "Phone sales", "members": ["Phone"], "weekly": {"meetings": None}}]
    result = grade(frame, day(0), day(4), teams=teams)
    assert [w.grade for w in by_name(result)["Phone"].weeks] == [None]
    assert [w.grade for w in by_name(result)["Field"].weeks] == ["good"]  # 9: good is 8
    assert by_name(result)["Phone"].good_days == 1  # the top-level daily rules still apply


def test_an_amocrm_user_with_its_e_mail_is_the_roster_name(cli, tmp_path, run):
    # amoCRM writes the responsible user as "Name (login)": the roster writes the name
    write_csv(tmp_path / "act.csv", ["Ответственный", "Дата", "Тип"], [
        ["Иванов Иван (ivanov@firm.ru)", "05.02.2024 10:00", "Встреча"],
        ["Иванов Иван (ivanov@firm.ru)", "05.02.2024 11:00", "Встреча"],
        ["Иванов Иван (ivanov@firm.ru)", "05.02.2024 12:00", "Встреча"],
        ["Иванов Иван (ivanov@firm.ru)", "06.02.2024 12:00", "Звонок"]])
    config = write_norms_config(
        tmp_path, "  roster: [Иванов Иван]\n",
        "    columns: {manager: Ответственный, ts: Дата, type: Тип}\n")
    result = cli("audit", config, "--format", "json", "--period", "2024-02-05..2024-02-06",
                 "--fail-on", "never")
    report = json.loads(result.stdout)
    ivan = norms_of(report)["Иванов Иван"]
    # Monday: 3 meetings -> good; Tuesday: 1 call -> below
    assert (ivan["meetings"], ivan["calls"], ivan["good_days"], ivan["below_days"]) == (
        3, 1, 1, 1)
    assert report["norms"]["names"]["merged"] == {
        "Иванов Иван (ivanov@firm.ru)": "Иванов Иван"}
    assert report["norms"]["unlisted_managers"] == {}
    out = tmp_path / "init.yaml"
    assert run("init", "--from-export", tmp_path / "act.csv", "--output", out).exit_code == 0
    assert '# roster: ["Иванов Иван"]' in out.read_text(encoding="utf-8")
