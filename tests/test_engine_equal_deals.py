"""Deals snapshots on both engines: the Polars engine and engine: clickhouse (chdb in
process) must give equal JSON reports (less generated_at and tool_version), and each case
also checks counts worked out apart from both engines (DuckDB over the same Parquet).

The bundled CSV samples are copied to Parquet with typed dates (the Polars reader would
parse the text; ClickHouse reads ISO text only). The copies leave out the money columns
(tests/test_engine_equal_money.py has them) and those ClickHouse does not read yet
(expected close, stage change, "Date entered" stage dates: docs/engines.md), so that the
reports are whole on both; test_unread_columns_are_named checks what the report says
when they are there."""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
import yaml

from tests.engine_support import report_json

pytest.importorskip("chdb")
duckdb = pytest.importorskip("duckdb")

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 12, 1)
UNREAD = re.compile(r"amount|бюджет|сумма|value|currency|валюта|expected|предполагаемая|"
                    r"stage change|изменения|редактирования|reason|причина|date entered|"
                    # ClickHouse does not fold Bitrix24's product rows yet (one test below)
                    r"^(товар|цена|количество)$", re.IGNORECASE)
# sample: (CSV, config, its separator, the format of its dates)
SAMPLES = {
    "pipedrive": ("pipedrive_deals.csv", "pipedrive.yaml", ",", "%Y-%m-%d %H:%M:%S"),
    "hubspot": ("hubspot_deals.csv", "hubspot.yaml", ",", "%Y-%m-%d %H:%M"),
    "bitrix24": ("bitrix24_deals.csv", "bitrix24.yaml", ";", "%d.%m.%Y %H:%M:%S"),
    "amocrm": ("amocrm_deals.csv", "amocrm.yaml", ",", "%d.%m.%Y %H:%M:%S"),
}
DATE_HEADERS = re.compile(r"create|close|создания|закрытия|won time|lost time", re.IGNORECASE)


def sample_parquet(sample: str, folder: Path) -> tuple[dict, Path]:
    """(the sample's config over a Parquet copy, the copy)."""
    csv, config_name, separator, date_format = SAMPLES[sample]
    frame = pl.read_csv(ROOT / "sample_data" / csv, separator=separator, infer_schema=False,
                        encoding="utf8-lossy")
    frame = frame.select([c for c in frame.columns if c and not UNREAD.search(c)
                          and not c.startswith("_duplicated")])
    frame = frame.with_columns(pl.col(c).str.strip_chars().str.to_datetime(date_format,
                                                                           strict=False)
                               for c in frame.columns if DATE_HEADERS.search(c))
    path = folder / f"{sample}.parquet"
    frame.write_parquet(path)
    config = yaml.safe_load((ROOT / "configs" / config_name).read_text(encoding="utf-8"))
    source = config["sources"]["deals"]
    source["path"] = str(path)
    source.pop("date_format", None)
    if "columns" in source:  # the amoCRM custom field is in the copy; nothing else mapped
        source["columns"] = {k: v for k, v in source["columns"].items() if v in frame.columns}
    return config, path


def on_clickhouse(config: dict, **keys) -> dict:
    other = copy.deepcopy(config)
    for source in other["sources"].values():
        if source["kind"] == "deals":
            source.update(engine="clickhouse", **(keys or {"url": "chdb:"}))
    return other


def both(config: dict, tmp_path: Path, **kwargs) -> tuple[dict, dict]:
    polars = report_json(config, tmp_path / "polars.yaml", as_of=AS_OF, **kwargs)
    clickhouse = report_json(on_clickhouse(config), tmp_path / "clickhouse.yaml",
                             as_of=AS_OF, **kwargs)
    return polars, clickhouse


def duck(sql: str, path: Path) -> tuple:
    return duckdb.sql(sql.replace("FILE", f"read_parquet('{path}')")).fetchall()[0]


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_bundled_samples(tmp_path, sample):
    config, path = sample_parquet(sample, tmp_path)
    polars, clickhouse = both(config, tmp_path)
    assert clickhouse == polars
    quality = clickhouse["data_quality"]["sources"][0]
    # Worked out apart: the rows, and the distinct ids among them.
    rows, ids = duck("SELECT count(*), count(DISTINCT " + {
        "pipedrive": '"Deal - ID"', "hubspot": '"Record ID"', "bitrix24": '"ID"',
        "amocrm": '"ID"'}[sample] + ") FROM FILE", path)
    assert quality["rows_read"] == rows
    assert quality["reasons"].get("duplicate deal id", 0) == rows - ids
    funnel = clickhouse["funnels"][0]
    assert funnel["entities"] + quality["rows_rejected"] == rows


def test_pipedrive_won_and_lost_against_duckdb(tmp_path):
    config, path = sample_parquet("pipedrive", tmp_path)
    _, clickhouse = both(config, tmp_path)
    won, lost, median = duck("""SELECT count(*) FILTER (WHERE "Deal - Status" = 'Won'),
        count(*) FILTER (WHERE "Deal - Status" = 'Lost'),
        quantile_cont(epoch("Deal - Won time" - "Deal - Deal created") / 86400, 0.5)
          FILTER (WHERE "Deal - Status" = 'Won') FROM FILE""", path)
    funnel = clickhouse["funnels"][0]
    assert (funnel["won"], funnel["lost"]) == (won, lost)
    assert funnel["cycle_days"]["median"] == pytest.approx(median, rel=1e-12)


def test_a_period_compared_with_the_one_before_and_folded_segments(tmp_path):
    config, path = sample_parquet("amocrm", tmp_path)
    config["funnels"][0]["segments"] = {"top": 2, "min_size": 1}
    polars, clickhouse = both(config, tmp_path, period="2026-09-01..2026-09-30",
                              compare="previous")
    assert clickhouse == polars
    created, = duck("""SELECT count(*) FROM FILE WHERE "Дата создания сделки"::DATE
        BETWEEN DATE '2026-09-01' AND DATE '2026-09-30'
        AND "Этап сделки" <> 'Неразобранное'""", path)
    assert clickhouse["funnels"][0]["entities"] == created > 0
    managers = clickhouse["funnels"][0]["breakdowns"]["manager"]
    assert len(managers) == 3 and managers[-1]["value"] == "(other)"
    assert clickhouse["comparison"]["funnels"][0]


HOSTILE = ["it's", "'); DROP TABLE deals; --", "<b>bold</b>", "{{ 7*7 }}", "a\\b"]


def test_hostile_names_and_values_are_data_not_sql(tmp_path):
    n = 40
    frame = pl.DataFrame({
        "deal_id": [f" {i}'" for i in range(n)] + ["0'"],  # the last: a duplicate id
        "stage": [HOSTILE[i % 3] for i in range(n)] + [HOSTILE[0]],
        "status": ["won" if i % 4 == 0 else "lost" if i % 4 == 1 else "open"
                   for i in range(n)] + ["won"],
        "manager": [HOSTILE[i % 5] for i in range(n)] + [HOSTILE[1]],
        "created_at": [dt.datetime(2026, 3, 1) + dt.timedelta(days=i) for i in range(n + 1)],
        "closed_at": [dt.datetime(2026, 3, 9, 7, 30) + dt.timedelta(days=i, hours=i)
                      for i in range(n + 1)],
    })
    frame.write_parquet(tmp_path / "deals.parquet")
    config = {"version": 1, "timezone": "Europe/Moscow",
              "sources": {"deals": {"path": str(tmp_path / "deals.parquet"), "kind": "deals"}},
              "funnels": [{"name": "f' OR 1=1 --", "source": "deals", "breakdown": ["manager"],
                           "stages": [{"name": s} for s in HOSTILE[:3]]}]}
    polars, clickhouse = both(config, tmp_path)
    assert clickhouse == polars
    funnel = clickhouse["funnels"][0]
    # By hand: 40 deals (the 41st row repeats id "0'" once stripped), 10 won, 10 lost.
    assert (funnel["entities"], funnel["won"], funnel["lost"]) == (40, 10, 10)
    assert clickhouse["data_quality"]["sources"][0]["reasons"] == {"duplicate deal id": 1}
    assert {s["value"] for s in funnel["breakdowns"]["manager"]} == set(HOSTILE)


def test_unread_columns_are_named(tmp_path):
    from funnelctl.io.values import amount_from_text

    config = yaml.safe_load((ROOT / "configs/pipedrive.yaml").read_text())
    frame = pl.read_csv(ROOT / "sample_data/pipedrive_deals.csv", infer_schema=False)
    frame.with_columns(*(pl.col(c).str.to_datetime(strict=False) for c in (
        "Deal - Deal created", "Deal - Won time", "Deal - Lost time")),
        amount_from_text(pl.col("Deal - Value"))).write_parquet(tmp_path / "p.parquet")
    config["sources"]["deals"].update(path=str(tmp_path / "p.parquet"))
    clickhouse = report_json(on_clickhouse(config), tmp_path / "c.yaml", as_of=AS_OF)
    notes = clickhouse["data_quality"]["sources"][0]["notes"]
    assert "engine: clickhouse does not read 'Deal - Expected close date' (expected_close, " \
        "stored as text) yet: the forecast runs on engine: polars (docs/engines.md)" in notes
    assert clickhouse["funnels"][0]["money"]["currency"] == "GBP"
    assert clickhouse["funnels"][0].get("forecast") is None


def test_funnel_keys_that_need_rows_are_config_errors(tmp_path):
    from funnelctl.config import load_config
    from funnelctl.errors import ConfigError

    config, _ = sample_parquet("pipedrive", tmp_path)
    config = on_clickhouse(config)
    history = ROOT / "sample_data" / "salesforce_opportunity_history.csv"
    config["sources"]["history"] = {"kind": "stage_history", "path": str(history)}
    config["funnels"][0]["stage_history"] = "history"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(ConfigError, match=r"bad.yaml:\d+.*stage_history does not run on "
                                          "engine: clickhouse"):
        load_config(path)


def test_cycle_target_and_explain(tmp_path, cli):
    config, path = sample_parquet("pipedrive", tmp_path)
    config["funnels"][0]["cycle_days"] = {"good": 10, "acceptable": 20}
    polars, clickhouse = both(config, tmp_path)
    assert clickhouse == polars
    over, = duck("""SELECT count(*) FROM FILE WHERE "Deal - Status" = 'Won' AND
        epoch("Deal - Won time" - "Deal - Deal created") / 86400 > 10""", path)
    assert clickhouse["funnels"][0]["cycle_target"]["over_good"] == over
    result = cli("audit", tmp_path / "clickhouse.yaml", "--explain")
    assert result.exit_code == 0, result.output
    assert "engine: clickhouse" in result.output and "argMin(" in result.output
    assert "Negotiations Started" not in result.output.split("-- parameters:")[0]


def test_a_deals_table_over_http(tmp_path, monkeypatch):
    """Over http:// against the chdb-backed endpoint of test_engine_http: the report must
    equal the Polars engine's over the same rows, values only as param_ arguments."""
    import threading
    from http.server import ThreadingHTTPServer

    from chdb import session

    from funnelctl.engines.clickhouse_client import close_sessions
    from tests.test_engine_http import PASSWORD, USER, Endpoint

    config, path = sample_parquet("pipedrive", tmp_path)
    close_sessions()
    db = session.Session(str(tmp_path / "chdb"))
    db.query("CREATE TABLE deals ENGINE = MergeTree ORDER BY tuple() AS "
             "SELECT * FROM file({p:String}, Parquet)", params={"p": str(path)})
    Endpoint.session, Endpoint.seen = db, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("CH_USER", USER)
    monkeypatch.setenv("CH_PASSWORD", PASSWORD)
    try:
        polars = report_json(config, tmp_path / "polars.yaml", as_of=AS_OF,
                             period="2026-05-01..2026-06-30", compare="previous")
        url = f"http://127.0.0.1:{server.server_address[1]}"
        remote = on_clickhouse(config, url=url, table="deals", user_env="CH_USER",
                               password_env="CH_PASSWORD")
        remote["sources"]["deals"].pop("path")
        clickhouse = report_json(remote, tmp_path / "http.yaml", as_of=AS_OF,
                                 period="2026-05-01..2026-06-30", compare="previous")
    finally:
        server.shutdown()
        server.server_close()
        db.close()
    quality = polars["data_quality"]["sources"][0]
    table = clickhouse["data_quality"]["sources"][0]
    assert table["path"] == f"{url} table deals"
    table["path"] = quality["path"]
    # A table is no file: Polars detected its format, the table only the preset.
    assert quality.pop("detected") == {"format": "parquet", **table.pop("detected")}
    assert clickhouse == polars
    assert all("Lead In" not in seen["sql"] for seen in Endpoint.seen)
    assert any("Lead In" in v for seen in Endpoint.seen for v in seen["query"].values())
    created, = duck("""SELECT count(*) FROM FILE WHERE "Deal - Deal created"::DATE
        BETWEEN DATE '2026-05-01' AND DATE '2026-06-30'""", path)
    assert clickhouse["funnels"][0]["entities"] == created > 0


def test_a_csv_file_with_text_dates_read_by_chdb(tmp_path):
    """url: chdb: over a CSV: ISO text dates read on the server, as the Polars reader."""
    frame = pl.read_csv(ROOT / "sample_data/pipedrive_deals.csv", infer_schema=False)
    frame.select(c for c in frame.columns if not UNREAD.search(c)).write_csv(
        tmp_path / "p.csv")
    config = yaml.safe_load((ROOT / "configs/pipedrive.yaml").read_text())
    config["sources"]["deals"]["path"] = str(tmp_path / "p.csv")
    config["sources"]["deals"].pop("columns")
    polars, clickhouse = both(config, tmp_path, period="2026-05-01..2026-06-30")
    assert clickhouse == polars
    inside = frame.filter(pl.col("Deal - Deal created").str.slice(0, 10)
                          .is_between(pl.lit("2026-05-01"), pl.lit("2026-06-30")))
    assert clickhouse["funnels"][0]["entities"] == inside.height > 0


def test_a_numeric_date_column_is_one_error_line(tmp_path, cli):
    pl.DataFrame({"deal_id": ["1"], "stage": ["A"], "created_at": [1_700_000_000]}).write_parquet(
        tmp_path / "d.parquet")
    config = {"version": 1, "sources": {"deals": {
        "path": str(tmp_path / "d.parquet"), "kind": "deals", "engine": "clickhouse",
        "url": "chdb:"}}, "funnels": [{"name": "F", "source": "deals", "stages": [{"name": "A"}]}]}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    result = cli("audit", tmp_path / "c.yaml")
    assert result.exit_code == 2
    assert "column 'created_at' (created_at) is Nullable(Int64)" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("breakdown", [True, False])
def test_manager_spellings_fold_alike_on_both_engines(tmp_path, breakdown):
    """tests/test_manager_fold.py's export (one manager written several ways, a name that
    fits two): the same folded managers, money per manager and notes on both engines."""
    import io

    from tests.test_manager_fold import DEALS, NOTES, config

    frame = pl.read_csv(io.StringIO(DEALS), infer_schema=False).with_columns(
        pl.col("created_at", "closed_at").str.to_datetime("%Y-%m-%d %H:%M"),
        pl.col("amount").cast(pl.Float64))
    frame.write_parquet(tmp_path / "deals.parquet")
    polars, clickhouse = both(config(tmp_path / "deals.parquet", breakdown), tmp_path)
    assert clickhouse == polars
    notes = clickhouse["data_quality"]["sources"][0]["notes"]
    assert [n for n in notes if n.startswith("manager names")] == NOTES
    funnel = clickhouse["funnels"][0]
    rows = funnel["breakdowns"]["manager"] if breakdown else funnel["money"]["managers"]
    # By hand (tests/test_manager_fold.py): Анна 5 deals, Петр 5, Алла 1, "Смирнова А." 1
    key = "entities" if breakdown else "deals"
    assert {r["value"]: r[key] for r in rows} == {
        "Анна Смирнова": 5, "Петр Иванов": 5, "Алла Смирнова": 1, "Смирнова А.": 1}


def test_explain_shows_the_manager_fold_that_runs(tmp_path, cli):
    """--explain prints the SQL the audit runs: with tests/test_manager_fold.py's export
    (names that fold), the fold's transform() over the deals, its names bound as
    parameters; a source whose names fold nothing has none."""
    import io

    from tests.test_manager_fold import DEALS, config

    frame = pl.read_csv(io.StringIO(DEALS), infer_schema=False).with_columns(
        pl.col("created_at", "closed_at").str.to_datetime("%Y-%m-%d %H:%M"),
        pl.col("amount").cast(pl.Float64))
    frame.write_parquet(tmp_path / "deals.parquet")
    path = tmp_path / "clickhouse.yaml"
    path.write_text(yaml.safe_dump(on_clickhouse(config(tmp_path / "deals.parquet")),
                                   allow_unicode=True), encoding="utf-8")
    result = cli("audit", path, "--explain")
    assert result.exit_code == 0, result.output
    sql, listed = result.output.split("-- parameters:")
    # the manager name and the money view's copy of it, both mapped
    assert sql.count("transform(") == 2 and "SELECT * REPLACE (transform(" in sql
    # the names are parameters, never in the SQL text: 5 names change (tests/
    # test_manager_fold.py's NOTES, the kept-apart one aside)
    assert "Смирнова Анна" not in sql and "Смирнова Анна" in listed
    written = re.search(r"transform\(`b:manager`, \{(\w+):Array\(String\)\}", sql)[1]
    assert re.search(rf"--   {written} = \[(.*)\]", listed)[1].count("'") == 2 * 5
    frame.with_columns(pl.lit("Анна Смирнова").alias("manager")).write_parquet(
        tmp_path / "deals.parquet")
    result = cli("audit", path, "--explain")
    assert result.exit_code == 0, result.output
    assert "transform(" not in result.output


def test_deal_ids_and_dates_with_zero_width_ends_read_alike_on_both_engines(tmp_path):
    """A CSV read by chdb and by the Polars reader: ids and text dates lose the zero-width
    characters at their ends (io/values.EDGES) as stages do, so "D-1" + U+200B repeats
    "D-1", and a created date of only U+2060 is a missing one."""
    zwsp, wj, bom = "\u200b", "\u2060", "\ufeff"
    (tmp_path / "d.csv").write_text(
        "deal_id,stage,status,created_at\n"
        "D-1,A,open,2026-11-02\n"
        f"D-1{zwsp},A,won,2026-11-03\n"  # a copy of D-1: the first row is the deal
        f"{bom}D-2,B,lost,2026-11-04{zwsp}\n"
        f"D-3{wj},B,open,{wj}\n"  # no created date
        "D-4,B,open,2026-11-05\n", encoding="utf-8")
    config = {"version": 1, "timezone": "UTC",
              "sources": {"deals": {"path": str(tmp_path / "d.csv"), "kind": "deals"}},
              "funnels": [{"name": "F", "source": "deals", "min_sample": 1,
                           "stages": [{"name": "A"}, {"name": "B"}]}]}
    polars, clickhouse = both(config, tmp_path)
    assert clickhouse == polars
    quality = clickhouse["data_quality"]["sources"][0]
    assert quality["reasons"] == {"duplicate deal id": 1, "missing created_at": 1}
    funnel = clickhouse["funnels"][0]
    # D-1 open at A; D-2 lost at B; D-4 open at B (the won copy of D-1 is not a deal)
    assert (funnel["entities"], funnel["won"], funnel["lost"]) == (3, 0, 1)
    assert [s["entered"] for s in funnel["stages"]] == [3, 2]
