"""Every source kind behaves the same when every row is unusable: exit 2, the main reason
and an example line on stderr, no traceback (issue 11)."""

from __future__ import annotations

from tests.conftest import assert_error, write_csv
from tests.norms_support import write_norms_config


def history_config(write) -> object:
    return write("audit.yaml", """
        version: 1
        sources:
          h: {path: h.csv, kind: stage_history}
        funnels:
          - {name: F, source: h, stages: [{name: A}, {name: B}], won: [Won]}
        """)


def test_stage_history_with_no_usable_entry(cli, write, tmp_path):
    # Line 2: no deal id; lines 3 and 4: dates that are no dates. Main reason: line 3.
    write_csv(tmp_path / "h.csv", ["deal_id", "stage", "entered_at"],
              [["", "A", "2024-01-01"], ["2", "A", "yesterday"], ["3", "B", "soon"]])
    assert_error(cli("audit", history_config(write)),
                 "h.csv: no usable rows: all 3 were rejected, 2 for unparseable entered_at",
                 "e.g. line 3: 'yesterday'", "missing deal id: 1")


def test_activities_rows_with_no_usable_row(cli, tmp_path):
    write_csv(tmp_path / "act.csv", ["manager", "ts", "type"],
              [["A", "not a time", "call"], ["", "2024-02-05 10:00", "call"],
               ["B", "later", "meeting"]])
    assert_error(cli("audit", write_norms_config(tmp_path)),
                 "act.csv: no usable rows: all 3 were rejected, 2 for unparseable ts",
                 "e.g. line 2: 'not a time'")


def test_activities_daily_totals_with_no_usable_row(cli, tmp_path):
    write_csv(tmp_path / "act.csv", ["manager", "date", "calls", "meetings"],
              [["A", "2024-02-05", "-3", "1"], ["B", "2024-02-05", "-1", "0"]])
    assert_error(cli("audit", write_norms_config(tmp_path)),
                 "act.csv: no usable rows: all 2 were rejected, 2 for negative calls",
                 "e.g. line 2: '-3'")


def test_events_with_no_usable_row(cli, write, tmp_path):
    write_csv(tmp_path / "ev.csv", ["entity_id", "event", "ts"],
              [["", "visit", "2024-03-01T10:00:00Z"], ["u1", "visit", "never"],
               ["u2", "buy", "nope"]])
    config = write("audit.yaml", """
        version: 1
        sources:
          ev: {path: ev.csv, kind: events}
        funnels:
          - name: F
            source: ev
            window: 7d
            stages: [{name: Visit, match: [visit]}, {name: Buy, match: [buy]}]
        """)
    assert_error(cli("audit", config),
                 "ev.csv: no usable rows: all 3 were rejected, 2 for unparseable ts",
                 "e.g. line 3: 'never'")


def test_deals_with_no_usable_row(cli, write, tmp_path):
    write_csv(tmp_path / "d.csv", ["deal_id", "stage", "created_at"],
              [["1", "A", "someday"], ["", "A", "2024-01-01"], ["3", "B", "soon"]])
    config = write("audit.yaml", """
        version: 1
        sources:
          d: {path: d.csv, kind: deals}
        funnels:
          - {name: F, source: d, stages: [{name: A}, {name: B}]}
        """)
    assert_error(cli("audit", config),
                 "d.csv: no usable rows: all 3 were rejected, 2 for unparseable created_at",
                 "e.g. line 2: 'someday'")
