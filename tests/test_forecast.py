"""Stage probabilities, the weighted forecast per expected close month, overdue deals and
the plan, on a small export whose numbers are worked out by hand in the comments."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error, write_csv

CONFIG = """
version: 1
sources:
  d:
    path: d.csv
    kind: deals
    columns: {{deal_id: id, stage: stage, created_at: created, closed_at: closed,
               amount: amount, manager: manager, expected_close: expected, lost_stage: lost_at}}
funnels:
  - name: F
    source: d
    stages: [{{name: A}}, {{name: B}}, {{name: C, probability: 0.9}}]
    won: [W]
    lost: [L]
{extra}
"""
HEADER = ["id", "stage", "created", "closed", "amount", "manager", "expected", "lost_at"]
ROWS = [
    # closed: 2 won (every stage), lost at A, B, C, C and one lost at an unknown stage
    ["1", "W", "2026-09-01", "2026-11-03", "100", "Ann", "", ""],
    ["2", "W", "2026-09-01", "2026-10-20", "200", "Bob", "", ""],
    ["3", "L", "2026-09-01", "2026-10-01", "10", "Ann", "", "A"],
    ["4", "L", "2026-09-01", "2026-10-01", "10", "Ann", "", "B"],
    ["5", "L", "2026-09-01", "2026-10-01", "10", "Bob", "", "C"],
    ["6", "L", "2026-09-01", "2026-10-01", "10", "Bob", "", "C"],
    ["7", "L", "2026-09-01", "2026-10-01", "10", "Bob", "", ""],
    # open
    ["8", "A", "2026-10-01", "", "1000", "Ann", "2026-11-20", ""],
    ["9", "B", "2026-10-01", "", "500", "Bob", "2026-11-25", ""],
    ["10", "C", "2026-10-01", "", "2000", "Ann", "2026-12-05", ""],
    ["11", "B", "2026-10-01", "", "300", "Bob", "2026-11-01", ""],
    ["12", "A", "2026-10-01", "", "400", "Ann", "2026-10-15", ""],
    ["13", "C", "2026-10-01", "", "700", "Ann", "", ""],
    ["14", "B", "2026-10-01", "", "", "Bob", "2026-11-15", ""],
    ["15", "A", "2026-10-01", "", "50", "Ann", "2026-10-01", ""],
]
PLAN = """    plan:
      - {month: 2026-11, amount: 1000}
      - {month: 2026-11, manager: Ann, amount: 400}
      - {month: 2026-11, manager: Bob, amount: 600}
    snooze: snoozed.csv"""


SNOOZED = [["15", "2026-11-30", "client on holiday"]]


def write_export(directory, rows=ROWS, snoozed=SNOOZED, extra=PLAN, header=HEADER,
                 config=CONFIG):
    """The export, its snooze file and the config in `directory`; the config's path."""
    write_csv(directory / "d.csv", header, rows)
    write_csv(directory / "snoozed.csv", ["deal_id", "until", "note"], snoozed)
    path = directory / "audit.yaml"
    path.write_text(config.format(extra=extra), encoding="utf-8")
    return path


@pytest.fixture
def config(tmp_path):
    return write_export(tmp_path)


@pytest.fixture
def report(cli, config):
    return cli.json("audit", config, "--as-of", "2026-11-10")


def test_probabilities_learned_from_closed_deals_or_set_in_the_config(report):
    # Won 2. Closed deals that reached A: the 2 won + lost at A, B, C, C = 6 (deal 7's loss
    # stage is unknown: left out) -> 2/6. Reached B: 2 + B, C, C = 5 -> 0.4. C is set: 0.9.
    stages = report["funnels"][0]["stages"]
    a, b, c = (s["probability"] for s in stages)
    assert (a["probability"], a["won"], a["closed"], a["source"]) == (
        pytest.approx(1 / 3), 2, 6, "data")
    assert (b["probability"], b["closed"]) == (pytest.approx(0.4), 5)
    assert a["small_sample"] and b["small_sample"]  # 6 and 5 closed deals < min_sample 30
    assert (c["probability"], c["source"], c["closed"]) == (0.9, "config", None)
    # Deal 7 may have reached A or B: the learned shares are the highest the data allows,
    # and with it counted at the stage they would be 2/7 and 2/6.
    assert (a["unknown_lost"], a["lowest"]) == (1, pytest.approx(2 / 7))
    assert (b["unknown_lost"], b["lowest"]) == (1, pytest.approx(2 / 6))


@pytest.mark.parametrize(("lang", "words"), [
    ("en", "at most: 1 lost deal at an unknown stage left out (with it: 28.6%)"),
    ("ru", "не больше: без 1 проигранной сделки с неизвестным этапом (с ней: 28,6%)"),
])
def test_a_probability_with_lost_deals_at_unknown_stages_is_shown_as_a_bound(
        cli, config, lang, words):
    result = cli("audit", config, "--as-of", "2026-11-10", "--format", "markdown",
                 "--lang", lang, "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    assert words in result.stdout  # 2 won of 7 closed deals that may have reached A


def test_forecast_per_expected_close_month(report):
    # As of 2026-11-10. Overdue (expected before it): 11 (B, 300), 12 (A, 400), 15 (A, 50,
    # snoozed but still an open deal) -> 750, weighted 300*0.4 + 400/3 + 50/3 = 270.
    # 2026-11: 8 (A, 1000 -> 333.33), 9 (B, 500 -> 200), 14 (B, no amount) -> 1500, 533.33.
    # 2026-12: 10 (C, 2000 * 0.9 = 1800). No date: 13 (C, 700 -> 630).
    forecast = report["funnels"][0]["forecast"]
    rows = [(r["bucket"], r["month"], r["deals"], r["amount"], pytest.approx(r["weighted"]))
            for r in forecast["rows"]]
    # Sums are in cents (metrics.forecast.to_cents).
    assert rows == [("overdue", None, 3, 750.0, 270.0), ("month", "2026-11", 3, 1500.0,
                                                         round(1000 / 3 + 200, 2)),
                    ("month", "2026-12", 1, 2000.0, 1800.0), ("no_date", None, 1, 700.0, 630.0)]
    assert (forecast["open_deals"], forecast["without_amount"]) == (8, 1)


def test_overdue_deals_oldest_first_without_the_snoozed_one(report):
    # 12 (expected 2026-10-15, 26 days late) then 11 (2026-11-01, 9 days); 15 is snoozed.
    overdue = report["funnels"][0]["forecast"]["overdue"]
    assert (overdue["deals"], overdue["amounts"]) == (2, {"": 700.0})
    assert [(d["deal_id"], d["stage"], d["manager"], d["amount"], d["days"])
            for d in overdue["listed"]] == [("12", "A", "Ann", 400.0, 26.0),
                                            ("11", "B", "Bob", 300.0, 9.0)]
    finding = next(f for f in report["findings"] if f["code"] == "overdue_deals")
    assert (finding["subject"], finding["value"]) == ("F", 2.0)
    snoozed = report["funnels"][0]["snoozed"]
    assert (snoozed["active"], snoozed["hidden_overdue"], snoozed["expired"]) == (1, 1, 0)


def test_plan_attainment_pace_and_coverage(report):
    # November 2026 has 21 working days (Mon-Fri); up to Tue 10th 7 have passed, 14 are
    # left. Won in 1..10 November: deal 1 (Ann, 100); deal 2 closed in October.
    # Team: 100 of 1000, expected by now 1000*7/21 = 333.33 -> behind; pace 900/14;
    # pipeline expected in November: 8 (333.33) + 9 (200) + 11 (120, overdue, still open)
    # + 14 (no amount) = 653.33 -> coverage 653.33 / 900.
    # Ann: 100 of 400, expected 133.33 -> behind; pace 300/14; pipeline 8 -> 333.33/300.
    # Bob: 0 of 600, expected 200 -> behind; pace 600/14; pipeline 9 + 11 = 320 -> 320/600.
    lines = {ln["manager"]: ln for ln in report["funnels"][0]["plan"]["lines"]}
    team, ann, bob = lines[None], lines["Ann"], lines["Bob"]
    assert (team["working_days"], team["days_left"], team["status"]) == (21, 14, "running")
    assert (team["won"], team["attainment"], team["remaining"]) == (100.0, 0.1, 900.0)
    assert team["expected_by_now"] == pytest.approx(1000 * 7 / 21)
    assert team["pace_needed"] == pytest.approx(900 / 14)
    # The weighted pipeline is in cents (metrics.forecast.to_cents).
    assert team["coverage"] == pytest.approx(round(1000 / 3 + 200 + 120, 2) / 900)
    assert (ann["won"], ann["won_deals"], ann["attainment"]) == (100.0, 1, 0.25)
    assert ann["coverage"] == pytest.approx(round(1000 / 3, 2) / 300)
    assert ann["pace_needed"] == pytest.approx(300 / 14)
    assert (bob["won"], bob["coverage"]) == (0.0, pytest.approx(320 / 600))
    assert all(ln["behind"] for ln in lines.values())
    behind = sorted(f["subject"] for f in report["findings"] if f["code"] == "plan_behind")
    assert behind == ["F / Ann", "F / Bob", "F / team"]


def test_a_manager_on_pace_is_not_behind(cli, tmp_path):
    # Ann's plan of 250 in November: expected by 10 November 250*7/21 = 83.33; she won 100.
    write_csv(tmp_path / "d.csv", HEADER, ROWS)
    (tmp_path / "audit.yaml").write_text(CONFIG.format(
        extra="    plan: [{month: 2026-11, manager: Ann, amount: 250}]"), encoding="utf-8")
    report = cli.json("audit", tmp_path / "audit.yaml", "--as-of", "2026-11-10")
    lines = report["funnels"][0]["plan"]["lines"]
    # The team line is derived: the sum of the managers' targets (Ann's), over Ann's deals.
    assert [(ln["manager"], ln["plan"], ln["won"], ln["behind"]) for ln in lines] == [
        (None, 250.0, 100.0, False), ("Ann", 250.0, 100.0, False)]
    assert not [f for f in report["findings"] if f["code"] == "plan_behind"]


def test_the_plan_from_a_csv_file_gives_the_same_lines(cli, tmp_path, report):
    write_csv(tmp_path / "d.csv", HEADER, ROWS)
    write_csv(tmp_path / "plan.csv", ["month", "manager", "amount"],
              [["2026-11", "", "1000"], ["2026-11", "Ann", "400"], ["2026-11", "Bob", "600"]])
    (tmp_path / "audit.yaml").write_text(CONFIG.format(extra="    plan: plan.csv"),
                                         encoding="utf-8")
    from_file = cli.json("audit", tmp_path / "audit.yaml", "--as-of", "2026-11-10")
    assert from_file["funnels"][0]["plan"]["lines"] == report["funnels"][0]["plan"]["lines"]
    assert from_file["funnels"][0]["plan"]["source"] == "plan.csv"


@pytest.mark.parametrize(("text", "amount"), [
    ("1,250", 1250.0),  # a thousands comma, as the deals reader reads it (was 1.25)
    ("1 500 000,50", 1500000.5), ("1.250.000", 1250000.0), ("1250,5", 1250.5),
    ("USD 1,500.00", 1500.0), ("1 000 руб.", 1000.0), ("₽ 2 000 000", 2000000.0),
    ("1500000", 1500000.0), ("007", 7.0),  # plain digits (read without the rules)
])
def test_plan_file_amounts_read_as_an_export_reads_them(cli, tmp_path, text, amount):
    write_csv(tmp_path / "d.csv", HEADER, ROWS)
    write_csv(tmp_path / "plan.csv", ["month", "manager", "amount"], [["2026-11", "Ann", text]])
    (tmp_path / "audit.yaml").write_text(CONFIG.format(extra="    plan: plan.csv"),
                                         encoding="utf-8")
    report = cli.json("audit", tmp_path / "audit.yaml", "--as-of", "2026-11-10")
    lines = {ln["manager"]: ln["plan"] for ln in report["funnels"][0]["plan"]["lines"]}
    assert lines["Ann"] == amount


@pytest.mark.parametrize(("rows", "where", "what"), [
    ([["2026-11", "Ann", "lots"]], "plan.csv:2", "amount 'lots' is not a number"),
    ([["2026-11", "Ann", "5"], ["2026-13", "Bob", "5"]], "plan.csv:3", "not a month"),
    ([["2026-11", "Ann", "5"], ["2026-11", "ann", "7"]], "plan.csv:3", "already planned on line 2"),
    # Not the first number of the text: "1,5 млн" is not 1.5, "1e6" not 1.
    ([["2026-11", "Ann", "1,5 млн"]], "plan.csv:2", "amount '1,5 млн' is not a number"),
    ([["2026-11", "Ann", "1e6"]], "plan.csv:2", "amount '1e6' is not a number"),
    ([["2026-11", "Ann", "5"], ["2026-11", "Bob", "0"]], "plan.csv:3", "amount '0' is not"),
    ([["2026-11", "Ann", "5"], ["2026-11", "Bob", "٥"]], "plan.csv:3", "amount '٥' is not"),
    # MLN is no currency code (io/iso4217.py): not 1.5 in a currency "MLN"
    ([["2026-11", "Ann", "5"], ["2026-12", "Ann", "1.5 MLN"]], "plan.csv:3",
     "amount '1.5 MLN' is not a number"),
])
def test_a_bad_plan_file_names_its_line(cli, tmp_path, rows, where, what):
    write_csv(tmp_path / "d.csv", HEADER, ROWS)
    write_csv(tmp_path / "plan.csv", ["month", "manager", "amount"], rows)
    (tmp_path / "audit.yaml").write_text(CONFIG.format(extra="    plan: plan.csv"),
                                         encoding="utf-8")
    assert_error(cli("audit", tmp_path / "audit.yaml"), where, what)


def test_a_malformed_snooze_row_names_its_line(cli, tmp_path):
    write_csv(tmp_path / "d.csv", HEADER, ROWS)
    write_csv(tmp_path / "snoozed.csv", ["deal_id", "until", "note"],
              [["15", "2026-11-30", ""], ["12", "next week", "call back"]])
    (tmp_path / "audit.yaml").write_text(CONFIG.format(extra="    snooze: snoozed.csv"),
                                         encoding="utf-8")
    assert_error(cli("audit", tmp_path / "audit.yaml"), "snoozed.csv:3",
                 "until 'next week' is not a date")


def test_a_plan_target_needs_a_month_or_a_period(cli, tmp_path):
    write_csv(tmp_path / "d.csv", HEADER, ROWS)
    (tmp_path / "audit.yaml").write_text(CONFIG.format(
        extra="    plan: [{manager: Ann, amount: 250}]"), encoding="utf-8")
    assert_error(cli("audit", tmp_path / "audit.yaml"), "audit.yaml:15",
                 "exactly one of month")


def test_a_repeated_plan_target_is_a_config_error(cli, tmp_path):
    # Ann twice for the same month (" ann" trims and folds to the same manager).
    write_csv(tmp_path / "d.csv", HEADER, ROWS)
    (tmp_path / "audit.yaml").write_text(CONFIG.format(
        extra="    plan: [{month: 2026-11, manager: Ann, amount: 250},\n"
              "           {month: 2026-11, manager: ' ann', amount: 5}]"), encoding="utf-8")
    assert_error(cli("audit", tmp_path / "audit.yaml"), "audit.yaml:15",
                 "plan target 2 repeats target 1", "2026-11-01..2026-11-30")


def test_plan_on_an_event_funnel_is_a_config_error(cli, tmp_path):
    # A stage-history funnel takes a plan (tests/test_history_forecast.py); events do not.
    write_csv(tmp_path / "e.csv", ["user_id", "event", "ts"], [["1", "A", "2026-10-01"]])
    (tmp_path / "audit.yaml").write_text("""
version: 1
sources:
  e: {path: e.csv, kind: events}
funnels:
  - name: E
    source: e
    window: 7d
    stages: [{name: A}]
    plan: [{month: 2026-11, amount: 5}]
""", encoding="utf-8")
    assert_error(cli("audit", tmp_path / "audit.yaml"), "audit.yaml:10",
                 "plan applies to deal and stage-history funnels only")


def test_working_days_follow_the_norms_calendar(cli, tmp_path):
    # A holiday on Wed 2026-11-04 and a working Saturday 2026-11-07 (working_dates): still
    # 21 working days in November; up to Tue 10th: 2, 3, 5, 6, 7, 9, 10 = 7, so 14 left.
    # With the holiday on 2026-11-20 instead (after the 10th) 13 days are left.
    write_csv(tmp_path / "d.csv", HEADER, ROWS)
    write_csv(tmp_path / "a.csv", ["manager", "ts", "type"], [["Ann", "2026-11-02 10:00", "call"]])
    base = CONFIG.format(extra=PLAN.replace("    snooze: snoozed.csv", ""))
    base = base.replace("funnels:", "  a: {path: a.csv, kind: activities}\nfunnels:", 1)
    for day, expected in (("2026-11-04", (21, 14)), ("2026-11-20", (21, 13))):
        norms = (f"norms:\n  source: a\n  calendar: {{holidays: [{day}], "
                 "working_dates: [2026-11-07]}\n")
        (tmp_path / "audit.yaml").write_text(base + norms, encoding="utf-8")
        report = cli.json("audit", tmp_path / "audit.yaml", "--as-of", "2026-11-10")
        team = next(ln for ln in report["funnels"][0]["plan"]["lines"] if ln["manager"] is None)
        assert (team["working_days"], team["days_left"]) == expected


def test_the_lowest_probability_is_worked_out_from_the_counts():
    import orjson

    from funnelctl.report_forecast import StageProbability

    # 2 won of 6 closed that reached the stage, 1 lost at an unknown stage: 2 / 7 at least.
    learned = StageProbability(probability=2 / 6, source="data", won=2, closed=6,
                               unknown_lost=1)
    assert learned.lowest == pytest.approx(2 / 7)
    assert orjson.loads(orjson.dumps(learned))["lowest"] == pytest.approx(2 / 7)
    # No lost deal of unknown stage, or a probability set in the config: no lower bound.
    assert StageProbability(probability=0.5, source="data", won=3, closed=6).lowest is None
    assert StageProbability(probability=0.4, source="config").lowest is None
    with pytest.raises(TypeError):  # never given: it could disagree with the counts
        StageProbability(probability=0.5, source="data", won=1, closed=2, lowest=0.1)
