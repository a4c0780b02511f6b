"""history: the run-history store. Rows after runs and reruns, read back with plain SQL;
--compare last-run against history built by hand; two runs at once on one file."""

from __future__ import annotations

import json
import math
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_csv

HEADER = ["Id", "Stage", "Created", "Manager"]
CONFIG = """
version: 1
sources:
  deals: {path: deals.csv, kind: deals, columns: {deal_id: Id, stage: Stage, created_at: Created,
          manager: Manager}}
history: HISTORY
funnels:
  - name: F
    source: deals
    stages: [{name: A}, {name: B}, {name: C}]
"""


def day_rows(day: str, at_c: int, at_b: int, at_a: int) -> list[list[str]]:
    """Deals created on `day`: a deal at stage C has passed A, B and C."""
    stages = ["C"] * at_c + ["B"] * at_b + ["A"] * at_a
    return [[f"{day}-{i}", stage, day, "Ann"] for i, stage in enumerate(stages)]


@pytest.fixture
def setup(tmp_path):
    def _setup(days: dict[str, tuple[int, int, int]], history: str = "hist/history.db"):
        rows = [row for day, counts in days.items() for row in day_rows(day, *counts)]
        write_csv(tmp_path / "deals.csv", HEADER, rows)
        config = tmp_path / "audit.yaml"
        config.write_text(CONFIG.replace("HISTORY", history), encoding="utf-8")
        return config

    return _setup


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def one_day(day: str) -> list[str]:
    return ["--period", f"{day}..{day}"]


def test_a_run_records_entered_and_conversion_per_stage(cli, setup, tmp_path):
    # 2024-03-01: 4 deals at C, 4 at B, 2 at A: entered A 10, B 8, C 4; B 8/10, C 4/8.
    config = setup({"2024-03-01": (4, 4, 2)})
    cli.json("audit", config, *one_day("2024-03-01"))
    db = tmp_path / "hist" / "history.db"  # relative to the config file
    assert rows(db, "SELECT config, period, period_start, period_end, verdict FROM runs") == [
        ("audit.yaml", "2024-03-01", "2024-03-01", "2024-03-01", "ok")]
    assert rows(db, "SELECT funnel, position, stage, entered, conversion FROM stages "
                    "ORDER BY position") == [
        ("F", 0, "A", 10, None), ("F", 1, "B", 8, 0.8), ("F", 2, "C", 4, 0.5)]
    assert rows(db, "SELECT funnel, entities FROM funnels") == [("F", 10)]


def test_a_rerun_of_the_same_period_replaces_its_run(cli, setup, tmp_path):
    setup({"2024-03-01": (4, 4, 2), "2024-03-02": (1, 1, 8)})
    config = tmp_path / "audit.yaml"
    cli.json("audit", config, *one_day("2024-03-01"))
    cli.json("audit", config, *one_day("2024-03-02"))
    # The export is rewritten: 2024-03-01 now has 6 at C, 2 at B, 2 at A.
    setup({"2024-03-01": (6, 2, 2), "2024-03-02": (1, 1, 8)})
    cli.json("audit", config, *one_day("2024-03-01"))
    db = tmp_path / "hist" / "history.db"
    assert rows(db, "SELECT period, COUNT(*) FROM runs GROUP BY period ORDER BY period") == [
        ("2024-03-01", 1), ("2024-03-02", 1)]
    assert rows(db, "SELECT period, stage, entered FROM stages ORDER BY period, position") == [
        ("2024-03-01", "A", 10), ("2024-03-01", "B", 8), ("2024-03-01", "C", 6),
        ("2024-03-02", "A", 10), ("2024-03-02", "B", 2), ("2024-03-02", "C", 1)]


def hand_built_history(db: Path, runs: list[tuple[str, str, list[int]]]) -> None:
    """Runs written with plain SQL: (period, recorded_at, entered per stage A, B, C)."""
    from funnelctl.history import SCHEMA

    db.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(db) as conn:
        conn.executescript(SCHEMA)
        for period, at, entered in runs:
            conn.execute("INSERT OR REPLACE INTO runs VALUES "
                         "('audit.yaml', ?, ?, ?, ?, ?, 'ok', 'test')",
                         (period, period, period, period, at))
            conn.execute("INSERT OR REPLACE INTO funnels VALUES "
                         "('audit.yaml', ?, 'F', 'deals', ?)", (period, entered[0]))
            conn.executemany(
                "INSERT OR REPLACE INTO stages VALUES ('audit.yaml', ?, 'F', ?, ?, ?, NULL, NULL)",
                [(period, i, name, n) for i, (name, n) in enumerate(zip("ABC", entered))])


def test_compare_last_run_uses_the_recorded_numbers_not_the_export(cli, setup, tmp_path):
    # The history says the last run (recorded last, though not the latest period) had
    # A 50, B 40, C 20; the export has no deal of that period at all. Today: 5 deals at C,
    # 15 at B, 30 at A: A 50, B 20, C 5. Every expected cell is 5 or more: the z-test.
    config = setup({"2024-03-02": (5, 15, 30)})
    hand_built_history(tmp_path / "hist" / "history.db", [
        ("2024-02-28", "2024-02-29T06:30:00+00:00", [100, 10, 5]),
        ("2024-02-27", "2024-03-01T06:30:00+00:00", [50, 40, 20]),
    ])
    report = cli.json("audit", config, *one_day("2024-03-02"), "--compare", "last-run")
    comp = report["comparison"]
    assert comp["basis"] == "last-run"
    assert comp["previous_period"]["start"] == "2024-02-27"
    b, c = comp["funnels"][0]["stages"]
    overall = comp["funnels"][0]["overall"]
    assert (b["previous_successes"], b["previous_trials"]) == (40, 50)
    assert (b["current_successes"], b["current_trials"]) == (20, 50)
    # B: 40/50 -> 20/50: pooled 0.6; se = sqrt(.6 * .4 * 2/50) = 0.09798; z = 4.0825;
    # p = erfc(z / sqrt 2) = 4.46e-5.
    z = 0.4 / math.sqrt(0.6 * 0.4 * 2 / 50)
    assert b["p_value"] == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-9)
    assert b["p_value"] == pytest.approx(4.46e-5, rel=1e-2)
    # C: 20/40 -> 5/20: pooled 25/60; se = sqrt(25/60 * 35/60 * (1/40 + 1/20)) = 0.13502;
    # z = 0.25 / se = 1.8516, p = 0.0641: shown, not real. Overall 20/50 -> 5/50: pooled
    # 0.25, se = 0.086603, z = 3.4641, p = 5.32e-4. Holm over the three: B 1.3e-4 and
    # overall 1.1e-3 stay below 0.05, C 0.064 does not.
    assert c["p_value"] == pytest.approx(0.0641, abs=1e-4)
    assert overall["p_value"] == pytest.approx(5.32e-4, rel=1e-2)
    assert (b["worse"], c["worse"], overall["worse"]) == (True, False, True)
    codes = {(f["code"], f["subject"]) for f in report["findings"]}
    assert {("stage_worse", "F / B"), ("overall_worse", "F")} <= codes
    assert report["last_run_verdict"] == "ok"


def test_compare_last_run_without_an_earlier_run_says_so(cli, setup):
    config = setup({"2024-03-02": (1, 1, 8)})
    report = cli.json("audit", config, *one_day("2024-03-02"), "--compare", "last-run")
    assert report["comparison"] is None
    finding = next(f for f in report["findings"] if f["code"] == "no_earlier_run")
    assert finding["severity"] == "ok" and "history.db" in finding["message"]


def test_compare_last_run_in_russian_names_the_last_run(run, setup, tmp_path):
    config = setup({"2024-03-01": (20, 20, 10), "2024-03-02": (5, 15, 30)})
    run("audit", config, *one_day("2024-03-01"), "--quiet")
    result = run("audit", config, *one_day("2024-03-02"), "--compare", "last-run",
                 "--lang", "ru", "--format", "markdown")
    assert "## Сравнение с последним записанным запуском (2024-03-01)" in result.stdout
    assert "конверсия в «B» упала с 80,0% до 40,0%" in result.stdout


def test_compare_last_run_needs_history_in_the_config(cli, setup, tmp_path, write):
    setup({"2024-03-02": (1, 1, 8)})
    config = tmp_path / "audit.yaml"
    config.write_text("\n".join(line for line in config.read_text().splitlines()
                                if not line.startswith("history:")), encoding="utf-8")
    result = cli("audit", config, "--compare", "last-run")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "--compare last-run needs a run history" in result.stderr


def test_a_history_file_that_is_not_a_database_is_a_clear_error(cli, setup, tmp_path):
    config = setup({"2024-03-02": (1, 1, 8)})
    (tmp_path / "hist").mkdir()
    (tmp_path / "hist" / "history.db").write_text("not sqlite at all " * 100)
    result = cli("audit", config)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "history.db: cannot use the run history" in result.stderr


def test_two_runs_at_once_corrupt_neither_the_history_nor_the_output(setup, tmp_path):
    # Four audits at once, two of each day, all writing the same history file and the
    # same report file.
    config = setup({"2024-03-01": (4, 4, 2), "2024-03-02": (1, 1, 8)})
    out = tmp_path / "report.json"
    cmd = [sys.executable, "-m", "funnelctl.cli", "audit", str(config), "--format", "json",
           "--output", str(out), "--quiet", "--fail-on", "never"]
    procs = [subprocess.Popen([*cmd, *one_day(f"2024-03-0{1 + i % 2}")],
                              stderr=subprocess.PIPE, text=True) for i in range(4)]
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read()
    db = tmp_path / "hist" / "history.db"
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db, "SELECT period, COUNT(*) FROM runs GROUP BY period ORDER BY period") == [
        ("2024-03-01", 1), ("2024-03-02", 1)]
    assert rows(db, "SELECT period, stage, entered FROM stages ORDER BY period, position") == [
        ("2024-03-01", "A", 10), ("2024-03-01", "B", 8), ("2024-03-01", "C", 4),
        ("2024-03-02", "A", 10), ("2024-03-02", "B", 2), ("2024-03-02", "C", 1)]
    report = json.loads(out.read_text(encoding="utf-8"))  # whole: one run's complete report
    assert report["funnels"][0]["stages"][0]["entered"] == 10
    assert not list(tmp_path.glob(".report.json.*"))  # no temporary file left behind
