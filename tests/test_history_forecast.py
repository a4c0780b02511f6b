"""The forecast, overdue deals and plan of a stage-history funnel, on a small history
whose numbers are worked out by hand in the comments."""

from __future__ import annotations

import pytest

from tests.conftest import HISTORY_HEADER as HEADER
from tests.conftest import history_entries as deal
from tests.conftest import write_csv

CONFIG = """
version: 1
sources:
  h: {{path: h.csv, kind: stage_history}}
funnels:
  - name: H
    source: h
    stages: [{{name: A}}, {{name: B}}, {{name: C}}]
    won: [W]
    lost: [L]
{extra}
"""


ROWS = [
    # closed: 1 won through A, B, C; 2 won skipping C (a win passes every stage);
    # 3 lost after A, 4 after B, 5 after C; 6 lost before any stage (left out)
    *deal("1", "Ann", "100", "", ("A", "2026-09-01"), ("B", "2026-09-05"),
          ("C", "2026-09-10"), ("W", "2026-10-20")),
    *deal("2", "Bob", "200", "", ("A", "2026-09-01"), ("B", "2026-09-03"),
          ("W", "2026-11-03 12:00")),
    *deal("3", "Ann", "10", "", ("A", "2026-09-02"), ("L", "2026-09-20")),
    *deal("4", "Bob", "10", "", ("A", "2026-09-02"), ("B", "2026-09-04"), ("L", "2026-09-20")),
    *deal("5", "Bob", "10", "", ("A", "2026-09-02"), ("B", "2026-09-04"), ("C", "2026-09-06"),
          ("L", "2026-09-20")),
    *deal("6", "Ann", "10", "", ("L", "2026-09-20")),
    # open: 7 reached B and moved back to A (forecast at A, where it is now)
    *deal("7", "Ann", "1000", "2026-11-20", ("A", "2026-10-01"), ("B", "2026-10-05"),
          ("A", "2026-10-10")),
    *deal("8", "Bob", "500", "2026-11-25", ("A", "2026-10-01"), ("B", "2026-10-05")),
    *deal("9", "Ann", "2000", "2026-12-05", ("A", "2026-10-01"), ("B", "2026-10-02"),
          ("C", "2026-10-03")),
    *deal("10", "Ann", "400", "2026-10-15", ("A", "2026-10-01")),
    # 11: its latest entry raised the amount and pulled the close date in
    ["11", "A", "2026-10-01", "Bob", "300", "2026-12-20"],
    ["11", "B", "2026-10-06", "Bob", "350", "2026-11-01"],
    *deal("12", "Ann", "", "2026-11-15", ("A", "2026-10-01")),
]
PLAN = """    plan:
      - {month: 2026-11, amount: 1000}
      - {month: 2026-11, manager: Ann, amount: 500}
      - {month: 2026-11, manager: Bob, amount: 300}"""


@pytest.fixture
def config(tmp_path):
    write_csv(tmp_path / "h.csv", HEADER, ROWS)
    path = tmp_path / "audit.yaml"
    path.write_text(CONFIG.format(extra=PLAN), encoding="utf-8")
    return path


@pytest.fixture
def report(cli, config):
    return cli.json("audit", config, "--as-of", "2026-11-10")


def test_probabilities_are_learned_from_the_history(report):
    # Closed deals that entered A or beyond: 1, 2, 3, 4, 5 (6 entered no stage), 2 won ->
    # 2/5. B or beyond: 1, 2 (won), 4, 5 -> 2/4. C or beyond: 1, 2 (won), 5 -> 2/3.
    # Open deals (7 reached B) are in no denominator.
    got = [(s["probability"]["won"], s["probability"]["closed"], s["probability"]["source"])
           for s in report["funnels"][0]["stages"]]
    assert got == [(2, 5, "data"), (2, 4, "data"), (2, 3, "data")]
    assert [s["probability"]["probability"] for s in report["funnels"][0]["stages"]] == \
        pytest.approx([0.4, 0.5, 2 / 3])


def test_forecast_per_month_from_the_latest_state(report):
    # As of 2026-11-10. Overdue: 10 (A, 400 x 0.4 = 160), 11 (now B, 350 x 0.5 = 175).
    # 2026-11: 7 (now A: 1000 x 0.4 = 400), 8 (B, 500 x 0.5 = 250), 12 (no amount).
    # 2026-12: 9 (C, 2000 x 2/3 = 1333.33).
    forecast = report["funnels"][0]["forecast"]
    assert [(r["bucket"], r["month"], r["deals"], r["amount"], r["weighted"])
            for r in forecast["rows"]] == [
        ("overdue", None, 2, 750.0, 335.0), ("month", "2026-11", 3, 1500.0, 650.0),
        ("month", "2026-12", 1, 2000.0, 1333.33)]
    assert (forecast["open_deals"], forecast["without_amount"]) == (6, 1)


def test_overdue_deals_of_a_history(report):
    overdue = report["funnels"][0]["forecast"]["overdue"]
    assert [(d["deal_id"], d["stage"], d["manager"], d["amount"], d["days"])
            for d in overdue["listed"]] == [("10", "A", "Ann", 400.0, 26.0),
                                            ("11", "B", "Bob", 350.0, 9.0)]
    finding = next(f for f in report["findings"] if f["code"] == "overdue_deals")
    assert (finding["subject"], finding["value"]) == ("H", 2.0)


def test_plan_of_a_history_funnel(report):
    # Won in 1..10 November: deal 2 (Bob, 200, its win entered 2026-11-03); deal 1 won in
    # October. Pipeline expected in November: Ann 7 (400); Bob 8 (250) + 11 (175, overdue,
    # still open) = 425; the team 825 (12 has no amount, 9 is December's).
    lines = {ln["manager"]: ln for ln in report["funnels"][0]["plan"]["lines"]}
    assert [(m, lines[m]["won"], lines[m]["won_deals"], lines[m]["weighted_pipeline"])
            for m in (None, "Ann", "Bob")] == [(None, 200.0, 1, 825.0), ("Ann", 0.0, 0, 400.0),
                                               ("Bob", 200.0, 1, 425.0)]
    assert lines[None]["coverage"] == pytest.approx(825 / 800)
    assert lines["Bob"]["coverage"] == pytest.approx(425 / 100)


@pytest.mark.parametrize(("fmt", "language", "words"), [
    ("markdown", "en", "overdue (before"), ("markdown", "ru", "просрочены (раньше"),
    ("table", "en", "overdue (before"), ("html", "ru", "просрочены (раньше")])
def test_every_renderer_shows_the_history_forecast(cli, config, fmt, language, words):
    out = cli("audit", config, "--as-of", "2026-11-10", "--format", fmt, "--lang", language,
              "--fail-on", "never").stdout
    assert words in out and "1333" in out.replace(" ", "").replace(",", "").replace("\u00a0", "")


SF_HEADER = ["Opportunity ID", "Owner", "From Stage", "To Stage", "Amount", "Close Date",
             "Last Modified"]
SF_ROWS = [  # a Salesforce Opportunity History report: the edits are From = To rows
    ["O1", "Ann", "", "A", "USD 1,000.00", "3/20/2026", "2/10/2026"],
    ["O1", "Ann", "A", "A", "USD 1,000.00", "3/31/2026", "3/05/2026"],  # pushed out
    ["O1", "Ann", "A", "A", "USD 1,200.00", "4/15/2026", "3/20/2026"],  # raised, pushed
    ["O2", "Bob", "", "A", "USD 500.00", "3/10/2026", "2/11/2026"],
    ["O2", "Bob", "A", "B", "USD 400.00", "3/10/2026", "3/02/2026"],
    ["O2", "Bob", "B", "B", "-", "3/12/2026", "3/03/2026"],  # a blank amount sets nothing
    ["O3", "Bob", "", "A", "USD 300.00", "3/01/2026", "2/12/2026"],
    ["O3", "Bob", "A", "W", "USD 300.00", "3/08/2026", "3/08/2026"],
    ["O3", "Bob", "W", "W", "USD 350.00", "3/08/2026", "3/09/2026"],  # corrected after
]


def test_a_salesforce_historys_edit_rows_set_the_latest_amount_and_close_date(cli, tmp_path):
    # Each deal's amount and close date are the last ones any row set, a stage move or an
    # edit (From Stage = To Stage), as the waterfall takes them: O1 1200, closing
    # 2026-04-15 (not 1000 on 2026-03-20, its last move's); O2 400 (the "-" edit sets no
    # amount), closing 2026-03-12; O3 won at 350.
    write_csv(tmp_path / "h.csv", SF_HEADER, SF_ROWS)
    (tmp_path / "audit.yaml").write_text(CONFIG.format(extra=""), encoding="utf-8")
    funnel = cli.json("audit", tmp_path / "audit.yaml", "--as-of", "2026-04-01")["funnels"][0]
    money = funnel["money"]
    assert (money["open_value"], money["won_revenue"]) == (1600.0, 350.0)
    assert [s["value"]["open"] for s in funnel["stages"]] == [1200.0, 400.0, 0.0]
    # p(A) = p(B) = p(C) = 1/1 (O3 won, the one closed deal). As of 2026-04-01 O2 is
    # overdue (400), O1 is April's (1200).
    assert [(r["bucket"], r["month"], r["deals"], r["amount"], r["weighted"])
            for r in funnel["forecast"]["rows"]] == [
        ("overdue", None, 1, 400.0, 400.0), ("month", "2026-04", 1, 1200.0, 1200.0)]
