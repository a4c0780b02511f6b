"""Starter configs: one per stage template in DOMAIN.md, each valid and audited on sample data.

Stage counts are checked against DuckDB queries written from the DESIGN.md semantics,
not against funnelctl's own code.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import pytest
import yaml

from funnelctl.commands.init import template_names, template_text, with_data_path
from funnelctl.config import load_config

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs" / "templates"
AS_OF = "2026-11-20"
# The stage templates named in DOMAIN.md.
EXPECTED = ["after-sale", "aida", "amocrm", "b2b", "five-steps", "full-cycle", "lead-handling",
            "marketing-sales", "marketplace", "online-store", "spin"]
EVENTS_SUPPORTED = importlib.util.find_spec("funnelctl.io.events") is not None


def query(sql: str):
    return duckdb.connect().execute(sql)


def test_one_template_per_domain_template():
    assert template_names() == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_configs_copy_is_the_template_with_the_sample_path(name):
    """configs/templates/ is generated from funnelctl/templates/: only the path differs."""
    copy = (CONFIGS / f"{name}.yaml").read_text(encoding="utf-8")
    source = next(iter(yaml.safe_load(copy)["sources"].values()))
    assert (CONFIGS / source["path"]).resolve().is_file()
    assert copy == with_data_path(template_text(name), source["path"])


@pytest.mark.parametrize("name", EXPECTED)
def test_init_writes_a_valid_config(name, run, tmp_path):
    out = tmp_path / "starter.yaml"
    result = run("init", "--template", name, "--output", out)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == template_text(name)
    config = load_config(out)
    funnel = config.funnels[0]
    # Example thresholds on every stage after the first.
    assert all(stage.conversion for stage in funnel.stages[1:])


def _spec(path: Path) -> dict:
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    funnel = config["funnels"][0]
    source = config["sources"][funnel["source"]]
    return {"kind": source["kind"], "path": str((path.parent / source["path"]).resolve()),
            "columns": source.get("columns", {}), "format": source.get("date_format"),
            "stages": [[v.lower() for v in (s.get("match") or [s["name"]])]
                       for s in funnel["stages"]],
            "won": [v.lower() for v in funnel.get("won", [])],
            "lost": [v.lower() for v in funnel.get("lost", [])]}


def _index_sql(column: str, spec: dict) -> str:
    cases = " ".join(f"WHEN lower(trim({column})) IN ({', '.join(repr(v) for v in values)}) "
                     f"THEN {i}" for i, values in enumerate(spec["stages"], 1))
    return f"(CASE {cases} END)"


def _in(column: str, values: list[str]) -> str:
    return f"lower(trim({column})) IN ({', '.join(repr(v) for v in values) or 'NULL'})"


def snapshot_expected(spec: dict) -> dict:
    c = {k: f'"{v}"' for k, v in spec["columns"].items()}
    n, fmt = len(spec["stages"]), spec["format"] or "%Y-%m-%d %H:%M:%S"
    # A lost deal of unknown loss stage has depth 0: in won / lost, in no stage count.
    loss = f"coalesce({_index_sql(c['lost_stage'], spec)}, 0)" if "lost_stage" in c else "0"
    sql = f"""
        WITH rows AS (SELECT * FROM read_csv('{spec["path"]}', all_varchar = true, header = true)
                      WHERE try_strptime({c['created_at']}, '{fmt}') IS NOT NULL),
        deals AS (SELECT CASE WHEN {_in(c['stage'], spec['won'])} THEN {n}
                              WHEN {_in(c['stage'], spec['lost'])} THEN {loss}
                              ELSE {_index_sql(c['stage'], spec)} END AS depth,
                         {_in(c['stage'], spec['won'])} AS won,
                         {_in(c['stage'], spec['lost'])} AS lost
                  FROM rows)
        SELECT {', '.join(f'count(*) FILTER (depth >= {k})' for k in range(1, n + 1))},
               count(*) FILTER (won), count(*) FILTER (lost)
        FROM deals WHERE depth IS NOT NULL"""
    row = query(sql).fetchone()
    return {"entered": list(row[:n]), "won": row[n], "lost": row[n + 1]}


def history_expected(spec: dict) -> dict:
    c = {k: f'"{v}"' for k, v in spec["columns"].items()}
    n = len(spec["stages"])
    sql = f"""
        WITH e AS (
          SELECT {c['deal_id']} AS deal, strptime({c['entered_at']}, '%Y-%m-%d %H:%M:%S') AS ts,
                 CASE WHEN {_in(c['stage'], spec['won'])} THEN {n + 1}
                      ELSE {_index_sql(c['stage'], spec)} END AS ord,
                 {_in(c['stage'], spec['lost'])} AS lost
          FROM read_csv('{spec["path"]}', all_varchar = true, header = true)),
        known AS (SELECT * FROM e WHERE ord IS NOT NULL OR lost),
        moves AS (SELECT *, coalesce(max(ord) OVER (PARTITION BY deal ORDER BY ts, ord
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS reached
                  FROM known WHERE ord IS NOT NULL),
        flags AS (SELECT deal, bool_or(ord < reached) AS back, bool_or(ord > reached + 1) AS skip
                  FROM moves GROUP BY deal),
        deals AS (SELECT deal, coalesce(least(max(ord), {n}), 1) AS depth,
                         arg_max(ord, (ts, coalesce(ord, 99))) = {n + 1} AS won
                  FROM known GROUP BY deal)
        SELECT {', '.join(f'count(*) FILTER (depth >= {k})' for k in range(1, n + 1))},
               count(*) FILTER (won),
               (SELECT count(*) FILTER (back) FROM flags),
               (SELECT count(*) FILTER (skip) FROM flags)
        FROM deals"""
    row = query(sql).fetchone()
    times = query(f"""
        WITH e AS (
          SELECT {c['deal_id']} AS deal, strptime({c['entered_at']}, '%Y-%m-%d %H:%M:%S') AS ts,
                 {_index_sql(c['stage'], spec)} AS ord,
                 CASE WHEN {_in(c['stage'], spec['won'])} THEN {n + 1} END AS won_ord
          FROM read_csv('{spec["path"]}', all_varchar = true, header = true)),
        spans AS (SELECT deal, ord, lead(ts) OVER (PARTITION BY deal
                  ORDER BY ts, coalesce(ord, won_ord) NULLS LAST) - ts AS span FROM e),
        per_deal AS (SELECT deal, ord, sum(epoch(span)) / 86400 AS days FROM spans
                     WHERE ord IS NOT NULL AND span IS NOT NULL GROUP BY deal, ord)
        SELECT ord, median(days), quantile_cont(days, 0.9) FROM per_deal GROUP BY ord
        """).fetchall()
    return {"entered": list(row[:n]), "won": row[n], "moved_backwards": row[n + 1],
            "skipped_stages": row[n + 2], "times": {o: (m, p) for o, m, p in times}}


@pytest.mark.parametrize("name", EXPECTED)
def test_template_audits_its_sample(name, audit_json):
    path = CONFIGS / f"{name}.yaml"
    spec = _spec(path)
    if spec["kind"] == "events" and not EVENTS_SUPPORTED:
        pytest.skip("events sources are built on branch `events`; this branch cannot audit "
                    "them yet (the template is still checked for validity above)")
    report = audit_json(path, "--as-of", AS_OF)
    funnel = report["funnels"][0]
    entered = [s["entered"] for s in funnel["stages"]]
    if spec["kind"] == "events":
        first = query(f"SELECT count(DISTINCT entity_id) FROM read_csv('{spec['path']}') "
                           f"WHERE event = '{spec['stages'][0][0]}'").fetchone()[0]
        assert entered[0] == first
        return
    if spec["kind"] == "deals":
        expected = snapshot_expected(spec)
        assert (entered, funnel["won"], funnel["lost"]) == \
            (expected["entered"], expected["won"], expected["lost"])
        return
    expected = history_expected(spec)
    assert (entered, funnel["won"]) == (expected["entered"], expected["won"])
    consistency = funnel["consistency"]
    assert (consistency["moved_backwards"], consistency["skipped_stages"]) == \
        (expected["moved_backwards"], expected["skipped_stages"])
    assert consistency["inconsistent"] > 0  # the samples carry a few such deals
    for k, stage in enumerate(funnel["stages"], 1):
        if k in expected["times"]:
            median, p90 = expected["times"][k]
            assert stage["time_in_stage"]["median_days"] == pytest.approx(median)
            assert stage["time_in_stage"]["p90_days"] == pytest.approx(p90)
        else:
            assert stage["time_in_stage"] is None
