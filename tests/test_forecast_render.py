"""The forecast, plan and stuck-deal sections in every renderer and both languages, with
hostile values from the data (markup, escape codes, HTML, a formula) kept inert."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from funnelctl.audit.pipeline import audit
from funnelctl.render import RenderOptions, renderer
from tests.conftest import write_csv

HOSTILE_ID = "<script>alert(1)</script>"
HOSTILE_MANAGER = "[bold]Eve\x1b[31m"
FORMULA = "=HYPERLINK(\"http://x\")"

CONFIG = """
version: 1
sources:
  d:
    path: d.csv
    kind: deals
    columns: {deal_id: id, stage: stage, created_at: created, closed_at: closed,
              amount: amount, manager: manager, expected_close: expected,
              stage_changed_at: moved}
funnels:
  - name: F
    source: d
    stages: [{name: A, max_days: 5}, {name: B, probability: 0.5}]
    won: [W]
    lost: [L]
    plan: [{month: 2026-11, amount: 1000}, {month: 2026-11, manager: "[bold]Eve\\e[31m",
            amount: 500}]
    snooze: snoozed.csv
"""


@pytest.fixture
def config(tmp_path):
    write_csv(tmp_path / "d.csv", ["id", "stage", "created", "closed", "amount", "manager",
                                   "expected", "moved"], [
        [HOSTILE_ID, "A", "2026-10-01", "", "100", HOSTILE_MANAGER, "2026-10-20", "2026-10-01"],
        [FORMULA, "A", "2026-10-01", "", "200", "Ann", "2026-10-25", "2026-10-02"],
        ["3", "W", "2026-10-01", "2026-11-02", "300", HOSTILE_MANAGER, "", "2026-11-02"],
        ["4", "L", "2026-10-01", "2026-10-05", "50", "Ann", "", "2026-10-05"],
    ])
    write_csv(tmp_path / "snoozed.csv", ["deal_id", "until"], [["4", "2026-12-01"]])
    path = tmp_path / "audit.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def report(config):
    import datetime as dt

    return audit(config, as_of=dt.date(2026, 11, 10))


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_terminal_shows_every_section_and_values_as_text(report, lang):
    text = renderer("table")(report, RenderOptions(lang=lang, width=250))
    words = {"en": ["win probability", "weighted forecast", "past their expected close",
                    "stuck deals", "sales plan", "snoozed (snoozed.csv)"],
             "ru": ["вероятность выигрыша", "взвешенный прогноз", "с прошедшей датой",
                    "зависшие сделки", "план продаж", "отложены (snoozed.csv)"]}[lang]
    for word in words:
        assert word in text
    assert HOSTILE_ID in text and FORMULA in text  # plain text, as the data has it
    assert "[bold]Eve\\x1b[31m" in text and "\x1b[31m" not in text


def test_markdown_escapes_the_values(report):
    text = renderer("markdown")(report, RenderOptions(width=250))
    assert "<script>" not in text and "\\<script\\>" in text
    assert r"\[bold\]Eve\\x1b\[31m" in text and "\x1b" not in text
    assert "### F: sales plan 2026-11 as of 2026-11-10 (14 of 21 working days left)" in text


def test_html_autoescapes_the_values_and_folds_the_deal_lists(report):
    html = renderer("html")(report, RenderOptions())
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    soup = BeautifulSoup(html, "html.parser")
    tables = {t["data-table"]: t for t in soup.select("table.forecast-table")}
    assert set(tables) == {"probabilities", "forecast", "overdue", "stuck", "plan"}
    assert soup.select_one('details[data-key="overdue"]') is not None
    overdue = tables["overdue"].get_text(" ")
    assert HOSTILE_ID in overdue and "[bold]Eve\\x1b[31m" in overdue


def test_json_has_the_additions(report):
    data = json.loads(renderer("json")(report, RenderOptions()))
    funnel = data["funnels"][0]
    assert funnel["forecast"]["overdue"]["listed"][0]["deal_id"] == HOSTILE_ID
    assert funnel["stages"][1]["probability"] == {"probability": 0.5, "source": "config",
                                                  "won": None, "closed": None,
                                                  "small_sample": False,
                                                  "unknown_lost": 0, "lowest": None}
    # The stuck deal in A: the hostile one, 40 days since 10-01 as of 11-10 (moment 11-11).
    assert [(d["deal_id"], d["days"]) for d in funnel["stages"][0]["stuck_deals"]] == [
        (HOSTILE_ID, 41.0), (FORMULA, 40.0)]
    assert funnel["snoozed"]["active"] == 1  # deal 4 (lost: in no list, still counted)
    assert {ln["manager"] for ln in funnel["plan"]["lines"]} == {None, HOSTILE_MANAGER}


HOSTILE_NOTE = "<b>x</b> [red]y[/red] \x1b[31m **z** {{ 7*7 }} =SUM(A1)"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_plan_notes_are_shown_as_text_in_every_renderer(report, lang):
    # The renderers never interpret a note: markup, escapes, templates and formulas stay
    # text (a note carries values from the data).
    report.funnels[0].plan.notes = [HOSTILE_NOTE]
    options = RenderOptions(lang=lang, width=250)
    text = renderer("table")(report, options)
    assert "<b>x</b> [red]y[/red] \\x1b[31m **z** {{ 7*7 }} =SUM(A1)" in text
    assert "\x1b[31m" not in text
    markdown = renderer("markdown")(report, options)
    assert r"\<b\>x\</b\> \[red\]y\[/red\]" in markdown and "\x1b" not in markdown
    assert "49" not in markdown.split("{{")[-1][:10]
    html = renderer("html")(report, RenderOptions(lang=lang))
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    soup = BeautifulSoup(html, "html.parser")
    assert "[red]y[/red]" in soup.get_text(" ") and "{{ 7*7 }} =SUM(A1)" in soup.get_text(" ")
    data = json.loads(renderer("json")(report, RenderOptions()))
    assert data["funnels"][0]["plan"]["notes"] == [HOSTILE_NOTE]
