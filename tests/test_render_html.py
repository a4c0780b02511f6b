"""The HTML report: parsed with a real HTML parser, its numbers are the JSON report's."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from bs4 import BeautifulSoup

from funnelctl.audit.pipeline import audit
from funnelctl.render import RenderOptions, renderer
from tests.conftest import ROOT, write_csv

DEMO = ROOT / "configs" / "demo.yaml"


@pytest.fixture(scope="module")
def rendered():
    """One audit of the sample data rendered twice: as JSON (the contract) and as HTML."""
    report = audit(DEMO, period="2026-10-01..2026-10-31", compare="previous",
                   as_of=dt.date(2026, 11, 1))
    data = json.loads(renderer("json")(report, RenderOptions()))
    soup = BeautifulSoup(renderer("html")(report, RenderOptions(lang="en")), "html.parser")
    return data, soup


def pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def cell_value(cell) -> float | None:
    return None if cell["data-value"] == "" else float(cell["data-value"])


def test_header_shows_title_period_verdict_and_time(rendered):
    data, soup = rendered
    assert soup.find("h1").get_text() == data["title"]
    assert soup.select_one("#period").get_text() == "2026-10-01 – 2026-10-31"
    verdict = soup.select_one("#verdict")
    assert verdict["data-value"] == data["verdict"]
    assert {"warn": "WARN", "fail": "FAIL", "ok": "OK"}[data["verdict"]] in verdict.get_text()
    assert soup.find("time")["datetime"] == data["generated_at"]


def test_findings_are_listed_worst_first_as_in_json(rendered):
    data, soup = rendered
    items = soup.select("#findings li")
    assert [li["data-severity"] for li in items] == [f["severity"] for f in data["findings"]]
    assert [li.select_one(".subject").get_text() for li in items] == [
        f["subject"] for f in data["findings"]]


def test_stage_table_numbers_equal_json(rendered):
    data, soup = rendered
    for funnel in data["funnels"]:
        section = soup.find("section", attrs={"data-funnel": funnel["name"]})
        rows = section.select("table.stages tbody tr")
        assert [r["data-stage"] for r in rows] == [s["name"] for s in funnel["stages"]]
        for row, stage in zip(rows, funnel["stages"]):
            entered, conv, from_first = (row.find_all("td")[i] for i in (1, 2, 3))
            assert int(entered["data-value"]) == stage["entered"]
            assert entered.get_text() == f"{stage['entered']:,}"
            assert cell_value(conv) == stage["conversion_from_previous"]
            assert cell_value(from_first) == stage["conversion_from_first"]
            assert from_first.get_text() == pct(stage["conversion_from_first"])
            if stage["conversion_from_previous"] is not None:
                assert conv.get_text().startswith(pct(stage["conversion_from_previous"]))
                assert float(conv["data-low"]) == stage["ci_low"]
                assert float(conv["data-high"]) == stage["ci_high"]
                assert f"{pct(stage['ci_low'])}–{pct(stage['ci_high'])}" in conv.get_text()
            verdict = row.find_all("td")[4].get_text()
            if stage["verdict"]:
                assert stage["verdict"].upper() in verdict
        marked = [r["data-stage"] for r in rows if "bottleneck" in r.get("class", [])]
        assert marked == [funnel["bottleneck"]["stage"]]


def test_key_numbers_equal_json(rendered):
    data, soup = rendered
    funnel = data["funnels"][0]
    section = soup.find("section", attrs={"data-funnel": funnel["name"]})

    def key(name):
        return section.find(attrs={"data-key": name})

    assert int(key("entities")["data-value"]) == funnel["stages"][0]["entered"]
    assert int(key("won")["data-value"]) == funnel["won"]
    assert int(key("lost")["data-value"]) == funnel["lost"]
    assert float(key("win_rate")["data-value"]) == funnel["win_rate"]
    assert key("win_rate").get_text() == pct(funnel["win_rate"])
    assert float(key("cycle_median")["data-value"]) == funnel["cycle_days"]["median"]
    assert key("bottleneck").get_text() == funnel["bottleneck"]["stage"]


def test_chart_bars_are_scaled_to_entered_counts(rendered):
    data, soup = rendered
    funnel = data["funnels"][0]
    svg = soup.find("section", attrs={"data-funnel": funnel["name"]}).find("svg")
    bars = svg.select("rect.bar")
    widths = [float(b["width"]) for b in bars]
    entered = [s["entered"] for s in funnel["stages"]]
    for width, count in zip(widths, entered):
        assert width / widths[0] == pytest.approx(count / entered[0], abs=0.002)
    bottleneck = [i for i, b in enumerate(bars) if "bottleneck" in b["class"]]
    names = [s["name"] for s in funnel["stages"]]
    assert bottleneck == [names.index(funnel["bottleneck"]["stage"])]
    labels = [t.get_text() for t in svg.select("text.conv")]
    for label, stage in zip(labels, funnel["stages"][1:]):
        assert pct(stage["conversion_from_previous"]) in label


def test_breakdown_tables_equal_json(rendered):
    data, soup = rendered
    funnel = data["funnels"][0]
    section = soup.find("section", attrs={"data-funnel": funnel["name"]})
    for column, segments in funnel["breakdowns"].items():
        rows = section.find("table", attrs={"data-column": column}).select("tbody tr")
        assert [r["data-segment"] for r in rows] == [s["value"] for s in segments]
        for row, seg in zip(rows, segments):
            cells = row.find_all("td")
            assert int(cells[1]["data-value"]) == seg["entities"]
            convs = [cell_value(c) for c in cells[2:2 + len(seg["stages"]) - 1]]
            assert convs == [s["conversion_from_previous"] for s in seg["stages"][1:]]
            overall, win_rate = cells[len(seg["stages"]) + 1], cells[len(seg["stages"]) + 2]
            assert cell_value(overall) == seg["stages"][-1]["conversion_from_first"]
            assert cell_value(win_rate) == seg["win_rate"]


def test_comparison_table_equals_json(rendered):
    data, soup = rendered
    for fc in data["comparison"]["funnels"]:
        rows = soup.find("table", attrs={"class": "comparison", "data-funnel": fc["funnel"]})
        rows = rows.select("tbody tr")
        for row, ch in zip(rows, [*fc["stages"], fc["overall"]]):
            cells = row.find_all("td")
            assert cell_value(cells[1]) == ch["previous"]
            assert cell_value(cells[2]) == ch["current"]
            assert cell_value(cells[4]) == ch["p_value"]
            assert f"({ch['current_successes']:,}/{ch['current_trials']:,})" in cells[2].get_text()
            assert ("bottleneck" in row.get("class", [])) == ch["worse"]


def test_data_quality_equals_json(rendered):
    data, soup = rendered
    for src in data["data_quality"]["sources"]:
        row = soup.select_one("#data-quality").find("tr", attrs={"data-source": src["name"]})
        cells = row.find_all("td")
        assert int(cells[1]["data-value"]) == src["rows_read"]
        assert int(cells[2]["data-value"]) == src["rows_rejected"]
        for reason in src["reasons"]:
            assert reason in cells[3].get_text()


def test_page_is_self_contained_and_has_phone_and_print_styles(rendered):
    _, soup = rendered
    assert soup.find("script") is None
    assert soup.find("link") is None and soup.find("img") is None
    assert not [t for t in soup.find_all(True) if t.has_attr("src") or t.has_attr("href")]
    style = soup.find("style").get_text()
    assert "@import" not in style and "url(" not in style
    assert "@media print" in style and re.search(r"@media \(max-width: \d+px\)", style)
    assert soup.find("meta", attrs={"name": "viewport"}) is not None


def test_every_verdict_badge_has_a_symbol_and_a_word(rendered):
    _, soup = rendered
    badges = soup.select(".badge.v-ok, .badge.v-warn, .badge.v-fail")
    assert badges
    for badge in badges:
        assert re.fullmatch(r"[✓!✗▲▼] \w+", badge.get_text()), badge.get_text()


HOSTILE = "<script>alert('x')</script>"


@pytest.fixture
def hostile_config(tmp_path):
    write_csv(tmp_path / "deals.csv", ["Id", "Stage", "Created", "Owner"], [
        ["1", "<b>Stage</b>", "2024-01-02", HOSTILE],
        ["2", "A", "2024-01-03", "Ann & Bob"],
        ["3", "<img src=x onerror=alert(1)>", "2024-01-03", "Ann"],
    ])
    (tmp_path / "audit.yaml").write_text("""
version: 1
title: "</title><script>alert(1)</script>"
sources:
  deals: {path: deals.csv, kind: deals,
          columns: {deal_id: Id, stage: Stage, created_at: Created, manager: Owner}}
funnels:
  - name: "F <i>x</i>"
    source: deals
    stages: [{name: A}, {name: "<b>Stage</b>", match: ["<b>Stage</b>"]}]
    breakdown: [manager]
""", encoding="utf-8")
    return tmp_path / "audit.yaml"


def test_user_data_is_escaped_in_html(cli, hostile_config):
    result = cli("audit", hostile_config, "--format", "html", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    html = result.stdout
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None and soup.find("img") is None
    assert not [b for b in soup.find_all("b") if b.get_text() == "Stage"]
    assert soup.find("i") is None
    assert soup.find("tr", attrs={"data-stage": "<b>Stage</b>"}) is not None
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert soup.find("tr", attrs={"data-segment": HOSTILE}).find("td").get_text() == HOSTILE
    assert soup.find("h1").get_text() == "</title><script>alert(1)</script>"
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # an unmatched stage value
    assert "Ann &amp; Bob" in html


def test_russian_labels_and_number_format(cli):
    result = cli("audit", DEMO, "--format", "html", "--lang", "ru", "--fail-on", "never")
    soup = BeautifulSoup(result.stdout, "html.parser")
    assert soup.find("html")["lang"] == "ru"
    assert "Итог" in soup.select_one("#verdict").get_text()
    row = soup.select("table.stages tbody tr")[1]
    value = float(row.find_all("td")[2]["data-value"])
    assert row.find_all("td")[2].get_text().startswith(f"{value * 100:.1f}%".replace(".", ","))


def test_stage_history_timing_columns_equal_json():
    report = audit(ROOT / "configs" / "templates" / "b2b.yaml", as_of=dt.date(2026, 11, 1))
    data = json.loads(renderer("json")(report, RenderOptions()))
    soup = BeautifulSoup(renderer("html")(report, RenderOptions()), "html.parser")
    funnel = data["funnels"][0]
    rows = soup.find("section", attrs={"data-funnel": funnel["name"]}).select(
        "table.stages tbody tr")
    for row, stage in zip(rows, funnel["stages"], strict=True):
        days, stuck = row.find_all("td")[5:7]
        timing = stage["time_in_stage"]
        assert cell_value(days) == (timing["median_days"] if timing else None)
        assert int(stuck["data-value"]) == stage["stuck"]
        assert stuck.get_text() == f"{stage['stuck']:,} >{stage['max_days']:g}d"
    notes = [p.get_text() for p in soup.select(".history-note")]
    consistency = funnel["consistency"]
    assert any(f"{consistency['inconsistent']} of {consistency['deals']} deals" in n
               for n in notes)


def test_config_language_is_the_default_and_lang_overrides_it(cli, tmp_path):
    write_csv(tmp_path / "deals.csv", ["Id", "Stage", "Created"], [["1", "A", "2024-01-02"]])
    (tmp_path / "audit.yaml").write_text("""
version: 1
language: ru
sources:
  deals: {path: deals.csv, kind: deals, columns: {deal_id: Id, stage: Stage, created_at: Created}}
funnels:
  - {name: F, source: deals, stages: [{name: A}, {name: B}]}
""", encoding="utf-8")
    ru = cli("audit", tmp_path / "audit.yaml", "--format", "markdown", "--fail-on", "never")
    assert "**Итог:" in ru.stdout and "| Этап | Вошло |" in ru.stdout
    en = cli("audit", tmp_path / "audit.yaml", "-f", "markdown", "--lang", "en",
             "--fail-on", "never")
    assert "**Verdict:" in en.stdout
