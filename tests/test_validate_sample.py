"""`funnelctl validate` test-reads the first 10,000 rows of each file with the audit's own
readers and says what would be rejected (count, reason, first line), without failing."""

from __future__ import annotations

from tests.norms_support import write_log, write_norms_config

DEALS_CONFIG = """
version: 1
sources: {d: {path: deals.csv, kind: deals}}
funnels: [{name: F, source: d, stages: [{name: new}]}]
"""


def test_validate_reports_dates_and_amounts_that_would_be_rejected(cli, write):
    write("deals.csv", """
        deal_id,stage,created_at,amount
        1,new,15.03.24,"1 234,56 ₽"
        2,new,01.01.1989,100
        3,new,16.03.24,abc
        4,new,2024-02-30,5
        5,new,17.03.24,xyz
        6,new,31.12.1985,7
    """)
    result = cli("validate", write("c.yaml", DEALS_CONFIG))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "  source 'd': 6 rows read, 3 would be rejected" in out
    assert "    created_at out of range: 2; first at line 3: '01.01.1989'" in out
    assert "    unparseable created_at: 1; first at line 5: '2024-02-30'" in out
    assert "    unparseable amount: 2 (row kept, value left out); first at line 4: 'abc'" in out


def test_only_the_first_10000_rows_are_read(cli, write, tmp_path):
    rows = [f"{i},new,2024-01-01" for i in range(1, 10_006)]
    rows[4] = "5,new,not a date"  # line 6
    rows[10_002] = "10003,new,not a date"  # line 10,004: past the sample
    (tmp_path / "deals.csv").write_text("deal_id,stage,created_at\n" + "\n".join(rows) + "\n",
                                        encoding="utf-8")
    result = cli("validate", write("c.yaml", DEALS_CONFIG))
    assert result.exit_code == 0, result.output
    assert "  source 'd': 10,000 rows read, 1 would be rejected" in result.stdout
    assert "    unparseable created_at: 1; first at line 6: 'not a date'" in result.stdout


def test_a_file_the_audit_cannot_read_fails_validation_as_it_fails_the_audit(cli, write):
    # Every row unusable, or a header (after a BOM) and no rows: `audit` stops with exit
    # 2, so `validate` must not exit 0. The sample is the whole file here.
    for rows, said in (("1,new,soon\n2,new,later\n", "no usable rows"),
                       ("", "has a header but no data rows")):
        write("deals.csv", "").write_bytes(
            b"\xef\xbb\xbf" + f"deal_id,stage,created_at\r\n{rows}".encode())
        config = write("c.yaml", DEALS_CONFIG)
        result = cli("validate", config)
        assert result.exit_code == 2, result.output
        assert "  error: source 'd': " in result.stdout and said in result.stdout
        assert cli("audit", config).exit_code == 2


def test_a_sample_without_usable_rows_of_a_longer_file_is_reported_not_failed(cli, write):
    # The first 10,000 rows are unusable, the 10,001st is not: the audit reads the file.
    bad = "".join(f"{i},new,soon\n" for i in range(10_000))
    write("deals.csv", f"deal_id,stage,created_at\n{bad}10000,new,2024-01-02\n")
    result = cli("validate", write("c.yaml", DEALS_CONFIG))
    assert result.exit_code == 0, result.output
    assert "no usable rows" in result.stdout and "'soon'" in result.stdout
    assert "error:" not in result.stdout


def test_activities_and_history_are_test_read_too(cli, tmp_path, write):
    write_log(tmp_path, [("A", "2024-01-10 10:00", "call"), ("", "2024-01-10 11:00", "call"),
                         ("A", "2099-01-10 10:00", "call"), ("B", "31.11.2024 10:00", "call")])
    result = cli("validate", write_norms_config(tmp_path))
    assert result.exit_code == 0, result.output
    assert "  source 'act': 4 rows read, 3 would be rejected" in result.stdout
    assert "    ts out of range: 1; first at line 4: '2099-01-10 10:00'" in result.stdout
    assert "    missing manager: 1; first at line 3" in result.stdout
    write("history.csv", "deal_id,stage,entered_at\nd1,A,2024-01-05\nd1,B,05.01.1970\n")
    config = write("h.yaml", """
        version: 1
        sources: {h: {path: history.csv, kind: stage_history}}
        funnels: [{name: F, source: h, stages: [{name: A}, {name: B}]}]
    """)
    result = cli("validate", config)
    assert "    entered_at out of range: 1; first at line 3: '05.01.1970'" in result.stdout


def test_events_are_test_read(cli, write):
    write("events.csv", "user,event,time\nu1,visit,2024-03-01T10:00:00Z\n"
                        "u2,visit,2024-03-01 25:00\nu3,visit,1985-03-01T10:00:00Z\n")
    config = write("c.yaml", """
        version: 1
        sources:
          e: {path: events.csv, kind: events, columns: {entity_id: user, event: event, ts: time}}
        funnels: [{name: F, source: e, window: 1d, stages: [{name: V, match: [visit]}]}]
    """)
    result = cli("validate", config)
    assert result.exit_code == 0, result.output
    assert "  source 'e': 3 rows read, 2 would be rejected" in result.stdout
    assert "    ts out of range: 1; first at line 4: '1985-03-01T10:00:00Z'" in result.stdout
    assert "    unparseable ts: 1; first at line 3: '2024-03-01 25:00'" in result.stdout
