"""engine: clickhouse against a real ClickHouse server over HTTP, when one is installed
(Debian's package clickhouse-server): started on a free localhost port with a temporary
data folder, the sample event log loaded into a table, then the audit run against it.

Debian bookworm ships ClickHouse 18.16 (2018): windowFunnel runs there (default mode),
but it has no query parameters and no arrayFold, which the engine's SQL needs (23.10+).
On such a server the tests check what does work: the HTTP client and loading, the
server's own windowFunnel levels against the Polars engine's counts, the clear refusal of
the old version, and the one-line errors for a missing table, column or refused login;
the full audit skips with that reason. On a current server it runs and must give the
report the Polars engine gives over the same rows.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import assert_error
from tests.engine_support import report_json
from tests.test_notify import free_port

ROOT = Path(__file__).resolve().parents[1]
SERVER = shutil.which("clickhouse-server") or (
    "/usr/sbin/clickhouse-server" if Path("/usr/sbin/clickhouse-server").exists() else None)
pytestmark = pytest.mark.skipif(
    SERVER is None, reason="clickhouse-server is not installed (Debian: apt-get install "
                           "clickhouse-server); the chdb tests cover the SQL")
PASSWORD = "pw-for-tests"
CONFIG_XML = """<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>{d}/log.txt</log><errorlog>{d}/err.txt</errorlog></logger>
  <http_port>{http}</http_port>
  <tcp_port>{tcp}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>{d}/data/</path>
  <tmp_path>{d}/scratch/</tmp_path>
  <user_files_path>{d}/user_files/</user_files_path>
  <format_schema_path>{d}/format_schemas/</format_schema_path>
  <mark_cache_size>268435456</mark_cache_size>
  <users_config>{d}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
</yandex>
"""
USERS_XML = """<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile><quota>default</quota></default>
    <funnel><password>{pw}</password><networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile><quota>default</quota></funnel>
  </users>
  <quotas><default></default></quotas>
</yandex>
"""
WINDOW = 7 * 86400
STEPS = ["event_name = 'session_start'", "event_name = 'product_view'",
         "event_name = 'add_to_cart'", "event_name = 'page_view' AND page = '/checkout'",
         "event_name IN ('order_placed', 'purchase')"]


class Server:
    def __init__(self, folder: Path) -> None:
        self.http, tcp = free_port(), free_port()
        (folder / "config.xml").write_text(CONFIG_XML.format(d=folder, http=self.http, tcp=tcp))
        (folder / "users.xml").write_text(USERS_XML.format(pw=PASSWORD))
        self.url = f"http://127.0.0.1:{self.http}"
        started = time.monotonic()
        self.process = subprocess.Popen(  # noqa: S603 - our own binary and config
            [SERVER, f"--config-file={folder / 'config.xml'}"], cwd=folder,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while time.monotonic() - started < 60:
            try:
                self.version = self.sql("SELECT version()").strip()
                break
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"clickhouse-server exited: {folder}/err.txt") from None
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError("clickhouse-server did not answer within 60 s")
        self.start_seconds = time.monotonic() - started

    def sql(self, query: str, body: bytes | None = None) -> str:
        address = self.url + "/?" + urllib.parse.urlencode({"query": query})
        with urllib.request.urlopen(address, data=body if body is not None else b"",
                                    timeout=30) as answer:
            return answer.read().decode()

    def major_minor(self) -> tuple[int, int]:
        return tuple(int(p) for p in self.version.split(".")[:2])  # type: ignore[return-value]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def tsv(value) -> str:
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clickhouse")
    running = Server(folder)
    # The sample's usable rows (the Polars engine's reading of the CSV), as a table.
    log = pl.read_csv(ROOT / "sample_data/store_events.csv").with_columns(
        pl.col("timestamp").str.to_datetime(time_zone="UTC", strict=False)).drop_nulls(
        ["user_id", "event_name", "timestamp"])
    running.sql("CREATE TABLE events (user_id String, event_name String, timestamp DateTime, "
                "utm_source Nullable(String), page Nullable(String)) ENGINE = Memory")
    started = time.monotonic()
    lines = "".join("\t".join(tsv(v) for v in (
        row[0], row[1], row[2].strftime("%Y-%m-%d %H:%M:%S"), row[3], row[4])) + "\n"
        for row in log.select("user_id", "event_name", "timestamp", "utm_source", "page")
        .iter_rows())
    running.sql("INSERT INTO events FORMAT TabSeparated", lines.encode())
    running.load_seconds = time.monotonic() - started
    running.rows = log.height
    running.parquet = folder / "events.parquet"
    log.write_parquet(running.parquet)
    yield running
    running.stop()


def store_config(source: dict) -> dict:
    return {
        "version": 1, "timezone": "UTC",
        "sources": {"events": {"kind": "events", **source,
                               "columns": {"entity_id": "user_id", "event": "event_name",
                                           "ts": "timestamp"}}},
        "funnels": [{"name": "Online store", "source": "events", "window": "7d",
                     "breakdown": ["utm_source"], "stages": [
                         {"name": "Site visit", "match": ["session_start"]},
                         {"name": "Product page", "match": ["product_view"]},
                         {"name": "Add to cart", "match": ["add_to_cart"]},
                         {"name": "Checkout page", "match": ["page_view"],
                          "where": {"page": "/checkout"}},
                         {"name": "Order placed", "match": ["order_placed", "purchase"]}]}],
    }


def on_server(server, **keys) -> dict:
    return store_config({"engine": "clickhouse", "url": f"{server.url}/default",
                         "table": "events", **keys})


def test_the_table_holds_the_loaded_rows(server):
    assert int(server.sql("SELECT count() FROM events")) == server.rows > 2000


def test_the_servers_windowfunnel_gives_the_polars_engines_counts(server, tmp_path):
    """windowFunnel on the server itself (default mode, which 18.16 has) against the
    Polars engine's report over the same rows."""
    levels = server.sql(
        f"SELECT level, count() FROM (SELECT user_id, windowFunnel({WINDOW})(timestamp, "
        f"{', '.join(STEPS)}) AS level FROM events GROUP BY user_id) GROUP BY level "
        "FORMAT JSONCompact")
    per_level = {int(level): int(n) for level, n in json.loads(levels)["data"]}
    expected = [sum(n for level, n in per_level.items() if level >= k) for k in range(1, 6)]
    polars = report_json(store_config({"path": str(server.parquet)}), tmp_path / "p.yaml")
    assert [s["entered"] for s in polars["funnels"][0]["stages"]] == expected
    assert expected[0] > expected[-1] > 0


def test_the_audit_over_http_equals_the_polars_engines(server, tmp_path):
    if server.major_minor() < (23, 10):
        pytest.skip(f"ClickHouse {server.version} has no query parameters or arrayFold "
                    "(the engine needs 23.10+): the full audit runs on chdb in CI")
    polars = report_json(store_config({"path": str(server.parquet)}), tmp_path / "p.yaml")
    clickhouse = report_json(on_server(server), tmp_path / "c.yaml")
    for report in (polars, clickhouse):  # where the rows came from differs, nothing else
        for source in report["data_quality"]["sources"]:
            source.pop("path"), source.pop("detected", None)
    assert clickhouse == polars


def test_an_old_server_is_refused_in_one_line(server, cli, write, monkeypatch):
    if server.major_minor() >= (23, 10):
        pytest.skip(f"ClickHouse {server.version} is new enough")
    path = write("c.yaml", json.dumps(on_server(server)))
    assert_error(cli("audit", path), f"source 'events' ({server.url}/default)",
                 f"ClickHouse {server.version} is too old", "23.10 or later")


def test_a_missing_table_is_named_with_the_url(server, cli, write):
    config = on_server(server)
    config["sources"]["events"]["table"] = "no_such_table"
    report = write("c.yaml", json.dumps(config)).parent / "report.html"
    result = cli("audit", write("c.yaml", json.dumps(config)), "--output", report)
    assert_error(result, f"source 'events' ({server.url}/default)", "no_such_table")
    assert len(result.stderr.strip().splitlines()) == 1 and not report.exists()


def test_validate_checks_the_table_and_its_columns(server, cli, write):
    result = cli("validate", write("c.yaml", json.dumps(on_server(server))))
    assert result.exit_code == 0, result.stderr
    assert f"table events on {server.url}/default (5 columns" in result.stdout


def test_a_missing_column_is_named(server, cli, write):
    config = on_server(server)
    config["funnels"][0]["breakdown"] = ["campaign"]
    assert_error(cli("audit", write("c.yaml", json.dumps(config))),
                 f"source 'events' ({server.url}/default)", "no column 'campaign'",
                 "utm_source")


def test_a_refused_login_names_the_source_not_the_password(server, cli, write, monkeypatch):
    monkeypatch.setenv("CH_TEST_USER", "funnel")
    monkeypatch.setenv("CH_TEST_PASSWORD", "not-the-password")
    config = on_server(server, user_env="CH_TEST_USER", password_env="CH_TEST_PASSWORD")
    result = cli("audit", write("c.yaml", json.dumps(config)))
    assert_error(result, f"source 'events' ({server.url}/default)", "refused the login")
    assert "not-the-password" not in result.stderr and PASSWORD not in result.stderr


def test_the_right_login_gets_past_the_login(server, cli, write, monkeypatch):
    monkeypatch.setenv("CH_TEST_USER", "funnel")
    monkeypatch.setenv("CH_TEST_PASSWORD", PASSWORD)
    config = on_server(server, user_env="CH_TEST_USER", password_env="CH_TEST_PASSWORD")
    result = cli("audit", write("c.yaml", json.dumps(config)), "--format", "json")
    if server.major_minor() < (23, 10):  # logged in: the next thing said is the version
        assert_error(result, "too old")
    else:
        assert result.exit_code in (0, 1), result.stderr
