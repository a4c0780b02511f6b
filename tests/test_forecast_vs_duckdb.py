"""The bundled demo's win probabilities, weighted forecast per expected close month,
overdue and stuck deals (with the snooze file) and plan attainment equal the same numbers
computed in DuckDB SQL from the CSV files, as of a fixed day."""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import ROOT
from tests.test_money_vs_duckdb import CSV, MONEY_SQL
from tests.test_sample_vs_duckdb import STAGES

AS_OF = "2026-11-15"
SNOOZE = ROOT / "sample_data" / "snoozed.csv"
PLAN = ROOT / "sample_data" / "plan.csv"


@pytest.fixture(scope="module")
def db():
    con = duckdb.connect()
    con.execute(f"CREATE TABLE d AS {MONEY_SQL}")
    con.execute(f"""CREATE TABLE extra AS SELECT "ID" AS id,
        try_strptime("Планируемая дата закрытия", '%d.%m.%Y')::DATE AS expected,
        try_strptime("Дата редактирования", '%d.%m.%Y %H:%M:%S') AS changed
        FROM read_csv('{CSV}', all_varchar = true, header = true)""")
    con.execute(f"""CREATE TABLE snoozed AS SELECT deal_id::VARCHAR AS id, until::DATE AS until
        FROM read_csv('{SNOOZE}', all_varchar = true, header = true)""")
    n = len(STAGES)
    # p(k) = won / closed deals that reached k (lost deals of unknown stage have depth 0)
    con.execute(f"""CREATE TABLE p AS
        SELECT k, (SELECT count(*) FILTER (outcome = 'won') FROM d)::DOUBLE
                  / count(*) FILTER (outcome IN ('won', 'lost') AND depth >= k) AS p
        FROM d, range(1, {n + 1}) t(k) GROUP BY k""")
    con.execute(f"""CREATE TABLE o AS
        SELECT d.id, d.depth, d.amount, d.manager, e.expected, e.changed, p.p,
               coalesce(s.until >= DATE '{AS_OF}', false) AS snoozed
        FROM d JOIN extra e USING (id) JOIN p ON p.k = d.depth
        LEFT JOIN snoozed s USING (id)
        WHERE d.outcome = 'open' AND d.depth >= 1""")
    return con


@pytest.fixture(scope="module")
def report():
    from tests.conftest import Cli

    return Cli().json("audit", ROOT / "configs" / "demo.yaml", "--as-of", AS_OF)


def test_probabilities(report, db):
    expected = dict(db.execute("SELECT k, p FROM p ORDER BY k").fetchall())
    stages = report["funnels"][0]["stages"]
    assert [s["probability"]["probability"] for s in stages] == [
        pytest.approx(expected[k]) for k in range(1, len(STAGES) + 1)]


def test_forecast_per_month(report, db):
    rows = db.execute(f"""
        SELECT CASE WHEN expected IS NULL THEN 'no_date'
                    WHEN expected < DATE '{AS_OF}' THEN 'overdue' ELSE 'month' END AS bucket,
               CASE WHEN expected >= DATE '{AS_OF}' THEN strftime(expected, '%Y-%m') END,
               count(*), sum(amount), sum(amount * p)
        FROM o GROUP BY ALL""").fetchall()
    expected = {(b, m): (n, a, w) for b, m, n, a, w in rows}
    got = {(r["bucket"], r["month"]): (r["deals"], r["amount"], r["weighted"])
           for r in report["funnels"][0]["forecast"]["rows"]}
    assert got.keys() == expected.keys()
    for key, (n, amount, weighted) in expected.items():
        assert got[key] == (n, pytest.approx(amount), pytest.approx(weighted))
    assert {r["currency"] for r in report["funnels"][0]["forecast"]["rows"]} == {"RUB"}


def test_overdue_and_stuck_without_the_snoozed(report, db):
    n, value, oldest = db.execute(f"""
        SELECT count(*), sum(amount), min(expected) FROM o
        WHERE expected < DATE '{AS_OF}' AND NOT snoozed""").fetchone()
    overdue = report["funnels"][0]["forecast"]["overdue"]
    assert (overdue["deals"], overdue["amounts"]) == (n, {"RUB": pytest.approx(value)})
    assert overdue["listed"][0]["expected_close"] == str(oldest)
    # Переговоры (stage 3) has max_days 30, judged at the end of the as-of day.
    stuck, hidden = db.execute(f"""
        SELECT count(*) FILTER (NOT snoozed), count(*) FILTER (snoozed) FROM o
        WHERE depth = 3 AND changed < DATE '{AS_OF}' + 1
          AND epoch(DATE '{AS_OF}' + 1 - changed) / 86400 > 30""").fetchone()
    assert report["funnels"][0]["stages"][2]["stuck"] == stuck
    assert report["funnels"][0]["snoozed"]["hidden_stuck"] == hidden


def test_plan_attainment(report, db):
    won = dict(db.execute(f"""
        SELECT manager, sum(amount) FROM d WHERE outcome = 'won'
        AND closed::DATE BETWEEN DATE '2026-11-01' AND DATE '{AS_OF}' GROUP BY manager"""
                          ).fetchall())
    plan = dict(duckdb.sql(f"""SELECT manager, amount::DOUBLE FROM read_csv('{PLAN}')
        WHERE month = '2026-11'""").fetchall())
    lines = [ln for ln in report["funnels"][0]["plan"]["lines"] if ln["start"] == "2026-11-01"]
    for line in lines:
        if line["manager"] is None:  # the team line: the managers' targets summed
            assert line["plan"] == sum(plan.values())
            assert line["won"] == pytest.approx(sum(won.get(m, 0) for m in plan))
        else:
            assert line["won"] == pytest.approx(won.get(line["manager"], 0))
            assert line["attainment"] == pytest.approx(won.get(line["manager"], 0)
                                                       / plan[line["manager"]])
    assert len(lines) == len(plan) + 1
