"""Bad stage-history input: one clear line on stderr naming file, line or column; exit 2."""

from __future__ import annotations

import pytest

FUNNEL = """
funnels:
  - name: F
    source: h
    stages: [{name: A}, {name: B}]
    won: [Won]
"""


def config_for(write, source_line: str, extra: str = "") -> object:
    return write("audit.yaml", "version: 1\nsources:\n  h: " + source_line + "\n" + FUNNEL
                 + extra)


def test_missing_column_lists_the_columns_found(write, run):
    write("h.csv", "deal_id,stage,when\n1,A,2024-01-01\n")
    result = run("audit", config_for(write, "{path: h.csv, kind: stage_history}"))
    assert result.exit_code == 2
    assert "h.csv: no column for entered_at (layout long)" in result.stderr
    assert "columns found: deal_id, stage, when" in result.stderr
    assert "Traceback" not in result.output


def test_forced_hubspot_layout_without_stage_columns(write, run):
    write("h.csv", "Record ID,Deal Stage\n1,A\n")
    result = run("audit", config_for(
        write, "{path: h.csv, kind: stage_history, layout: hubspot_wide}"))
    assert result.exit_code == 2
    assert "needs 'Date entered" in result.stderr and "Record ID, Deal Stage" in result.stderr


def test_layout_on_a_deals_source_is_a_config_error(write, run):
    write("h.csv", "deal_id,stage,created_at\n1,A,2024-01-01\n")
    result = run("audit", config_for(write, "{path: h.csv, kind: deals, layout: long}"))
    assert result.exit_code == 2
    assert "audit.yaml:3: sources.h: layout applies to kind: stage_history only" \
        in result.stderr


def test_unknown_layout_names_the_choices(write, run):
    write("h.csv", "deal_id,stage,entered_at\n1,A,2024-01-01\n")
    result = run("audit", config_for(write, "{path: h.csv, kind: stage_history, layout: wide}"))
    assert result.exit_code == 2
    assert "audit.yaml:3: sources.h.layout:" in result.stderr
    assert "'hubspot_wide'" in result.stderr


def test_missing_breakdown_column(write, run):
    write("h.csv", "deal_id,stage,entered_at\n1,A,2024-01-01\n")
    result = run("audit", config_for(write, "{path: h.csv, kind: stage_history}",
                                     "    breakdown: [region]\n"))
    assert result.exit_code == 2
    assert "column 'region' (for region) not found" in result.stderr


@pytest.mark.parametrize("text", ["deal_id,stage,entered_at\n",
                                  "Record ID,Date entered \"A (P)\"\n1,\n"])
def test_no_entries(write, run, text):
    write("h.csv", text)
    result = run("audit", config_for(write, "{path: h.csv, kind: stage_history}"))
    assert result.exit_code == 2
    assert "h.csv: no stage entries" in result.stderr


def test_validate_shows_layout_and_unmatched_values(write, run):
    write("h.csv", 'Record ID,"Date entered ""A (P)""","Date entered ""Z (P)"""\n1,2024-01-01,\n')
    result = run("validate", config_for(write, "{path: h.csv, kind: stage_history}"))
    assert result.exit_code == 0, result.output
    assert "layout: hubspot_wide" in result.stdout
    assert "funnel 'F': stage values matching nothing: 'Z'" in result.stdout
