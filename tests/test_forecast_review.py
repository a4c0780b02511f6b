"""Defects found in review of the forecast and plan, each with the case that showed it.
The export is tests/test_forecast.py's, whose numbers are worked out there by hand."""

from __future__ import annotations

import json

from tests.conftest import assert_error, write_csv
from tests.test_forecast import CONFIG, HEADER, PLAN, ROWS


def _config(tmp_path, extra=PLAN, rows=ROWS, header=HEADER, config=CONFIG):
    write_csv(tmp_path / "d.csv", header, rows)
    write_csv(tmp_path / "snoozed.csv", ["deal_id", "until", "note"],
              [["15", "2026-11-30", "client on holiday"]])
    path = tmp_path / "audit.yaml"
    path.write_text(config.format(extra=extra), encoding="utf-8")
    return path


def test_the_weighted_pipeline_is_in_cents_and_the_same_every_run(cli, tmp_path):
    # Ann's November pipeline: deal 8 (A, 1000) x 1/3 = 333.333... -> 333.33; the team's
    # 1000/3 + 500*0.4 + 300*0.4 = 653.333... -> 653.33. Two runs: the same JSON text.
    config = _config(tmp_path)
    runs = [cli("audit", config, "--as-of", "2026-11-10", "--format", "json",
                "--fail-on", "never").stdout for _ in range(2)]
    # The runs may straddle a second: generated_at names the run, not the numbers.
    stamps = [json.loads(run)["generated_at"] for run in runs]
    assert runs[0].replace(stamps[0], "") == runs[1].replace(stamps[1], "")
    lines = {ln["manager"]: ln for ln in json.loads(runs[0])["funnels"][0]["plan"]["lines"]}
    assert (lines["Ann"]["weighted_pipeline"], lines[None]["weighted_pipeline"]) == (
        333.33, 653.33)
    month = next(r for r in json.loads(runs[0])["funnels"][0]["forecast"]["rows"]
                 if r["month"] == "2026-11")
    assert month["weighted"] == 533.33  # 1000/3 + 200


def test_the_plan_is_too_early_to_tell_before_a_fifth_of_its_days(cli, tmp_path):
    # As of Mon 2026-11-02: 1 of November's 21 working days gone (< 20%): not "on pace".
    config = _config(tmp_path)
    report = cli.json("audit", config, "--as-of", "2026-11-02")
    lines = report["funnels"][0]["plan"]["lines"]
    assert [(ln["status"], ln["too_early"], ln["behind"]) for ln in lines] == [
        ("running", True, False)] * 3
    for language, words, wrong in (("en", "too early to tell", "on pace"),
                                   ("ru", "рано судить", "в темпе")):
        text = cli("audit", config, "--as-of", "2026-11-02", "--format", "markdown",
                   "--lang", language, "--fail-on", "never").stdout
        assert words in text and wrong not in text, text
    # From Thu 5th (4 of 21 days: 19%) still too early; from Fri 6th (5: 24%) judged.
    for day, early in (("2026-11-05", True), ("2026-11-06", False)):
        lines = cli.json("audit", config, "--as-of", day)["funnels"][0]["plan"]["lines"]
        assert {ln["too_early"] for ln in lines} == {early}


def test_a_currency_without_a_rate_outside_the_period_names_the_config_line(cli, tmp_path):
    # The period's deals are all in RUB; a USD deal created before it is still forecast
    # (all deals are), so its missing rate stops the audit, naming money.rates' line (5).
    header = [*HEADER, "currency"]
    rows = [[*row, "RUB"] for row in ROWS] + [
        ["16", "A", "2026-01-05", "", "70", "Ann", "2026-12-01", "", "USD"]]
    config = CONFIG.replace("version: 1\n", "version: 1\nmoney:\n  currency: RUB\n"
                            "  rates: {{EUR: 100}}\n", 1).replace(
        "lost_stage: lost_at}", "lost_stage: lost_at, currency: currency}")
    config = config.replace("funnels:", "period: {{start: 2026-09-01, end: 2026-11-30}}\n"
                            "funnels:", 1)
    path = _config(tmp_path, extra="", rows=rows, header=header, config=config)
    assert_error(cli("audit", path, "--as-of", "2026-11-10"), "audit.yaml:5: money.rates",
                 "no rate for USD")
