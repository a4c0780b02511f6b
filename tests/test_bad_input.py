"""Bad input: exit 2, one clear line on stderr naming what and where, no traceback."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error, write_csv

GOOD_SOURCE = """
version: 1
sources:
  deals:
    path: deals.csv
    kind: deals
    columns: {deal_id: ID, stage: Stage, created_at: Created}
funnels:
  - name: F
    source: deals
    stages: [{name: A}, {name: B}]
"""


def write_config(tmp_path, text: str):
    path = tmp_path / "audit.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def deals(tmp_path, rows=(("1", "A", "2024-01-02"),), header=("ID", "Stage", "Created")):
    return write_csv(tmp_path / "deals.csv", list(header), [list(r) for r in rows])


def test_missing_config(cli, tmp_path):
    assert_error(cli("audit", tmp_path / "nope.yaml"), "nope.yaml", "config file not found")


def test_missing_data_file(cli, tmp_path):
    config = write_config(tmp_path, GOOD_SOURCE)
    assert_error(cli("audit", config), "deals.csv", "data file not found", "'deals'")


def test_yaml_syntax_error_shows_line(cli, tmp_path):
    config = write_config(tmp_path, "version: 1\nsources:\n  deals: [unclosed\nfunnels: []\n")
    assert_error(cli("audit", config), "audit.yaml:4", "YAML syntax error")


def test_config_not_a_mapping(cli, tmp_path):
    config = write_config(tmp_path, "- just\n- a list\n")
    assert_error(cli("audit", config), "audit.yaml", "expected a mapping", "got a list")


def test_empty_config(cli, tmp_path):
    assert_error(cli("audit", write_config(tmp_path, "")), "got an empty file")


def test_unknown_key_with_suggestion_and_line(cli, tmp_path):
    text = GOOD_SOURCE.replace("    stages: [{name: A}, {name: B}]",
                               "    stages: [{name: A}, {name: B}]\n    breakdwn: [manager]")
    assert_error(cli("audit", write_config(tmp_path, text)),
                 "audit.yaml:12", "funnels.0.breakdwn", "unknown key 'breakdwn'",
                 "did you mean 'breakdown'")


@pytest.mark.parametrize(("stages", "message"), [
    ("[{name: A}, {name: B, conversion: {good: 1.5, acceptable: 0.2}}]", "less than or equal to 1"),
    ("[{name: A}, {name: B, conversion: {good: 0.4, acceptable: 0.6}}]",
     "acceptable (0.6) must not be above good (0.4)"),
    ("[{name: A}, {name: A}]", "duplicate stage name 'A'"),
    ("[{name: A}, {name: B, conversion: {good: high, acceptable: 0.1}}]", "valid number"),
])
def test_invalid_stage_settings(cli, tmp_path, stages, message):
    text = GOOD_SOURCE.replace("[{name: A}, {name: B}]", stages)
    assert_error(cli("audit", write_config(tmp_path, text)), "audit.yaml:", message)


def test_funnel_naming_unknown_source(cli, tmp_path):
    text = GOOD_SOURCE.replace("    source: deals", "    source: crm")
    # Line 10 of the config (it starts with an empty line) is "    source: crm".
    assert_error(cli("audit", write_config(tmp_path, text)),
                 "audit.yaml:10: funnels.0.source", "unknown source 'crm'",
                 "sources defined: deals")


def test_missing_mapped_column_lists_columns_found(cli, tmp_path):
    deals(tmp_path, header=("ID", "Stage", "Created on"))
    assert_error(cli("audit", write_config(tmp_path, GOOD_SOURCE)),
                 "column 'Created' (for created_at) not found", "did you mean 'Created on'",
                 "columns found: ID, Stage, Created on")


def test_empty_data_file(cli, tmp_path):
    (tmp_path / "deals.csv").write_bytes(b"")
    assert_error(cli("audit", write_config(tmp_path, GOOD_SOURCE)), "deals.csv", "empty")


def test_header_only_data_file(cli, tmp_path):
    deals(tmp_path, rows=())
    assert_error(cli("audit", write_config(tmp_path, GOOD_SOURCE)),
                 "deals.csv", "header but no data rows")


def test_unparseable_dates_are_rejected_with_lines_not_a_crash(cli, tmp_path):
    from funnelctl.audit.deals import read_deal_sources
    from funnelctl.config import load_config

    deals(tmp_path, rows=[("1", "A", "2024-01-02"), ("2", "A", "yesterday"),
                          ("3", "B", "2024-13-40"), ("4", "B", "2024-01-03")])
    config = write_config(tmp_path, GOOD_SOURCE)
    report = cli.json("audit", config)
    quality = report["data_quality"]["sources"][0]
    assert quality["reasons"] == {"unparseable created_at": 2}
    assert [s["entered"] for s in report["funnels"][0]["stages"]] == [2, 1]
    rejects = read_deal_sources(load_config(config), {})["deals"].rejects
    # Header is line 1: the bad rows are lines 3 and 4, with their values.
    assert rejects.rows() == [(3, "unparseable created_at", "yesterday"),
                              (4, "unparseable created_at", "2024-13-40")]


def test_bad_period_option(cli, tmp_path):
    deals(tmp_path)
    config = write_config(tmp_path, GOOD_SOURCE)
    assert_error(cli("audit", config, "--period", "last-fortnight"),
                 "--period", "'last-fortnight'", "last-week")
    assert_error(cli("audit", config, "--period", "2024-03-01..2024-01-01"), "before start")


def test_debug_shows_traceback(cli, tmp_path):
    result = cli("audit", tmp_path / "nope.yaml", "--debug")
    assert result.exit_code == 2
    assert "Traceback" in result.stderr


def test_a_stage_value_listed_twice_is_a_config_error(cli, tmp_path):
    text = GOOD_SOURCE.replace("stages: [{name: A}, {name: B}]",
                               "stages: [{name: A}, {name: B}]\n    won: [b]")
    assert_error(cli("audit", write_config(tmp_path, text)),
                 "value 'b' is listed for both stage 'B' and won")


def test_a_config_with_nothing_to_audit(cli, tmp_path):
    text = GOOD_SOURCE.split("funnels:")[0]
    assert_error(cli("audit", write_config(tmp_path, text)), "nothing to audit")


def test_a_wrong_date_format_that_rejects_every_row_is_an_error(cli, tmp_path):
    deals(tmp_path, rows=[("1", "A", "22.09.2026 07:37:55"), ("2", "B", "23.09.2026 08:00:00")])
    text = GOOD_SOURCE.replace("    kind: deals\n",
                               "    kind: deals\n    date_format: '%Y-%m-%d'\n")
    assert_error(cli("audit", write_config(tmp_path, text)),
                 "deals.csv: no usable rows: all 2 were rejected, 2 for unparseable created_at",
                 "line 2: '22.09.2026 07:37:55'", "date_format is '%Y-%m-%d'")


def test_a_percentage_threshold_suggests_the_fraction(cli, tmp_path):
    text = GOOD_SOURCE.replace("[{name: A}, {name: B}]",
                               "[{name: A}, {name: B, conversion: {good: 75, acceptable: 50}}]")
    assert_error(cli("audit", write_config(tmp_path, text)),
                 "75 is above 1: thresholds are fractions, write 0.75 for 75%")


def test_a_folder_without_parquet_files(cli, tmp_path):
    (tmp_path / "deals.csv").mkdir()
    assert_error(cli("audit", write_config(tmp_path, GOOD_SOURCE)),
                 "deals.csv: a folder without .parquet files (source 'deals')")


def test_init_with_a_missing_data_file(cli, tmp_path):
    assert_error(cli("init", "--template", "aida", "--data", tmp_path / "nope.csv",
                     "--output", tmp_path / "c.yaml"), "--data", "file not found")
    assert not (tmp_path / "c.yaml").exists()
