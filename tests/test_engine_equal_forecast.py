"""The forecast of a deals funnel on both engines: engine: polars and engine: clickhouse
(chdb in process) must give equal JSON reports (stage probabilities, the weighted
forecast per expected-close month and currency, the overdue deals, their list and
per-manager counts, the overdue finding), and the numbers are worked out by hand."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from tests import test_engine_equal_money as money_tests
from tests.engine_support import report_json
from tests.test_engine_equal_deals import AS_OF, on_clickhouse
from tests.test_engine_equal_money import both, hand_config

pytest.importorskip("chdb")


def forecast_export(path) -> None:
    """Eleven deals (as of 2026-12-01; stage C's probability 0.75 from the config):
    id stage status amount currency expected    manager
    1  A     lost   100    USD      -           Ann
    2  B     lost   200    USD      -           Ann
    3  C     won    400    USD      -           Bob
    4  C     won    500    USD      -           Bob
    5  C     lost   800    USD      -           Bob
    6  A     open   1000   USD      2026-11-15  Ann    overdue 16 days
    7  B     open   2000   EUR      2026-10-01  Bob    overdue 61 days
    8  C     open   3000   USD      2026-12-20  Ann
    9  B     open   (none) USD      2027-01-05  Ann
    10 A     open   500    USD      (none)      Bob
    11 C     open   400    EUR      2026-11-30  (none) overdue 1 day
    Learned: p(A) = won 2 / closed that reached A 5 = 0.4; p(B) = 2 / 4 = 0.5.
    Stage changed (open deals; days to the end of 2026-12-01): 6 2026-10-01 (62 days),
    7 2026-09-01 (92), 8 2026-11-01 (31), 9 2026-10-31 12:00 (31.5), 10 2026-11-20 (12),
    11 2026-11-25 (7).
    """
    none = None
    frame = pl.DataFrame({
        "deal_id": [str(i) for i in range(1, 12)],
        "stage": ["A", "B", "C", "C", "C", "A", "B", "C", "B", "A", "C"],
        "status": ["lost", "lost", "won", "won", "lost"] + ["open"] * 6,
        "amount": [100.0, 200, 400, 500, 800, 1000, 2000, 3000, none, 500, 400],
        "currency": ["USD"] * 6 + ["EUR", "USD", "USD", "USD", "EUR"],
        "manager": ["Ann", "Ann", "Bob", "Bob", "Bob", "Ann", "Bob", "Ann", "Ann", "Bob", none],
        "created_at": [dt.datetime(2026, 3, d) for d in range(1, 12)],
        "closed_at": [dt.datetime(2026, 3, d + 10) for d in range(1, 6)] + [none] * 6,
        "stage_changed_at": [none] * 5 + [dt.datetime(2026, 10, 1), dt.datetime(2026, 9, 1),
                                          dt.datetime(2026, 11, 1), dt.datetime(2026, 10, 31, 12),
                                          dt.datetime(2026, 11, 20), dt.datetime(2026, 11, 25)],
        "expected_close": [none] * 5 + [dt.datetime(2026, 11, 15, 9), dt.datetime(2026, 10, 1),
                                        dt.datetime(2026, 12, 20), dt.datetime(2027, 1, 5),
                                        none, dt.datetime(2026, 11, 30, 23, 59)],
    })
    frame.write_parquet(path)


def forecast_config(path, **money) -> dict:
    config = hand_config(path, **money)
    config["funnels"][0]["stages"][2]["probability"] = 0.75
    return config


def rows_of(report: dict) -> list[tuple]:
    return [(r["bucket"], r["month"], r["currency"], r["deals"], r["amount"], r["weighted"])
            for r in report["funnels"][0]["forecast"]["rows"]]


def test_forecast_in_currencies_worked_by_hand(tmp_path):
    path = tmp_path / "d.parquet"
    forecast_export(path)
    polars, clickhouse = both(forecast_config(path), tmp_path)
    assert clickhouse == polars
    funnel = clickhouse["funnels"][0]
    assert [s["probability"]["probability"] for s in funnel["stages"]] == [0.4, 0.5, 0.75]
    # Overdue EUR: 7 (2000 x 0.5) and 11 (400 x 0.75); USD: 6 (1000 x 0.4).
    assert rows_of(clickhouse) == [
        ("overdue", None, "EUR", 2, 2400.0, 1300.0), ("overdue", None, "USD", 1, 1000.0, 400.0),
        ("month", "2026-12", "USD", 1, 3000.0, 2250.0), ("month", "2027-01", "USD", 1, 0.0, 0.0),
        ("no_date", None, "USD", 1, 500.0, 200.0)]
    forecast = funnel["forecast"]
    assert (forecast["open_deals"], forecast["without_amount"]) == (6, 1)
    late = forecast["overdue"]
    assert (late["deals"], late["amounts"], late["by_manager"]) == \
        (3, {"EUR": 2400.0, "USD": 1000.0}, {"Ann": 1, "Bob": 1})
    assert [(d["deal_id"], d["days"], d["manager"]) for d in late["listed"]] == \
        [("7", 61.0, "Bob"), ("6", 16.0, "Ann"), ("11", 1.0, None)]
    assert any(f["code"] == "overdue_deals" for f in clickhouse["findings"])


def test_forecast_converted_with_rates(tmp_path):
    path = tmp_path / "d.parquet"
    forecast_export(path)
    polars, clickhouse = both(forecast_config(path, currency="USD", rates={"EUR": 1.5}),
                              tmp_path)
    assert clickhouse == polars
    # EUR x 1.5: overdue 1000 + 3000 + 600 = 4600, weighted 400 + 1500 + 450 = 2350.
    assert rows_of(clickhouse)[0] == ("overdue", None, "USD", 3, 4600.0, 2350.0)


def test_a_text_expected_close_is_named_not_read(tmp_path):
    path = tmp_path / "d.parquet"
    forecast_export(path)
    pl.read_parquet(path).with_columns(pl.col("expected_close").cast(pl.String)) \
        .write_parquet(path)
    _, clickhouse = both(forecast_config(path), tmp_path)
    assert clickhouse["funnels"][0].get("forecast") is None
    notes = clickhouse["data_quality"]["sources"][0]["notes"]
    assert any("'expected_close' (expected_close, stored as text)" in n for n in notes)


@pytest.mark.parametrize("sample", sorted(money_tests.SAMPLES))
def test_bundled_samples_with_their_expected_close(tmp_path, monkeypatch, sample):
    # The samples' expected close columns kept (typed as dates); stage dates and
    # Bitrix24's product rows (folded on Polars only, yet) left out.
    monkeypatch.setattr(money_tests, "LEFT_OUT", re.compile(
        r"stage change|изменения|редактирования|date entered|^(товар|цена|количество)$",
        re.IGNORECASE))
    config, _ = money_tests.sample_parquet(sample, tmp_path)
    polars, clickhouse = both(config, tmp_path)
    assert clickhouse == polars


def test_snoozed_deals_held_out_of_the_overdue(tmp_path):
    # As of 2026-12-01: deal 7 (overdue, EUR 2000) snoozed to 2026-12-31 is held out;
    # deal 6's snooze ended 2026-11-01 (expired, still overdue); 99 is no deal of the
    # funnel. Overdue left: 6 (USD 1000) and 11 (EUR 400); the rows still count all 3.
    path = tmp_path / "d.parquet"
    forecast_export(path)
    (tmp_path / "snoozed.csv").write_text(
        "deal_id,until,note\n7,2026-12-31,call back\n6,2026-11-01,\n99,2026-12-31,\n")
    config = forecast_config(path)
    config["funnels"][0]["snooze"] = str(tmp_path / "snoozed.csv")
    polars, clickhouse = both(config, tmp_path)
    assert clickhouse == polars
    funnel = clickhouse["funnels"][0]
    late = funnel["forecast"]["overdue"]
    assert (late["deals"], late["amounts"], late["by_manager"]) == \
        (2, {"EUR": 400.0, "USD": 1000.0}, {"Ann": 1})
    assert [d["deal_id"] for d in late["listed"]] == ["6", "11"]
    assert rows_of(clickhouse)[0][3] == 2 and rows_of(clickhouse)[1][3] == 1
    snoozed = funnel["snoozed"]
    assert (snoozed["active"], snoozed["expired"], snoozed["unknown"],
            snoozed["hidden_overdue"]) == (1, 1, 1, 1)


def stuck_rows(report: dict) -> list[tuple]:
    return [(s["stuck"], s["stuck_oldest_days"],
             [(d["deal_id"], d["days"], d["manager"], d["amount"], d["currency"])
              for d in s["stuck_deals"]]) for s in report["funnels"][0]["stages"]]


def test_stuck_deals_with_a_fixed_max_days(tmp_path):
    path = tmp_path / "d.parquet"
    forecast_export(path)
    config = forecast_config(path)
    for stage, days in zip(config["funnels"][0]["stages"], (30, 30, 10)):
        stage["max_days"] = days
    polars, clickhouse = both(config, tmp_path)
    assert clickhouse == polars
    # Over 30 days at A: 6 (62); at B: 7 (92), 9 (31.5); over 10 at C: 8 (31); 10 and 11
    # are within their limits.
    assert stuck_rows(clickhouse) == [
        (1, 62.0, [("6", 62.0, "Ann", 1000.0, "USD")]),
        (2, 92.0, [("7", 92.0, "Bob", 2000.0, "EUR"), ("9", 31.5, "Ann", None, "USD")]),
        (1, 31.0, [("8", 31.0, "Ann", 3000.0, "USD")])]
    assert clickhouse["funnels"][0]["stages"][1]["stuck_by_manager"] == {"Ann": 1, "Bob": 1}
    assert any(f["code"] == "stuck_deals" for f in clickhouse["findings"])


def test_snoozed_deals_are_held_back_from_stuck_and_overdue(tmp_path):
    path = tmp_path / "d.parquet"
    forecast_export(path)
    snooze = tmp_path / "snoozed.csv"
    # 7: snoozed past the as-of day; 6: the snooze has run out; 99: no such deal; a quote
    # in an id is data.
    snooze.write_text("deal_id,until\n7,2026-12-31\n6,2026-11-01\n99,2027-01-01\n"
                      "\"1') OR 1=1 --\",2027-01-01\n", encoding="utf-8")
    config = forecast_config(path)
    config["funnels"][0]["snooze"] = str(snooze)
    config["funnels"][0]["stages"][1]["max_days"] = 30
    polars, clickhouse = both(config, tmp_path)
    assert clickhouse == polars
    funnel = clickhouse["funnels"][0]
    assert (funnel["snoozed"]["active"], funnel["snoozed"]["expired"],
            funnel["snoozed"]["unknown"]) == (1, 1, 2)
    # B: 9 stuck, 7 held back; overdue: 6 and 11 (7 held back).
    assert stuck_rows(clickhouse)[1][:2] == (1, 31.5)
    assert (funnel["snoozed"]["hidden_stuck"], funnel["snoozed"]["hidden_overdue"]) == (1, 1)
    assert funnel["forecast"]["overdue"]["deals"] == 2


def test_a_text_stage_change_with_max_days_is_a_config_error(tmp_path):
    from funnelctl.errors import ConfigError

    path = tmp_path / "d.parquet"
    forecast_export(path)
    pl.read_parquet(path).with_columns(pl.col("stage_changed_at").cast(pl.String)) \
        .write_parquet(path)
    config = forecast_config(path)
    config["funnels"][0]["stages"][1]["max_days"] = 30
    with pytest.raises(ConfigError, match=r"max_days: column 'stage_changed_at' "
                                          r"\(stage_changed_at\) is text"):
        both(config, tmp_path)


def plan_export(path) -> None:
    """Nine USD deals (as of 2026-12-01; stage C's probability 0.75 from the config):
    id stage status amount manager closed            expected
    1  C     won    1000   Ann     2026-11-05        -
    2  C     won    2000   Bob     2026-11-20 10:00  -
    3  C     won    (none) Ann     2026-11-25        -       (no amount: the note)
    4  C     won    500    ann     2026-12-01 09:00  -       ("ann" counts as Ann)
    5  A     open   1000   Ann     -                 2026-12-10
    6  B     open   2000   Bob     -                 2026-12-20
    7  A     lost   300    Bob     2026-11-10        -
    8  B     open   400    (none)  -                 2026-11-30
    9  B     lost   100    Ann     2026-11-01        -
    Learned: p(A) = won 4 / closed that reached A 6 = 2/3; p(B) = 4 / 5 = 0.8.
    """
    none = None
    frame = pl.DataFrame({
        "deal_id": [str(i) for i in range(1, 10)],
        "stage": ["C", "C", "C", "C", "A", "B", "A", "B", "B"],
        "status": ["won"] * 4 + ["open", "open", "lost", "open", "lost"],
        "amount": [1000.0, 2000, none, 500, 1000, 2000, 300, 400, 100],
        "manager": ["Ann", "Bob", "Ann", "ann", "Ann", "Bob", "Bob", none, "Ann"],
        "created_at": [dt.datetime(2026, 10, d) for d in range(1, 10)],
        "closed_at": [dt.datetime(2026, 11, 5), dt.datetime(2026, 11, 20, 10),
                      dt.datetime(2026, 11, 25), dt.datetime(2026, 12, 1, 9), none, none,
                      dt.datetime(2026, 11, 10), none, dt.datetime(2026, 11, 1)],
        "expected_close": [none] * 4 + [dt.datetime(2026, 12, 10), dt.datetime(2026, 12, 20),
                                        none, dt.datetime(2026, 11, 30), none],
    })
    frame.write_parquet(path)


PLAN_CSV = "month,manager,amount\n2026-11,Ann,2000\n2026-11,Bob,1500\n2026-12,,3000\n" \
    "2026-12,Carol,100\n"


def plan_rows(report: dict) -> list[tuple]:
    return [(ln["manager"], ln["start"], ln["won"], ln["won_deals"], ln["weighted_pipeline"],
             ln["status"], ln["behind"], ln["derived"])
            for ln in report["funnels"][0]["plan"]["lines"]]


@pytest.mark.parametrize("form", ["inline", "csv"])
def test_plan_worked_by_hand(tmp_path, form):
    path = tmp_path / "d.parquet"
    plan_export(path)
    config = forecast_config(path)
    if form == "csv":
        (tmp_path / "plan.csv").write_text(PLAN_CSV, encoding="utf-8")
        config["funnels"][0]["plan"] = str(tmp_path / "plan.csv")
    else:
        config["funnels"][0]["plan"] = [
            {"month": m, "manager": who, "amount": a} if who else {"month": m, "amount": a}
            for m, who, a in (("2026-11", "Ann", 2000), ("2026-11", "Bob", 1500),
                              ("2026-12", None, 3000), ("2026-12", "Carol", 100))]
    polars, clickhouse = both(config, tmp_path)
    assert clickhouse == polars
    plan = clickhouse["funnels"][0]["plan"]
    # November (over): Ann won 1 (1000) + 3 (no amount); Bob 2 (2000); the team line is
    # theirs summed (3500 planned). Deal 8 (no manager) is in no manager's pipeline.
    # December (as of its first day): the team won 4 (500, "ann"); pipeline 5 (1000 x 2/3)
    # + 6 (2000 x 0.8) = 2266.67; Carol owns no deal.
    assert plan_rows(clickhouse) == [
        (None, "2026-11-01", 3000.0, 3, 0.0, "finished", True, True),
        ("Ann", "2026-11-01", 1000.0, 2, 0.0, "finished", True, False),
        ("Bob", "2026-11-01", 2000.0, 1, 0.0, "finished", False, False),
        (None, "2026-12-01", 500.0, 1, 2266.67, "running", False, False),
        ("Carol", "2026-12-01", 0.0, 0, 0.0, "running", False, False)]
    december = plan["lines"][3]
    # 23 working days in December 2026, 1 gone: too early to judge; 2500 left over 22.
    assert (december["working_days"], december["days_left"], december["too_early"]) == \
        (23, 22, True)
    assert december["pace_needed"] == pytest.approx(2500 / 22)
    assert december["coverage"] == pytest.approx(2266.67 / 2500)
    assert plan["no_deals"] == ["Carol"]
    assert plan["notes"] == ["1 won deal closed in the plan's periods has no amount: won "
                             "and attainment leave it out"]


def test_plan_with_several_currencies_is_the_same_error(tmp_path):
    from funnelctl.errors import ConfigError

    path = tmp_path / "d.parquet"
    forecast_export(path)
    config = forecast_config(path)
    config["funnels"][0]["plan"] = [{"month": "2026-11", "amount": 1000}]
    for engine, run in (("polars", config), ("clickhouse", on_clickhouse(config))):
        with pytest.raises(ConfigError, match=r"several currencies \(USD, EUR\)"):
            report_json(run, tmp_path / f"{engine}.yaml", as_of=AS_OF)


def test_plan_with_a_text_expected_close_names_the_column(tmp_path):
    from funnelctl.errors import ConfigError

    path = tmp_path / "d.parquet"
    plan_export(path)
    pl.read_parquet(path).with_columns(pl.col("expected_close").cast(pl.String)) \
        .write_parquet(path)
    config = forecast_config(path)
    config["funnels"][0]["plan"] = [{"month": "2026-11", "amount": 1000}]
    with pytest.raises(ConfigError, match=r"plan: column 'expected_close' \(expected_close\) "
                                          "is text"):
        report_json(on_clickhouse(config), tmp_path / "c.yaml", as_of=AS_OF)


def test_plan_converted_with_rates(tmp_path):
    path = tmp_path / "d.parquet"
    forecast_export(path)
    config = forecast_config(path, currency="USD", rates={"EUR": 1.5})
    config["funnels"][0]["plan"] = [{"month": "2026-03", "amount": 1000},
                                    {"month": "2026-11", "amount": 5000}]
    polars, clickhouse = both(config, tmp_path)
    assert clickhouse == polars
    # March: won 3 and 4 (400 + 500 USD). November: expected then, 6 (1000 USD x 0.4) and
    # 11 (400 EUR x 1.5 x 0.75): 400 + 450.
    assert [(ln["won"], ln["weighted_pipeline"]) for ln in
            clickhouse["funnels"][0]["plan"]["lines"]] == [(900.0, 0.0), (0.0, 850.0)]


def entered(stage: str) -> str:
    return f'Date entered "{stage} (Sales)"'


def auto_export(path) -> None:
    """Nine deals with HubSpot's "Date entered" columns (2026; as of 2026-12-01, judged
    at 2026-12-02 00:00):
    id status stage entered A   entered B   entered C  closed  days in A  days in B
    1  won    C     01-01       01-11       01-31      02-10   10         20
    2  won    C     01-01       01-05 12:00 01-15 12:00 01-20  4.5        10
    3  lost   B     02-01       02-21       -          03-01   20         8
    4  lost   A     03-01       -           -          03-03   2          -
    5  open   B     10-01       10-03       -          -       2          (in B 60 days)
    6  open   A     11-01       -           -          -       (in A 31 days)
    7  open   B     09-01       11-20       -          -       80         (in B 12 days)
    8  open   A     11-25       -           -          -       (in A 7 days)
    9  lost   B     04-01       04-04       -          04-10   3          6
    Learned (80th percentile, linear): A of [2, 2, 3, 4.5, 10, 20, 80]: h = 6 x 0.8 = 4.8,
    10 + (20 - 10) x 0.8 = 18; B of [6, 8, 10, 20]: h = 2.4, 10 + 10 x 0.4 = 14. So 6
    (31 > 18) and 5 (60 > 14) are stuck, 7 and 8 are not.
    """
    d, none = dt.datetime, None
    frame = pl.DataFrame({
        "deal_id": [str(i) for i in range(1, 10)],
        "stage": ["C", "C", "B", "A", "B", "A", "B", "A", "B"],
        "status": ["won", "won", "lost", "lost", "open", "open", "open", "open", "lost"],
        "amount": [100.0, 200, 300, 400, 500, 600, 700, 800, 900],
        "manager": ["Ann", "Bob", "Ann", "Bob", "Ann", "Bob", "Ann", "Bob", "Ann"],
        "created_at": [d(2026, 1, 1)] * 2 + [d(2026, 2, 1), d(2026, 3, 1), d(2026, 10, 1),
                                             d(2026, 11, 1), d(2026, 9, 1), d(2026, 11, 25),
                                             d(2026, 4, 1)],
        "closed_at": [d(2026, 2, 10), d(2026, 1, 20), d(2026, 3, 1), d(2026, 3, 3), none, none,
                      none, none, d(2026, 4, 10)],
        "stage_changed_at": [none] * 4 + [d(2026, 10, 3), d(2026, 11, 1), d(2026, 11, 20),
                                          d(2026, 11, 25), none],
        entered("A"): [d(2026, 1, 1), d(2026, 1, 1), d(2026, 2, 1), d(2026, 3, 1),
                       d(2026, 10, 1), d(2026, 11, 1), d(2026, 9, 1), d(2026, 11, 25),
                       d(2026, 4, 1)],
        entered("B"): [d(2026, 1, 11), d(2026, 1, 5, 12), d(2026, 2, 21), none, d(2026, 10, 3),
                       none, d(2026, 11, 20), none, d(2026, 4, 4)],
        entered("C"): [d(2026, 1, 31), d(2026, 1, 15, 12)] + [none] * 7,
    })
    frame.write_parquet(path)


def auto_config(path) -> dict:
    config = hand_config(path)
    for stage, days in zip(config["funnels"][0]["stages"], ("auto", "auto", 30)):
        stage["max_days"] = days
    return config


def test_max_days_auto_worked_by_hand(tmp_path):
    path = tmp_path / "d.parquet"
    auto_export(path)
    polars, clickhouse = both(auto_config(path), tmp_path)
    assert clickhouse == polars
    stages = clickhouse["funnels"][0]["stages"]
    assert [(s["max_days"], s["max_days_learned"]) for s in stages[:2]] == [
        (18.0, {"days": 18.0, "deals": 7, "small_sample": False}),
        (14.0, {"days": 14.0, "deals": 4, "small_sample": False})]
    assert stuck_rows(clickhouse) == [(1, 31.0, [("6", 31.0, "Bob", 600.0, None)]),
                                      (1, 60.0, [("5", 60.0, "Ann", 500.0, None)]),
                                      (0, None, [])]
    assert clickhouse["data_quality"]["sources"][0]["notes"] == []


def test_auto_fixed_snooze_and_plan_csv_together(tmp_path):
    path = tmp_path / "d.parquet"
    auto_export(path)
    (tmp_path / "snoozed.csv").write_text("deal_id,until,note\n6,2026-12-31,on leave\n")
    (tmp_path / "plan.csv").write_text("month,manager,amount\n2026-01,Ann,500\n"
                                       "2026-01,Bob,100\n2026-12,,1000\n")
    config = auto_config(path)
    config["funnels"][0].update(snooze=str(tmp_path / "snoozed.csv"),
                                plan=str(tmp_path / "plan.csv"))
    config["funnels"][0]["stages"][0]["max_days"] = 20
    polars, clickhouse = both(config, tmp_path)
    assert clickhouse == polars
    funnel = clickhouse["funnels"][0]
    # A: fixed 20 days: 6 (31) is over it but snoozed; B learned 14: 5 (60).
    assert [s["stuck"] for s in funnel["stages"]] == [0, 1, 0]
    assert (funnel["snoozed"]["active"], funnel["snoozed"]["hidden_stuck"]) == (1, 1)
    # January: Bob won 2 (200), Ann none (1 was won in February).
    assert [(ln["manager"], ln["won"]) for ln in funnel["plan"]["lines"]] == [
        (None, 200.0), ("Ann", 0.0), ("Bob", 200.0), (None, 0.0)]


def test_max_days_auto_without_stage_dates_is_the_same_error(tmp_path):
    from funnelctl.errors import ConfigError

    path = tmp_path / "d.parquet"
    forecast_export(path)
    config = forecast_config(path)
    config["funnels"][0]["stages"][0]["max_days"] = "auto"
    for engine, run in (("polars", config), ("clickhouse", on_clickhouse(config))):
        with pytest.raises(ConfigError, match=r"max_days: auto learns the limit from how long"):
            report_json(run, tmp_path / f"{engine}.yaml", as_of=AS_OF)


def test_max_days_auto_over_text_stage_dates_names_the_column(tmp_path):
    from funnelctl.errors import ConfigError

    path = tmp_path / "d.parquet"
    auto_export(path)
    pl.read_parquet(path).with_columns(pl.col(entered("B")).cast(pl.String)) \
        .write_parquet(path)
    with pytest.raises(ConfigError, match=r"column 'Date entered \"B \(Sales\)\"' is text"):
        report_json(on_clickhouse(auto_config(path)), tmp_path / "c.yaml", as_of=AS_OF)
