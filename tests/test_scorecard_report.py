"""The scorecard through the CLI: deal managers matched to the graded managers across
spellings and aliases, unmatched names listed, hostile names inert in every format."""

from __future__ import annotations

import json

HOSTILE = '<script>alert(1)</script> [bold]Bo\x1b[31m =HYPERLINK(1)'
CONFIG = """\
version: 1
sources:
  a: {path: a.csv, kind: activities}
  d: {path: d.csv, kind: deals}
funnels:
  - name: F
    source: d
    stages: [{name: New, match: [New]}, {name: Presentation, match: [Presentation]}]
    won: [Won]
    lost: [Lost]
norms:
  source: a
  calendar: {workdays: [mon, tue, wed, thu, fri]}
managers:
  aliases: {"7": Ann Lee}
"""


def team(tmp_path):
    days = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]
    rows = ["manager,date,calls,meetings"]
    rows += [f"Ann Lee,{d},10,3" for d in days]          # 5 good days (3 meetings)
    rows += [f'"{HOSTILE}",{d},0,0' for d in days[:4]]   # 4 below days, one with a call
    rows += [f'"{HOSTILE}",{days[4]},1,0']
    (tmp_path / "a.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "d.csv").write_text(
        "deal_id,stage,created_at,closed_at,amount,manager\n"
        "1,Won,2024-01-01,2024-01-03,100,lee ann\n"         # Ann by normalised name
        "2,Lost,2024-01-02,2024-01-02,50,7\n"                # Ann by alias
        "3,Presentation,2024-01-02,,70,Ann Lee\n"
        f'4,New,2024-01-03,,10,"{HOSTILE}"\n'
        "5,Won,2024-01-04,2024-01-05,999,Zed\n",             # nobody graded: listed
        encoding="utf-8")
    config = tmp_path / "c.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    return config


def test_managers_block_matches_names_and_lists_the_rest(cli, tmp_path):
    result = cli("audit", team(tmp_path), "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    other, ann = data["managers"]  # in name order
    assert ann["manager"] == "Ann Lee" and ann["deal_names"] == ["7", "Ann Lee", "lee ann"]
    (o,) = ann["outcomes"]
    # deals 1-3: won 1 (100, 2 days), lost 1, open 1: win rate 1/2; entered New 3, then
    # Presentation 2 (the won deal and the open one; the lost deal's stage is unknown)
    assert (o["deals"], o["won"], o["lost"], o["open"], o["win_rate"]) == (3, 1, 1, 1, 0.5)
    assert (o["won_revenue"], o["average_deal"], o["median_cycle_days"]) == (100.0, 100.0, 2.0)
    assert o["velocity"]["per_day"] == 1 * 0.5 * 100 / 2
    assert (ann["good_days"], ann["calls_per_day"], ann["meetings_per_day"]) == (5, 10.0, 3.0)
    assert other["manager"] == HOSTILE and other["outcomes"][0]["deals"] == 1
    assert (other["below_days"], other["calls_per_day"]) == (5, 0.2)
    assert data["scorecard"]["unmatched"] == {"Zed": 1}
    corr = data["scorecard"]["correlations"]
    assert [c["activity"] for c in corr] == ["meetings", "calls", "good_days"]


def test_hostile_names_stay_inert(cli, tmp_path):
    config = team(tmp_path)
    text = cli("audit", config, "--fail-on", "never").stdout
    section = text[text.index("Manager scorecard"):]
    assert "\x1b" not in section and "[bold]Bo" in section  # markup shown, escape not run
    md = cli("audit", config, "--format", "markdown", "--fail-on", "never").stdout
    section = md[md.index("## Manager scorecard"):]
    assert "<script>" not in section and r"\<script\>" in section
    out = tmp_path / "r.html"
    cli("audit", config, "--format", "html", "--output", out, "--fail-on", "never")
    html = out.read_text(encoding="utf-8")
    section = html[html.index('id="scorecard"'):]
    assert "<script>" not in section and "&lt;script&gt;alert(1)" in section
    assert "\x1b" not in section


def test_norms_outcome_finding_in_both_languages(tmp_path):
    from funnelctl.audit.scorecard import contrast_findings
    from funnelctl.metrics.scorecard import Contrast
    from funnelctl.render.fmt import Fmt
    from funnelctl.render.labels import finding_message

    (found,) = contrast_findings([Contrast("Ann", "F", "ok", 2, 40, 60, 120, 1e-5, 2e-5,
                                           "z", True)])
    assert found.code == "scorecard_norms_outcome" and found.severity == "warn"
    assert "Ann meets the activity norms but wins 2 of 40" in found.message
    ru = finding_message(found, "ru", Fmt("ru"))
    assert ru.startswith("Ann выполняет нормы активности, но выигрывает 2 из 40")
    assert "ниже остальной команды (60 из 120; p<0,001 с поправкой" in ru
