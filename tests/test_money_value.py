"""The funnel in money on a hand-made export: every number worked out by hand below."""

from __future__ import annotations

import pytest

from funnelctl import audit
from funnelctl.history import run_of
from tests.conftest import write_csv

HEADER = ["Id", "Stage", "Status", "Created", "Closed", "Owner", "Amount", "Reason"]
# Stages A -> B -> C; with a status column a lost deal's stage is the stage it was lost at.
ROWS = [
    ["1", "A", "open", "2026-01-01 10:00", "", "Ann", "100", ""],
    ["2", "B", "open", "2026-01-01 10:00", "", "Bob", "200", ""],
    ["3", "C", "won", "2026-01-01 10:00", "2026-01-11 10:00", "Ann", "1 000", ""],      # 10 d
    ["4", "B", "lost", "2026-01-01 10:00", "2026-01-05 10:00", "Ann", "300", "Дорого"],
    ["5", "A", "lost", "2026-01-01 10:00", "2026-01-05 10:00", "Ann", "abc", "Дорого"],
    ["6", "C", "won", "2026-01-01 10:00", "2026-01-21 10:00", "Bob", "2 500,50", ""],  # 20 d
    ["7", "C", "lost", "2026-01-01 10:00", "2026-01-05 10:00", "Bob", "400", "Нет бюджета"],
    ["8", "A", "lost", "2026-01-01 10:00", "2026-01-05 10:00", "Bob", "50", ""],
]

CONFIG = """
version: 1
sources:
  deals:
    path: deals.csv
    kind: deals
    columns: {deal_id: Id, stage: Stage, status: Status, created_at: Created,
              closed_at: Closed, manager: Owner, amount: Amount, loss_reason: Reason}
funnels:
  - name: F
    source: deals
    min_sample: 1
    stages: [{name: A}, {name: B}, {name: C}]
    breakdown: [manager]
    cycle_days: {good: 12, acceptable: 20}
"""


@pytest.fixture
def report(tmp_path):
    write_csv(tmp_path / "deals.csv", HEADER, ROWS)
    (tmp_path / "audit.yaml").write_text(CONFIG, encoding="utf-8")
    return audit(tmp_path / "audit.yaml")


def test_value_per_stage(report):
    f = report.funnels[0]
    values = {s.name: s.value for s in f.stages}
    # A: every deal entered: 100+200+1000+300+(abc: none)+2500.5+400+50 = 4550.5; moved on
    # (reached B): deals 2,3,4,6,7 = 4400.5; lost at A: deals 5 (no amount) and 8 = 50 in 2
    # deals; open at A: deal 1 = 100.
    assert (values["A"].entered, values["A"].moved_on, values["A"].lost, values["A"].open,
            values["A"].lost_deals) == (4550.5, 4400.5, 50.0, 100.0, 2)
    # B: 4400.5 entered; reached C: 3, 6, 7 = 3900.5; lost: deal 4 = 300; open: deal 2 = 200.
    assert (values["B"].entered, values["B"].moved_on, values["B"].lost, values["B"].open,
            values["B"].lost_deals) == (4400.5, 3900.5, 300.0, 200.0, 1)
    # C (last): moved on = won = 1000 + 2500.5; lost: deal 7 = 400; open: none.
    assert (values["C"].entered, values["C"].moved_on, values["C"].lost, values["C"].open,
            values["C"].lost_deals) == (3900.5, 3500.5, 400.0, 0.0, 1)


def test_won_revenue_deal_size_and_velocity(report):
    m = report.funnels[0].money
    assert m.currency is None  # no currency column, none configured
    assert (m.won_revenue, m.won_deals, m.deal_mean, m.deal_median) == (3500.5, 2, 1750.25,
                                                                         1750.25)
    assert (m.open_value, m.lost_value, m.lost_value_unplaced) == (300.0, 750.0, 0.0)
    assert (m.deals, m.deals_without_amount) == (8, 1)  # deal 5: "abc"
    # Velocity: open deals 2 (1, 2) x win rate 2 / (2 + 4) x average won 1750.25 / median
    # cycle (10 + 20) / 2 = 15 days = 3500.5 / 45 per day.
    v = m.velocity
    assert (v.open_deals, v.win_rate, v.average_won, v.cycle_days) == (2, pytest.approx(1 / 3),
                                                                        1750.25, 15.0)
    assert v.per_day == pytest.approx(3500.5 / 45)
    # Ann: open 1 deal, won 1 of 2 closed... and 5 is lost too: won 1 of 3 closed (3; 4, 5),
    # average won 1000, cycle 10: 1 x 1/3 x 1000 / 10. Bob: open 1 (2), won 1 of 3 closed
    # (6; 7, 8), 2500.5 in 20 days: 1 x 1/3 x 2500.5 / 20.
    segments = {s.value: s.money for s in report.funnels[0].breakdowns["manager"]}
    assert segments["Ann"].velocity.per_day == pytest.approx(1000 / 30)
    assert segments["Bob"].velocity.per_day == pytest.approx(2500.5 / 60)
    assert (segments["Ann"].won_revenue, segments["Bob"].won_revenue) == (1000.0, 2500.5)
    assert segments["Bob"].lost_value == 450.0  # 400 + 50
    assert m.managers == []  # the managers are a breakdown: their segments hold it


def test_money_per_manager_without_a_manager_breakdown(tmp_path):
    write_csv(tmp_path / "deals.csv", HEADER, ROWS)
    (tmp_path / "audit.yaml").write_text(CONFIG.replace("breakdown: [manager]",
                                                        "breakdown: []"), encoding="utf-8")
    m = audit(tmp_path / "audit.yaml").funnels[0].money
    assert [s.value for s in m.managers] == ["Bob", "Ann"]  # most revenue first
    managers = {s.value: s for s in m.managers}
    assert managers["Ann"].velocity.per_day == pytest.approx(1000 / 30)
    assert (managers["Bob"].won_revenue, managers["Bob"].deal_median) == (2500.5, 2500.5)


def test_the_folded_other_row_in_money(tmp_path):
    write_csv(tmp_path / "deals.csv", HEADER, ROWS)
    (tmp_path / "audit.yaml").write_text(CONFIG.replace(
        "breakdown: [manager]", "breakdown: [manager]\n    segments: {top: 1}"),
        encoding="utf-8")
    segs = audit(tmp_path / "audit.yaml").funnels[0].breakdowns["manager"]
    # 4 deals each: Ann (first by name) is kept, Bob folded into the other row, whose money
    # is Bob's: won 2500.5, open 200, lost 450, one open deal.
    other = next(s for s in segs if s.folded)
    assert (other.money.won_revenue, other.money.open_value, other.money.lost_value,
            other.money.deal_median) == (2500.5, 200.0, 450.0, 2500.5)
    assert other.money.velocity.per_day == pytest.approx(2500.5 / 60)


def test_bottleneck_by_value_and_the_finding(report):
    f = report.funnels[0]
    # Lost at known stages: A 50, B 300, C 400 (of 750): the money is lost at C, 53%; the
    # most deals (2) were lost at A.
    assert (f.value_bottleneck.stage, f.value_bottleneck.lost) == ("C", 400.0)
    assert f.value_bottleneck.share == pytest.approx(400 / 750)
    found = next(x for x in report.findings if x.code == "value_bottleneck")
    assert "most deals lost at 'A', most money lost at 'C'" in found.message


def test_loss_reasons(report):
    reasons = {r.reason: r for r in report.funnels[0].loss_reasons}
    # 4 lost deals: Дорого 2 (4 at B: 300; 5 at A: no amount), Нет бюджета 1 (7 at C: 400),
    # no reason 1 (8 at A: 50).
    assert [r.reason for r in report.funnels[0].loss_reasons] == ["Дорого", "(empty)",
                                                                  "Нет бюджета"]
    assert (reasons["Дорого"].deals, reasons["Дорого"].share, reasons["Дорого"].value,
            reasons["Дорого"].stages) == (2, 0.5, 300.0, {"A": 1, "B": 1})
    assert (reasons["Нет бюджета"].share, reasons["Нет бюджета"].value,
            reasons["Нет бюджета"].stages) == (0.25, 400.0, {"C": 1})
    assert (reasons["(empty)"].value, reasons["(empty)"].stages) == (50.0, {"A": 1})


def test_cycle_target(report):
    t = report.funnels[0].cycle_target
    # Cycles 10 and 20 days: median 15, above good 12, within acceptable 20: warn; one of
    # the two won deals (20 d) took longer than 12 days.
    assert (t.median, t.verdict, t.won_deals, t.over_good, t.over_good_share) == (
        15.0, "warn", 2, 1, 0.5)
    found = next(x for x in report.findings if x.code == "cycle_time")
    assert found.severity == "warn" and found.value == 15.0


def test_the_history_keeps_the_value_that_entered_each_stage(report):
    run = run_of("audit.yaml", report)
    assert [s.value for s in run.funnels["F"].stages] == [4550.5, 4400.5, 3900.5]


def test_the_unparseable_amount_is_counted_with_its_line(report):
    problems = report.data_quality.sources[0].value_problems
    assert problems["unparseable amount"]["rows"] == 1
    assert problems["unparseable amount"]["line"] == 6  # the header is line 1; deal 5


HISTORY = """deal_id,stage,entered_at,amount
1,A,2026-01-01 10:00,100
1,B,2026-01-03 10:00,150
1,Won,2026-01-09 10:00,
2,A,2026-01-01 10:00,40
2,Lost,2026-01-02 10:00,
3,A,2026-01-02 10:00,70
3,B,2026-01-04 10:00,
"""


def test_a_stage_history_with_amounts_has_the_money_view(tmp_path):
    (tmp_path / "history.csv").write_text(HISTORY, encoding="utf-8")
    (tmp_path / "audit.yaml").write_text("""
version: 1
sources:
  h: {path: history.csv, kind: stage_history}
funnels:
  - name: H
    source: h
    min_sample: 1
    stages: [{name: A}, {name: B}]
    won: [Won]
    lost: [Lost]
""", encoding="utf-8")
    f = audit(tmp_path / "audit.yaml").funnels[0]
    # Each deal's latest amount: 1 -> 150 (won, 8 days), 2 -> 40 (lost at A), 3 -> 70
    # (open at B). A: entered 260, moved on 220, lost 40; B: entered 220, won 150, open 70.
    a, b = (s.value for s in f.stages)
    assert (a.entered, a.moved_on, a.lost, a.open) == (260.0, 220.0, 40.0, 0.0)
    assert (b.entered, b.moved_on, b.lost, b.open) == (220.0, 150.0, 0.0, 70.0)
    # Velocity: 1 open x 1/2 x 150 / 8 days.
    assert f.money.velocity.per_day == pytest.approx(150 / 2 / 8)


LOSS_HEADER = ["Id", "Stage", "Status", "Created", "Closed", "Amount", "Cur", "Reason"]
LOSS_ROWS = [
    ["1", "A", "lost", "2026-01-01", "2026-01-03", "100", "USD", "price"],
    ["2", "A", "lost", "2026-01-01", "2026-01-03", "1000", "RUB", "price"],
    ["3", "A", "won", "2026-01-01", "2026-01-03", "500", "RUB", ""],
    ["4", "A", "lost", "2026-01-01", "2026-01-03", "7", "", "price"],
]
LOSS_CONFIG = """
version: 1
money: {currency: RUB%s}
sources:
  deals:
    path: deals.csv
    kind: deals
    columns: {deal_id: Id, stage: Stage, status: Status, created_at: Created,
              closed_at: Closed, amount: Amount, currency: Cur, loss_reason: Reason}
funnels:
  - {name: F, source: deals, min_sample: 1, stages: [{name: A}]}
"""


def _loss(tmp_path, rates: str):
    write_csv(tmp_path / "deals.csv", LOSS_HEADER, LOSS_ROWS)
    (tmp_path / "audit.yaml").write_text(LOSS_CONFIG % rates, encoding="utf-8")
    [reason] = audit(tmp_path / "audit.yaml").funnels[0].loss_reasons
    return reason


def test_loss_reasons_are_converted_with_the_rates(tmp_path):
    # 100 USD x 90 + 1 000 RUB + 7 (blank: the default RUB) = 10 007 RUB, one currency.
    reason = _loss(tmp_path, ", rates: {USD: 90}")
    assert (reason.deals, reason.value, reason.value_by_currency) == (3, 10007.0, None)


def test_loss_reasons_count_a_blank_currency_as_the_default(tmp_path):
    # No rates: USD 100 apart; RUB 1 000 + 7 (the blank cell) = 1 007; no "None" key.
    reason = _loss(tmp_path, "")
    assert (reason.deals, reason.value_by_currency) == (3, {"RUB": 1007.0, "USD": 100.0})


# The reader leaves the reasons as written; they are trimmed where they are counted.
# Deals 4 and 5 ("Дорого") are one reason (300 + deal 5 without an amount), deal 7
# another (400), deal 8's is blank (50): with spaces, and with zero-width characters
# (U+FEFF from an Excel copy, U+200B, a lone U+2060).
@pytest.mark.parametrize("written", [("  Дорого ", "Нет бюджета ", "   "),
                                     ("Дорого\ufeff", "\u200bНет бюджета", "\u2060")],
                         ids=["spaces", "zero-width"])
def test_loss_reasons_written_with_edges_are_one_reason(tmp_path, written):
    rows = [list(r) for r in ROWS]
    rows[3][7], rows[6][7], rows[7][7] = written
    write_csv(tmp_path / "deals.csv", HEADER, rows)
    (tmp_path / "audit.yaml").write_text(CONFIG, encoding="utf-8")
    reasons = audit(tmp_path / "audit.yaml").funnels[0].loss_reasons
    assert [(r.reason, r.deals, r.value, r.stages) for r in reasons] == [
        ("Дорого", 2, 300.0, {"A": 1, "B": 1}), ("(empty)", 1, 50.0, {"A": 1}),
        ("Нет бюджета", 1, 400.0, {"C": 1})]


def test_outcome_tables_sum_one_group_by_per_stage_and_per_segment():
    import polars as pl

    from funnelctl.metrics.outcome_tables import outcome_tables, summed_by_segment

    # Ann: won at depth 3 (100), lost at 1 (no amount); a blank owner: open at 2 (30),
    # lost at 1 (5); "(empty)" written as such is the blank owner's segment too.
    deals = pl.DataFrame({
        "manager": ["Ann", "Ann", None, None, "(empty)"],
        "depth": pl.Series([3, 1, 2, 1, 2], dtype=pl.Int32),
        "outcome": ["won", "lost", "open", "lost", "open"],
        "amount": [100.0, None, 30.0, 5.0, 7.0]})
    deals = deals.with_columns(cycle_days=pl.lit(None, pl.Float64))
    tables = outcome_tables(deals, ["manager"], priced=True)
    by_depth, by_segment = tables.whole, summed_by_segment(tables.by_column["manager"])
    # Per (depth, outcome): 1 lost: 2 deals, 5 in 1 priced; 2 open: 2 deals, 37; 3 won: 100.
    assert by_depth.rows() == [(1, "lost", 2, 5.0, 1), (2, "open", 2, 37.0, 2),
                                   (3, "won", 1, 100.0, 1)]
    # Per (segment, outcome): (empty) lost 1 (5), open 2 (37); Ann lost 1 (none), won 1.
    assert by_segment.rows() == [("(empty)", "lost", 1, 5.0, 1),
                                        ("(empty)", "open", 2, 37.0, 2),
                                        ("Ann", "lost", 1, 0.0, 0), ("Ann", "won", 1, 100.0, 1)]
