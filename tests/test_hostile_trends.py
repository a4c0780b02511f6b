"""The trend and time-to-convert sections show hostile names as text: a stage, funnel and
segment value with HTML, rich markup, escape codes and a formula stay inert in every
renderer (the new tables, charts and notes included), and JSON keeps them exactly."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from funnelctl.audit.pipeline import audit
from funnelctl.render import RenderOptions, renderer
from tests.conftest import write_csv

EVIL = '<script>alert(1)</script>[bold]x[/bold]\x1b[31m=HYPERLINK("http://e")'
ROWS = [[f"u{i}", "visit", f"2026-09-{7 + i % 14:02d}T10:00:00Z", EVIL] for i in range(60)]
ROWS += [[f"u{i}", "cart", f"2026-09-{7 + i % 14:02d}T10:30:00Z", ""] for i in range(0, 60, 2)]


@pytest.fixture
def config(tmp_path):
    write_csv(tmp_path / "events.csv", ["user", "action", "time", "src"], ROWS)
    path = tmp_path / "c.yaml"
    name = json.dumps(EVIL)  # a YAML double-quoted string is a JSON string
    path.write_text(
        "version: 1\nsources:\n  log:\n    path: events.csv\n    kind: events\n"
        "    columns: {entity_id: user, event: action, ts: time}\n"
        f"funnels:\n  - name: {json.dumps('F ' + EVIL)}\n    source: log\n    window: 1d\n"
        "    trend: week\n    breakdown: [src]\n"
        f"    stages: [{{name: Visit, match: [visit]}}, {{name: {name}, match: [cart]}}]\n",
        encoding="utf-8")
    return path


def rendered(config, fmt: str, color: bool = False) -> str:
    return renderer(fmt)(audit(config), RenderOptions(color=color, width=200))


def test_html_escapes_names_in_the_trend_and_histogram(config):
    html = rendered(config, "html")
    assert "<script>" not in html
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all("script")
    cohorts = soup.select("table.cohorts th")
    assert any(EVIL.replace("\x1b", "\\x1b") in th.get_text() for th in cohorts)
    histograms = soup.select("figure.hist")
    assert histograms and histograms[0]["data-stage"] == EVIL.replace("\x1b", "\\x1b")
    assert soup.select("figure.trend-chart")  # the chart was drawn, with the name as text
    assert "\x1b" not in html


@pytest.mark.parametrize("color", [False, True])
def test_terminal_keeps_markup_literal(config, color):
    text = rendered(config, "table", color)
    start = text.index("conversion by week")
    section = text[start:text.index("Data quality")]
    assert "[bold]x[/bold]" in section and "<script>" in section
    assert "\\x1b[31m" in section  # the escape shown, not sent
    assert "\x1b[31m=" not in text and "\x1b]" not in text


def test_markdown_escapes(config):
    text = rendered(config, "markdown")
    section = text[text.index("conversion by week"):]
    assert "\\<script\\>" in section and "<script>" not in section
    assert "\\[bold\\]" in section
    assert "\x1b" not in text


def test_json_keeps_the_names_exactly(config):
    report = json.loads(rendered(config, "json"))
    funnel = report["funnels"][0]
    assert funnel["trend"]["cohorts"][0]["stages"][1]["name"] == EVIL
    assert funnel["stages"][1]["time_to_convert"]["from_first"]["median_s"] == 1800
