"""`init --from-export` on activity logs: a PBX's call log (cp1251, `;`, date and time in
two columns, a totals line) and a CRM's calls and meetings. The written config validates
and audits; the days' calls and meetings are counted here from the rows written, with
plain Python, not with funnelctl."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path

import yaml

from tests.conftest import assert_error, write_csv

SEED = 20261203
MANAGERS = ["Иванов И.", "Петрова А.", "Сидоров П."]
DAYS = [dt.date(2024, 2, 5) + dt.timedelta(days=i) for i in range(5)]  # Mon .. Fri


def init(run, export: Path, tmp_path: Path) -> tuple[dict, str, Path]:
    config = tmp_path / "funnelctl.yaml"
    result = run("init", "--from-export", export, "--output", config)
    assert result.exit_code == 0, result.output
    assert "check the source path, the columns and the type values" in result.stderr
    text = config.read_text(encoding="utf-8")
    validated = run("validate", config)
    assert validated.exit_code == 0, validated.output
    return yaml.safe_load(text), text, config


def days_of(report: dict) -> dict[tuple[str, str], tuple[int, int]]:
    """(manager, date) -> (calls, meetings) of the days that have any."""
    return {(m["manager"], d["date"]): (d["calls"], d["meetings"])
            for m in report["norms"]["managers"] for d in m["days"]
            if d["calls"] or d["meetings"]}


def seconds(text: str) -> int:
    minutes, secs = text.split(":")
    return int(minutes) * 60 + int(secs)


def pbx_log(path: Path, rng: random.Random, n: int = 120) -> list[list[str]]:
    """A Sipuni / Mango style call log: the rows, as written (then `Итого;;;;;`)."""
    rows = []
    for _ in range(n):
        day = rng.choice(DAYS)
        talk = rng.choice([0, 5, 29, 30, 31, 95, 600])
        rows.append([day.strftime("%d.%m.%Y"), f"{rng.randint(9, 18):02d}:{rng.randint(0, 59):02d}",
                     rng.choice(["Входящий", "Исходящий"]), rng.choice(MANAGERS),
                     f"{talk // 60:02d}:{talk % 60:02d}", "Отвечен" if talk else "Пропущен"])
    write_csv(path, ["Дата", "Время", "Тип звонка", "Сотрудник", "Длительность разговора",
                     "Статус"], [*rows, ["Итого", "", "", "", "", ""]], sep=";",
              encoding="cp1251")
    return rows


def test_a_pbx_call_log_becomes_a_calls_source_with_short_calls_left_out(run, audit_json,
                                                                          tmp_path):
    export = tmp_path / "calls.csv"
    rows = pbx_log(export, random.Random(SEED))
    config, text, path = init(run, export, tmp_path)
    source = config["sources"]["activities"]
    assert source["kind"] == "activities"
    assert source["columns"] == {"manager": "Сотрудник", "ts": "Дата",
                                 "duration": "Длительность разговора"}
    assert source["type_values"] == {"type": "call"}
    assert source["min_call_seconds"] == 30
    assert config["timezone"] == "Europe/Moscow"
    assert config["norms"] == {"source": "activities", "weekly": {"meetings": None}}
    assert "funnels" not in config
    # every guess has its reason; the time column and the direction are explained
    assert 'manager: "Сотрудник"  # header, 3 managers' in text
    assert '# ts is the date alone: the time is in "Время"' in text
    assert "type_values: {type: call}  # no type column, and a call duration" in text
    assert "#   Тип звонка: named like a type, but no value" in text
    assert "#   good: [{meetings: 3}, {meetings: 2, calls: 10}, {meetings: 1, calls: 30}, " \
           "{calls: 50}]" in text

    report = audit_json(path)
    counted = Counter((r[3], dt.datetime.strptime(r[0], "%d.%m.%Y").date().isoformat())
                      for r in rows if seconds(r[4]) >= 30)
    assert days_of(report) == {key: (n, 0) for key, n in counted.items()}
    assert report["norms"]["short_calls"] == sum(seconds(r[4]) < 30 for r in rows)
    quality = report["data_quality"]["sources"][0]
    assert (quality["rows_read"], quality["rows_rejected"]) == (len(rows), 0)
    assert quality["detected"]["footer_lines_removed"] == 1  # Итого, not a missing manager


def test_a_crm_log_with_the_default_words_needs_no_type_values(run, audit_json, tmp_path):
    # Line by line: Анна has 2 calls and a meeting on Monday, Борис a call on Tuesday;
    # the task and the letter are not graded.
    export = write_csv(tmp_path / "activities.csv", ["Ответственный", "Дата и время", "Тип"], [
        ["Анна Смирнова", "05.02.2024 09:00:00", "Исходящий звонок"],
        ["Анна Смирнова", "05.02.2024 10:00:00", "Звонок"],
        ["Анна Смирнова", "05.02.2024 11:00:00", "Встреча"],
        ["Анна Смирнова", "05.02.2024 12:00:00", "Задача"],
        ["Борис Петров", "06.02.2024 09:30:00", "Звонок"],
        ["Борис Петров", "06.02.2024 10:30:00", "Письмо"]])
    config, text, path = init(run, export, tmp_path)
    source = config["sources"]["activities"]
    assert source["columns"] == {"manager": "Ответственный", "ts": "Дата и время", "type": "Тип"}
    assert "type_values" not in source and "min_call_seconds" not in source
    assert config["norms"] == {"source": "activities"}  # meetings exist: weeks graded
    assert "#   2  Звонок  -> call" in text
    assert "#   1  Задача  -> not graded" in text
    assert "# type_values: not needed" in text
    report = audit_json(path)
    assert days_of(report) == {("Анна Смирнова", "2024-02-05"): (2, 1),
                               ("Борис Петров", "2024-02-06"): (1, 0)}
    assert report["data_quality"]["sources"][0]["other_types"] == {"Задача": 1, "Письмо": 1}


def test_other_type_words_are_listed_and_an_id_column_does_not_make_it_deals(
        run, audit_json, tmp_path):
    # `ID` (unique) and `Тип` (few values) would pass for a deal id and a stage by values
    # alone; no stage is named, and the types are call and meeting words.
    export = write_csv(tmp_path / "log.csv", ["ID", "Менеджер", "Дата", "Тип"], [
        ["1", "Анна", "2024-02-05 09:00", "Созвон"],
        ["2", "Анна", "2024-02-05 10:00", "Демо-встреча"],
        ["3", "Анна", "2024-02-05 11:00", "Пропущенный звонок"],
        ["4", "Анна", "2024-02-06 11:00", "Звонок"],
        ["5", "Борис", "2024-02-06 12:00", "Задача: позвонить"],
        ["6", "Борис", "2024-02-06 13:00", "Созвон"]])
    config, _, path = init(run, export, tmp_path)
    source = config["sources"]["activities"]
    assert source["columns"] == {"manager": "Менеджер", "ts": "Дата", "type": "Тип"}
    # a list replaces the defaults: the default word Звонок is listed too
    assert source["type_values"] == {"call": ["Созвон", "Звонок"], "meeting": ["Демо-встреча"]}
    report = audit_json(path)
    assert days_of(report) == {("Анна", "2024-02-05"): (1, 1), ("Анна", "2024-02-06"): (1, 0),
                               ("Борис", "2024-02-06"): (1, 0)}
    assert report["data_quality"]["sources"][0]["other_types"] == {
        "Пропущенный звонок": 1, "Задача: позвонить": 1}


def test_neither_deals_nor_activities_names_what_each_kind_lacks(run, tmp_path):
    export = write_csv(tmp_path / "people.csv", ["Ответственный", "Дата"],
                       [["Анна", "05.02.2024"], ["Борис", "06.02.2024"]])
    assert_error(run("init", "--from-export", export),
                 "neither a deals export nor an activity log",
                 "as deals, cannot tell which column is deal_id, stage",
                 "as an activity log, which is type (call / meeting values) or duration")


def test_a_duration_column_whose_values_do_not_read_says_so(run, tmp_path):
    # "83 секунды назад" and "долго" are no durations; "01:23" is: 1 of 3 read
    export = write_csv(tmp_path / "calls.csv", ["Сотрудник", "Дата", "Длительность"],
                       [["Анна", "05.02.2024 10:00", "83 секунды назад"],
                        ["Анна", "05.02.2024 11:00", "долго"],
                        ["Борис", "06.02.2024 10:00", "01:23"]])
    assert_error(run("init", "--from-export", export),
                 "as an activity log, which is type (call / meeting values) or duration",
                 "'Длительность' is named like one, but 1 of 3 values read as a duration")


def test_the_roster_and_manager_count_are_the_audits_managers(run, audit_json, tmp_path):
    """' Ivanov', 'Ivanov', 'ivanov' + a zero-width space and 'Ivanov (ivanov@firm.ru)'
    are one manager in the norms: the commented roster and the count say so too."""
    export = tmp_path / "calls.csv"
    write_csv(export, ["manager", "date", "duration"], [
        [" Ivanov", "2024-02-05 10:00", "60"], ["Ivanov", "2024-02-05 11:00", "60"],
        ["ivanov\u200b", "2024-02-06 10:00", "60"], ["Petrov", "2024-02-06 10:00", "60"],
        ["Ivanov (ivanov@firm.ru)", "2024-02-06 12:00", "60"]])
    _, text, path = init(run, export, tmp_path)
    assert 'manager: "manager"  # header, 2 managers (4 spellings' in text
    # most rows first: Ivanov 4, Petrov 1
    assert '# roster: ["Ivanov", "Petrov"]  # the names in the data' in text
    report = audit_json(path)
    assert days_of(report) == {("Ivanov", "2024-02-05"): (2, 0), ("Ivanov", "2024-02-06"): (2, 0),
                               ("Petrov", "2024-02-06"): (1, 0)}
