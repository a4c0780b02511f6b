"""`funnelctl history CONFIG`: the trend of each stage's conversion and each manager's
good-day share over hand-built recorded runs, as a table, JSON and HTML with a chart."""

from __future__ import annotations

import json
import sqlite3

import pytest
from bs4 import BeautifulSoup

from tests.test_run_history import hand_built_history, setup  # noqa: F401

# Recorded out of order: 03-02 first, then 03-01 (a backfill), then 03-03.
RUNS = [("2024-03-02", "2024-03-03T06:30:00+00:00", [100, 60, 30]),
        ("2024-03-01", "2024-03-04T06:30:00+00:00", [100, 80, 40]),
        ("2024-03-03", "2024-03-05T06:30:00+00:00", [100, 70, 49])]
# In period order: B 80/100, 60/100, 70/100; C 40/80 = 0.5, 30/60 = 0.5, 49/70 = 0.7.
B = [0.8, 0.6, 0.7]
C = [0.5, 0.5, 0.7]


@pytest.fixture
def recorded(setup, tmp_path):  # noqa: F811
    config = setup({"2024-03-03": (1, 1, 1)})
    db = tmp_path / "hist" / "history.db"
    hand_built_history(db, RUNS)
    with sqlite3.connect(db) as conn:  # Ann: 15 of 20 good days, then 10 of 20, then absent
        conn.executemany("INSERT INTO managers VALUES ('audit.yaml', ?, 'Ann', ?, 20, NULL)",
                         [("2024-03-01", 15), ("2024-03-02", 10)])
    return config


def test_json_has_each_stage_and_manager_in_period_order(cli, recorded):
    result = cli("history", recorded, "--format", "json")
    assert result.exit_code == 0, result.stderr
    trend = json.loads(result.stdout)
    assert [r["period"] for r in trend["runs"]] == ["2024-03-01", "2024-03-02", "2024-03-03"]
    by_stage = {s["subject"]: s["points"] for s in trend["stages"]}
    assert [p["value"] for p in by_stage["B"]] == pytest.approx(B)
    assert [p["value"] for p in by_stage["C"]] == pytest.approx(C)
    assert [(p["successes"], p["trials"]) for p in by_stage["C"]] == [(40, 80), (30, 60),
                                                                       (49, 70)]
    (ann,) = trend["managers"]
    assert [(p["period"], p["value"]) for p in ann["points"]] == [("2024-03-01", 0.75),
                                                                  ("2024-03-02", 0.5)]


def test_last_keeps_the_latest_runs(cli, recorded):
    trend = json.loads(cli("history", recorded, "--format", "json", "--last", "2").stdout)
    assert [r["period"] for r in trend["runs"]] == ["2024-03-02", "2024-03-03"]


def test_table_shows_a_row_per_stage_and_manager(cli, recorded):
    result = cli("history", recorded)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    row_b = next(line for line in lines if "F / B" in line)
    assert [c.strip() for c in row_b.split("│")[2:5]] == ["80.0%", "60.0%", "70.0%"]
    row_ann = next(line for line in lines if "│ Ann" in line)
    assert [c.strip() for c in row_ann.split("│")[2:5]] == ["75.0%", "50.0%", "–"]


def test_html_draws_a_line_chart_per_stage(cli, recorded, tmp_path):
    out = tmp_path / "trend.html"
    result = cli("history", recorded, "--format", "html", "--output", out, "--lang", "ru")
    assert result.exit_code == 0, result.stderr
    page = BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser")
    assert page.html["lang"] == "ru" and "История запусков" in page.get_text()
    charts = page.select("#stages svg.trend")
    assert len(charts) == 2  # B and C
    dots = charts[0].select("circle")
    assert [float(d["data-value"]) for d in dots] == pytest.approx(B)
    assert [d["data-period"] for d in dots] == ["2024-03-01", "2024-03-02", "2024-03-03"]
    # Higher conversion is drawn higher: 80% above 70% above 60%.
    y = [float(d["cy"]) for d in dots]
    assert y[0] < y[2] < y[1]
    assert len(charts[0].select("polyline")) == 1
    # Ann has no value in the third run: her chart has two dots.
    assert len(page.select("#managers svg.trend")[0].select("circle")) == 2


def test_without_history_in_the_config_is_a_clear_error(cli, setup, tmp_path):  # noqa: F811
    config = setup({"2024-03-03": (1, 1, 1)})
    config.write_text("\n".join(line for line in config.read_text().splitlines()
                                if not line.startswith("history:")), encoding="utf-8")
    result = cli("history", config)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "no history: in the config" in result.stderr


def test_before_any_run_is_a_clear_error(cli, setup):  # noqa: F811
    result = cli("history", setup({"2024-03-03": (1, 1, 1)}))
    assert result.exit_code == 2 and "no run history yet" in result.stderr


def test_names_from_the_history_are_shown_as_text(cli, recorded, tmp_path):
    # A manager name with markup and an escape sequence, as an export could have carried it.
    with sqlite3.connect(tmp_path / "hist" / "history.db") as conn:
        conn.execute("INSERT INTO managers VALUES ('audit.yaml', '2024-03-01', ?, 5, 20, NULL)",
                     ("Eve [red]x[/red]\x1b]0;owned\x07",))
    table = cli("history", recorded).stdout
    assert "Eve [red]x[/red]\\x1b]0;owned\\x07" in table
    assert "\x1b" not in table and "\x07" not in table
    out = tmp_path / "trend.html"
    cli("history", recorded, "--format", "html", "--output", out)
    assert "\x1b" not in out.read_text(encoding="utf-8")
