"""Event sources and funnels, bad input: exit 2 and one clear line naming what and where."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error, write_csv
from tests.test_bad_input import write_config

CONFIG = """
version: 1
sources:
  log:
    path: events.csv
    kind: events
    columns: {entity_id: user, ts: time}
funnels:
  - name: Shop
    source: log
    window: 7d
    stages: [{name: visit}, {name: purchase}]
"""
GOOD_ROWS = [["u1", "visit", "2024-03-01T10:00:00Z"], ["u1", "purchase", "2024-03-01T11:00:00Z"]]


def events(tmp_path, rows=GOOD_ROWS, header=("user", "event", "time")):
    return write_csv(tmp_path / "events.csv", list(header), [list(r) for r in rows])


def test_good_config_runs(cli, tmp_path):
    events(tmp_path)
    report = cli.json("audit", write_config(tmp_path, CONFIG))
    assert [s["entered"] for s in report["funnels"][0]["stages"]] == [1, 1]


def test_mapped_column_missing_from_the_file(cli, tmp_path):
    events(tmp_path, header=("usr", "event", "time"))
    assert_error(cli("audit", write_config(tmp_path, CONFIG)),
                 "events.csv", "column 'user' (for entity_id) not found",
                 "did you mean 'usr'", "columns found: usr, event, time")


def test_canonical_column_neither_mapped_nor_present(cli, tmp_path):
    events(tmp_path, header=("user", "action", "time"))
    assert_error(cli("audit", write_config(tmp_path, CONFIG)),
                 "events.csv", "no column for event", "sources.log.columns",
                 "columns found: user, action, time")


def test_timestamps_that_do_not_parse(cli, tmp_path):
    events(tmp_path, rows=[["u1", "visit", "last tuesday"], ["u1", "purchase", "soon"]])
    assert_error(cli("audit", write_config(tmp_path, CONFIG)),
                 "events.csv", "column 'time' (for ts)", "no value parses as a timestamp",
                 "'last tuesday'", "date_format")


def test_every_row_unusable(cli, tmp_path):
    events(tmp_path, rows=[["", "visit", "2024-03-01T10:00:00Z"], ["u1", "visit", "never"]])
    assert_error(cli("audit", write_config(tmp_path, CONFIG)),
                 "events.csv", "no usable rows", "missing entity_id: 1", "unparseable ts: 1")


@pytest.mark.parametrize("window", ["7 parsecs", "7", "d7", "0d", "1.5h", "-3h"])
def test_bad_window(cli, tmp_path, window):
    events(tmp_path)
    text = CONFIG.replace("window: 7d", f"window: {window}")
    assert_error(cli("audit", write_config(tmp_path, text)),
                 "audit.yaml:11", "funnels.0.window", f"'{window}' is not a duration",
                 "e.g. 30m, 36h, 7d")


def test_event_funnel_without_window(cli, tmp_path):
    events(tmp_path)
    text = CONFIG.replace("    window: 7d\n", "")
    assert_error(cli("audit", write_config(tmp_path, text)),
                 "audit.yaml:9", "funnel 'Shop' over an events source needs window")


def test_window_or_where_on_a_deal_funnel(cli, tmp_path):
    deals_config = """
version: 1
sources: {deals: {path: deals.csv, kind: deals}}
funnels:
  - name: F
    source: deals
    stages: [{name: A}, {name: B, where: {page: /cart}}]
"""
    assert_error(cli("audit", write_config(tmp_path, deals_config)),
                 "audit.yaml:7", "funnels.0.stages.1.where",
                 "where applies to event funnels only")
    with_window = deals_config.replace(", where: {page: /cart}", "") + "    window: 7d\n"
    assert_error(cli("audit", write_config(tmp_path, with_window)),
                 "audit.yaml:8", "funnels.0.window", "window applies to event funnels only")


def test_where_on_a_column_the_file_lacks(cli, tmp_path):
    events(tmp_path)
    text = CONFIG.replace("{name: purchase}", "{name: purchase, where: {page: /thanks}}")
    assert_error(cli("audit", write_config(tmp_path, text)),
                 "events.csv", "column 'page' (for page) not found")


def test_validate_names_stage_events_missing_from_the_log(cli, tmp_path):
    events(tmp_path)
    text = CONFIG.replace("{name: purchase}", "{name: Order, match: [purchse]}")
    result = cli("validate", write_config(tmp_path, text))
    assert result.exit_code == 0, result.stderr
    assert "funnel 'Shop': no events named 'purchse'" in result.stdout
    audit = cli.json("audit", write_config(tmp_path, text))
    assert "Shop / Order: no events named 'purchse'" in \
        audit["data_quality"]["sources"][0]["notes"]
