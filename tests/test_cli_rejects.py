"""`audit --rejects PATH` writes every unusable row with its source, line and reason."""

from __future__ import annotations

import csv
from pathlib import Path

from funnelctl.cli import app


def rejects_of(runner, tmp_path: Path, name: str, source: str) -> list[tuple[str, ...]]:
    """Audit a two-stage funnel (Lead, Deal) over `source` with --rejects; the file's rows."""
    config = tmp_path / "c.yaml"
    config.write_text(f"version: 1\nsources:\n  {name}: {source}\n"
                      f"funnels:\n  - {{name: F, source: {name}, stages: [{{name: Lead}}, "
                      "{name: Deal}]}\n", encoding="utf-8")
    out = tmp_path / "rejects.csv"
    result = runner.invoke(app, ["audit", str(config), "--rejects", str(out),
                                 "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    return [(r["source"], r["line"], r["reason"], r["value"])
            for r in csv.DictReader(out.open(encoding="utf-8"))]


def test_rejects_file_lists_bad_rows_with_lines(runner, tmp_path: Path) -> None:
    data = tmp_path / "deals.csv"
    data.write_text(
        "deal_id,stage,created_at\n"
        "1,Lead,2024-01-02\n"
        "2,Lead,yesterday\n"       # line 3: unparseable date
        ",Lead,2024-01-03\n"       # line 4: no id
        "4,Mystery,2024-01-04\n"   # line 5: stage not in the funnel
        "5,Deal,2024-01-05\n", encoding="utf-8")
    assert rejects_of(runner, tmp_path, "deals", "{path: deals.csv, kind: deals}") == [
        ("deals", "3", "unparseable created_at", "yesterday"),
        ("deals", "4", "missing deal id", ""),
        ("deals", "5", "stage matches no stage of funnel 'F'", "Mystery"),
    ]


def test_rejects_file_lists_stage_history_rows(runner, tmp_path: Path) -> None:
    (tmp_path / "history.csv").write_text(
        "deal_id,stage,entered_at\n"
        "d1,Lead,2024-01-02\n"
        "d1,Lead,not a date\n"     # line 3: unparseable date
        "d2,Mystery,2024-01-03\n"  # line 4: stage not in the funnel
        ",Lead,2024-01-04\n"       # line 5: no deal id
        "d2,Deal,2024-01-05\n", encoding="utf-8")
    assert rejects_of(runner, tmp_path, "h", "{path: history.csv, kind: stage_history}") == [
        ("h", "3", "unparseable entered_at", "not a date"),
        ("h", "4", "stage matches no stage of funnel 'F'", "Mystery"),
        ("h", "5", "missing deal id", ""),
    ]
