"""Running one config on both engines (Polars, and ClickHouse through chdb or a server)
and comparing the JSON reports whole (less the fields that name the run)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import yaml

from funnelctl.audit.pipeline import audit
from funnelctl.render.json import render

RUN_FIELDS = ("generated_at", "tool_version")


def report_json(config: dict, path: Path, **kwargs) -> dict:
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    report = json.loads(render(audit(path, record=False, **kwargs)))
    for key in RUN_FIELDS:
        report.pop(key, None)
    return report


def on_clickhouse(config: dict, url: str = "chdb:", **source_keys) -> dict:
    """The same config with every events source on engine: clickhouse."""
    other = copy.deepcopy(config)
    for source in other["sources"].values():
        if source["kind"] == "events":
            source.update(engine="clickhouse", url=url, **source_keys)
    return other


def both(config: dict, tmp_path: Path, url: str = "chdb:", **kwargs) -> tuple[dict, dict]:
    """(Polars report, ClickHouse report) of one config."""
    polars = report_json(config, tmp_path / "polars.yaml", **kwargs)
    clickhouse = report_json(on_clickhouse(config, url), tmp_path / "clickhouse.yaml", **kwargs)
    return polars, clickhouse


def entered(report: dict) -> list[int]:
    return [s["entered"] for s in report["funnels"][0]["stages"]]
