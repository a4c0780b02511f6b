"""The bundled amoCRM sample audited by funnelctl equals the same numbers computed in DuckDB."""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import ROOT

DEMO = ROOT / "configs" / "demo.yaml"
CSV = ROOT / "sample_data" / "amocrm_deals.csv"
STAGES = ["Первичный контакт", "КП отправлено", "Переговоры", "Принимают решение"]
WON, LOST = "Успешно реализовано", "Закрыто и не реализовано"

# Depth of each deal written directly in SQL from DESIGN.md's rules: won -> every stage;
# lost -> the stage in "Этап отказа", or no stage at all (depth 0: counted in lost and the
# win rate only) when it is empty; open -> its stage.
DEPTH_SQL = f"""
WITH raw AS (
  SELECT * FROM read_csv('{CSV}', all_varchar = true, header = true)
), typed AS (
  SELECT "Ответственный" AS manager, "Этап сделки" AS stage, "Этап отказа" AS lost_at,
         try_strptime("Дата создания сделки", '%d.%m.%Y %H:%M:%S') AS created,
         try_strptime("Дата закрытия", '%d.%m.%Y %H:%M:%S') AS closed
  FROM raw
), staged AS (
  SELECT *, list_position({STAGES}, stage) AS idx, list_position({STAGES}, lost_at) AS lost_idx
  FROM typed WHERE created IS NOT NULL
)
SELECT manager, stage, created, closed,
       CASE WHEN stage = '{WON}' THEN 4
            WHEN stage = '{LOST}' THEN coalesce(lost_idx, 0)
            ELSE idx END AS depth
FROM staged WHERE stage IN ('{WON}', '{LOST}') OR idx IS NOT NULL
"""


@pytest.fixture(scope="module")
def expected():
    con = duckdb.connect()
    con.execute(f"CREATE TABLE d AS {DEPTH_SQL}")
    return con


@pytest.fixture(scope="module")
def report():
    from tests.conftest import Cli

    return Cli().json("audit", DEMO)


def test_entered_per_stage(report, expected):
    sql = ", ".join(f"count(*) FILTER (depth >= {k})" for k in range(1, 5))
    assert [s["entered"] for s in report["funnels"][0]["stages"]] == list(
        expected.execute(f"SELECT {sql} FROM d").fetchone())


def test_won_lost_and_cycle(report, expected):
    won, lost, median, p90 = expected.execute(f"""
        SELECT count(*) FILTER (stage = '{WON}'), count(*) FILTER (stage = '{LOST}'),
               median(epoch(closed - created) / 86400) FILTER (stage = '{WON}'),
               quantile_cont(epoch(closed - created) / 86400, 0.9) FILTER (stage = '{WON}')
        FROM d""").fetchone()
    funnel = report["funnels"][0]
    assert (funnel["won"], funnel["lost"]) == (won, lost)
    assert funnel["win_rate"] == pytest.approx(won / (won + lost))
    assert funnel["cycle_days"]["median"] == pytest.approx(median)
    assert funnel["cycle_days"]["p90"] == pytest.approx(p90)


def test_breakdown_by_manager(report, expected):
    rows = expected.execute("""
        SELECT manager, count(*) FILTER (depth >= 1), count(*) FILTER (depth >= 2),
               count(*) FILTER (depth >= 4)
        FROM d GROUP BY manager""").fetchall()
    segments = {s["value"]: s for s in report["funnels"][0]["breakdowns"]["manager"]}
    assert set(segments) == {r[0] for r in rows}
    for manager, n, reached_2, reached_4 in rows:
        stages = segments[manager]["stages"]
        assert (stages[0]["entered"], stages[1]["entered"], stages[3]["entered"]) == (
            n, reached_2, reached_4)


def test_rejected_rows_counted(report, expected):
    total, bad_dates = duckdb.execute(f"""
        SELECT count(*), count(*) FILTER (try_strptime("Дата создания сделки",
                                                      '%d.%m.%Y %H:%M:%S') IS NULL)
        FROM read_csv('{CSV}', all_varchar = true)""").fetchone()
    quality = report["data_quality"]["sources"][0]
    assert quality["rows_read"] == total
    assert quality["reasons"]["unparseable created_at"] == bad_dates
    kept = expected.execute("SELECT count(*) FROM d").fetchone()[0]
    assert quality["rows_rejected"] == total - kept
