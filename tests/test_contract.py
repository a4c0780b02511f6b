"""The JSON report contract of DESIGN.md, the terminal output in pipes, and `schema`."""

from __future__ import annotations

import json

from tests.conftest import ROOT

DEMO = ROOT / "configs" / "demo.yaml"

TOP = {"schema_version", "tool_version", "generated_at", "title", "period", "verdict",
       "findings", "funnels", "norms", "data_quality"}
FUNNEL = {"name", "source", "kind", "entities", "stages", "won", "lost", "win_rate",
          "cycle_days", "bottleneck", "breakdowns"}
STAGE = {"name", "entered", "conversion_from_previous", "conversion_from_first", "ci_low",
         "ci_high", "verdict"}
SEGMENT = {"value", "entities", "stages", "won", "lost", "win_rate", "cycle_days"}
FINDING = {"severity", "code", "subject", "message", "value", "threshold"}
SOURCE = {"name", "path", "rows_read", "rows_rejected", "reasons"}


def test_json_report_follows_the_contract(cli):
    report = cli.json("audit", DEMO)
    assert TOP <= report.keys()
    assert report["schema_version"] == 1
    assert report["verdict"] in {"ok", "warn", "fail"}
    assert set(report["period"]) >= {"start", "end"}
    funnel = report["funnels"][0]
    assert FUNNEL <= funnel.keys()
    assert {"median", "p90"} <= funnel["cycle_days"].keys()
    assert {"stage", "conversion", "reason"} <= funnel["bottleneck"].keys()
    for stage in funnel["stages"]:
        assert STAGE <= stage.keys()
        for key in ("conversion_from_previous", "conversion_from_first", "ci_low", "ci_high"):
            assert stage[key] is None or 0 <= stage[key] <= 1
    for segments in funnel["breakdowns"].values():
        for segment in segments:
            assert SEGMENT <= segment.keys()
    for finding in report["findings"]:
        assert FINDING <= finding.keys()
        assert finding["severity"] in {"ok", "warn", "fail"}
    for source in report["data_quality"]["sources"]:
        assert SOURCE <= source.keys()


def test_findings_are_sorted_worst_first(cli):
    rank = {"ok": 0, "warn": 1, "fail": 2}
    severities = [rank[f["severity"]] for f in cli.json("audit", DEMO)["findings"]]
    assert severities == sorted(severities, reverse=True)


def test_table_output_in_a_pipe_has_no_colour_codes(cli):
    result = cli("audit", DEMO, "--fail-on", "never")
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout
    assert "bottleneck" in result.stdout
    assert "Verdict:" in result.stdout


def test_output_file_is_written(cli, tmp_path):
    target = tmp_path / "out" / "report.json"
    result = cli("audit", DEMO, "--format", "json", "--output", target, "--fail-on", "never")
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["schema_version"] == 1


def test_schema_is_json_schema_of_the_config(cli):
    schema = json.loads(cli("schema").stdout)
    assert {"version", "sources", "funnels"} <= schema["properties"].keys()


def test_validate_reports_unmatched_stage_values(cli):
    result = cli("validate", DEMO)
    assert result.exit_code == 0
    assert "'Неразобранное'" in result.stdout
