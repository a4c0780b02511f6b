"""Funnel trends (`trend:`): cohorts, their tests against the cohort before, and the
incomplete last cohort, on a log small enough to work out by hand, and the tests and
their multiple-testing correction against scipy on larger cohorts."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from scipy.stats import chi2_contingency, fisher_exact

from funnelctl.config import Funnel, Stage
from funnelctl.config.stats import Significance
from funnelctl.metrics.event_trends import funnel_trend
from funnelctl.metrics.stats import holm
from tests.conftest import write_csv

HEADER = ["user", "action", "time"]
ROWS = [
    # 2026-09-07 is a Monday (ISO week 37). The config's zone is Moscow (UTC+3).
    ["e1", "visit", "2026-09-07T10:00:00Z"], ["e1", "cart", "2026-09-07T10:05:00Z"],
    ["e1", "cart", "2026-09-07T10:20:00Z"], ["e1", "buy", "2026-09-07T10:30:00Z"],
    ["e2", "visit", "2026-09-08T10:00:00Z"], ["e2", "cart", "2026-09-08T12:00:00Z"],
    ["e3", "visit", "2026-09-09T10:00:00Z"],
    # Sunday 22:30 UTC is Monday 01:30 in Moscow: week 38.
    ["e4", "visit", "2026-09-13T22:30:00Z"],
    ["e5", "visit", "2026-09-15T08:00:00Z"], ["e5", "cart", "2026-09-15T08:00:30Z"],
    ["e5", "buy", "2026-09-15T20:00:00Z"],
    # e7's first visit (week 37) gets to the cart only; its week-38 visit begins the chain
    # that reaches the purchase: its cohort is week 38, as its breakdown values would be.
    ["e6", "visit", "2026-09-16T10:00:00Z"],
    ["e7", "visit", "2026-09-10T12:00:00Z"], ["e7", "cart", "2026-09-10T12:10:00Z"],
    ["e7", "visit", "2026-09-17T09:00:00Z"], ["e7", "cart", "2026-09-17T09:01:00Z"],
    ["e7", "buy", "2026-09-17T09:02:00Z"],
    # A cart without a visit is no one's step, but says the log goes on (the trend reads
    # one window past a period to see whether its latest entities' windows elapsed).
    ["e9", "cart", "2026-09-18T12:00:00Z"],
    # The latest event read: week 40 is not over, and e8's day of window has not elapsed.
    ["e8", "visit", "2026-09-30T10:00:00Z"],
]

CONFIG = """
version: 1
timezone: Europe/Moscow
sources:
  log: {path: events.csv, kind: events, columns: {entity_id: user, event: action, ts: time}}
funnels:
  - name: Shop
    source: log
    window: 1d
    trend: week
    min_sample: 1
    stages:
      - {name: Visit, match: [visit]}
      - {name: Cart, match: [cart]}
      - {name: Buy, match: [buy]}
"""


@pytest.fixture
def report(tmp_path, write, audit_json):
    write_csv(tmp_path / "events.csv", HEADER, ROWS)
    return audit_json(write("audit.yaml", CONFIG))


def test_cohorts_by_local_week_of_the_chain_start(report):
    trend = report["funnels"][0]["trend"]
    assert (trend["period"], trend["timezone"]) == ("week", "Europe/Moscow")
    cohorts = trend["cohorts"]
    assert [(c["label"], c["start"], c["end"]) for c in cohorts] == [
        ("2026-W37", "2026-09-07", "2026-09-13"), ("2026-W38", "2026-09-14", "2026-09-20"),
        ("2026-W39", "2026-09-21", "2026-09-27"), ("2026-W40", "2026-09-28", "2026-10-04")]
    assert [[s["entered"] for s in c["stages"]] for c in cohorts] == [
        [3, 2, 1], [4, 2, 2], [0, 0, 0], [1, 0, 0]]
    assert [c["entities"] for c in cohorts] == [3, 4, 0, 1]
    w38 = cohorts[1]["stages"]
    assert [s["conversion_from_previous"] for s in w38] == [None, 0.5, 1.0]
    assert [s["conversion_from_first"] for s in w38] == [1.0, 0.5, 0.5]
    # The cohorts add up to the funnel.
    assert [s["entered"] for s in report["funnels"][0]["stages"]] == [8, 4, 3]


def test_incomplete_last_cohort(report):
    cohorts = report["funnels"][0]["trend"]["cohorts"]
    assert [c["incomplete"] for c in cohorts] == [[], [], [], ["period_not_over", "window_open"]]
    assert cohorts[3]["stages"][1]["vs_previous"]["status"] == "incomplete"
    assert cohorts[3]["overall"]["p_value"] is None


def test_each_cohort_against_the_one_before(report):
    w37, w38, w39 = report["funnels"][0]["trend"]["cohorts"][:3]
    assert w37["overall"] is None and w37["stages"][1]["vs_previous"] is None
    # Week 38 against week 37: cart 2/4 vs 2/3, buy 2/2 vs 1/2, overall 2/4 vs 1/3;
    # every table has an expected cell below 5, so Fisher's exact test, Holm over the 3.
    raw = [fisher_exact([[2, 2], [2, 1]])[1], fisher_exact([[2, 0], [1, 1]])[1],
           fisher_exact([[2, 2], [1, 2]])[1]]
    got = [w38["stages"][1]["vs_previous"], w38["stages"][2]["vs_previous"], w38["overall"]]
    assert [g["p_value"] for g in got] == pytest.approx(raw)
    assert [g["p_adjusted"] for g in got] == pytest.approx(holm(raw))
    assert [g["test"] for g in got] == ["fisher"] * 3
    assert [g["status"] for g in got] == ["same"] * 3
    assert got[0]["change"] == pytest.approx(0.5 - 2 / 3)
    # An empty week has nothing to test.
    assert w39["stages"][1]["vs_previous"]["status"] == "insufficient"
    assert w39["overall"]["p_value"] is None


def test_time_to_convert_by_hand(report):
    cart, buy = report["funnels"][0]["stages"][1:]
    first = cart["time_to_convert"]["from_first"]
    # Seconds to the cart: e1 300, e2 7200, e5 30, e7 600 (its first visit's chain).
    assert (first["entities"], first["median_s"]) == (4, 450)
    assert first["p90_s"] == pytest.approx(600 + 0.7 * 6600)
    assert cart["time_to_convert"]["from_previous"] == first  # step 2: the same times
    # The window is a day: no bucket starts past it.
    assert [(b["label"], b["count"]) for b in first["histogram"]] == [
        ("<1m", 1), ("1-10m", 1), ("10-60m", 1), ("1-6h", 1), ("6-24h", 0), ("1-3d", 0)]
    # To the purchase: e1 1800 from the visit, 600 from the cart that led to it (10:20,
    # the latest cart before it); e5 43200 / 43170; e7 120 / 60 (its week-38 chain).
    ttc = buy["time_to_convert"]
    assert ttc["from_first"]["median_s"] == 1800
    assert ttc["from_first"]["p90_s"] == pytest.approx(1800 + 0.8 * 41400)
    assert ttc["from_previous"]["median_s"] == 600
    assert ttc["from_previous"]["p90_s"] == pytest.approx(600 + 0.8 * 42570)
    assert [b["count"] for b in ttc["from_previous"]["histogram"]] == [0, 1, 1, 0, 1, 0]
    # The fields that were there before stay as they were.
    assert buy["time_from_first"] == {"median_s": 1800, "p90_s": pytest.approx(34920)}
    assert report["funnels"][0]["stages"][0]["time_to_convert"] is None


def test_no_trend_without_the_key(tmp_path, write, audit_json):
    write_csv(tmp_path / "events.csv", HEADER, ROWS)
    report = audit_json(write("audit.yaml", CONFIG.replace("    trend: week\n", "")))
    assert report["funnels"][0]["trend"] is None


def test_trend_with_a_period(tmp_path, write, audit_json):
    """The period's last day bounds what is covered: week 38 ends after 2026-09-16."""
    write_csv(tmp_path / "events.csv", HEADER, ROWS)
    report = audit_json(write("audit.yaml", CONFIG), "--period", "2026-09-07..2026-09-16")
    cohorts = report["funnels"][0]["trend"]["cohorts"]
    assert [c["label"] for c in cohorts] == ["2026-W37", "2026-W38"]
    # e7's week-38 visit is after the period: its week-37 chain (to the cart) counts.
    assert [[s["entered"] for s in c["stages"]] for c in cohorts] == [[4, 3, 1], [3, 1, 1]]
    assert cohorts[1]["incomplete"] == ["period_not_over"]


@pytest.mark.parametrize(("period", "labels"), [
    ("day", ["2026-09-07", "2026-09-08"]), ("month", ["2026-09"])])
def test_day_and_month_cohorts(tmp_path, write, audit_json, period, labels):
    write_csv(tmp_path / "events.csv", HEADER, ROWS)
    report = audit_json(write("audit.yaml", CONFIG.replace("trend: week", f"trend: {period}")))
    cohorts = report["funnels"][0]["trend"]["cohorts"]
    assert [c["label"] for c in cohorts[:len(labels)]] == labels
    if period == "month":
        assert (cohorts[0]["start"], cohorts[0]["end"]) == ("2026-09-01", "2026-09-30")
        assert [s["entered"] for s in cohorts[0]["stages"]] == [8, 4, 3]
    else:
        assert len(cohorts) == 24  # 09-07 .. 09-30, the empty days too


def _entities(days: list[tuple[int, int, int]]) -> pl.DataFrame:
    """(entities, reached step 2, reached step 3) per day from 2026-03-02, at noon UTC."""
    rows = []
    for i, (n, two, three) in enumerate(days):
        ts = dt.datetime(2026, 3, 2 + i, 12, tzinfo=dt.timezone.utc)
        rows += [(ts, 3 if j < three else 2 if j < two else 1) for j in range(n)]
    return pl.DataFrame(rows, schema={"ts": pl.Datetime("us", "UTC"), "depth": pl.Int32},
                        orient="row")


FUNNEL = Funnel(name="F", source="s", window="1h", trend="day",
                stages=[Stage(name="A"), Stage(name="B"), Stage(name="C")])


def test_significance_and_correction_against_scipy():
    frame = _entities([(400, 300, 150), (400, 200, 100), (10, 5, 2), (400, 196, 99)])
    horizon = dt.datetime(2026, 3, 9, tzinfo=dt.timezone.utc)
    trend = funnel_trend(frame, FUNNEL, "UTC", horizon, None, Significance())
    day1, day2, day3, day4 = trend.cohorts
    assert not any(c.incomplete for c in trend.cohorts)

    def z_p(x1, n1, x2, n2):  # the pooled z-test is the chi-square test without Yates
        return chi2_contingency([[x1, n1 - x1], [x2, n2 - x2]], correction=False)[1]

    raw = [z_p(200, 400, 300, 400), z_p(100, 200, 150, 300), z_p(100, 400, 150, 400)]
    got = [day2.stages[1].vs_previous, day2.stages[2].vs_previous, day2.overall]
    assert [g.p_value for g in got] == pytest.approx(raw)
    assert [g.test for g in got] == ["z"] * 3
    # Day 3 (10 visits, below min_sample 30) is tested neither against day 2 nor day 4:
    # the family is day 2's three tests, adjusted by Holm.
    assert [g.p_adjusted for g in got] == pytest.approx(holm(raw))
    assert [g.status for g in got] == ["lower", "same", "lower"]
    assert all(s.vs_previous.status == "insufficient" for c in (day3, day4)
               for s in c.stages[1:])
    assert day4.overall.status == "insufficient"


def test_correction_setting_is_used():
    frame = _entities([(400, 300, 150), (400, 200, 100)])
    trend = funnel_trend(frame, FUNNEL, "UTC", None, None, Significance(correction="none"))
    step = trend.cohorts[1].stages[2].vs_previous
    assert step.p_adjusted == step.p_value
    assert trend.correction == "none"


def test_window_not_elapsed_for_the_latest_entities():
    frame = _entities([(400, 300, 150), (400, 200, 100)])
    horizon = dt.datetime(2026, 3, 3, 12, 30, tzinfo=dt.timezone.utc)  # 30 min after noon
    trend = funnel_trend(frame, FUNNEL, "UTC", horizon, None, Significance())
    assert [c.incomplete for c in trend.cohorts] == [[], ["window_open"]]
    assert trend.cohorts[1].overall.status == "incomplete"
    assert trend.cohorts[1].overall.p_value is None


@pytest.mark.parametrize(("change", "expected"), [
    ("trend: week", "trend: fortnight"),
    ("trend: week", "trend: week\n    order: unordered"),
])
def test_bad_trend_is_a_config_error(tmp_path, write, run, change, expected):
    from tests.conftest import assert_error

    write_csv(tmp_path / "events.csv", HEADER, ROWS)
    result = run("audit", write("audit.yaml", CONFIG.replace(change, expected)))
    assert_error(result, "audit.yaml:9", "trend")


def test_from_previous_in_another_order_mode(tmp_path, write, audit_json):
    """strict_order's walk gives the time from the step before too: into step 2 it is the
    time from step 1; later, one time per entity that reached the step."""
    write_csv(tmp_path / "events.csv", HEADER, ROWS)
    report = audit_json(write("audit.yaml", CONFIG.replace("trend: week",
                                                           "trend: week\n    order: strict_order")))
    cart, buy = report["funnels"][0]["stages"][1:]
    assert cart["time_to_convert"]["from_previous"] == cart["time_to_convert"]["from_first"]
    assert buy["time_to_convert"]["from_previous"]["entities"] == buy["entered"]
    assert buy["time_to_convert"]["from_first"]["entities"] == buy["entered"]
    assert report["funnels"][0]["trend"]["cohorts"]
