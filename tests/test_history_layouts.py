"""HubSpot's wide "Date entered" columns and Salesforce Opportunity History, read as long form."""

from __future__ import annotations

import csv

import pytest

from funnelctl.config import Source
from funnelctl.io.history import read_history
from funnelctl.io.readers import open_source

V2 = 'Date entered "{} (Sales Pipeline)"'
LEGACY = "Date entered '{} (Sales Pipeline)'"
HUBSPOT_HEADER = ["Record ID", "Deal Name", "Deal owner", "Deal Stage",
                  V2.format("Appointment Scheduled"), V2.format("Qualified To Buy"),
                  LEGACY.format("Closed Won"), V2.format("Closed Lost"),
                  'Date exited "Qualified To Buy (Sales Pipeline)"']
HUBSPOT_ROWS = [
    # open in Qualified To Buy
    ["7001", "Bluebay", "Sam Sales", "Qualified To Buy", "2024-02-01 09:30",
     "2024-02-09 14:05", "", "", ""],
    # won straight from Appointment Scheduled (skips Qualified To Buy)
    ["7002", "Cobalt", "Sam Sales", "Closed Won", "2024-02-02 10:00", "",
     "2024-02-20 10:00", "", ""],
    # lost after Qualified To Buy
    ["7003", "Dune", "Kim Closer", "Closed Lost", "2024-02-03 10:00", "2024-02-05 10:00", "",
     "2024-02-10 10:00", "2024-02-10 10:00"],
    # an unreadable date: that cell is rejected, the deal's other entries stay
    ["7004", "Ember", "Kim Closer", "Qualified To Buy", "soon", "2024-02-07 08:00", "", "", ""],
]
FUNNEL = """
        funnels:
          - name: Sales
            source: deals
            stages:
              - {name: Appointment, match: [Appointment Scheduled]}
              - {name: Qualified, match: [Qualified To Buy]}
            won: [Closed Won]
            lost: [Closed Lost]
            breakdown: [manager]
"""


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, quoting=csv.QUOTE_ALL).writerows([header, *rows])
    return path


def read(path, breakdown=(), **options):
    source = Source(path=path, kind="stage_history", **options)
    return read_history(open_source("deals", source), source, "UTC", list(breakdown))


def test_hubspot_wide_becomes_long_form(tmp_path):
    path = write_csv(tmp_path / "hubspot.csv", HUBSPOT_HEADER, HUBSPOT_ROWS)
    history = read(path, breakdown=["manager"])
    assert history.layout == "hubspot_wide"  # detected from the header
    assert history.rows_read == 4
    entries = sorted((r["deal_id"], r["stage"], r["entered_at"].isoformat(sep=" "),
                      r["pipeline"], r["manager"])
                     for r in history.frame.iter_rows(named=True))
    assert entries == [
        ("7001", "Appointment Scheduled", "2024-02-01 09:30:00", "Sales Pipeline", "Sam Sales"),
        ("7001", "Qualified To Buy", "2024-02-09 14:05:00", "Sales Pipeline", "Sam Sales"),
        ("7002", "Appointment Scheduled", "2024-02-02 10:00:00", "Sales Pipeline", "Sam Sales"),
        ("7002", "Closed Won", "2024-02-20 10:00:00", "Sales Pipeline", "Sam Sales"),
        ("7003", "Appointment Scheduled", "2024-02-03 10:00:00", "Sales Pipeline", "Kim Closer"),
        ("7003", "Closed Lost", "2024-02-10 10:00:00", "Sales Pipeline", "Kim Closer"),
        ("7003", "Qualified To Buy", "2024-02-05 10:00:00", "Sales Pipeline", "Kim Closer"),
        ("7004", "Qualified To Buy", "2024-02-07 08:00:00", "Sales Pipeline", "Kim Closer"),
    ]
    assert history.rejects.rows() == [(5, "unparseable entered_at", "soon")]


def test_hubspot_both_column_families_count_once(tmp_path):
    header = ["Record ID", V2.format("Appointment Scheduled"),
              LEGACY.format("Appointment Scheduled")]
    path = write_csv(tmp_path / "hubspot.csv", header, [["1", "2024-02-01 09:30",
                                                         "2024-02-01 09:30"]])
    history = read(path)
    assert history.frame.height == 1
    assert history.notes[0] == "1 duplicate stage entry (same deal, stage and time) counted once"


def test_hubspot_audit(tmp_path, write, audit_json):
    write_csv(tmp_path / "hubspot.csv", HUBSPOT_HEADER, HUBSPOT_ROWS)
    config = write("audit.yaml", """
        version: 1
        sources:
          deals: {path: hubspot.csv, kind: stage_history, layout: hubspot_wide}
        """ + FUNNEL)
    funnel = audit_json(config, "--as-of", "2024-03-01")["funnels"][0]
    # 7001 Qualified, 7002 won (all stages), 7003 lost after Qualified, 7004 Qualified
    # (its Appointment date was unreadable, and skipped stages count as passed).
    assert [s["entered"] for s in funnel["stages"]] == [4, 4]
    assert (funnel["won"], funnel["lost"]) == (1, 1)
    # 7002 skipped Qualified on the way to won; 7004 starts at the second stage.
    assert funnel["consistency"]["skipped_stages"] == 2
    assert funnel["cycle_days"]["median"] == pytest.approx(18.0)
    # Appointment: 7001 8 d 4 h 35 min, 7002 18 d, 7003 2 d. Qualified: 7003 5 d.
    appointment = funnel["stages"][0]["time_in_stage"]
    assert appointment["median_days"] == pytest.approx(8 + (4 + 35 / 60) / 24)
    assert funnel["stages"][1]["time_in_stage"]["median_days"] == pytest.approx(5.0)


SALESFORCE_HEADER = ["Opportunity Name", "Owner", "Closed", "Created Date", "Stage Change",
                     "From Stage", "To Stage", "Stage Duration", "Last Modified", "Amount"]
SALESFORCE_ROWS = [
    ["Acme", "Ann Lee", "0", "1/5/2024", "1", "", "Prospecting", "0", "1/5/2024", "100"],
    ["Acme", "Ann Lee", "0", "1/5/2024", "0", "Prospecting", "Prospecting", "1", "1/6/2024",
     "200"],
    ["Acme", "Ann Lee", "0", "1/5/2024", "1", "Prospecting", "Qualification", "5",
     "1/10/2024", "200"],
    ["Acme", "Ann Lee", "1", "1/5/2024", "1", "Qualification", "Closed Won", "10",
     "1/20/2024", "200"],
    ["Beta", "Bob Ray", "0", "1/7/2024", "1", "", "Prospecting", "0", "1/7/2024", ""],
    ["Beta", "Bob Ray", "1", "1/7/2024", "1", "Prospecting", "Closed Lost", "2", "1/9/2024",
     ""],
    ["Gamma", "Bob Ray", "0", "1/8/2024", "1", "", "Qualification", "0", "", ""],
]


def test_salesforce_history_becomes_long_form(tmp_path):
    path = write_csv(tmp_path / "sf.csv", SALESFORCE_HEADER, SALESFORCE_ROWS)
    history = read(path, breakdown=["manager"])
    assert history.layout == "salesforce_history"
    assert history.rows_read == 7
    entries = [(r["deal_id"], r["stage"], r["entered_at"].date().isoformat(), r["manager"])
               for r in history.frame.sort("deal_id", "entered_at").iter_rows(named=True)]
    assert entries == [
        ("Acme", "Prospecting", "2024-01-05", "Ann Lee"),
        ("Acme", "Qualification", "2024-01-10", "Ann Lee"),
        ("Acme", "Closed Won", "2024-01-20", "Ann Lee"),
        ("Beta", "Prospecting", "2024-01-07", "Bob Ray"),
        ("Beta", "Closed Lost", "2024-01-09", "Bob Ray"),
    ]
    assert ("1 row has 'From Stage' = 'To Stage' (an amount or date edit, not a stage move): "
            "not counted as an entry") in history.notes
    assert history.rejects.rows() == [(8, "missing entered_at", None)]


def test_salesforce_audit(tmp_path, write, audit_json):
    write_csv(tmp_path / "sf.csv", SALESFORCE_HEADER, SALESFORCE_ROWS)
    config = write("audit.yaml", """
        version: 1
        sources:
          opps: {path: sf.csv, kind: stage_history}
        funnels:
          - name: Opportunities
            source: opps
            stages: [{name: Prospecting}, {name: Qualification}]
            won: [Closed Won]
            lost: [Closed Lost]
        """)
    funnel = audit_json(config, "--as-of", "2024-02-01")["funnels"][0]
    assert [s["entered"] for s in funnel["stages"]] == [2, 1]  # Acme won, Beta lost at 1
    assert (funnel["won"], funnel["lost"], funnel["win_rate"]) == (1, 1, 0.5)
    # Prospecting: Acme 5 d (1/5 -> 1/10; the 1/6 edit is no move), Beta 2 d.
    assert funnel["stages"][0]["time_in_stage"]["median_days"] == pytest.approx(3.5)
    assert funnel["stages"][1]["time_in_stage"]["median_days"] == pytest.approx(10.0)
    assert funnel["slowest_stage"]["stage"] == "Qualification"
    assert funnel["consistency"]["inconsistent"] == 0


def test_columns_map_overrides_aliases(tmp_path):
    header = ["Opp", "From Stage", "To Stage", "Edit Date", "Changed"]
    rows = [["1", "", "Prospecting", "1/5/2024", "1/6/2024"]]
    path = write_csv(tmp_path / "sf.csv", header, rows)
    history = read(path, columns={"deal_id": "Opp", "entered_at": "Changed"})
    assert history.frame["entered_at"][0].isoformat() == "2024-01-06T00:00:00"


def test_an_empty_line_is_a_blank_line_not_a_missing_deal_id(tmp_path):
    # The Salesforce report's own layout: a blank line between the table and its footer.
    (tmp_path / "h.csv").write_text(
        "deal_id,stage,entered_at\nd1,Lead,2024-01-02\n,,\n,Deal,2024-01-03\n"
        '"Grand Totals (2 records)"\n', encoding="utf-8")
    history = read(tmp_path / "h.csv")
    # line 3 is empty; line 4 has a stage and a date but no id; the footer is removed
    assert history.rejects.rows() == [(3, "blank line", None), (4, "missing deal id", None)]
