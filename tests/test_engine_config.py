"""engine: keys in the config (file:line errors), --explain, and the one-line errors of
a ClickHouse that cannot answer (unreachable, login, missing column, unset variable)."""

from __future__ import annotations

from pathlib import Path

import pytest

from funnelctl.engines.sql import Params, array_text, quote_identifier
from tests.conftest import assert_error
from tests.test_notify import free_port

ROOT = Path(__file__).resolve().parents[1]
STORE = ROOT / "sample_data/store_events.csv"


def config(source: str, funnel_extra: str = "", stage_extra: str = "") -> str:
    return f"""\
version: 1
sources:
  events:
    kind: events
{source}
    columns: {{entity_id: user_id, event: event_name, ts: timestamp}}
funnels:
  - name: Shop
    source: events
    window: 7d
{funnel_extra}    stages:
      - {{name: Visit, match: [session_start]}}
      - {{name: Cart, match: [add_to_cart]{stage_extra}}}
"""


@pytest.mark.parametrize(("source", "line", "fragment"), [  # the line of the key at fault
    (f"    path: {STORE}\n    url: 'chdb:'\n", 6, "url applies to engine: clickhouse only"),
    (f"    path: {STORE}\n    engine: clickhouse\n", 6, "engine: clickhouse needs url:"),
    (f"    path: {STORE}\n    engine: duckdb\n", 6, "'polars' or 'clickhouse'"),
    ("    engine: clickhouse\n    url: http://u:secret@localhost:8123/db\n    table: t\n", 6,
     "url: holds credentials"),
    ("    engine: clickhouse\n    url: ftp://localhost/db\n    table: t\n", 6,
     "not a ClickHouse address"),
    (f"    engine: clickhouse\n    url: http://localhost:8123/db\n    path: {STORE}\n", 7,
     "cannot read this machine's files"),
    ("    engine: clickhouse\n    url: 'chdb:'\n    table: t\n", 7, "table: needs a server"),
    ("    engine: clickhouse\n    url: http://localhost:8123/db\n    table: 'a b'\n", 7,
     "not a table name"),
    ("    engine: clickhouse\n    url: http://localhost:8123/db\n    table: t\n"
     "    password_env: 'my password'\n", 8, "not an environment variable name"),
    ("    path: x.csv\n    engine: polars\n    table: t\n", 7, "table applies to engine"),
    (f"    path: {STORE}\n    engine: clickhouse\n    url: 'chdb:'\n"
     "    date_format: '%d.%m.%Y'\n", 8, "date_format applies to engine: polars only"),
])
def test_source_errors_name_the_line(cli, tmp_path, source, line, fragment):
    path = tmp_path / "c.yaml"
    path.write_text(config(source))
    result = cli("audit", path)
    assert_error(result, f"c.yaml:{line}:", fragment)
    assert "secret" not in result.stderr


def test_stage_history_source_on_clickhouse_is_refused(cli, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("version: 1\nsources:\n  h:\n    kind: stage_history\n"
                    "    engine: clickhouse\n    url: http://localhost:8123/db\n    table: h\n"
                    "funnels:\n  - {name: F, source: h, stages: [{name: A}]}\n")
    assert_error(cli("audit", path), "c.yaml:4:", "runs sources of kind: events, deals")


@pytest.mark.parametrize(("funnel_extra", "stage_extra", "line", "fragment"), [
    ("    order: unordered\n", "", 14, "order: unordered does not run on engine: clickhouse"),
    ("    order: distinct_events\n", "", 14, "order: distinct_events does not run"),
    ("", ", within: 1h", 16, "within does not run on engine: clickhouse"),
    ("", ", first_time: true", 16, "first_time does not run on engine: clickhouse"),
])
def test_funnel_settings_windowfunnel_cannot_run(cli, tmp_path, funnel_extra, stage_extra,
                                                 line, fragment):
    path = tmp_path / "c.yaml"
    path.write_text(config(f"    path: {STORE}\n    engine: clickhouse\n    url: 'chdb:'\n",
                           funnel_extra, stage_extra))
    assert_error(cli("audit", path), f"c.yaml:{line}:", fragment)


def test_unreachable_server_is_one_line_with_the_url_and_no_password(cli, tmp_path,
                                                                     monkeypatch):
    port = free_port()  # nothing listens there once the socket is closed
    monkeypatch.setenv("CH_PASSWORD", "hunter2-secret")
    path = tmp_path / "c.yaml"
    path.write_text(config(f"    engine: clickhouse\n    url: http://127.0.0.1:{port}/shop\n"
                           "    table: events\n    password_env: CH_PASSWORD\n"))
    result = cli("audit", path)
    assert_error(result, f"source 'events' (http://127.0.0.1:{port}/shop)",
                 "cannot reach the server")
    assert "hunter2" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_an_unset_credential_variable_is_named(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("FUNNELCTL_TEST_UNSET", raising=False)
    path = tmp_path / "c.yaml"
    path.write_text(config("    engine: clickhouse\n    url: http://127.0.0.1:9/shop\n"
                           "    table: events\n    user_env: FUNNELCTL_TEST_UNSET\n"))
    assert_error(cli("audit", path), "FUNNELCTL_TEST_UNSET is not set")


def test_a_column_missing_from_the_file_is_named(cli, tmp_path):
    pytest.importorskip("chdb")
    path = tmp_path / "c.yaml"
    path.write_text(config(f"    path: {STORE}\n    engine: clickhouse\n    url: 'chdb:'\n",
                           "    breakdown: [campaign]\n"))
    assert_error(cli("audit", path), "source 'events' (chdb:)", "no column 'campaign'",
                 "utm_source")


def test_a_missing_chdb_folder_is_named(cli, tmp_path):
    pytest.importorskip("chdb")
    path = tmp_path / "c.yaml"
    path.write_text(config("    engine: clickhouse\n    url: chdb:nowhere\n    table: t\n"))
    assert_error(cli("audit", path), "no chdb database folder at", "nowhere")


def test_explain_prints_the_sql_with_parameters_and_runs_nothing(cli, tmp_path):
    pytest.importorskip("chdb")
    path = tmp_path / "c.yaml"
    path.write_text(config(f"    path: {STORE}\n    engine: clickhouse\n    url: 'chdb:'\n",
                           stage_extra=", where: {page: \"x'); DROP TABLE t; --\"}"))
    result = cli("audit", path, "--explain", "--rejects", tmp_path / "rejects.csv")
    assert result.exit_code == 0, result.stderr
    assert "windowFunnel({p" in result.stdout and "-- parameters:" in result.stdout
    sql = result.stdout.split("-- parameters:")[0]
    assert "DROP TABLE" not in sql and "session_start" not in sql  # values are parameters
    assert "['x\\'); DROP TABLE t; --']" in result.stdout  # ... listed after the SQL
    assert not (tmp_path / "rejects.csv").exists()


def test_explain_on_polars_prints_the_plan(cli, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(config(f"    path: {STORE}\n"))
    result = cli("audit", path, "--explain")
    assert result.exit_code == 0, result.stderr
    assert "Csv SCAN" in result.stdout and "engine: polars" in result.stdout
    assert '1. [(col("event")) == ("session_start")]' in result.stdout


def test_explain_shows_control_characters_escaped(cli, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(config(f"    path: {STORE}\n", stage_extra=', where: {page: "\\e[31m"}'))
    result = cli("audit", path, "--explain")
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout and "\\x1b[31m" in result.stdout


def test_identifiers_and_values_are_quoted_for_clickhouse():
    chdb = pytest.importorskip("chdb")
    name = "we`ird\\col\tumn"
    assert quote_identifier(name) == "`we\\`ird\\\\col\\tumn`"
    params = Params()
    values = ["it's", "back\\slash", "tab\there", "{p0:String}", "new\nline"]
    sql = (f"SELECT {params.bind(values, 'Array(String)')} AS a, "
           f"{params.bind(values[1])} AS b, 1 AS {quote_identifier(name)}")
    import json

    row = json.loads(chdb.query(sql, "JSON", params=params.values).data())["data"][0]
    assert row == {"a": values, "b": "back\\slash", name: 1}
    assert array_text(["a'b"]) == "['a\\'b']"
