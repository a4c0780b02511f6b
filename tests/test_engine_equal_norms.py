"""The manager norms on both engines: activities sources on the Polars engine and on
engine: clickhouse (chdb in process, and one case over HTTP) must give equal JSON reports
(less generated_at and tool_version), and each case is also checked against counts worked
out apart from both engines: DuckDB's calls and meetings per manager and local day, and
its rejects per reason, over the same Parquet files."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import random
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import polars as pl
import pytest
import yaml

from tests.engine_support import report_json
from tests.test_engine_http import PASSWORD, USER, Endpoint

chdb = pytest.importorskip("chdb")
duckdb = pytest.importorskip("duckdb")

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 12, 1)
NOVEMBER = "2026-11-01..2026-11-30"
# The demo's names as the sample data writes them -> the roster name (by hand).
DEMO_NAMES = {"101": "Сергей Лебедев", "Лебедев С.": "Сергей Лебедев",
              "Кравцова М.": "Мария Кравцова"}
CALL_WORDS = ("звонок", "исходящий звонок", "входящий звонок", "call")
MEETING_WORDS = ("встреча", "meeting")


def demo_parquet(tmp_path: Path) -> tuple[Path, Path]:
    """The demo's two activity exports as Parquet with typed timestamps: the CRM log in
    naive local time (Europe/Moscow wall clock), the telephony in UTC instants; the
    duration stays "mm:ss" text."""
    crm = pl.read_csv(ROOT / "sample_data/activities.csv").with_columns(
        pl.col("Дата и время").str.to_datetime("%d.%m.%Y %H:%M:%S", strict=False))
    phone = pl.read_csv(ROOT / "sample_data/telephony_calls.csv", separator=";").with_columns(
        pl.col("Дата и время").str.to_datetime("%d.%m.%Y %H:%M:%S", strict=False)
        .dt.replace_time_zone("Europe/Moscow").dt.convert_time_zone("UTC"))
    crm.write_parquet(tmp_path / "crm.parquet")
    phone.write_parquet(tmp_path / "phone.parquet")
    return tmp_path / "crm.parquet", tmp_path / "phone.parquet"


def demo_config(tmp_path: Path) -> dict:
    """configs/demo.yaml's norms (roster with dates, a team, the RU calendar, an alias,
    an ignored system user, type: call with min_call_seconds) over the Parquet files."""
    config = yaml.safe_load((ROOT / "configs/demo.yaml").read_text(encoding="utf-8"))
    crm, phone = demo_parquet(tmp_path)
    config["sources"]["deals"]["path"] = str(ROOT / "sample_data/amocrm_deals.csv")
    for key in ("plan", "snooze"):
        config["funnels"][0].pop(key)
    for name, path in (("activities", crm), ("telephony", phone)):
        config["sources"][name]["path"] = str(path)
        config["sources"][name].pop("date_format")
    return config


def on_clickhouse(config: dict, url: str = "chdb:") -> dict:
    other = copy.deepcopy(config)
    for source in other["sources"].values():
        if source["kind"] == "activities":
            source.update(engine="clickhouse", url=url)
    return other


def both(config: dict, tmp_path: Path, **kwargs) -> tuple[dict, dict]:
    polars = report_json(config, tmp_path / "polars.yaml", as_of=AS_OF, **kwargs)
    clickhouse = report_json(on_clickhouse(config), tmp_path / "ch.yaml", as_of=AS_OF,
                             **kwargs)
    return polars, clickhouse


def report_days(report: dict) -> dict[tuple[str, str], tuple[int, int]]:
    return {(m["manager"], d["date"]): (d["calls"], d["meetings"])
            for m in report["norms"]["managers"] for d in m["days"]}


def demo_counts(crm: Path, phone: Path, minimum: int) -> dict[tuple[str, str], list[int]]:
    """(manager, local date) -> [calls, meetings], both exports, by DuckDB: the CRM's
    naive times are Moscow wall clock, the telephony's UTC + 3 h (Moscow has no DST),
    its "mm:ss" durations split by hand."""
    con = duckdb.connect()
    crm_rows = con.execute(
        f"SELECT trim(\"Ответственный\"), CAST(\"Дата и время\" AS DATE)::VARCHAR, "
        f"count(*) FILTER (WHERE lower(trim(\"Тип\")) IN {CALL_WORDS}), "
        f"count(*) FILTER (WHERE lower(trim(\"Тип\")) IN {MEETING_WORDS}) "
        f"FROM read_parquet('{crm}') WHERE \"Дата и время\" IS NOT NULL "
        "AND \"Ответственный\" IS NOT NULL GROUP BY 1, 2").fetchall()
    phone_rows = con.execute(
        "SELECT trim(\"Сотрудник\"), CAST(CAST(\"Дата и время\" AS TIMESTAMP) "
        "+ INTERVAL 3 HOUR AS DATE)::VARCHAR, count(*), 0 "
        f"FROM read_parquet('{phone}') WHERE CAST(split_part(\"Длительность\", ':', 1) AS INT)"
        f" * 60 + CAST(split_part(\"Длительность\", ':', 2) AS INT) >= {minimum} "
        "GROUP BY 1, 2").fetchall()
    counts: dict[tuple[str, str], list[int]] = {}
    for name, day, calls, meetings in crm_rows + phone_rows:
        key = (DEMO_NAMES.get(name, name), day)
        total = counts.setdefault(key, [0, 0])
        total[0] += calls
        total[1] += meetings
    return counts


def test_demo_norms_over_november_compared_with_october(tmp_path):
    config = demo_config(tmp_path)
    polars, clickhouse = both(config, tmp_path, period=NOVEMBER, compare="previous")
    assert clickhouse == polars
    norms = clickhouse["norms"]
    assert norms["working_days"] == 20  # November 2026 in Russia: 4 November is off
    assert norms["names"]["merged"] == DEMO_NAMES
    assert norms["ignored_rows"] == {"Система": 134} and norms["short_calls"] > 0
    expected = demo_counts(tmp_path / "crm.parquet", tmp_path / "phone.parquet", 30)
    days = report_days(clickhouse)
    for key, counts in days.items():
        assert counts == tuple(expected.get(key, (0, 0))), key
    graded = {m for m, _ in days}
    missing = {k for k, v in expected.items() if k[0] in graded and any(v)
               and "2026-11-02" <= k[1] <= "2026-11-30" and k not in days}
    assert not missing


def test_demo_norms_over_all_dates_with_roster_end_and_a_type_mapped(tmp_path):
    """No period (first to last activity date), a manager who left mid-November, and
    'Письмо' mapped as a meeting by type_values."""
    config = demo_config(tmp_path)
    roster = config["norms"]["roster"]
    roster[roster.index("Борис Петров")] = {"name": "Борис Петров", "to": "2026-11-13"}
    config["sources"]["activities"]["type_values"] = {
        "call": ["Исходящий звонок", "Входящий звонок", "Звонок"],
        "meeting": ["Встреча", "Письмо"]}
    polars, clickhouse = both(config, tmp_path)
    assert clickhouse == polars
    boris = next(m for m in clickhouse["norms"]["managers"] if m["manager"] == "Борис Петров")
    assert boris["active_to"] == "2026-11-13"
    assert max(d["date"] for d in boris["days"]) <= "2026-11-13"
    assert clickhouse["norms"]["outside_dates"]["Борис Петров"] > 0
    # Worked out apart: Boris's meetings (Встреча and Письмо) in his dates, by DuckDB.
    meetings = duckdb.connect().execute(
        f"SELECT count(*) FROM read_parquet('{tmp_path / 'crm.parquet'}') WHERE "
        "trim(\"Ответственный\") = 'Борис Петров' AND lower(trim(\"Тип\")) IN "
        "('встреча', 'письмо') AND CAST(\"Дата и время\" AS DATE) <= DATE '2026-11-13'"
    ).fetchone()[0]
    assert boris["meetings"] == meetings > 0


HOSTILE = ["O'Brien'); DROP TABLE activities; --", "<script>alert(1)</script>",
           "\u202eАнна Смирнова\u202c", 'Back\\slash "quoted" {p0:String}', "{{ 7*7 }}",
           "=HYPERLINK(\"x\")"]
CALL_TYPES = ["call", "Звонок'); --", " CALL "]
MEETING_TYPES = ["Встреча", "<b>meet</b>"]
OTHER_TYPES = ["Задача", "'; SELECT 1; --"]


def hostile_rows(n: int = 3000, seed: int = 7) -> pl.DataFrame:
    """Activities with hostile names and types, and rows of every reject reason: no
    manager (null, "-"), no / out-of-range timestamps, no type, calls with no or a bad
    duration; system users (Система, 0)."""
    rng = random.Random(seed)
    start = dt.datetime(2026, 10, 1, tzinfo=dt.timezone.utc)
    rows = []
    for _ in range(n):
        ts = start + dt.timedelta(seconds=rng.randrange(61 * 86400))
        roll = rng.random()
        if roll < 0.02:
            ts = None
        elif roll < 0.03:
            ts = ts.replace(year=1985)
        elif roll < 0.04:
            ts = ts.replace(year=2031)
        manager = rng.choice(HOSTILE + [None, "-", "Система", "0", "  " + HOSTILE[0] + " "])
        kind = rng.choice(CALL_TYPES * 3 + MEETING_TYPES * 2 + OTHER_TYPES + [None, ""])
        duration = rng.choice([None, float("nan"), -5.0, 3.0, 19.5, 20.0, 75.0, 300.0, 31.0])
        rows.append((manager, ts, kind, duration))
    return pl.DataFrame(rows, schema={"manager": pl.String, "ts": pl.Datetime("us", "UTC"),
                                      "type": pl.String, "duration": pl.Float64},
                        orient="row")


def hostile_config(path: Path) -> dict:
    return {
        "version": 1, "timezone": "Asia/Yekaterinburg",
        "sources": {"calls": {
            "path": str(path), "kind": "activities", "min_call_seconds": 20,
            "type_values": {"call": CALL_TYPES, "meeting": MEETING_TYPES}}},
        "norms": {"source": "calls"},
        "managers": {"aliases": {HOSTILE[1]: HOSTILE[0]}, "ignore": ["Система"]},
    }


def hostile_expected(path: Path) -> tuple[dict, dict, int]:
    """By DuckDB: (manager, Yekaterinburg date) -> [calls, meetings] (UTC + 5 h, no DST
    there), rejects per reason, short calls. The alias is applied by hand."""
    calls = ", ".join("'" + t.strip().lower().replace("'", "''") + "'" for t in CALL_TYPES)
    meetings = ", ".join("'" + t.strip().lower().replace("'", "''") + "'"
                         for t in MEETING_TYPES)
    con = duckdb.connect()
    con.execute(f"""CREATE VIEW a AS SELECT nullif(nullif(trim(manager), ''), '-') AS m,
        CAST(CAST(ts AS TIMESTAMP) + INTERVAL 5 HOUR AS DATE) AS d,
        nullif(trim(type), '') AS t, lower(trim(type)) AS lt, duration
        FROM read_parquet('{path}')""")
    con.execute(f"""CREATE VIEW r AS SELECT *, CASE
        WHEN m IS NULL THEN 'missing manager' WHEN d IS NULL THEN 'missing ts'
        WHEN d < DATE '1990-01-01' OR d >= DATE '2027-12-02' THEN 'ts out of range'
        WHEN t IS NULL THEN 'missing activity type'
        WHEN lt IN ({calls}) AND duration IS NULL THEN 'missing duration'
        WHEN lt IN ({calls}) AND (isnan(duration) OR duration < 0)
          THEN 'unparseable duration' END AS reason,
        lt IN ({calls}) AND duration < 20 AS short FROM a""")
    reasons = dict(con.execute("SELECT reason, count(*) FROM r WHERE reason IS NOT NULL "
                               "GROUP BY 1").fetchall())
    # The reader counts short calls before names are matched: system users' too.
    short = con.execute("SELECT count(*) FROM r WHERE reason IS NULL AND short").fetchone()[0]
    days: dict[tuple[str, str], list[int]] = {}
    for m, d, c, k in con.execute(
            f"SELECT m, d::VARCHAR, count(*) FILTER (WHERE lt IN ({calls}) AND NOT short), "
            f"count(*) FILTER (WHERE lt IN ({meetings})) FROM r WHERE reason IS NULL "
            "AND m NOT IN ('Система', '0') GROUP BY 1, 2").fetchall():
        total = days.setdefault((HOSTILE[0] if m == HOSTILE[1] else m, d), [0, 0])
        total[0] += c
        total[1] += k
    return days, reasons, short


def check_hostile(report: dict, path: Path) -> None:
    days, reasons, short = hostile_expected(path)
    quality = next(q for q in report["data_quality"]["sources"] if q["name"] == "calls")
    assert quality["reasons"] == reasons and len(reasons) == 6
    assert report["norms"]["short_calls"] == short > 0
    graded = report_days(report)
    assert {m for m, _ in graded} == set(HOSTILE) - {HOSTILE[1]}
    for key, counts in graded.items():
        assert counts == tuple(days.get(key, (0, 0))), key
    assert {k for k, v in days.items() if any(v)} <= set(graded)


def test_hostile_names_types_and_every_reject_reason(tmp_path):
    path = tmp_path / "calls.parquet"
    hostile_rows().write_parquet(path)
    polars, clickhouse = both(hostile_config(path), tmp_path)
    assert clickhouse == polars
    check_hostile(clickhouse, path)
    others = clickhouse["data_quality"]["sources"][0]["other_types"]
    assert set(others) == set(OTHER_TYPES)


@pytest.mark.parametrize("written", ["%Y-%m-%dT%H:%M:%S%.fZ", "%Y-%m-%d %H:%M:%S%.f"])
def test_hostile_case_as_csv_with_iso_text_timestamps(tmp_path, written):
    """The same rows as a CSV over url: chdb: (read as text there): ISO instants, and
    naive times read in the config's zone by both engines."""
    # A CSV's "NaN" is a null marker to the reader (missing, not unparseable): negative.
    rows = hostile_rows(1500).with_columns(pl.col("duration").fill_nan(-1.0))
    if "Z" not in written:  # naive: the wall clock in the config's zone
        rows = rows.with_columns(pl.col("ts").dt.convert_time_zone("Asia/Yekaterinburg"))
    rows.write_parquet(tmp_path / "calls.parquet")
    rows.with_columns(pl.col("ts").dt.strftime(written)).write_csv(tmp_path / "calls.csv")
    polars, clickhouse = both(hostile_config(tmp_path / "calls.csv"), tmp_path)
    assert clickhouse == polars
    check_hostile(clickhouse, tmp_path / "calls.parquet")


def test_explain_prints_the_norms_sql_with_values_as_parameters(tmp_path, cli):
    path = tmp_path / "calls.parquet"
    hostile_rows(300).write_parquet(path)
    config_path = tmp_path / "ch.yaml"
    config_path.write_text(yaml.safe_dump(on_clickhouse(hostile_config(path)),
                                          allow_unicode=True), encoding="utf-8")
    result = cli("audit", config_path, "--explain", "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "== norms (source 'calls', engine: clickhouse)" in out
    sql = out.split("-- parameters:")[0]
    assert "transform(" in sql and "GROUP BY reason, manager, kind, date" in sql
    assert "DROP TABLE" not in sql and "Звонок" not in sql and "Yekaterinburg" not in sql
    assert "DROP TABLE" in out.split("-- parameters:")[1]  # the values, listed apart


def daily_rows(n: int = 600, seed: int = 11) -> pl.DataFrame:
    """Daily totals: calls as text (spaces, a comma-free thousands group, markers,
    negative, fractional, huge, words), meetings as numbers (null, NaN, negative,
    fractional), dates with nulls and out of range; a manager's day repeated."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        day = dt.date(2026, 10, 1) + dt.timedelta(days=rng.randrange(61))
        roll = rng.random()
        day = None if roll < 0.03 else day.replace(year=1970) if roll < 0.05 else day
        calls = rng.choice(["12", " 7 ", "1 200", "0", "", "-", "-3", "2.5", "1e9", "много",
                            "40", "55", None])
        meetings = rng.choice([0.0, 1.0, 2.0, 3.0, None, float("nan"), -1.0, 0.5, 4.0])
        rows.append((rng.choice(HOSTILE[:4] + [None, "Система"]), day, calls, meetings))
    return pl.DataFrame(rows, schema={"manager": pl.String, "date": pl.Date,
                                      "calls": pl.String, "meetings": pl.Float64},
                        orient="row")


def test_daily_totals_with_text_and_number_counts(tmp_path):
    path = tmp_path / "daily.parquet"
    daily_rows().write_parquet(path)
    config = {"version": 1, "timezone": "Europe/Moscow",
              "sources": {"calls": {"path": str(path), "kind": "activities"}},
              "norms": {"source": "calls"}, "managers": {"ignore": ["Система"]}}
    polars, clickhouse = both(config, tmp_path, period=NOVEMBER)
    assert clickhouse == polars
    # Worked out apart, by DuckDB: the rules of docs/norms.md over the same file.
    con = duckdb.connect()
    con.execute(f"""CREATE VIEW r AS SELECT nullif(trim(manager), '') AS m, date AS d,
        CASE WHEN lower(trim(calls)) IN ('', '-') THEN NULL ELSE trim(calls) END AS ct,
        TRY_CAST(replace(nullif(nullif(trim(calls), ''), '-'), ' ', '') AS DOUBLE) AS c,
        meetings AS k FROM read_parquet('{path}')""")
    con.execute("""CREATE VIEW q AS SELECT *, CASE WHEN m IS NULL THEN 'missing manager'
        WHEN d IS NULL THEN 'missing date'
        WHEN d < DATE '1990-01-01' THEN 'date out of range'
        WHEN ct IS NOT NULL AND c IS NULL THEN 'non-numeric calls'
        WHEN c < 0 THEN 'negative calls' WHEN c > 100000 THEN 'calls over 100,000 a day'
        WHEN c != floor(c) THEN 'fractional calls'
        WHEN isnan(k) THEN 'non-numeric meetings' WHEN k < 0 THEN 'negative meetings'
        WHEN k != floor(k) THEN 'fractional meetings' END AS reason FROM r""")
    reasons = dict(con.execute("SELECT reason, count(*) FROM q WHERE reason IS NOT NULL "
                               "GROUP BY 1").fetchall())
    assert clickhouse["data_quality"]["sources"][0]["reasons"] == reasons
    assert len(reasons) == 10  # every reason but unparseable date (a Date column)
    days = {(m, d): (int(c), int(k)) for m, d, c, k in con.execute(
        "SELECT m, d::VARCHAR, coalesce(sum(c), 0), coalesce(sum(k), 0) FROM q WHERE "
        "reason IS NULL AND m != 'Система' AND d BETWEEN DATE '2026-11-01' AND "
        "DATE '2026-11-30' GROUP BY 1, 2").fetchall()}
    graded = report_days(clickhouse)
    assert {m for m, _ in graded} == set(HOSTILE[:4])
    for key, counts in graded.items():
        assert counts == days.get(key, (0, 0)), key
    assert {k for k, v in days.items() if any(v)} <= set(graded)


@contextlib.contextmanager
def serve(db):
    """The localhost ClickHouse-over-HTTP endpoint of test_engine_http, answering with
    chdb over `db` (a session holding the tables)."""
    Endpoint.session, Endpoint.seen = db, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_hostile_case_over_http_equals_the_polars_engine(tmp_path, monkeypatch):
    from chdb import session

    from funnelctl.engines.clickhouse_client import close_sessions

    path = tmp_path / "calls.parquet"
    hostile_rows().write_parquet(path)
    close_sessions()
    db = session.Session(str(tmp_path / "chdb"))
    db.query("CREATE TABLE calls ENGINE = MergeTree ORDER BY tuple() AS "
             "SELECT * FROM file({p:String}, Parquet)", params={"p": str(path)})
    monkeypatch.setenv("CH_USER", USER)
    monkeypatch.setenv("CH_PASSWORD", PASSWORD)
    config = hostile_config(path)
    polars = report_json(config, tmp_path / "polars.yaml", as_of=AS_OF, period=NOVEMBER)
    source = config["sources"]["calls"]
    del source["path"]
    with serve(db) as url:
        source.update(engine="clickhouse", url=f"{url}/default", table="calls",
                      user_env="CH_USER", password_env="CH_PASSWORD")
        clickhouse = report_json(config, tmp_path / "http.yaml", as_of=AS_OF,
                                 period=NOVEMBER)
        seen = list(Endpoint.seen)
    db.close()
    for report in (polars, clickhouse):
        for quality in report["data_quality"]["sources"]:
            quality.pop("path"), quality.pop("detected", None)
    assert clickhouse == polars
    assert clickhouse["norms"]["managers"] and clickhouse["norms"]["totals"]["calls"] > 0
    counting = [s for s in seen if "transform(" in s["sql"]]
    assert counting and all("DROP TABLE" not in s["sql"] for s in counting)
    assert any("DROP TABLE" in v for s in counting for v in s["query"].values())
    days, reasons, _ = hostile_expected(path)
    assert clickhouse["data_quality"]["sources"][0]["reasons"] == reasons
    for (manager, day), counts in report_days(clickhouse).items():
        assert counts == tuple(days.get((manager, day), (0, 0)))


def test_demo_telephony_in_a_chdb_database_folder(tmp_path):
    """url: chdb:FOLDER with table: (a local ClickHouse database), the telephony export
    with its "mm:ss" durations as a MergeTree table."""
    from chdb import session

    from funnelctl.engines.clickhouse_client import close_sessions

    config = demo_config(tmp_path)
    polars = report_json(config, tmp_path / "polars.yaml", as_of=AS_OF, period=NOVEMBER)
    close_sessions()
    db = session.Session(str(tmp_path / "db"))
    db.query("CREATE TABLE phone ENGINE = MergeTree ORDER BY tuple() AS "
             "SELECT * FROM file({p:String}, Parquet)",
             params={"p": str(tmp_path / "phone.parquet")})
    db.close()
    source = config["sources"]["telephony"]
    del source["path"]
    source.update(engine="clickhouse", url=f"chdb:{tmp_path / 'db'}", table="phone")
    clickhouse = report_json(config, tmp_path / "folder.yaml", as_of=AS_OF, period=NOVEMBER)
    close_sessions()
    for report in (polars, clickhouse):
        for quality in report["data_quality"]["sources"]:
            if quality["name"] == "telephony":
                quality.pop("path"), quality.pop("detected")
    assert clickhouse == polars
    expected = demo_counts(tmp_path / "crm.parquet", tmp_path / "phone.parquet", 30)
    lebedev = {d: c for (m, d), c in report_days(clickhouse).items() if m == "Сергей Лебедев"}
    assert lebedev and all(c == tuple(expected.get(("Сергей Лебедев", d), (0, 0)))
                           for d, c in lebedev.items())


def test_a_value_the_first_query_did_not_see_stops_the_audit(tmp_path, monkeypatch):
    """As if the table gained a manager between the distinct query and the counting one:
    an error, not rows miscounted under another reason."""
    from funnelctl.engines import clickhouse_norms
    from funnelctl.errors import DataError

    path = tmp_path / "calls.parquet"
    hostile_rows(200).write_parquet(path)
    seen = clickhouse_norms.distinct_values

    def without_one(plan, canonicals):
        return seen(plan, canonicals).filter(pl.col("manager") != HOSTILE[0])

    monkeypatch.setattr(clickhouse_norms, "distinct_values", without_one)
    config_path = tmp_path / "c.yaml"
    config_path.write_text(yaml.safe_dump(on_clickhouse(hostile_config(path)),
                                          allow_unicode=True), encoding="utf-8")
    from funnelctl.audit.pipeline import audit

    with pytest.raises(DataError, match="the data changed while it was read"):
        audit(config_path, record=False, as_of=AS_OF)


def test_daily_totals_as_csv_with_text_dates(tmp_path):
    """The daily totals as a CSV over url: chdb: (every column text there), dates ISO
    text, some not dates at all."""
    rows = daily_rows(400).with_columns(pl.col("date").cast(pl.String))
    rows = rows.with_columns(date=pl.when(pl.int_range(pl.len()) % 25 == 0)
                             .then(pl.lit("вчера")).otherwise(pl.col("date")))
    rows.write_csv(tmp_path / "daily.csv")
    config = {"version": 1, "timezone": "Europe/Moscow",
              "sources": {"calls": {"path": str(tmp_path / "daily.csv"), "kind": "activities"}},
              "norms": {"source": "calls"}}
    polars, clickhouse = both(config, tmp_path, period=NOVEMBER)
    assert clickhouse == polars
    reasons = clickhouse["data_quality"]["sources"][0]["reasons"]
    words = rows.filter((pl.col("date") == "вчера") & pl.col("manager").is_not_null())
    assert reasons["unparseable date"] == words.height > 0
