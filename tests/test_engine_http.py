"""The HTTP path of engine: clickhouse end to end, where no current ClickHouse server is
installed: a small localhost HTTP endpoint speaks ClickHouse's HTTP interface (the SQL as
the POST body, `param_NAME=` query parameters, Basic auth, `database=`) and answers with
chdb over a database folder holding the table. The audit over http:// must equal the
Polars engine's report over the same rows."""

from __future__ import annotations

import base64
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from tests.engine_support import report_json
from tests.test_engine_equal import AS_OF, read_store, store_config

chdb = pytest.importorskip("chdb")
USER, PASSWORD = "funnel", "s3cret-pw"


class Endpoint(BaseHTTPRequestHandler):
    session = None
    seen: list[dict] = []
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802 - the http.server name
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        sql = self.rfile.read(int(self.headers["Content-Length"])).decode()
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            return self._answer(516, "Code: 516. DB::Exception: funnel: Authentication "
                                     "failed: password is incorrect")
        params = {k.removeprefix("param_"): v for k, v in query.items()
                  if k.startswith("param_")}
        self.seen.append({"query": query, "sql": sql})
        try:
            with self.lock:
                result = self.session.query(sql, "JSON", params=params).data()
        except Exception as exc:  # the server's own error text, as ClickHouse sends it
            return self._answer(500, str(exc))
        self._answer(200, result)

    def _answer(self, status: int, text: str) -> None:
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def endpoint(tmp_path, monkeypatch):
    from chdb import session

    from funnelctl.engines.clickhouse_client import close_sessions

    log = read_store()
    log.write_parquet(tmp_path / "store.parquet")
    close_sessions()
    db = session.Session(str(tmp_path / "chdb"))
    db.query("CREATE TABLE events ENGINE = MergeTree ORDER BY tuple() AS "
             "SELECT * FROM file({p:String}, Parquet)",
             params={"p": str(tmp_path / "store.parquet")})
    Endpoint.session, Endpoint.seen = db, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("CH_USER", USER)
    monkeypatch.setenv("CH_PASSWORD", PASSWORD)
    yield f"http://127.0.0.1:{server.server_address[1]}", log
    server.shutdown()
    server.server_close()
    db.close()


def test_the_audit_over_http_equals_the_polars_engines(endpoint, tmp_path):
    url, log = endpoint
    config = store_config(tmp_path / "store.parquet")
    polars = report_json(config, tmp_path / "polars.yaml", as_of=AS_OF,
                         period="2026-09-01..2026-09-30", compare="previous")
    source = config["sources"]["events"]
    del source["path"]
    source.update(engine="clickhouse", url=f"{url}/default", table="events",
                  user_env="CH_USER", password_env="CH_PASSWORD")
    clickhouse = report_json(config, tmp_path / "http.yaml", as_of=AS_OF,
                             period="2026-09-01..2026-09-30", compare="previous")
    for report in (polars, clickhouse):
        for quality in report["data_quality"]["sources"]:
            quality.pop("path"), quality.pop("detected", None)
    assert clickhouse == polars
    assert clickhouse["funnels"][0]["stages"][0]["entered"] > 0
    # What went over the wire: values as param_ arguments, never in the SQL text.
    statements = [s for s in Endpoint.seen if "windowFunnel" in s["sql"]]
    assert statements and all("session_start" not in s["sql"] for s in statements)
    assert all("session_start" in s["query"].values() for s in statements)
    assert {s["query"].get("database") for s in Endpoint.seen} == {"default"}


def test_a_wrong_password_over_http_is_one_line(endpoint, tmp_path, cli, monkeypatch):
    url, _ = endpoint
    monkeypatch.setenv("CH_PASSWORD", "wrong-one")
    config = store_config(tmp_path / "store.parquet")
    source = config["sources"]["events"]
    del source["path"]
    source.update(engine="clickhouse", url=f"{url}/default", table="events",
                  user_env="CH_USER", password_env="CH_PASSWORD")
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(config))
    result = cli("audit", path)
    assert result.exit_code == 2 and "refused the login" in result.stderr
    assert "wrong-one" not in result.stderr and PASSWORD not in result.stderr
    assert "\n" not in result.stderr.strip()
