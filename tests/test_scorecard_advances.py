"""The manager-week table over a stage history, worked out by hand: a three-manager team,
three weeks, each week's stage advances and wins counted below, and the history funnel's
outcome per manager in the cards (stage-history funnels feed the scorecard too).

Weeks (Mondays): W1 2024-01-01, W2 01-08, W3 01-15; the period ends 01-21, so W1 and W2
have a whole next week (W3 has none: no row). Funnel A -> B -> C, won Won, lost Lost.

  h1 Ann  A 01-02, B 01-09, C 01-10, Won 01-16    advances W2, W2; win W3   (amount 100)
  h2 Ann  A 01-03, B 01-04, A 01-10, B 01-11, C 01-17
                                                  advances W1, W3 (B again in W2: no)
  h3 Bob  B 01-08, C 01-12, Lost 01-13            advance W2 (its first entry: creation)
  h4 Bob  A 01-09, Won 01-18                      win W3 (won is no advance) (amount 40)
  h5 Bob  A 2023-12-20, B 01-16                   advance W3 (created before the period)
  h6 Zed  A 01-02, B 01-09                        nobody graded: listed, in no row

Advances per week: Ann W1 1, W2 2, W3 1; Bob W2 1, W3 1. Wins: Ann W3 1, Bob W3 1.
Activity: Ann W1 3 meetings a day (5 good days), W2 one meeting on Monday (below);
Bob W1 10 calls a day (below), W2 2 meetings + 10 calls a day (5 good days); Cid has
activity and no deals: no row.
"""

from __future__ import annotations

import datetime as dt
import json

HOSTILE = '<script>x</script> [red]B\x1b[2J =CMD()'
HISTORY = """deal_id,stage,entered_at,manager,amount
h1,A,2024-01-02 10:00,Ann,100
h1,B,2024-01-09 10:00,Ann,100
h1,C,2024-01-10 10:00,Ann,100
h1,Won,2024-01-16 10:00,Ann,100
h2,A,2024-01-03 10:00,Ann,
h2,B,2024-01-04 10:00,Ann,
h2,A,2024-01-10 10:00,Ann,
h2,B,2024-01-11 10:00,Ann,
h2,C,2024-01-17 10:00,Ann,
h3,B,2024-01-08 10:00,{bob},
h3,C,2024-01-12 10:00,{bob},
h3,Lost,2024-01-13 10:00,{bob},
h4,A,2024-01-09 10:00,{bob},40
h4,Won,2024-01-18 10:00,{bob},40
h5,A,2023-12-20 10:00,{bob},
h5,B,2024-01-16 10:00,{bob},
h6,A,2024-01-02 10:00,Zed,
h6,B,2024-01-09 10:00,Zed,
"""
CONFIG = """\
version: 1
language: {lang}
period: {{start: 2024-01-01, end: 2024-01-21}}
sources:
  a: {{path: a.csv, kind: activities}}
  h: {{path: h.csv, kind: stage_history}}
funnels:
  - name: F
    source: h
    stages: [{{name: A}}, {{name: B}}, {{name: C}}]
    won: [Won]
    lost: [Lost]
norms:
  source: a
  calendar: {{workdays: [mon, tue, wed, thu, fri]}}
"""
W1, W2 = dt.date(2024, 1, 1), dt.date(2024, 1, 8)


def team(tmp_path, bob="Bob", lang="en"):
    rows = ["manager,date,calls,meetings"]
    for i in range(5):
        rows += [f"Ann,{W1 + dt.timedelta(i)},0,3", f"{bob},{W1 + dt.timedelta(i)},10,0",
                 f"{bob},{W2 + dt.timedelta(i)},10,2", f"Cid,{W1 + dt.timedelta(i)},60,0"]
    rows.append(f"Ann,{W2},0,1")
    quoted = f'"{bob}"'
    (tmp_path / "a.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "h.csv").write_text(HISTORY.format(bob=quoted), encoding="utf-8")
    config = tmp_path / "c.yaml"
    config.write_text(CONFIG.format(lang=lang), encoding="utf-8")
    return config


def test_manager_weeks_advances_and_wins_by_hand(cli, tmp_path):
    result = cli("audit", team(tmp_path), "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    sc = json.loads(result.stdout)["scorecard"]
    assert sc["advances_from"] == {"F": "stage_history"}
    rows = [(w["manager"], w["week"], w["meetings"], w["calls"], w["good_days"],
             w["advances_next_week"], w["wins_next_week"]) for w in sc["weeks"]]
    assert rows == [("Ann", "2024-W01", 15, 0, 5, 2, 0), ("Ann", "2024-W02", 1, 0, 0, 1, 1),
                    ("Bob", "2024-W01", 0, 50, 0, 1, 0), ("Bob", "2024-W02", 10, 50, 5, 1, 1)]
    assert sc["unmatched"] == {"Zed": 1}
    corr = {(c["activity"], c["outcome"]): c for c in sc["correlations"]}
    assert set(corr) == {(a, o) for a in ("meetings", "calls", "good_days")
                         for o in ("advances_next_week", "wins_next_week")}
    # 4 manager-weeks of 2 managers; meetings [15, 1, 0, 10] against advances [2, 1, 1, 1]:
    # ranks [4, 2, 1, 3] and [4, 2, 2, 2], Pearson of those = 0.7746 (sqrt(0.6))
    m = corr[("meetings", "advances_next_week")]
    assert (m["n"], m["managers"], m["conclusive"]) == (4, 2, False)
    assert abs(m["rho"] - 0.6 ** 0.5) < 1e-12


def test_history_funnel_outcome_in_the_cards(cli, tmp_path):
    data = json.loads(cli("audit", team(tmp_path), "--format", "json",
                          "--fail-on", "never").stdout)
    cards = {c["manager"]: c for c in data["managers"]}
    (ann,) = cards["Ann"]["outcomes"]
    (bob,) = cards["Bob"]["outcomes"]
    # created in the period: Ann h1 (won, 14 days: 01-02 -> 01-16), h2 (open at C);
    # Bob h3 (lost at C), h4 (won, 9 days: A to Won passes every stage); h5 predates it
    assert (ann["deals"], ann["won"], ann["lost"], ann["open"], ann["win_rate"]) == (
        2, 1, 0, 1, 1.0)
    assert [s["entered"] for s in ann["stages"]] == [2, 2, 2]
    assert (ann["median_cycle_days"], ann["won_revenue"]) == (14.0, 100.0)
    assert (bob["deals"], bob["won"], bob["lost"], bob["win_rate"]) == (2, 1, 1, 0.5)
    assert (bob["median_cycle_days"], bob["won_revenue"], bob["no_stage"]) == (9.0, 40.0, 0)
    assert cards["Cid"]["outcomes"][0]["deals"] == 0


def test_manager_weeks_in_every_renderer_and_both_languages(cli, tmp_path):
    config = team(tmp_path, bob=HOSTILE)
    data = json.loads(cli("audit", config, "--format", "json", "--fail-on", "never").stdout)
    assert {w["manager"] for w in data["scorecard"]["weeks"]} == {"Ann", HOSTILE}
    text = cli("audit", config, "--fail-on", "never").stdout
    section = text[text.index("Manager-weeks"):]
    assert "2024-W02" in section and "Advances next week" in section
    assert "\x1b" not in text[text.index("Manager scorecard"):] and "[red]B" in section
    assert "from its stage history" in text
    md = cli("audit", config, "--format", "markdown", "--fail-on", "never").stdout
    section = md[md.index("### Manager-weeks"):]
    assert "| Ann | 2024-W01 | 15 | 0 | 5 | 2 | 0 |" in section
    assert "<script>" not in section and r"\<script\>" in section
    out = tmp_path / "r.html"
    cli("audit", config, "--format", "html", "--output", out, "--fail-on", "never")
    html = out.read_text(encoding="utf-8")
    section = html[html.index('id="scorecard"'):]
    assert "Manager-weeks" in section and "<script>x" not in section
    assert "&lt;script&gt;x" in section and "\x1b" not in section
    ru = team(tmp_path, lang="ru")
    text = cli("audit", ru, "--fail-on", "never").stdout
    assert "Недели менеджеров" in text and "по истории этапов" in text
    assert "встречи → продвижения на следующей неделе" in text
    words = " ".join(text.split())  # the terminal wraps long lines
    assert "у 2 менеджеров: при таком числе менеджеров связь показать нельзя" in words


SNAPSHOT = """deal_id,stage,created_at,closed_at,manager
h1,Won,2024-01-02 10:00,2024-01-16 10:00,Ann
h2,C,2024-01-03 10:00,,Ann
h3,Lost,2024-01-08 10:00,2024-01-13 10:00,Bob
h4,Won,2024-01-09 10:00,2024-01-18 10:00,Bob
h5,B,2023-12-20 10:00,,Bob
h6,B,2024-01-02 10:00,,Zed
"""


def test_a_snapshot_with_a_linked_history_counts_its_advances(cli, tmp_path):
    # the same deals as a snapshot whose funnel links the history: advances from the
    # history (as above), wins by the snapshot's close dates (the same days)
    config = team(tmp_path)
    (tmp_path / "d.csv").write_text(SNAPSHOT, encoding="utf-8")
    text = config.read_text(encoding="utf-8").replace(
        "  h: {path: h.csv, kind: stage_history}",
        "  h: {path: h.csv, kind: stage_history}\n  d: {path: d.csv, kind: deals}").replace(
        "    source: h\n", "    source: d\n    stage_history: h\n")
    config.write_text(text, encoding="utf-8")
    result = cli("audit", config, "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    sc = json.loads(result.stdout)["scorecard"]
    assert sc["advances_from"] == {"F": "stage_history"}
    assert [(w["manager"], w["advances_next_week"], w["wins_next_week"]) for w in sc["weeks"]] \
        == [("Ann", 2, 0), ("Ann", 1, 1), ("Bob", 1, 0), ("Bob", 1, 1)]
