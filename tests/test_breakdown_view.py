"""Breakdown tables at real sizes: the `segments.top` biggest segments, the rest (and any
below `segments.min_size`) folded into one "other" row aggregated from its own deals, and
a terminal layout that fits 100 columns (stages as rows when a row per segment would not)."""

from __future__ import annotations

import json

from tests.conftest import write_csv

STAGES = ["Request received", "Call done", "Visit planned", "Offer sent", "Contract",
          "Payment", "Delivery"]


def export(tmp_path, managers: dict[str, list[int]]) -> None:
    """managers: name -> the stage index (1-based) of each of their deals."""
    rows, n = [], 0
    for name, depths in managers.items():
        for depth in depths:
            n += 1
            rows.append([str(n), STAGES[depth - 1], name, "2026-03-02"])
    write_csv(tmp_path / "d.csv", ["ID", "Stage", "Manager", "Created"], rows)


def config(write, segments: str = "", stages: list[str] = STAGES):
    listed = ", ".join(f"{{name: {s}}}" for s in stages)
    return write("c.yaml", f"""
        version: 1
        sources:
          deals:
            path: d.csv
            kind: deals
            columns: {{deal_id: ID, stage: Stage, manager: Manager, created_at: Created}}
        funnels:
          - name: F
            source: deals
            stages: [{listed}]
            breakdown: [manager]
            {segments}
        """)


def segments_of(run, cfg, *args) -> list[dict]:
    result = run("audit", cfg, "--format", "json", "--fail-on", "never", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["funnels"][0]["breakdowns"]["manager"]


def test_the_top_segments_are_kept_and_the_rest_folded_into_other(run, write, tmp_path):
    # Manager m01 has 1 deal ... m13 has 13; each deal k of a manager sits at stage 1 + k % 3.
    managers = {f"m{i:02d}": [1 + k % 3 for k in range(i)] for i in range(1, 14)}
    export(tmp_path, managers)
    segs = segments_of(run, config(write))  # top: 10 by default
    assert [s["value"] for s in segs] == [f"m{i:02d}" for i in range(13, 3, -1)] + ["(other)"]
    other = segs[-1]
    assert other["folded"] == 3 and other["entities"] == 1 + 2 + 3
    folded = [d for i in (1, 2, 3) for d in managers[f"m{i:02d}"]]  # 1; 1,2; 1,2,3
    assert [s["entered"] for s in other["stages"][:3]] == [
        len(folded), sum(d >= 2 for d in folded), sum(d >= 3 for d in folded)]
    assert all(s["folded"] == 0 for s in segs[:-1])


def test_segments_below_the_minimum_size_are_folded_too(run, write, tmp_path):
    export(tmp_path, {"big": [1] * 8, "mid": [2] * 5, "s1": [1] * 2, "s2": [3]})
    segs = segments_of(run, config(write, "segments: {top: 10, min_size: 5}"))
    assert [(s["value"], s["entities"], s["folded"]) for s in segs] == [
        ("big", 8, 0), ("mid", 5, 0), ("(other)", 3, 2)]


def test_nothing_is_folded_when_every_segment_fits(run, write, tmp_path):
    export(tmp_path, {"a": [1, 2], "b": [1]})
    segs = segments_of(run, config(write))
    assert [s["value"] for s in segs] == ["a", "b"]


def test_many_stages_turn_the_terminal_breakdown_into_stage_rows(run, write, tmp_path):
    managers = {f"Manager {i:02d}": [1 + k % 7 for k in range(20 + i)] for i in range(12)}
    export(tmp_path, managers)
    out = run("audit", config(write), "--fail-on", "never").stdout
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 110  # the file/pipe width of the CLI
    part = out.split("F · ", 1)[1].split("Data quality")[0]
    for stage in STAGES[1:]:  # stages as rows: each name whole on one line
        assert any(f"→ {stage}" in line for line in part.splitlines()), stage
    assert "other (2" in part and "segments)" in part  # 12 managers: top 10 + other
    assert "Manager 11" in part and "Manager 00" not in part


def test_the_other_row_is_worded_in_russian(run, write, tmp_path):
    managers = {f"m{i:02d}": [1] * i for i in range(1, 13)}
    export(tmp_path, managers)
    md = run("audit", config(write), "--format", "markdown", "--lang", "ru",
             "--fail-on", "never").stdout
    assert "прочие (сегментов: 2)" in md
    html = run("audit", config(write), "--format", "html", "--fail-on", "never").stdout
    assert "other (2 segments)" in html


def test_markdown_lists_many_stages_as_rows(run, write, tmp_path):
    managers = {"Anna": [1 + k % 7 for k in range(14)], "Boris": [1 + k % 7 for k in range(7)]}
    export(tmp_path, managers)
    md = run("audit", config(write), "--format", "markdown", "--fail-on", "never").stdout
    part = md.split("### F · ")[1].split("\n## ")[0]
    lines = [line for line in part.splitlines() if line.startswith("|")]
    assert lines[0].split("|")[1:-1] == [" Manager ", " Anna ", " Boris "]
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip() for line in lines[2:]}
    assert rows["deals"] == "14"
    # Anna: two deals at each of the 7 stages; 12 of 14 reached stage 2 ("Call done").
    assert rows["→ Call done"].startswith("85.7%")
