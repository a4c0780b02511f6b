"""`validate` on a funnel whose shape does not fit its data: exit 1 with a problem line for
an outcome listed as a stage, pipelines mixed in one funnel, stages out of order."""

from __future__ import annotations

from tests.conftest import write_csv

HEADER = ["ID", "Stage", "Pipeline", "Created"]


def config(write, stages: list[str], extra: str = "", won: str = "[Won]") -> object:
    listed = "\n".join(f"      - {{name: '{s}'}}" for s in stages)
    return write("c.yaml", f"""
        version: 1
        sources:
          deals:
            path: d.csv
            kind: deals
            columns: {{deal_id: ID, stage: Stage, pipeline: Pipeline, created_at: Created}}
        funnels:
          - name: F
            source: deals
            won: {won}
        {extra}
            stages:
        {listed}
        """.replace("\n        ", "\n"))


def deals(tmp_path, per_month: dict[str, int], pipeline: str = "Sales") -> None:
    """per_month: stage -> deals created in each of four months (January to April)."""
    rows, n = [], 0
    for month in range(1, 5):
        for stage, count in per_month.items():
            for _ in range(count):
                n += 1
                rows.append([str(n), stage, pipeline, f"2026-0{month}-10"])
    write_csv(tmp_path / "d.csv", HEADER, rows)


def test_a_stage_holding_more_deals_than_the_one_before_is_a_problem(run, write, tmp_path):
    # Every month: 10 deals at Intro, 30 at Demo, 5 at Offer: Demo holds 3x Intro.
    deals(tmp_path, {"Intro": 10, "Demo": 30, "Offer": 5, "Won": 2})
    result = run("validate", config(write, ["Intro", "Demo", "Offer"]))
    assert result.exit_code == 1, result.output
    assert ("problem: funnel 'F': stage 'Demo' holds more deals than 'Intro' before it in "
            "4 of 4 months") in result.stdout
    assert "'Offer' holds" not in result.stdout
    fine = run("validate", config(write, ["Demo", "Intro", "Offer"]))
    assert fine.exit_code == 0, fine.output


def test_a_rise_of_less_than_half_again_is_no_problem(run, write, tmp_path):
    deals(tmp_path, {"Intro": 10, "Demo": 15, "Offer": 5, "Won": 2})  # 1.5x: not above
    assert run("validate", config(write, ["Intro", "Demo", "Offer"])).exit_code == 0


def test_an_outcome_listed_as_a_stage_is_a_problem(run, write, tmp_path):
    deals(tmp_path, {"NEW": 5, "EXECUTING": 3, "C6:WON": 1, "LOSE": 2})
    result = run("validate", config(write, ["NEW", "EXECUTING", "LOSE"], won="['C6:WON']"))
    assert result.exit_code == 1, result.output
    assert "stage 'LOSE' lists 'LOSE', which means lost: move it to `lost:`" in result.stdout


def test_two_pipelines_in_one_funnel_are_a_problem(run, write, tmp_path):
    rows = [[str(i), "Intro", "Sales" if i < 7 else "Partners", "2026-01-05"] for i in range(10)]
    write_csv(tmp_path / "d.csv", HEADER, rows)
    result = run("validate", config(write, ["Intro"]))
    assert result.exit_code == 1, result.output
    assert "its deals are in 2 pipelines ('Sales' 7, 'Partners' 3 deals)" in result.stdout
    kept = run("validate", config(write, ["Intro"], extra="    pipeline: Sales"))
    assert kept.exit_code == 0, kept.output


def test_bitrix24_codes_of_two_categories_in_one_funnel_are_a_problem(run, write, tmp_path):
    deals(tmp_path, {"NEW": 5, "C6:NEW": 5, "WON": 1})
    result = run("validate", config(write, ["NEW", "C6:NEW"], won="[WON]"))
    assert result.exit_code == 1, result.output
    assert "stage codes come from 2 Bitrix24 categories (0, 6)" in result.stdout


def test_a_pipeline_or_stage_with_zero_width_ends_is_the_same_one(run, write, tmp_path):
    # 'Sales' + U+200B (a copy from a web page) is the pipeline 'Sales', and 'Intro' +
    # U+200B the stage 'Intro': one pipeline in the funnel, every stage value matches.
    zwsp = "\u200b"
    rows = ([[str(i), "Intro", "Sales", "2026-01-05"] for i in range(5)]
            + [[str(i), f"Intro{zwsp}", "Sales", "2026-01-05"] for i in range(5, 7)]
            + [[str(i), "Intro", f"Sales{zwsp}", "2026-01-05"] for i in range(7, 10)])
    write_csv(tmp_path / "d.csv", HEADER, rows)
    for extra in ("", "    pipeline: Sales"):
        result = run("validate", config(write, ["Intro"], extra=extra))
        assert result.exit_code == 0, result.output
        assert "funnel 'F': every stage value matches" in result.stdout
        assert "pipelines" not in result.stdout
