"""The pipeline waterfall (--since-snapshot, --compare previous on a stage history): every
bucket worked out by hand on small exports, and the buckets add up."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from funnelctl.metrics.waterfall import complete_state, invariant_gap, waterfall
from tests.conftest import assert_error, write_csv

HEADER = ["deal_id", "stage", "status", "created_at", "amount", "manager", "expected_close"]
# The older export: D3 is written twice (the second row is left out, with its reason),
# D9's creation date does not parse (rejected, with its reason).
OLD = [
    ["D1", "S1", "open", "2026-01-05", "100", "Ann", "2026-02-01"],
    ["D2", "S2", "open", "2026-01-06", "200", "Bob", "2026-02-01"],
    ["D3", "S2", "open", "2026-01-07", "300", "Ann", ""],
    ["D4", "S3", "open", "2026-01-08", "400", "Bob", ""],
    ["D5", "S1", "open", "2026-01-09", "50", "Ann", ""],
    ["D6", "S1", "lost", "2026-01-10", "70", "Ann", ""],
    ["D7", "S2", "won", "2026-01-11", "500", "Bob", ""],
    ["D3", "S3", "open", "2026-01-07", "300", "Ann", ""],
    ["D9", "S1", "open", "not a date", "10", "Ann", ""],
]
NEW = [
    ["D1", "S2", "open", "2026-01-05", "150", "Ann", "2026-02-20"],  # advanced, +50, slipped 19 d
    ["D2", "S1", "open", "2026-01-06", "200", "Bob", "2026-02-01"],  # moved back
    ["D3", "S2", "won", "2026-01-07", "250", "Ann", ""],  # won at 250: amount cut by 50
    ["D4", "S3", "lost", "2026-01-08", "400", "Bob", ""],  # lost
    ["D6", "S1", "open", "2026-01-10", "70", "Ann", ""],  # reopened
    ["D7", "S2", "won", "2026-01-11", "500", "Bob", ""],  # won at both dates: in no bucket
    ["D8", "S1", "open", "2026-02-01", "80", "Bob", ""],  # new
    ["D10", "S1", "won", "2026-02-02", "90", "Ann", ""],  # new, and won
]                                                         # D5: removed
CONFIG = """\
version: 1
title: Waterfall
timezone: UTC
sources:
  deals: {path: new.csv, kind: deals}
funnels:
  - name: F
    source: deals
    stages: [{name: S1}, {name: S2}, {name: S3}]
"""
# Worked by hand from the rows above: (deals, value) per bucket.
EXPECTED = {
    "open_start": (5, 1050.0),  # D1..D5: 100 + 200 + 300 + 400 + 50
    "new": (2, 170.0),  # D8 80 + D10 90
    "reopened": (1, 70.0),  # D6
    "advanced": (1, 150.0),  # D1 S1 -> S2, at its amount now
    "moved_back": (1, 200.0),  # D2 S2 -> S1
    "slipped": (1, 150.0),  # D1: 2026-02-01 -> 2026-02-20
    "amount_raised": (1, 50.0),  # D1 100 -> 150
    "amount_cut": (1, 50.0),  # D3 300 -> 250
    "won": (2, 340.0),  # D3 250 + D10 90
    "lost": (1, 400.0),  # D4
    "removed": (1, 50.0),  # D5
    "open_end": (4, 500.0),  # D1 150 + D2 200 + D6 70 + D8 80
}


@pytest.fixture
def snapshots(tmp_path):
    write_csv(tmp_path / "old.csv", HEADER, OLD)
    write_csv(tmp_path / "new.csv", HEADER, NEW)
    (tmp_path / "audit.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def buckets(report: dict, k: int = 0) -> dict[str, dict]:
    return {b["name"]: b for b in report["funnels"][k]["waterfall"]["buckets"]}


def test_every_bucket_of_two_snapshots(cli, snapshots):
    report = cli.json("audit", snapshots / "audit.yaml", "--since-snapshot",
                      snapshots / "old.csv")
    got = buckets(report)
    assert list(got) == list(EXPECTED)
    assert {name: (b["deals"], b["value"]) for name, b in got.items()} == EXPECTED
    # The flows add up, in deals and in value (the numbers above, summed by hand).
    assert 5 + 2 + 1 - 2 - 1 - 1 == 4
    assert 1050 + 170 + 70 + 50 - 50 - 340 - 400 - 50 == 500
    w = report["funnels"][0]["waterfall"]
    assert w["slippage"] == {"deals": 1, "share": 0.5, "days_median": 19.0,
                             "days_max": 19.0, "days_total": 19.0, "pushes": None}  # D1, D2 dated
    assert w["matching"] == {
        "matched by deal id": 6, "in the older export only: open (removed)": 1,
        "in the older export only: closed (outside the pipeline)": 0,
        "in the newer export only (new)": 2,
        "older export: duplicate deal id": 1, "older export: unparseable created_at": 1}
    assert (w["start"], w["end"]) == ("2026-01-11", "2026-02-02")


def test_per_manager_and_the_deals_behind_each_bucket(cli, snapshots):
    report = cli.json("audit", snapshots / "audit.yaml", "--since-snapshot",
                      snapshots / "old.csv")
    got = buckets(report)
    # Per manager, by the owner at the end: Ann has D1 100, D3 300, D5 50; Bob D2, D4.
    assert [(m["manager"], m["deals"], m["value"]) for m in got["open_start"]["per_manager"]] \
        == [("Ann", 3, 450.0), ("Bob", 2, 600.0)]
    assert [(m["manager"], m["deals"], m["value"]) for m in got["won"]["per_manager"]] \
        == [("Ann", 2, 340.0)]
    # The items: the largest first, with the stage and amount at both dates.
    assert [(i["deal_id"], i["value"]) for i in got["won"]["items"]] == [("D3", 250.0),
                                                                        ("D10", 90.0)]
    d3 = got["amount_cut"]["items"][0]
    assert (d3["deal_id"], d3["from_stage"], d3["to_stage"], d3["amount_before"],
            d3["amount_after"]) == ("D3", "S2", "won", 300.0, 250.0)
    slipped = got["slipped"]["items"][0]
    assert (slipped["close_before"], slipped["close_after"], slipped["days"]) == (
        "2026-02-01", "2026-02-20", 19.0)
    assert [i["deal_id"] for i in got["removed"]["items"]] == ["D5"]
    assert got["removed"]["items"][0]["to_stage"] is None


def test_the_older_exports_rejected_rows_go_to_the_rejects_ledger(cli, snapshots):
    rejects = snapshots / "rejects.csv"
    result = cli("audit", snapshots / "audit.yaml", "--since-snapshot", snapshots / "old.csv",
                 "--rejects", rejects, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    ledger = pl.read_csv(rejects)
    older = ledger.filter(pl.col("source") == "deals (older export)")
    assert sorted(older["reason"].to_list()) == ["duplicate deal id", "unparseable created_at"]


def test_without_close_dates_slipped_is_unknown_not_zero(cli, snapshots):
    for name, rows in (("old.csv", OLD), ("new.csv", NEW)):
        write_csv(snapshots / name, HEADER[:-1], [r[:-1] for r in rows])
    report = cli.json("audit", snapshots / "audit.yaml", "--since-snapshot",
                      snapshots / "old.csv")
    slipped = buckets(report)["slipped"]
    assert (slipped["deals"], slipped["value"], slipped["note_code"]) == (None, None,
                                                                          "no_close_dates")
    assert report["funnels"][0]["waterfall"]["slippage"] is None
    table = cli("audit", snapshots / "audit.yaml", "--since-snapshot", snapshots / "old.csv")
    assert "close date pushed out: unknown, the data has no expected close date" in \
        table.stdout.replace("\n", " ")


def test_the_other_formats_show_the_summary(cli, snapshots):
    args = ("audit", snapshots / "audit.yaml", "--since-snapshot", snapshots / "old.csv")
    table = cli(*args).stdout
    assert "Pipeline waterfall" in table and "Open at end" in table
    markdown = cli(*args, "--format", "markdown", "--lang", "ru").stdout
    assert "| = | **В работе на начало** | 5 | 1\u00a0050 |" in markdown  # NBSP thousands
    assert "| − | Исчезли (нет в новой выгрузке) | 1 | 50 |" in markdown
    out = snapshots / "r.html"
    assert cli(*args, "--format", "html", "--output", out).exit_code in (0, 1)
    html = out.read_text(encoding="utf-8")
    assert '<tr data-bucket="open_end" class="role-level">' in html
    assert '<td class="num" data-key="value" data-value="500.0">' in html
    # The deals behind each non-empty bucket, folded by default.
    assert html.count('<details class="waterfall-bucket"') == 12  # every bucket has a deal
    assert "<details open" not in html


def test_hostile_ids_and_managers_stay_inert(cli, snapshots):
    evil_id, evil_manager = "<script>alert(1)</script>", "[bold]=HYPERLINK(\"x\")\x1b[31m"
    old = [[evil_id, "S1", "open", "2026-01-05", "100", evil_manager, ""]]
    new = [[evil_id, "S1", "won", "2026-01-05", "100", evil_manager, ""]]
    write_csv(snapshots / "old.csv", HEADER, old)
    write_csv(snapshots / "new.csv", HEADER, new)
    args = ("audit", snapshots / "audit.yaml", "--since-snapshot", snapshots / "old.csv")
    report = cli.json(*args)
    assert buckets(report)["won"]["items"][0]["deal_id"] == evil_id  # JSON keeps the value
    out = snapshots / "r.html"
    cli(*args, "--format", "html", "--output", out)
    html = out.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\x1b" not in html
    table = cli(*args).stdout
    assert "\x1b" not in table
    markdown = cli(*args, "--format", "markdown").stdout
    assert "<script>" not in markdown and "\x1b" not in markdown


@pytest.mark.parametrize("content, fragment", [
    (None, "old.csv"),
    ("id;name\n1;x\n", "no column for"),
])
def test_a_bad_older_export_is_a_clear_error_naming_the_file(cli, snapshots, content,
                                                             fragment):
    old = snapshots / "old.csv"
    if content is None:
        old.unlink()
    else:
        old.write_text(content, encoding="utf-8")
    result = cli("audit", snapshots / "audit.yaml", "--since-snapshot", old)
    assert_error(result, str(old), fragment)


def test_two_deals_sources_need_the_source_named(cli, snapshots):
    two = CONFIG.replace("  deals: {path: new.csv, kind: deals}\n",
                         "  deals: {path: new.csv, kind: deals}\n"
                         "  more: {path: new.csv, kind: deals}\n")
    two += "  - name: G\n    source: more\n    stages: [{name: S1}, {name: S2}, {name: S3}]\n"
    config = snapshots / "two.yaml"
    config.write_text(two, encoding="utf-8")
    old = snapshots / "old.csv"
    assert_error(cli("audit", config, "--since-snapshot", old), "2 deals sources (deals, more)",
                 "--since-snapshot deals=PATH")
    report = cli.json("audit", config, "--since-snapshot", f"more={old}")
    by_name = {f["name"]: f for f in report["funnels"]}
    assert by_name["F"]["waterfall"] is None
    assert by_name["G"]["waterfall"]["buckets"][0]["deals"] == 5


def test_no_deals_source_is_a_usage_error(cli, tmp_path):
    write_csv(tmp_path / "h.csv", ["deal_id", "stage", "entered_at"], [["1", "S1", "2026-01-01"]])
    config = tmp_path / "h.yaml"
    config.write_text(HISTORY_CONFIG.replace("history.csv", "h.csv"), encoding="utf-8")
    assert_error(cli("audit", config, "--since-snapshot", tmp_path / "x.csv"),
                 "no funnel over a deals snapshot", "--compare previous")


HISTORY_CONFIG = """\
version: 1
title: History
timezone: UTC
sources:
  history: {path: history.csv, kind: stage_history}
funnels:
  - name: H
    source: history
    stages: [{name: S1}, {name: S2}]
    won: [Won]
    lost: [Lost]
"""
HISTORY = [  # deal, stage, entered at, manager; the period is March 2026
    ["H1", "S1", "2026-02-10", "Ann"], ["H1", "S2", "2026-03-05", "Ann"],  # advanced
    ["H2", "S1", "2026-02-01", "Ann"], ["H2", "S2", "2026-02-15", "Ann"],
    ["H2", "S1", "2026-03-10", "Ann"],  # moved back
    ["H3", "S1", "2026-02-20", "Bob"], ["H3", "Won", "2026-03-15", "Bob"],  # won
    ["H4", "S1", "2026-02-25", "Bob"], ["H4", "Lost", "2026-03-20", "Bob"],  # lost
    ["H5", "S1", "2026-03-03", "Ann"],  # new, open at the end
    ["H6", "S1", "2026-03-04", "Bob"], ["H6", "Won", "2026-03-31 23:00", "Bob"],  # new, won
    ["H7", "S1", "2026-01-05", "Ann"], ["H7", "Lost", "2026-01-20", "Ann"],  # closed before
    ["H8", "S2", "2026-02-02", "Bob"],  # open all along
    ["H9", "S1", "2026-04-01", "Ann"],  # after the period
    ["H10", "S1", "2026-01-10", "Ann"], ["H10", "Lost", "2026-01-15", "Ann"],
    ["H10", "S2", "2026-03-12", "Ann"],  # reopened
]


def test_every_bucket_of_a_stage_history_period(cli, tmp_path):
    write_csv(tmp_path / "history.csv", ["deal_id", "stage", "entered_at", "manager"], HISTORY)
    config = tmp_path / "h.yaml"
    config.write_text(HISTORY_CONFIG, encoding="utf-8")
    report = cli.json("audit", config, "--period", "2026-03-01..2026-03-31", "--compare",
                      "previous")
    got = buckets(report)
    assert {name: b["deals"] for name, b in got.items()} == {
        "open_start": 5,  # H1, H2, H3, H4, H8
        "new": 2,  # H5, H6
        "reopened": 1,  # H10
        "advanced": 1,  # H1
        "moved_back": 1,  # H2
        "slipped": None,  # no expected close date in this history: unknown, not 0
        "amount_raised": 0, "amount_cut": 0,
        "won": 2,  # H3, H6
        "lost": 1,  # H4
        "removed": 0,
        "open_end": 5,  # H1, H2, H5, H8, H10
    }
    assert 5 + 2 + 1 - 2 - 1 - 0 == 5
    assert all(b["value"] is None for b in got.values())  # no amounts: counts only
    assert [(m["manager"], m["deals"]) for m in got["open_start"]["per_manager"]] == [
        ("Bob", 3), ("Ann", 2)]
    w = report["funnels"][0]["waterfall"]
    assert (w["basis"], w["start"], w["end"]) == ("history", "2026-03-01", "2026-03-31")
    assert [(i["deal_id"], i["from_stage"], i["to_stage"]) for i in got["moved_back"]["items"]] \
        == [("H2", "S2", "S1")]
    assert [(i["from_stage"], i["to_stage"]) for i in got["reopened"]["items"]] == [
        ("lost", "S2")]


def test_a_history_without_compare_has_no_waterfall(cli, tmp_path):
    write_csv(tmp_path / "history.csv", ["deal_id", "stage", "entered_at", "manager"], HISTORY)
    config = tmp_path / "h.yaml"
    config.write_text(HISTORY_CONFIG, encoding="utf-8")
    report = cli.json("audit", config, "--period", "2026-03-01..2026-03-31")
    assert report["funnels"][0]["waterfall"] is None


def state(rows: list[dict]) -> pl.DataFrame:
    frame = pl.DataFrame(rows, infer_schema_length=None) if rows else \
        pl.DataFrame(schema={"deal_id": pl.String})
    return complete_state(frame)


def test_values_in_several_currencies_are_never_added_up():
    start = state([
        {"deal_id": "A", "status": "open", "position": 1, "amount": 100.0, "currency": "EUR"},
        {"deal_id": "B", "status": "open", "position": 1, "amount": 1000.0, "currency": "RUB"},
    ])
    end = state([  # A changed currency: cut by 100 EUR, raised by 9000 RUB
        {"deal_id": "A", "status": "open", "position": 2, "amount": 9000.0, "currency": "RUB"},
        {"deal_id": "B", "status": "won", "amount": 1000.0, "currency": "RUB"},
    ])
    w = waterfall(start, end, basis="snapshot", has_amounts=True, has_close_dates=False)
    got = {b.name: b for b in w.buckets}
    assert w.currencies == ["EUR", "RUB"] and w.currency is None
    assert got["open_start"].value is None
    assert got["open_start"].values == {"EUR": 100.0, "RUB": 1000.0}
    assert got["amount_cut"].values == {"EUR": 100.0}
    assert got["amount_raised"].values == {"RUB": 9000.0}
    assert got["won"].values == {"RUB": 1000.0}
    assert got["open_end"].values == {"RUB": 9000.0}
    # Per currency: EUR 100 - 100 = 0 open at the end; RUB 1000 + 9000 - 1000 = 9000.
    assert invariant_gap(w) == {"deals": 0.0, "EUR": 0.0, "RUB": 0.0}
    # With a rate, everything is in one currency: 1 EUR = 90 RUB.
    converted = waterfall(start, end, basis="snapshot", has_amounts=True,
                          has_close_dates=False, rates={"EUR": 90.0}, default_currency="RUB")
    assert converted.currency == "RUB"
    assert {b.name: b.value for b in converted.buckets}["open_start"] == 100 * 90 + 1000


def test_a_missing_amount_counts_and_is_valued_zero():
    start = state([{"deal_id": "A", "status": "open", "position": 1, "amount": None}])
    end = state([{"deal_id": "A", "status": "open", "position": 1, "amount": 40.0},
                 {"deal_id": "B", "status": "lost", "amount": None}])
    w = waterfall(start, end, basis="snapshot", has_amounts=True, has_close_dates=False)
    got = {b.name: (b.deals, b.value) for b in w.buckets}
    assert got["open_start"] == (1, 0.0) and got["amount_raised"] == (1, 40.0)
    assert got["new"] == (1, 0.0) and got["lost"] == (1, 0.0) and got["open_end"] == (1, 40.0)
    assert w.unpriced_deals == 2


@pytest.mark.parametrize("seed", range(20))
def test_the_buckets_always_add_up(seed):
    """Random states: open at start + flows = open at end, in deals and value."""
    import random

    rng = random.Random(seed)

    def random_state(ids):
        rows = []
        for i in ids:
            status = rng.choice(["open", "open", "won", "lost"])
            rows.append({"deal_id": f"d{i}", "status": status,
                         "position": rng.randint(1, 4) if status == "open" else None,
                         "amount": rng.choice([None, 10.0, 25.5, 100.0]),
                         "currency": rng.choice(["RUB", "USD"]),
                         "expected_close": dt.date(2026, 1, rng.randint(1, 28))})
        return state(rows)

    start = random_state(rng.sample(range(60), 40))
    end = random_state(rng.sample(range(60), 40))
    w = waterfall(start, end, basis="snapshot", has_amounts=True, has_close_dates=True)
    got = {b.name: b for b in w.buckets}
    assert got["open_start"].deals + got["new"].deals + got["reopened"].deals \
        - got["won"].deals - got["lost"].deals - got["removed"].deals == got["open_end"].deals
    for cur in ("RUB", "USD"):
        v = {name: b.values.get(cur, 0.0) for name, b in got.items()}
        assert v["open_start"] + v["new"] + v["reopened"] + v["amount_raised"] \
            - v["amount_cut"] - v["won"] - v["lost"] - v["removed"] == pytest.approx(
                v["open_end"])


def test_json_keeps_the_contract_of_the_other_funnels(cli, snapshots):
    plain = cli.json("audit", snapshots / "audit.yaml")
    assert plain["funnels"][0]["waterfall"] is None
    json.dumps(plain)


SF_HEADER = ["Opportunity ID", "Owner", "From Stage", "To Stage", "Amount", "Close Date",
             "Last Modified"]
SF_HISTORY = [  # a Salesforce Opportunity History report; the period is March 2026
    ["O1", "Ann", "", "S1", "USD 1,000.00", "3/20/2026", "2/10/2026"],
    ["O1", "Ann", "S1", "S1", "USD 1,000.00", "3/31/2026", "3/05/2026"],  # pushed 11 d
    ["O1", "Ann", "S1", "S1", "USD 1,200.00", "4/15/2026", "3/20/2026"],  # +200, pushed 15 d
    ["O2", "Bob", "", "S1", "USD 500.00", "3/10/2026", "2/11/2026"],
    ["O2", "Bob", "S1", "S2", "USD 400.00", "3/10/2026", "3/02/2026"],  # advanced, -100
    ["O3", "Bob", "", "S1", "USD 300.00", "3/01/2026", "2/12/2026"],
    ["O3", "Bob", "S1", "Won", "USD 300.00", "3/08/2026", "3/08/2026"],  # won at 300
    ["O4", "Ann", "", "S2", "USD 700.00", "4/30/2026", "3/15/2026"],  # new
]


def test_a_salesforce_history_carries_amounts_and_close_dates(cli, tmp_path):
    write_csv(tmp_path / "history.csv", SF_HEADER, SF_HISTORY)
    config = tmp_path / "h.yaml"
    config.write_text(HISTORY_CONFIG, encoding="utf-8")
    report = cli.json("audit", config, "--period", "2026-03-01..2026-03-31", "--compare",
                      "previous")
    got = buckets(report)
    assert {n: (b["deals"], b["value"]) for n, b in got.items()} == {
        "open_start": (3, 1800.0),  # O1 1000 + O2 500 + O3 300
        "new": (1, 700.0),  # O4
        "reopened": (0, 0.0),
        "advanced": (1, 400.0),  # O2 S1 -> S2, at 400 now
        "moved_back": (0, 0.0),
        "slipped": (1, 1200.0),  # O1: 3/20 -> 4/15
        "amount_raised": (1, 200.0),  # O1 1000 -> 1200
        "amount_cut": (1, 100.0),  # O2 500 -> 400
        "won": (1, 300.0),  # O3
        "lost": (0, 0.0), "removed": (0, 0.0),
        "open_end": (3, 2300.0),  # O1 1200 + O2 400 + O4 700
    }
    assert 1800 + 700 + 200 - 100 - 300 == 2300
    w = report["funnels"][0]["waterfall"]
    assert w["currency"] == "USD"
    # O1 is open at both dates with a close date at both, and so is O2 (not moved).
    assert w["slippage"] == {"deals": 1, "share": 0.5, "days_median": 26.0, "days_max": 26.0,
                             "days_total": 26.0, "pushes": 2}
    table = cli("audit", config, "--period", "2026-03-01..2026-03-31", "--compare",
                "previous").stdout
    assert "2 pushes in the period" in " ".join(table.split())


def test_an_unreadable_history_amount_is_skipped_in_every_view_and_said(cli, tmp_path):
    rows = [r[:] for r in SF_HISTORY]
    rows[4][4] = "abc"  # O2's amount at its move: unreadable, so 500 stays its amount
    write_csv(tmp_path / "history.csv", SF_HEADER, rows)
    config = tmp_path / "h.yaml"
    config.write_text(HISTORY_CONFIG, encoding="utf-8")
    args = ("audit", config, "--period", "2026-03-01..2026-03-31", "--compare", "previous")
    report = cli.json(*args)
    got = buckets(report)
    assert got["amount_cut"]["deals"] == 0 and got["open_end"]["value"] == 1200 + 500 + 700
    # The money view and the forecast take O2's 500 too: Bob's open value is O2's alone
    # (O3 is won), and O2, expected 3/10, is overdue on 3/31 at 500.
    funnel = cli.json("audit", config, "--as-of", "2026-03-31")["funnels"][0]
    bob = next(m for m in funnel["money"]["managers"] if m["value"] == "Bob")
    assert bob["open_value"] == 500.0
    assert funnel["forecast"]["overdue"]["listed"][0]["amount"] == 500.0
    notes = report["data_quality"]["sources"][0]["notes"]
    assert ("1 amount value could not be read: the waterfall, the money view, the forecast "
            "and the plan take its deal's last readable amount") in notes
    ru = " ".join(cli(*args, "--lang", "ru", "--format", "markdown").stdout.split())
    assert ("1 значение amount не прочитано: в движении воронки, деньгах, прогнозе и плане у "
            "сделки берётся последнее прочитанное amount") in ru


def test_the_items_are_capped_and_the_rest_counted():
    start = state([{"deal_id": f"d{i}", "status": "open", "position": 1, "amount": float(i)}
                   for i in range(5)])
    end = state([])
    w = waterfall(start, end, basis="snapshot", has_amounts=True, has_close_dates=False,
                  item_cap=2)
    removed = {b.name: b for b in w.buckets}["removed"]
    assert [i.deal_id for i in removed.items] == ["d4", "d3"]  # the largest first
    assert (removed.deals, removed.items_left_out, removed.value) == (5, 3, 10.0)


def test_the_older_export_is_never_written_over(cli, snapshots):
    old = snapshots / "old.csv"
    before = old.read_bytes()
    result = cli("audit", snapshots / "audit.yaml", "--since-snapshot", old, "--format", "html",
                 "--output", old)
    assert_error(result, "is the older export (--since-snapshot)")
    assert old.read_bytes() == before
