"""A hand-made export whose every number is worked out by hand in the comments."""

from __future__ import annotations

import pytest

from tests.conftest import write_csv

HEADER = ["Id", "Stage", "Created", "Closed", "Owner", "Lost at"]
# Stages A -> B -> C; W = won, L = lost (amoCRM keeps them as stage values).
ROWS = [
    ["1", "A", "05.01.2024 10:00:00", "не закрыта", "M1", ""],
    ["2", "A", "06.01.2024 10:00:00", "не закрыта", "M2", ""],
    ["3", "B", "07.01.2024 10:00:00", "не закрыта", "M1", ""],
    ["4", "B", "08.01.2024 10:00:00", "не закрыта", "M2", ""],
    ["5", "C", "09.01.2024 10:00:00", "не закрыта", "M1", ""],
    ["6", "W", "01.02.2024 10:00:00", "11.02.2024 10:00:00", "M1", ""],   # won in 10 days
    ["7", "W", "02.02.2024 10:00:00", "22.02.2024 10:00:00", "M2", ""],   # won in 20 days
    ["8", "L", "03.02.2024 10:00:00", "10.02.2024 10:00:00", "M1", "B"],
    ["9", "L", "04.02.2024 10:00:00", "10.02.2024 10:00:00", "M2", "A"],
    ["10", "L", "05.02.2024 10:00:00", "10.02.2024 10:00:00", "M2", ""],  # no loss stage
    ["11", "X", "05.02.2024 10:00:00", "не закрыта", "M2", ""],           # unmatched stage
    ["12", "A", "31.02.2024 10:00:00", "не закрыта", "M2", ""],           # impossible date
]

CONFIG = """
version: 1
title: Hand-made
sources:
  deals:
    path: deals.csv
    kind: deals
    date_format: "%d.%m.%Y %H:%M:%S"
    columns: {deal_id: Id, stage: Stage, created_at: Created, closed_at: Closed,
              manager: Owner, lost_stage: Lost at}
funnels:
  - name: F
    source: deals
    min_sample: 1    # a hand-made export of a few deals: judge every stage anyway
    stages:
      - {name: A}
      - {name: B, conversion: {good: 0.7, acceptable: 0.5}}
      - {name: C, conversion: {good: 0.65, acceptable: 0.55}}
    won: [W]
    lost: [L]
    breakdown: [manager]
"""


@pytest.fixture
def config(tmp_path):
    write_csv(tmp_path / "deals.csv", HEADER, ROWS)
    path = tmp_path / "audit.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def stage(report, name, funnel=0):
    return next(s for s in report["funnels"][funnel]["stages"] if s["name"] == name)


def test_entered_and_conversions(cli, config):
    report = cli.json("audit", config)
    # Entered A: deals 1-9 (lost-at-A 9 counts at A; lost 10 has no loss stage and is left
    # out of every stage). B: 3,4,5, won 6,7, lost-at-B 8. C: 5 and the won 6, 7.
    assert [s["entered"] for s in report["funnels"][0]["stages"]] == [9, 6, 3]
    assert report["funnels"][0]["entities"] == 10
    assert report["funnels"][0]["lost_stage_unknown"] == 1
    assert stage(report, "A")["conversion_from_previous"] is None
    assert stage(report, "B")["conversion_from_previous"] == pytest.approx(6 / 9)
    assert stage(report, "C")["conversion_from_previous"] == pytest.approx(0.5)
    assert stage(report, "C")["conversion_from_first"] == pytest.approx(3 / 9)


def test_wilson_interval_matches_published_value(cli, config):
    # Wilson 95% for 6/9, by hand: p = 2/3, z^2/n = 0.42683, centre 0.61681, half-width
    # 0.26261 -> 0.3542..0.8794.
    b = stage(cli.json("audit", config), "B")
    assert b["ci_low"] == pytest.approx(0.3542, abs=1e-4)
    assert b["ci_high"] == pytest.approx(0.8794, abs=1e-4)


def test_won_lost_win_rate_cycle(cli, config):
    funnel = cli.json("audit", config)["funnels"][0]
    assert (funnel["won"], funnel["lost"]) == (2, 3)
    assert funnel["win_rate"] == pytest.approx(2 / 5)
    # Won in 10 and 20 days: median 15, p90 (linear) 10 + 0.9 * 10 = 19.
    assert funnel["cycle_days"] == {"median": pytest.approx(15), "p90": pytest.approx(19)}


def test_thresholds_bottleneck_and_verdict(cli, config):
    report = cli.json("audit", config)
    # B: 0.6 is below good 0.7, above acceptable 0.5 -> warn (0.1 short of good).
    # C: 0.5 is below acceptable 0.55 -> fail (0.15 short of good: the bottleneck).
    assert stage(report, "B")["verdict"] == "warn"
    assert stage(report, "C")["verdict"] == "fail"
    assert stage(report, "A")["verdict"] is None
    assert report["funnels"][0]["bottleneck"]["stage"] == "C"
    assert report["verdict"] == "fail"


def test_breakdown_by_manager(cli, config):
    segments = {s["value"]: s for s in cli.json("audit", config)["funnels"][0]["breakdowns"]
                ["manager"]}
    # M1: deals 1,3,5,6,8 -> A 5, B (3,5,6,8) 4, C (5,6) 2; won 1 (6), lost 1 (8).
    # M2: deals 2,4,7,9,10 -> A 4 (10 has no loss stage), B (4,7) 2, C (7) 1; won 1 (7),
    # lost 2 (9,10).
    assert [s["entered"] for s in segments["M1"]["stages"]] == [5, 4, 2]
    assert [s["entered"] for s in segments["M2"]["stages"]] == [4, 2, 1]
    assert (segments["M1"]["won"], segments["M1"]["lost"]) == (1, 1)
    assert segments["M2"]["win_rate"] == pytest.approx(1 / 3)


def test_cycle_days_per_segment_are_each_segments_own(cli, config, tmp_path):
    rows = ROWS + [["13", "A", "06.02.2024 10:00:00", "не закрыта", "M3", ""]]
    write_csv(tmp_path / "deals.csv", HEADER, rows)
    segments = {s["value"]: s for s in cli.json("audit", config)["funnels"][0]["breakdowns"]
                ["manager"]}
    # M1 won deal 6 in 10 days, M2 deal 7 in 20: each segment's median and p90 are its one
    # cycle; M3 (deal 13, open) won nothing, so it has no cycle days at all.
    assert segments["M1"]["cycle_days"] == {"median": pytest.approx(10), "p90": pytest.approx(10)}
    assert segments["M2"]["cycle_days"] == {"median": pytest.approx(20), "p90": pytest.approx(20)}
    assert segments["M3"]["cycle_days"] is None


def test_the_other_rows_cycle_days_are_its_own_deals(cli, config, tmp_path):
    rows = ROWS + [["13", "W", "06.02.2024 10:00:00", "10.02.2024 10:00:00", "M3", ""]]
    write_csv(tmp_path / "deals.csv", HEADER, rows)
    config.write_text(CONFIG + "    segments: {top: 1}\n", encoding="utf-8")
    segments = {s["value"]: s for s in cli.json("audit", config)["funnels"][0]["breakdowns"]
                ["manager"]}
    # M1 has deals 1,3,5,6,8 and M2 2,4,7,9,10 (11 is no stage of the funnel, 12 is
    # rejected), M3 has 13: of the tie at 5 the name first, M1, is kept. The other row is
    # M2 and M3: won 7 in 20 days and 13 in 4, median 12, p90 4 + 0.9 * 16 = 18.4.
    assert set(segments) == {"M1", "(other)"}
    assert segments["(other)"]["cycle_days"] == {"median": pytest.approx(12),
                                                 "p90": pytest.approx(18.4)}
    assert segments["M1"]["cycle_days"]["median"] == pytest.approx(10)


def test_rejected_rows_are_counted_with_reasons(cli, config):
    quality = cli.json("audit", config)["data_quality"]["sources"][0]
    assert quality["rows_read"] == 12
    assert quality["rows_rejected"] == 2
    assert quality["reasons"]["unparseable created_at"] == 1
    assert quality["unmatched_stages"] == {"X": 1}
    assert any("1 lost deal has no known loss stage" in n for n in quality["notes"])


def test_period_counts_deals_created_inside_it(cli, config):
    report = cli.json("audit", config, "--period", "2024-02-01..2024-02-29")
    # Deals 6-10 were created in February: A 4 (not 10: no loss stage), B (6,7,8) 3,
    # C (6,7) 2.
    assert [s["entered"] for s in report["funnels"][0]["stages"]] == [4, 3, 2]
    assert report["period"]["start"] == "2024-02-01"
    assert report["period"]["end"] == "2024-02-29"


def test_exit_codes_follow_fail_on(cli, config):
    assert cli("audit", config).exit_code == 1               # verdict fail, --fail-on fail
    assert cli("audit", config, "--fail-on", "never").exit_code == 0
    assert cli("audit", config, "--fail-on", "warn").exit_code == 1


def test_status_column_gives_loss_stage(cli, tmp_path):
    # With a status column, the stage of a lost deal is the stage it was lost at.
    write_csv(tmp_path / "d.csv", ["id", "stage", "status", "created"], [
        ["1", "A", "open", "2024-01-01"], ["2", "B", "lost", "2024-01-01"],
        ["3", "C", "won", "2024-01-01"], ["4", "B", "Won", "2024-01-01"],
    ])
    (tmp_path / "c.yaml").write_text("""
version: 1
sources: {d: {path: d.csv, kind: deals, columns: {deal_id: id, created_at: created}}}
funnels: [{name: F, source: d, stages: [{name: A}, {name: B}, {name: C}]}]
""")
    funnel = cli.json("audit", tmp_path / "c.yaml")["funnels"][0]
    # 1 at A; 2 lost at B; 3 and 4 won -> passed every stage.
    assert [s["entered"] for s in funnel["stages"]] == [4, 3, 2]
    assert (funnel["won"], funnel["lost"]) == (2, 1)


def test_two_funnels_on_one_source_each_count_their_own_deals(cli, tmp_path):
    write_csv(tmp_path / "d.csv", ["id", "stage", "created"], [
        ["1", "A", "2024-01-01"], ["2", "B", "2024-01-01"], ["3", "Won F", "2024-01-01"],
        ["4", "C", "2024-01-01"], ["5", "D", "2024-01-01"], ["6", "Won G", "2024-01-01"],
        ["7", "Z", "2024-01-01"],
    ])
    (tmp_path / "c.yaml").write_text("""
version: 1
sources: {d: {path: d.csv, kind: deals, columns: {deal_id: id, created_at: created}}}
funnels:
  - {name: F, source: d, stages: [{name: A}, {name: B}], won: [Won F]}
  - {name: G, source: d, stages: [{name: C}, {name: D}], won: [Won G]}
""")
    report = cli.json("audit", tmp_path / "c.yaml")
    f, g = report["funnels"]
    # F: deals 1, 2, 3 (won: passed both stages). G: deals 4, 5, 6. Deal 7 is nobody's.
    assert [s["entered"] for s in f["stages"]] == [3, 2] and f["won"] == 1
    assert [s["entered"] for s in g["stages"]] == [3, 2] and g["won"] == 1
    quality = report["data_quality"]["sources"][0]
    assert quality["unmatched_stages"] == {"Z": 1}
    assert quality["rows_rejected"] == 1


def test_blank_stage_at_loss_falls_back_to_the_stage_column_with_a_status(cli, tmp_path):
    write_csv(tmp_path / "d.csv", ["id", "stage", "status", "created", "lost at"], [
        ["1", "A", "open", "2024-01-01", ""],
        ["2", "C", "lost", "2024-01-01", ""],   # blank: lost at C, the stage column
        ["3", "C", "lost", "2024-01-01", "B"],  # the stage-at-loss column wins: lost at B
    ])
    (tmp_path / "c.yaml").write_text("""
version: 1
sources: {d: {path: d.csv, kind: deals,
              columns: {deal_id: id, created_at: created, lost_stage: lost at}}}
funnels: [{name: F, source: d, stages: [{name: A}, {name: B}, {name: C}]}]
""")
    funnel = cli.json("audit", tmp_path / "c.yaml")["funnels"][0]
    assert [s["entered"] for s in funnel["stages"]] == [3, 2, 1]


def test_a_broken_first_row_does_not_hide_the_deals_good_row(cli, tmp_path):
    write_csv(tmp_path / "d.csv", ["id", "stage", "created"], [
        ["7", "A", "garbage"], ["7", "B", "2024-01-02"], ["7", "B", "2024-01-03"],
        ["8", "A", "2024-01-02"],
    ])
    (tmp_path / "c.yaml").write_text("""
version: 1
sources: {d: {path: d.csv, kind: deals, columns: {deal_id: id, created_at: created}}}
funnels: [{name: F, source: d, stages: [{name: A}, {name: B}]}]
""")
    report = cli.json("audit", tmp_path / "c.yaml")
    # Deal 7: line 2 unparseable, line 3 its first usable row (at B), line 4 a duplicate.
    assert [s["entered"] for s in report["funnels"][0]["stages"]] == [2, 1]
    assert report["data_quality"]["sources"][0]["reasons"] == {
        "unparseable created_at": 1, "duplicate deal id": 1}


def test_a_typo_in_a_stage_value_is_a_finding_and_fails_validate(cli, config):
    # Latin "o" in "Bо" would read as a real stage value nobody has: deals at "B" vanish.
    text = config.read_text(encoding="utf-8").replace("{name: B, conversion",
                                                      "{name: B, match: [Bo], conversion")
    config.write_text(text, encoding="utf-8")
    report = cli.json("audit", config)
    typo = [f for f in report["findings"] if f["code"] == "stage_value_not_in_data"]
    assert len(typo) == 1
    assert "value 'Bo' is in no row" in typo[0]["message"]
    assert "did you mean 'B'?" in typo[0]["message"]
    result = cli("validate", config)
    assert result.exit_code == 1
    assert "did you mean 'B'?" in result.stdout


def test_a_period_without_deals_is_a_finding(cli, config):
    report = cli.json("audit", config, "--period", "2024-03-01..2024-03-07")
    empty = [f for f in report["findings"] if f["code"] == "empty_period"]
    # The newest usable deal (10) was created on 2024-02-05.
    assert [f["message"] for f in empty] == [
        "no deals created in 2024-03-01..2024-03-07; the newest in the data was created on "
        "2024-02-05"]


def test_findings_read_in_russian_with_lang_ru(cli, config):
    result = cli("audit", config, "--lang", "ru", "--fail-on", "never")
    # Stage B: 6/9 = 66.7%, Wilson 35.4%–87.9%, thresholds 70% / 50%, in Russian format.
    text = " ".join(result.stdout.split())
    assert ("конверсия в «B» 66,7% (95% ДИ 35,4%–87,9%); хорошо ≥ 70%, приемлемо ≥ 50%"
            in text)
    markdown = cli("audit", config, "--lang", "ru", "--format", "markdown", "--fail-on", "never")
    assert "конверсия в «C» 50,0%" in markdown.stdout
    # The JSON keeps the English message and gains the numbers it was made from.
    finding = next(f for f in cli.json("audit", config)["findings"]
                   if f["code"] == "stage_conversion" and f["params"]["stage"] == "B")
    assert finding["message"].startswith("conversion into 'B' is 66.7%")
    assert finding["params"]["conversion"] == pytest.approx(6 / 9)


def test_an_empty_stage_is_named_empty_not_none(cli, tmp_path):
    # Deal 11's stage is blank, deal 13's only spaces: two unmatched rows of one empty value.
    rows = [r if r[0] != "11" else ["11", "", *r[2:]] for r in ROWS]
    rows.append(["13", "   ", "05.02.2024 10:00:00", "не закрыта", "M2", ""])
    write_csv(tmp_path / "deals.csv", HEADER, rows)
    path = tmp_path / "audit.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    quality = cli.json("audit", path)["data_quality"]["sources"][0]
    assert quality["unmatched_stages"] == {"(empty)": 2}
    shown = cli("audit", path, "--fail-on", "never").stdout
    assert "'(empty)' (2)" in shown and "None" not in shown
