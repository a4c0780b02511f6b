"""The bundled telephony export (sample_data/telephony_calls.csv) in the demo's norms equals
the same numbers worked out in DuckDB: calls of 30 s or more per manager and day under the
matched names (the extension 101 and "Лебедев С." are Сергей Лебедев, "Кравцова М." is
Мария Кравцова, from 2 November), short calls, the system user's rows and the roster dates.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import ROOT
from tests.norms_support import norms_of

DEMO = ROOT / "configs" / "demo.yaml"
CSV = ROOT / "sample_data" / "telephony_calls.csv"

CALLS_SQL = f"""
WITH raw AS (
  SELECT * FROM read_csv('{CSV}', all_varchar = true, header = true, delim = ';')
), typed AS (
  SELECT CASE "Сотрудник" WHEN '101' THEN 'Сергей Лебедев' WHEN 'Лебедев С.' THEN 'Сергей Лебедев'
                          WHEN 'Кравцова М.' THEN 'Мария Кравцова' ELSE "Сотрудник" END AS manager,
         CAST(strptime("Дата и время", '%d.%m.%Y %H:%M:%S') AS DATE) AS day,
         60 * CAST(split_part("Длительность", ':', 1) AS INTEGER)
           + CAST(split_part("Длительность", ':', 2) AS INTEGER) AS seconds
  FROM raw
)
SELECT * FROM typed
"""


@pytest.fixture(scope="module")
def calls():
    con = duckdb.connect()
    con.execute(f"CREATE TABLE calls AS {CALLS_SQL}")
    return con


@pytest.fixture(scope="module")
def report():
    from tests.conftest import Cli

    return Cli().json("audit", DEMO)


def test_counted_calls_per_phone_manager_match(calls, report):
    managers = norms_of(report)
    for name, since in (("Сергей Лебедев", "2026-10-01"), ("Мария Кравцова", "2026-11-02")):
        (n,) = calls.execute("SELECT count(*) FROM calls WHERE manager = ? AND seconds >= 30 "
                             "AND day >= CAST(? AS DATE)", [name, since]).fetchone()
        assert managers[name]["calls"] == n
        per_day = dict(calls.execute(
            "SELECT CAST(day AS VARCHAR), count(*) FROM calls WHERE manager = ? AND "
            "seconds >= 30 AND day >= CAST(? AS DATE) GROUP BY day", [name, since]).fetchall())
        graded = {d["date"]: d["calls"] for d in managers[name]["days"] if d["calls"]}
        assert graded == per_day


def test_short_calls_system_rows_and_dates_match(calls, report):
    norms = report["norms"]
    # Short calls are set apart as the file is read, before names are matched: the
    # system user's count too; its rows are the calls it made of 30 s or more.
    (short,) = calls.execute("SELECT count(*) FROM calls WHERE seconds < 30").fetchone()
    assert norms["short_calls"] == short
    (system,) = calls.execute("SELECT count(*) FROM calls WHERE manager = 'Система' "
                              "AND seconds >= 30").fetchone()
    assert norms["ignored_rows"] == {"Система": system}
    (before,) = calls.execute("SELECT count(*) FROM calls WHERE manager = 'Мария Кравцова' "
                              "AND seconds >= 30 AND day < DATE '2026-11-02'").fetchone()
    assert norms["outside_dates"] == {"Мария Кравцова": before}
    maria = norms_of(report)["Мария Кравцова"]
    # 2-30 November 2026: 21 weekdays less the 4th (Unity Day)
    assert maria["working_days"] == 20 and maria["active_from"] == "2026-11-02"
    assert maria["team"] == "Phone sales"
    assert norms["names"]["merged"] == {"101": "Сергей Лебедев", "Кравцова М.": "Мария Кравцова",
                                        "Лебедев С.": "Сергей Лебедев"}
