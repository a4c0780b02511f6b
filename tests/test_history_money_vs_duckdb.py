"""The bundled Salesforce Opportunity History (a stage history with amounts in USD and EUR,
close dates pushed out, amounts revised, moves back, reopened deals): funnelctl's money
view, velocity, learned probabilities, weighted forecast, overdue deals and the
`--compare previous` waterfall of a period equal the same numbers computed in DuckDB SQL
straight from the report CSV.

The semantics followed (docs/money.md, DESIGN.md), spelled out where the SQL encodes them:
- A row with From Stage = To Stage is an edit, not a stage move; every other row (the
  first, with an empty From Stage, is the creation) is an entry into To Stage.
- A deal's depth is the furthest stage it entered (Closed Won: every stage); its outcome
  the last move's To Stage. The value table puts an open deal at its depth, so a deal
  that moved back is "open here" at the furthest stage it reached; the forecast weighs it
  at the stage it is in now (its last stage entry).
- A deal's amount, currency and close date are the last ones any row set, an edit or a
  move; a "-" amount sets nothing. As of a moment (the waterfall): the last set before it.
- Cycle: from the first entry to the win; probabilities: won / closed deals that reached
  the stage, over every deal whatever its currency.
The sample's saves of one deal never share a time (asserted), so "last" is unambiguous.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import ROOT

CONFIG = ROOT / "configs" / "salesforce_history.yaml"
CSV = ROOT / "sample_data" / "salesforce_opportunity_history.csv"
STAGES = ["Prospecting", "Qualification", "Needs Analysis", "Proposal/Price Quote",
          "Negotiation/Review"]
AS_OF = "2026-11-20"
PERIOD = ("2026-10-01", "2026-10-31")  # the waterfall: from 1 Oct 00:00 to 1 Nov 00:00

ROWS_SQL = f"""
SELECT "Opportunity ID" AS id, "Opportunity Owner" AS manager,
       nullif("From Stage", '') AS from_stage, "To Stage" AS to_stage,
       -- "USD 48,000.00" -> 48000; "-" -> no amount
       CASE WHEN "Amount" <> '-' THEN
            CAST(replace(split_part("Amount", ' ', 2), ',', '') AS DOUBLE) END AS amount,
       "Opportunity Currency" AS currency,
       strptime("Close Date", '%d/%m/%Y')::DATE AS close,
       strptime("Last Modified", '%d/%m/%Y %H:%M') AS ts
FROM read_csv('{CSV}', all_varchar = true, header = true, null_padding = true)
WHERE "To Stage" IS NOT NULL  -- the blank line and the three footer lines
"""
# Stage moves with their order (1..5, Closed Won 6, Closed Lost none) and role.
MOVES_SQL = f"""
SELECT *, CASE WHEN to_stage = 'Closed Won' THEN 6
               ELSE list_position({STAGES}, to_stage) END AS ord,
          CASE WHEN to_stage = 'Closed Won' THEN 'won' WHEN to_stage = 'Closed Lost' THEN 'lost'
               ELSE 'open' END AS role
FROM r WHERE from_stage IS NULL OR from_stage <> to_stage
"""


def values_sql(before: str | None = None) -> str:
    """Per deal, the last amount, currency and close date set (before a moment)."""
    where = f"WHERE ts < TIMESTAMP '{before}'" if before else ""
    return f"""
    SELECT id, arg_max(amount, ts) FILTER (amount IS NOT NULL) AS amount,
           arg_max(currency, ts) FILTER (currency IS NOT NULL) AS currency,
           arg_max(close, ts) FILTER (close IS NOT NULL) AS close
    FROM r {where} GROUP BY id"""


def state_sql(before: str) -> str:
    """Each deal as it stood just before `before`: status, position (open deals), values."""
    return f"""
    SELECT s.id, s.status, CASE WHEN s.status = 'open' THEN s.pos END AS pos, s.manager,
           v.amount, v.currency, v.close
    FROM (SELECT id, arg_max(role, ts) AS status, arg_max(ord, ts) AS pos,
                 arg_max(manager, ts) AS manager
          FROM m WHERE ts < TIMESTAMP '{before}' GROUP BY id) s
    JOIN ({values_sql(before)}) v USING (id)"""


@pytest.fixture(scope="module")
def db():
    con = duckdb.connect()
    con.execute(f"CREATE TABLE r AS {ROWS_SQL}")
    con.execute(f"CREATE TABLE m AS {MOVES_SQL}")
    con.execute(f"""CREATE TABLE d AS
        SELECT id, least(max(ord), 5) AS depth, arg_max(role, ts) AS outcome,
               arg_max(ord, ts) FILTER (role = 'open') AS now_at,
               CASE WHEN arg_max(role, ts) = 'won'
                    THEN epoch(max(ts) - min(ts)) / 86400 END AS cycle,
               v.amount, v.currency, v.close
        FROM m JOIN ({values_sql()}) v USING (id)
        GROUP BY id, v.amount, v.currency, v.close""")
    n = len(STAGES)
    con.execute(f"""CREATE TABLE p AS
        SELECT k, count(*) FILTER (outcome = 'won')::DOUBLE
                  / count(*) FILTER (outcome IN ('won', 'lost')) AS p
        FROM d, range(1, {n + 1}) t(k) WHERE depth >= k GROUP BY k""")
    return con


@pytest.fixture(scope="module")
def report():
    from tests.conftest import Cli

    return Cli().json("audit", CONFIG, "--as-of", AS_OF)


@pytest.fixture(scope="module")
def waterfall():
    from tests.conftest import Cli

    report = Cli().json("audit", CONFIG, "--period", f"{PERIOD[0]}..{PERIOD[1]}",
                        "--compare", "previous")
    return report["funnels"][0]["waterfall"]


def test_the_sample_is_what_it_claims(db, report):
    one = db.execute
    assert one("SELECT count(*) FROM d").fetchone()[0] == report["funnels"][0]["entities"]
    assert one("SELECT count(*) FROM (SELECT id, ts FROM r GROUP BY ALL HAVING count(*) > 1)"
               ).fetchone()[0] == 0  # no two saves of a deal at one time
    edits, pushes, revised, back, reopened, currencies, unpriced = one("""
        SELECT (SELECT count(*) FROM r WHERE from_stage = to_stage),
               (SELECT count(*) FROM (SELECT close > lag(close) OVER w AS pushed FROM r
                                      WINDOW w AS (PARTITION BY id ORDER BY ts)) WHERE pushed),
               (SELECT count(*) FROM (SELECT amount <> lag(amount) OVER w AS changed FROM r
                                      WINDOW w AS (PARTITION BY id ORDER BY ts)) WHERE changed),
               (SELECT count(*) FROM (SELECT ord < max(ord) OVER w AS back FROM m
                 WHERE ord IS NOT NULL WINDOW w AS (PARTITION BY id ORDER BY ts
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) WHERE back),
               (SELECT count(*) FROM m WHERE from_stage = 'Closed Lost'),
               (SELECT list(DISTINCT currency ORDER BY currency) FROM d),
               (SELECT count(*) FROM d WHERE amount IS NULL)""").fetchone()
    assert min(edits, pushes, revised, back, reopened, unpriced) > 0
    assert currencies == ["EUR", "USD"]


def blocks(report) -> dict[str, dict]:
    f = report["funnels"][0]
    assert f["money"] is None  # two currencies, no rates: one block each
    return {b["currency"]: b for b in f["money_by_currency"]}


def test_value_per_stage_per_currency(report, db):
    got = blocks(report)
    for currency in ("USD", "EUR"):
        for k, stage in enumerate(got[currency]["stages"], 1):
            moved = f"depth >= {k + 1}" if k < len(STAGES) else "outcome = 'won'"
            want = db.execute(f"""
                SELECT coalesce(sum(amount) FILTER (depth >= {k}), 0),
                       coalesce(sum(amount) FILTER ({moved}), 0),
                       coalesce(sum(amount) FILTER (depth = {k} AND outcome = 'lost'), 0),
                       coalesce(sum(amount) FILTER (depth = {k} AND outcome = 'open'), 0),
                       count(*) FILTER (depth = {k} AND outcome = 'lost')
                FROM d WHERE currency = '{currency}'""").fetchone()
            assert (stage["entered"], stage["moved_on"], stage["lost"], stage["open"],
                    stage["lost_deals"]) == pytest.approx(want), (currency, k)


def test_won_revenue_lost_value_and_velocity_per_currency(report, db):
    got = blocks(report)
    for currency in ("USD", "EUR"):
        (deals, unpriced, revenue, won_priced, mean, median, open_value, lost_value, open_n,
         won, lost, cycle) = db.execute(f"""
            SELECT count(*), count(*) FILTER (amount IS NULL),
                   coalesce(sum(amount) FILTER (outcome = 'won'), 0),
                   count(amount) FILTER (outcome = 'won'), avg(amount) FILTER (outcome = 'won'),
                   median(amount) FILTER (outcome = 'won'),
                   coalesce(sum(amount) FILTER (outcome = 'open'), 0),
                   coalesce(sum(amount) FILTER (outcome = 'lost'), 0),
                   count(*) FILTER (outcome = 'open'), count(*) FILTER (outcome = 'won'),
                   count(*) FILTER (outcome = 'lost'), median(cycle)
            FROM d WHERE currency = '{currency}'""").fetchone()
        b = got[currency]
        assert (b["deals"], b["deals_without_amount"], b["won_deals"]) == (deals, unpriced,
                                                                          won_priced)
        assert (b["won_revenue"], b["open_value"], b["lost_value"]) == pytest.approx(
            (revenue, open_value, lost_value))
        assert (b["deal_mean"], b["deal_median"]) == pytest.approx((mean, median))
        v = b["velocity"]
        assert (v["open_deals"], v["win_rate"]) == (open_n, pytest.approx(won / (won + lost)))
        assert (v["average_won"], v["cycle_days"]) == pytest.approx((mean, cycle))
        assert v["per_day"] == pytest.approx(open_n * won / (won + lost) * mean / cycle)


def test_learned_probabilities(report, db):
    want = dict(db.execute("SELECT k, p FROM p").fetchall())
    got = [s["probability"]["probability"] for s in report["funnels"][0]["stages"]]
    assert got == [pytest.approx(want[k]) for k in range(1, len(STAGES) + 1)]


def test_weighted_forecast_per_close_month(report, db):
    # Open deals at the stage they are in now (a deal that moved back: the earlier stage).
    rows = db.execute(f"""
        SELECT CASE WHEN close IS NULL THEN 'no_date'
                    WHEN close < DATE '{AS_OF}' THEN 'overdue' ELSE 'month' END,
               CASE WHEN close >= DATE '{AS_OF}' THEN strftime(close, '%Y-%m') END, currency,
               count(*), coalesce(sum(amount), 0), coalesce(sum(amount * p), 0)
        FROM d JOIN p ON p.k = d.now_at WHERE outcome = 'open' GROUP BY ALL""").fetchall()
    want = {(b, month, cur): (n, a, w) for b, month, cur, n, a, w in rows}
    got = {(r["bucket"], r["month"], r["currency"]): (r["deals"], r["amount"], r["weighted"])
           for r in report["funnels"][0]["forecast"]["rows"]}
    assert got.keys() == want.keys()
    for key, (n, amount, weighted) in want.items():
        assert got[key][0] == n, key
        # funnelctl rounds the sums to cents
        assert got[key][1:] == pytest.approx((amount, weighted), abs=0.01), key


def test_overdue_deals(report, db):
    n, oldest = db.execute(f"""SELECT count(*), min(close) FROM d
        WHERE outcome = 'open' AND close < DATE '{AS_OF}'""").fetchone()
    amounts = dict(db.execute(f"""SELECT currency, sum(amount) FROM d
        WHERE outcome = 'open' AND close < DATE '{AS_OF}' GROUP BY currency""").fetchall())
    overdue = report["funnels"][0]["forecast"]["overdue"]
    assert (overdue["deals"], overdue["amounts"]) == (n, pytest.approx(amounts))
    assert overdue["listed"][0]["expected_close"] == str(oldest)


BUCKETS = {  # name: (the deals in it, the value each adds), over j (s_ start, e_ end)
    "open_start": ("ss = 'open'", "sa"),
    "new": ("ss IS NULL AND es IS NOT NULL", "ea"),
    "reopened": ("ss IN ('won', 'lost') AND es = 'open'", "ea"),
    "advanced": ("ss = 'open' AND es = 'open' AND ep > sp", "ea"),
    "moved_back": ("ss = 'open' AND es = 'open' AND ep < sp", "ea"),
    "slipped": ("ss = 'open' AND es = 'open' AND ec > sc", "ea"),
    "amount_raised": ("ss = 'open' AND es IS NOT NULL AND ea > sa", "ea - sa"),
    "amount_cut": ("ss = 'open' AND es IS NOT NULL AND ea < sa", "sa - ea"),
    "won": ("(ss = 'open' OR ss IS NULL) AND es = 'won'", "ea"),
    "lost": ("(ss = 'open' OR ss IS NULL) AND es = 'lost'", "ea"),
    "removed": ("false", "sa"),  # one history: no deal is gone from it
    "open_end": ("es = 'open'", "ea"),
}


@pytest.fixture(scope="module")
def joined(db):
    start, end = f"{PERIOD[0]} 00:00", "2026-11-01 00:00"
    db.execute(f"""CREATE TABLE j AS
        SELECT coalesce(e.id, s.id) AS id, s.status AS ss, e.status AS es, s.pos AS sp,
               e.pos AS ep, coalesce(s.amount, 0) AS sa, coalesce(e.amount, 0) AS ea,
               s.close AS sc, e.close AS ec, coalesce(e.currency, s.currency) AS cur,
               coalesce(e.manager, s.manager) AS manager
        FROM ({state_sql(start)}) s FULL JOIN ({state_sql(end)}) e ON s.id = e.id""")
    return db


def test_waterfall_buckets_per_currency(waterfall, joined):
    assert waterfall["currencies"] == ["EUR", "USD"] and waterfall["currency"] is None
    got = {b["name"]: b for b in waterfall["buckets"]}
    assert list(got) == list(BUCKETS)
    for name, (where, value) in BUCKETS.items():
        n = joined.execute(f"SELECT count(*) FROM j WHERE {where}").fetchone()[0]
        values = dict(joined.execute(
            f"SELECT cur, sum({value}) FROM j WHERE {where} GROUP BY cur").fetchall())
        assert got[name]["deals"] == n, name
        assert got[name]["values"] == pytest.approx(values), name
    # Closed at both dates with another outcome: outside the open pipeline, counted apart.
    assert waterfall["closed_outcome_changed"] == joined.execute(
        "SELECT count(*) FROM j WHERE ss IN ('won', 'lost') AND es IN ('won', 'lost') "
        "AND ss <> es").fetchone()[0]
    assert min(got[b]["deals"] for b in ("new", "reopened", "advanced", "moved_back",
                                         "slipped", "amount_raised", "amount_cut", "won",
                                         "lost")) > 0


def test_waterfall_per_manager_and_slippage(waterfall, joined):
    open_end = next(b for b in waterfall["buckets"] if b["name"] == "open_end")
    want = dict(joined.execute(
        "SELECT manager, count(*) FROM j WHERE es = 'open' GROUP BY manager").fetchall())
    assert {m["manager"]: m["deals"] for m in open_end["per_manager"]} == want
    for m in open_end["per_manager"]:
        values = dict(joined.execute("SELECT cur, sum(ea) FROM j WHERE es = 'open' AND "
                                     "manager = ? GROUP BY cur", [m["manager"]]).fetchall())
        assert m["values"] == pytest.approx(values), m["manager"]
    n, median, most, total, both = joined.execute("""
        SELECT count(*) FILTER (ec > sc), median(ec - sc) FILTER (ec > sc),
               max(ec - sc) FILTER (ec > sc), sum(ec - sc) FILTER (ec > sc),
               count(*) FILTER (sc IS NOT NULL AND ec IS NOT NULL)
        FROM j WHERE ss = 'open' AND es = 'open'""").fetchone()
    s = waterfall["slippage"]
    assert (s["deals"], s["share"]) == (n, pytest.approx(n / both))
    assert (s["days_median"], s["days_max"], s["days_total"]) == (
        pytest.approx(float(median)), float(most), float(total))


def test_close_date_pushes_in_the_period(waterfall, joined):
    # Each later close date than the one before, saved in the period, of the deals that
    # slipped between the two dates.
    pushes = joined.execute(f"""
        SELECT count(*) FROM (
          SELECT id, ts, close > lag(close) OVER (PARTITION BY id ORDER BY ts) AS later
          FROM r WHERE close IS NOT NULL AND ts < TIMESTAMP '2026-11-01')
        WHERE later AND ts >= TIMESTAMP '{PERIOD[0]}'
          AND id IN (SELECT id FROM j WHERE ss = 'open' AND es = 'open' AND ec > sc)
        """).fetchone()[0]
    assert waterfall["slippage"]["pushes"] == pushes
