"""`scorecard: kpis:` in the config: a KPI from the funnel and stage it names, and a
file:line error for a funnel or stage the config does not have."""

from __future__ import annotations

import json

from tests.test_scorecard_advances import team


def with_kpis(tmp_path, text):
    config = team(tmp_path)
    config.write_text(config.read_text(encoding="utf-8") + text, encoding="utf-8")
    return config


def test_kpis_from_the_stages_named(cli, tmp_path):
    config = with_kpis(tmp_path, "scorecard:\n  kpis:\n"
                                 "    first_meetings: {stage: B}\n"
                                 "    presentations: {funnel: F, stage: C}\n")
    data = json.loads(cli("audit", config, "--format", "json", "--fail-on", "never").stdout)
    assert data["scorecard"]["kpi_stages"] == {"first_meetings": "B", "presentations": "C"}
    assert set(data["scorecard"]["kpi_funnels"].values()) == {"F"}
    kpis = {c["manager"]: c["kpis"] for c in data["managers"]}
    # Ann's h1 and h2 both entered B and C; Bob's h3 (entered at B) and h4 (won: passed
    # every stage) too; h5 was created before the period
    assert (kpis["Ann"]["first_meetings"], kpis["Ann"]["presentations"]) == (2, 2)
    assert (kpis["Bob"]["new_clients"], kpis["Bob"]["deals_closed"]) == (2, 1)
    text = cli("audit", config, "--fail-on", "never").stdout
    assert "first meetings: deals that entered B; presentations: deals that entered C" in text


def test_unknown_funnel_or_stage_is_a_config_error_with_its_line(cli, tmp_path):
    config = with_kpis(tmp_path, "scorecard:\n  kpis:\n    deals_closed: {funnel: Nope}\n")
    result = cli("audit", config)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    lines = config.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "Nope" in text)
    assert f"c.yaml:{line}" in result.stderr
    assert "unknown funnel 'Nope' (the deals and stage-history funnels: F)" in result.stderr
    config = with_kpis(tmp_path, "scorecard:\n  kpis:\n    presentations: {funnel: F, stage: Z}\n")
    result = cli("audit", config)
    assert result.exit_code == 2
    assert "scorecard.kpis.presentations.stage" in result.stderr
    assert "funnel 'F' has no stage 'Z' (stages: A, B, C)" in result.stderr
    config = with_kpis(tmp_path, "scorecard:\n  kpis:\n    new_clients: {stage: A}\n")
    result = cli("audit", config)
    assert result.exit_code == 2 and "unknown key 'stage'" in result.stderr


def test_a_stage_the_default_funnel_lacks_is_an_error_once_it_is_known(cli, tmp_path):
    # G has stage Q, so the config check passes; the default funnel is F (the first with
    # managers), which has no Q: said when the data is read, with the key's line
    config = team(tmp_path)
    text = config.read_text(encoding="utf-8").replace(
        "norms:", "  - {name: G, source: h, stages: [{name: A}, {name: Q}], won: [Won]}\n"
                  "norms:")
    config.write_text(text + "scorecard:\n  kpis:\n    first_meetings: {stage: Q}\n",
                      encoding="utf-8")
    result = cli("audit", config)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    line = len(text.splitlines()) + 3
    assert f"c.yaml:{line}: scorecard.kpis.first_meetings.stage" in result.stderr
    assert "the default funnel 'F' (the first with managers) has no stage 'Q'" in result.stderr
