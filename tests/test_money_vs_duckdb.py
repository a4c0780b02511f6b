"""The money view of the bundled samples equals the same numbers computed in DuckDB SQL:
value per stage, value lost, average deal, velocity, loss reasons (the amoCRM demo), and
the per-currency blocks of the Salesforce export (USD and EUR deals never added up)."""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import ROOT
from tests.test_sample_vs_duckdb import DEPTH_SQL, LOST, STAGES, WON

SF_CSV = ROOT / "sample_data" / "salesforce_opportunities.csv"
SF_STAGES = ["Prospecting", "Qualification", "Needs Analysis", "Proposal/Price Quote",
             "Negotiation/Review"]
CSV = ROOT / "sample_data" / "amocrm_deals.csv"

# DEPTH_SQL (the deal depth from DESIGN.md's rules) with the id, joined to the amount and
# the loss reason.
DEPTHS = (DEPTH_SQL.replace("SELECT manager, stage,", 'SELECT "ID" AS id, manager, stage,')
          .replace('"Ответственный" AS manager,', '"ID", "Ответственный" AS manager,'))
MONEY_SQL = f"""
WITH money AS (
  SELECT "ID" AS id, try_cast("Бюджет" AS DOUBLE) AS amount, "Причина отказа" AS reason
  FROM read_csv('{CSV}', all_varchar = true, header = true)
), depths AS ({DEPTHS})
SELECT d.*, m.amount, m.reason,
       CASE WHEN d.stage = '{WON}' THEN 'won' WHEN d.stage = '{LOST}' THEN 'lost'
            ELSE 'open' END AS outcome,
       CASE WHEN d.stage = '{WON}' THEN epoch(d.closed - d.created) / 86400 END AS cycle
FROM depths d JOIN money m USING (id)
"""


@pytest.fixture(scope="module")
def db():
    con = duckdb.connect()
    con.execute(f"CREATE TABLE d AS {MONEY_SQL}")
    return con


@pytest.fixture(scope="module")
def report():
    from tests.conftest import Cli

    return Cli().json("audit", ROOT / "configs" / "demo.yaml")


def test_the_sql_sees_the_same_deals(report, db):
    assert db.execute("SELECT count(*) FROM d").fetchone()[0] == report["funnels"][0]["entities"]


def test_value_per_stage(report, db):
    n = len(STAGES)
    for k, stage in enumerate(report["funnels"][0]["stages"], 1):
        moved = f"depth >= {k + 1}" if k < n else "outcome = 'won'"
        entered, moved_on, lost, open_, lost_deals = db.execute(f"""
            SELECT sum(amount) FILTER (depth >= {k}), sum(amount) FILTER ({moved}),
                   coalesce(sum(amount) FILTER (depth = {k} AND outcome = 'lost'), 0),
                   coalesce(sum(amount) FILTER (depth = {k} AND outcome = 'open'), 0),
                   count(*) FILTER (depth = {k} AND outcome = 'lost')
            FROM d""").fetchone()
        v = stage["value"]
        assert v["entered"] == pytest.approx(entered)
        assert v["moved_on"] == pytest.approx(moved_on)
        assert v["lost"] == pytest.approx(lost)
        assert v["open"] == pytest.approx(open_)
        assert v["lost_deals"] == lost_deals


def test_won_revenue_deal_size_lost_value_and_velocity(report, db):
    revenue, mean, median, won_n, open_value, lost_value, unplaced = db.execute("""
        SELECT sum(amount) FILTER (outcome = 'won'), avg(amount) FILTER (outcome = 'won'),
               median(amount) FILTER (outcome = 'won'), count(amount) FILTER (outcome = 'won'),
               sum(amount) FILTER (outcome = 'open'), sum(amount) FILTER (outcome = 'lost'),
               coalesce(sum(amount) FILTER (outcome = 'lost' AND depth = 0), 0)
        FROM d""").fetchone()
    m = report["funnels"][0]["money"]
    assert m["currency"] == "RUB"
    assert (m["won_revenue"], m["won_deals"]) == (pytest.approx(revenue), won_n)
    assert m["deal_mean"] == pytest.approx(mean) and m["deal_median"] == pytest.approx(median)
    assert m["open_value"] == pytest.approx(open_value)
    assert m["lost_value"] == pytest.approx(lost_value)
    assert m["lost_value_unplaced"] == pytest.approx(unplaced)
    open_deals, won, lost, cycle = db.execute("""
        SELECT count(*) FILTER (outcome = 'open'), count(*) FILTER (outcome = 'won'),
               count(*) FILTER (outcome = 'lost'), median(cycle) FROM d""").fetchone()
    v = m["velocity"]
    assert (v["open_deals"], v["cycle_days"]) == (open_deals, pytest.approx(cycle))
    assert v["per_day"] == pytest.approx(open_deals * won / (won + lost) * mean / cycle)


def test_value_bottleneck_and_managers(report, db):
    stage, lost = db.execute("""
        SELECT depth, sum(amount) FROM d WHERE outcome = 'lost' AND depth > 0
        GROUP BY depth ORDER BY 2 DESC, 1 LIMIT 1""").fetchone()
    b = report["funnels"][0]["value_bottleneck"]
    assert (b["stage"], b["lost"]) == (STAGES[stage - 1], pytest.approx(lost))
    rows = db.execute("""
        SELECT manager, sum(amount) FILTER (outcome = 'won'), median(amount) FILTER
               (outcome = 'won'), sum(amount) FILTER (outcome = 'open')
        FROM d GROUP BY manager""").fetchall()
    segments = {s["value"]: s["money"] for s in report["funnels"][0]["breakdowns"]["manager"]}
    for manager, revenue, median, open_value in rows:
        assert segments[manager]["won_revenue"] == pytest.approx(revenue or 0)
        assert segments[manager]["deal_median"] == pytest.approx(median)
        assert segments[manager]["open_value"] == pytest.approx(open_value or 0)


def test_loss_reasons(report, db):
    rows = db.execute("""
        SELECT coalesce(nullif(reason, ''), '(empty)'), count(*), sum(amount),
               count(*) FILTER (depth > 0)
        FROM d WHERE outcome = 'lost' GROUP BY 1""").fetchall()
    total = sum(r[1] for r in rows)
    got = {r["reason"]: r for r in report["funnels"][0]["loss_reasons"]}
    assert set(got) == {r[0] for r in rows}
    for reason, n, value, placed in rows:
        assert (got[reason]["deals"], got[reason]["share"]) == (n, pytest.approx(n / total))
        assert got[reason]["value"] == pytest.approx(value)
        assert sum(got[reason]["stages"].values()) == placed


def test_salesforce_currencies_are_kept_apart():
    from tests.conftest import Cli

    report = Cli().json("audit", ROOT / "configs" / "salesforce.yaml")
    f = report["funnels"][0]
    assert f["money"] is None
    blocks = {b["currency"]: b for b in f["money_by_currency"]}
    con = duckdb.connect()
    # "USD 144,000.00" -> USD, 144000; "-" -> no amount. Depth: won -> every stage, lost
    # ("Closed Lost" says nothing of where) -> none, open -> its stage.
    rows = con.execute(f"""
        WITH raw AS (
          SELECT "Stage" AS stage, "Amount" AS amount_raw
          FROM read_csv('{SF_CSV}', all_varchar = true, header = true, null_padding = true)
          WHERE "Created Date" IS NOT NULL AND "Opportunity Name" NOT LIKE 'Grand Totals%'
            AND "Opportunity ID" IS NOT NULL
        ), typed AS (
          SELECT stage, split_part(amount_raw, ' ', 1) AS currency,
                 try_cast(replace(split_part(amount_raw, ' ', 2), ',', '') AS DOUBLE) AS amount,
                 CASE WHEN stage = 'Closed Won' THEN 5 WHEN stage = 'Closed Lost' THEN 0
                      ELSE list_position({SF_STAGES}, stage) END AS depth
          FROM raw WHERE amount_raw <> '-'
        )
        SELECT currency, sum(amount) FILTER (depth >= 1), sum(amount) FILTER (depth >= 3),
               sum(amount) FILTER (stage = 'Closed Won'), sum(amount) FILTER
               (stage = 'Closed Lost')
        FROM typed GROUP BY currency""").fetchall()
    assert {r[0] for r in rows} == {"USD", "EUR"}
    # The "-" rows name no currency and have no amount: their own block, counted, no value.
    assert set(blocks) == {"USD", "EUR", None}
    dashes = con.execute(f"""
        SELECT count(*) FROM read_csv('{SF_CSV}', all_varchar = true, header = true,
                                      null_padding = true)
        WHERE "Created Date" IS NOT NULL AND "Opportunity Name" NOT LIKE 'Grand Totals%'
          AND "Opportunity ID" IS NOT NULL AND "Amount" = '-'""").fetchone()[0]
    assert blocks[None]["deals"] == blocks[None]["deals_without_amount"] == dashes
    for currency, entered_1, entered_3, won, lost in rows:
        b = blocks[currency]
        assert b["stages"][0]["entered"] == pytest.approx(entered_1)
        assert b["stages"][2]["entered"] == pytest.approx(entered_3)
        assert b["won_revenue"] == pytest.approx(won)
        assert b["lost_value_unplaced"] == pytest.approx(lost)
