"""The Markdown report: its tables hold the JSON report's numbers, and user data is escaped."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from funnelctl.audit.pipeline import audit
from funnelctl.render import RenderOptions, renderer
from tests.conftest import ROOT, write_csv

DEMO = ROOT / "configs" / "demo.yaml"


def tables(markdown: str) -> list[list[list[str]]]:
    """Every pipe table as rows of unescaped cells (the rule row dropped)."""
    found, current = [], []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
            current.append([re.sub(r"\\(.)", r"\1", c.strip()) for c in cells])
        elif current:
            found.append([r for r in current if not re.fullmatch(r"-+:?", r[0])])
            current = []
    return found


def number(text: str) -> int:
    return int(text.replace(",", ""))


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


@pytest.fixture(scope="module")
def rendered():
    report = audit(DEMO, period="2026-10-01..2026-10-31", compare="previous",
                   as_of=dt.date(2026, 11, 1))
    data = json.loads(renderer("json")(report, RenderOptions()))
    return data, renderer("markdown")(report, RenderOptions())


def table_with(all_tables, first_header: str, first_cell: str | None = None):
    return next(t for t in all_tables if t[0][0] == first_header
                and (first_cell is None or t[1][0].startswith(first_cell)))


def test_stage_table_holds_the_json_numbers(rendered):
    data, md = rendered
    funnel = data["funnels"][0]
    rows = table_with(tables(md), "Stage", funnel["stages"][0]["name"])
    assert rows[0][:7] == ["Stage", "Entered", "Conv.", "95% CI", "From first",
                           "Good / acceptable", "Verdict"]
    assert rows[0][7:] == ["Days med.", "p90", "Stuck"]  # the demo has a max_days
    for cells, stage in zip(rows[1:], funnel["stages"], strict=True):
        bottleneck = stage["name"] == funnel["bottleneck"]["stage"]
        assert cells[0] == (f"**{stage['name']}** ◀ bottleneck" if bottleneck else stage["name"])
        assert number(cells[1]) == stage["entered"]
        assert cells[2] == pct(stage["conversion_from_previous"])
        if stage["ci_low"] is not None:
            assert cells[3] == f"{pct(stage['ci_low'])}–{pct(stage['ci_high'])}"
        assert cells[4] == pct(stage["conversion_from_first"])
        assert (stage["verdict"] or "–").upper() in cells[6].upper()


def test_breakdown_tables_hold_the_json_numbers(rendered):
    data, md = rendered
    funnel = data["funnels"][0]
    for column, segments in funnel["breakdowns"].items():
        # (the comparison section has a Manager table too: its second column is Previous)
        rows = next(t for t in tables(md)
                    if t[0][0] == column.capitalize() and t[0][1] != "Previous")
        for cells, seg in zip(rows[1:], segments, strict=True):
            assert cells[0] == seg["value"]
            assert number(cells[1]) == seg["entities"]
            convs = [c.split(" ")[0] for c in cells[2:len(seg["stages"]) + 1]]
            assert convs == [pct(s["conversion_from_previous"]) for s in seg["stages"][1:]]
            assert cells[len(seg["stages"]) + 1] == pct(seg["stages"][-1]["conversion_from_first"])
            assert cells[len(seg["stages"]) + 2] == pct(seg["win_rate"])


def test_comparison_and_quality_tables_hold_the_json_numbers(rendered):
    data, md = rendered
    fc = data["comparison"]["funnels"][0]
    rows = table_with(tables(md), "Stage", fc["stages"][0]["subject"])
    for cells, ch in zip(rows[1:], [*fc["stages"], fc["overall"]], strict=True):
        assert cells[1:3] == [pct(ch["previous"]), pct(ch["current"])]
    src = data["data_quality"]["sources"][0]
    rows = table_with(tables(md), "Source", src["name"])
    assert rows[1][0] == src["name"]
    assert (number(rows[1][1]), number(rows[1][2])) == (src["rows_read"], src["rows_rejected"])


def test_header_and_findings(rendered):
    data, md = rendered
    assert md.startswith(f"# {data['title']}\n")
    symbol = {"ok": "✅", "warn": "⚠️", "fail": "❌"}[data["verdict"]]
    assert f"**Verdict: {symbol} {data['verdict'].upper()}**" in md
    # The findings section's bullets (captions under stage tables are bullets too).
    section = md.split("## Findings\n", 1)[1].split("\n## ", 1)[0]
    bullets = [line for line in section.splitlines() if line.startswith("- ")]
    assert len(bullets) == len(data["findings"])


def test_pipes_and_html_in_user_data_are_escaped(cli, tmp_path):
    write_csv(tmp_path / "deals.csv", ["Id", "Stage", "Created", "Owner"], [
        ["1", "A", "2024-01-02", "<script>alert(1)</script>"],
        ["2", "B", "2024-01-03", "Ann | Bob"],
    ])
    (tmp_path / "audit.yaml").write_text("""
version: 1
sources:
  deals: {path: deals.csv, kind: deals,
          columns: {deal_id: Id, stage: Stage, created_at: Created, manager: Owner}}
funnels:
  - {name: F, source: deals, stages: [{name: A}, {name: B}], breakdown: [manager]}
""", encoding="utf-8")
    result = cli("audit", tmp_path / "audit.yaml", "--format", "markdown", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    assert "<script>" not in result.stdout
    assert r"\<script\>alert(1)\</script\>" in result.stdout
    rows = table_with(tables(result.stdout), "Manager")
    assert {r[0] for r in rows[1:]} == {"<script>alert(1)</script>", "Ann | Bob"}
    assert all(len(r) == len(rows[0]) for r in rows)  # the pipe did not add a column
