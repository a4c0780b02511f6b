"""funnelctl's norms against an independent DuckDB query on a generated activity log.

The semantics are the bench's w2 (../shared/bench): managers seen in the data, Mon-Fri
from the first to the last activity date, UTC days, a working day without activity is
below, weekend activity is not graded. The SQL below is written from DOMAIN.md's table.
"""

from __future__ import annotations

import datetime as dt
import random

import duckdb
import polars as pl
import pytest

from tests.norms_support import norms_of, write_norms_config

FIRST = dt.datetime(2024, 3, 6)  # a Wednesday: the first and last weeks are partial


def activity_log(seed: int = 7, managers: int = 40, days: int = 47) -> pl.DataFrame:
    """~40k activities: managers of different habits, empty days, some weekend work."""
    rng = random.Random(seed)
    rows = []
    for i in range(managers):
        name = f"Менеджер {i:02d}"
        calls_mean, meetings_max = rng.uniform(5, 45), rng.choice([0, 1, 2, 3, 4])
        for d in range(days):
            date = FIRST + dt.timedelta(days=d)
            weekend = date.weekday() >= 5
            if rng.random() < (0.9 if weekend else 0.08):
                continue  # a day off, sick, or nothing logged
            calls = max(0, int(rng.gauss(calls_mean, 12)))
            meetings = rng.randint(0, meetings_max)
            kinds = ["call"] * calls + ["meeting"] * meetings + ["email"] * rng.randint(0, 2)
            rows += [(name, date + dt.timedelta(seconds=rng.randint(0, 86_399)), kind)
                     for kind in kinds]
    return pl.DataFrame(rows, schema={"manager": pl.String, "ts": pl.Datetime("us"),
                                      "type": pl.String}, orient="row")


REFERENCE = """
WITH d AS (
    SELECT manager, ts::DATE AS day,
           count(*) FILTER (WHERE type = 'call') AS calls,
           count(*) FILTER (WHERE type = 'meeting') AS meetings
    FROM read_parquet($path) GROUP BY manager, day),
bounds AS (SELECT min(day) AS lo, max(day) AS hi FROM d),
wd AS (SELECT g.day::DATE AS day FROM bounds,
       LATERAL (SELECT unnest(generate_series(lo, hi, INTERVAL 1 DAY)) AS day) g
       WHERE isodow(g.day) BETWEEN 1 AND 5),
grid AS (
    SELECT m.manager, wd.day, coalesce(d.calls, 0) AS calls,
           coalesce(d.meetings, 0) AS meetings
    FROM (SELECT DISTINCT manager FROM d) m CROSS JOIN wd
    LEFT JOIN d ON d.manager = m.manager AND d.day = wd.day),
graded AS (
    SELECT manager, calls + meetings = 0 AS empty,
           CASE WHEN meetings >= 3 OR (meetings >= 2 AND calls >= 10)
                     OR (meetings >= 1 AND calls >= 30) OR calls >= 50 THEN 'good'
                WHEN meetings >= 2 OR (meetings >= 1 AND calls >= 15) OR calls >= 25
                     THEN 'acceptable'
                ELSE 'below' END AS grade
    FROM grid),
totals AS (SELECT manager, sum(calls) AS calls, sum(meetings) AS meetings FROM d GROUP BY 1)
SELECT g.manager,
       count(*) FILTER (WHERE grade = 'good'), count(*) FILTER (WHERE grade = 'acceptable'),
       count(*) FILTER (WHERE grade = 'below'), count(*) FILTER (WHERE empty),
       any_value(t.calls), any_value(t.meetings)
FROM graded g JOIN totals t USING (manager)
GROUP BY g.manager ORDER BY g.manager
"""

WEEKS = """
WITH d AS (SELECT manager, ts::DATE AS day, type FROM read_parquet($path)),
bounds AS (SELECT min(day) AS lo, max(day) AS hi FROM d)
SELECT manager, strftime(date_trunc('week', day), '%G-W%V') AS week,
       count(*) FILTER (WHERE type = 'meeting') AS meetings
FROM d, bounds
WHERE date_trunc('week', day) >= lo AND date_trunc('week', day) + INTERVAL 4 DAY <= hi
GROUP BY ALL ORDER BY ALL
"""


@pytest.fixture(scope="module")
def log_and_report(tmp_path_factory):
    from typer.testing import CliRunner

    from funnelctl.cli import app

    tmp_path = tmp_path_factory.mktemp("norms_duckdb")
    path = tmp_path / "act.parquet"
    activity_log().write_parquet(path)
    config = write_norms_config(tmp_path, path="act.parquet")
    result = CliRunner().invoke(app, ["audit", str(config), "--format", "json",
                                      "--fail-on", "never"])
    assert result.exit_code == 0, result.stderr
    import json

    return str(path), json.loads(result.stdout)


def test_day_grades_and_totals_equal_duckdb(log_and_report):
    path, report = log_and_report
    expected = duckdb.execute(REFERENCE, {"path": path}).fetchall()
    got = sorted((m["manager"], m["good_days"], m["acceptable_days"], m["below_days"],
                  m["empty_days"], m["calls"], m["meetings"])
                 for m in report["norms"]["managers"])
    assert len(expected) == 40
    assert got == [tuple(int(x) if i else x for i, x in enumerate(row)) for row in expected]


def test_working_days_equal_duckdb(log_and_report):
    path, report = log_and_report
    lo, hi = duckdb.execute("SELECT min(ts)::DATE, max(ts)::DATE FROM read_parquet($path)",
                            {"path": path}).fetchone()
    weekdays = duckdb.execute(
        "SELECT count(*) FROM generate_series($lo::DATE, $hi::DATE, INTERVAL 1 DAY) t(d) "
        "WHERE isodow(d) <= 5", {"lo": lo, "hi": hi}).fetchone()[0]
    assert report["norms"]["working_days"] == weekdays
    assert (report["norms"]["start"], report["norms"]["end"]) == (str(lo), str(hi))


def test_full_week_meetings_equal_duckdb(log_and_report):
    path, report = log_and_report
    expected = {(m, w): n for m, w, n in duckdb.execute(WEEKS, {"path": path}).fetchall()}
    got = {(m["manager"], w["week"]): w["meetings"] for m in norms_of(report).values()
           for w in m["weeks"] if w["grade"] is not None}
    # DuckDB lists only weeks with rows; funnelctl also grades weeks without any.
    assert {k: v for k, v in got.items() if v or k in expected} == expected
