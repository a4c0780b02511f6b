"""The rejects CSV cannot run anything in a spreadsheet (OWASP CSV injection rules)."""

from __future__ import annotations

import csv

import polars as pl

from funnelctl.io.rejects import csv_safe
from tests.conftest import write_csv

VALUES = {  # value in the data -> the cell funnelctl writes
    "=HYPERLINK(\"http://x\",\"y\")": "'=HYPERLINK(\"http://x\",\"y\")",
    "+1+2": "'+1+2",
    "@SUM(A1)": "'@SUM(A1)",
    "-2+3": "'-2+3",
    "-cmd|' /C calc'!A0": "'-cmd|' /C calc'!A0",
    "-5": "-5",  # a plain negative number stays a number (docs/reading-exports.md)
    "-12.50": "-12.50",
    "Plain": "Plain",
}


def test_rejects_file_neutralises_formula_starts(cli, tmp_path):
    rows = [[str(i), value, "2024-01-02"] for i, value in enumerate(VALUES, 1)]
    write_csv(tmp_path / "d.csv", ["id", "stage", "created"], [*rows, ["99", "A", "2024-01-02"]])
    config = tmp_path / "=c.yaml"
    config.write_text("version: 1\nsources:\n  \"=cmd\": {path: d.csv, kind: deals, columns: "
                      "{deal_id: id, stage: stage, created_at: created}}\n"
                      "funnels: [{name: \"@F\", source: \"=cmd\", stages: [{name: A}]}]\n",
                      encoding="utf-8")
    out = tmp_path / "rejects.csv"
    result = cli("audit", config, "--rejects", out, "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    with out.open(encoding="utf-8", newline="") as fh:
        written = list(csv.DictReader(fh))
    assert {r["value"] for r in written} == set(VALUES.values())
    assert {r["source"] for r in written} == {"'=cmd"}
    assert all(r["reason"] == "stage matches no stage of funnel '@F'" for r in written)
    assert [r["line"] for r in written] == [str(n) for n in range(2, 2 + len(VALUES))]
    # Every text cell is quoted, the line number is not.
    first = out.read_text(encoding="utf-8").splitlines()[1]
    assert first.startswith("\"'=cmd\",2,\"stage matches")


def test_csv_safe_prefixes_tab_and_cr_and_leaves_numbers_and_nulls():
    table = pl.DataFrame({"value": ["\tx", "\rcmd", "-1,5", "- 5", "-", None, "a=b"],
                          "line": [1, 2, 3, 4, 5, 6, 7]})
    assert csv_safe(table).to_dict(as_series=False) == {
        "value": ["'\tx", "'\rcmd", "-1,5", "'- 5", "'-", None, "a=b"],
        "line": [1, 2, 3, 4, 5, 6, 7]}
