"""The trend and the time to convert in every renderer and both languages, on the
hand-worked log of test_event_trends (numbers read back, not re-derived)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from funnelctl.audit.pipeline import audit
from funnelctl.render import RenderOptions, renderer
from tests.conftest import write_csv
from tests.test_event_trends import CONFIG, HEADER, ROWS


@pytest.fixture
def report(tmp_path, write):
    write_csv(tmp_path / "events.csv", HEADER, ROWS)
    return audit(write("audit.yaml", CONFIG))


def render(report, fmt: str, lang: str = "en") -> str:
    return renderer(fmt)(report, RenderOptions(lang=lang, width=160))


def test_html_cohort_table_chart_and_histogram(report):
    soup = BeautifulSoup(render(report, "html"), "html.parser")
    rows = soup.select("table.cohorts tbody tr")
    assert [r["data-cohort"] for r in rows] == ["2026-W37", "2026-W38", "2026-W39", "2026-W40"]
    w38 = rows[1].select("td")
    assert w38[1]["data-value"] == "4"
    assert [float(td["data-value"]) for td in w38[2:5]] == [0.5, 1.0, 0.5]
    assert [td["data-status"] for td in w38[2:5]] == ["same"] * 3
    assert rows[3]["class"] == ["incomplete"]
    assert "period not over, window not elapsed" in rows[3].get_text()
    # One chart per step after the first; the incomplete cohort's dot is hollow.
    charts = soup.select("figure.trend-chart")
    assert [c["data-stage"] for c in charts] == ["Cart", "Buy"]
    dots = charts[0].select("circle")
    # W39 has no visit (no conversion: a gap); W40's one visit has not reached the cart.
    assert [d["data-period"] for d in dots] == ["2026-W37", "2026-W38", "2026-W40"]
    assert [d["class"] for d in dots] == [["dot"], ["dot"], ["dot", "incomplete"]]
    # The histogram bars carry the counts of the JSON.
    cart = soup.select('figure.hist[data-stage="Cart"]')[0]
    first = {b["data-bucket"]: int(b["data-value"]) for b in cart.select("rect.first")}
    assert first == {"<1m": 1, "1-10m": 1, "10-60m": 1, "1-6h": 1, "6-24h": 0, "1-3d": 0}
    buy = soup.select('figure.hist[data-stage="Buy"]')[0]
    assert float(buy.select_one('[data-key="median_previous"]')["data-value"]) == 600
    assert [int(b["data-value"]) for b in buy.select("rect.previous")] == [0, 1, 1, 0, 1, 0]
    bars = buy.select("rect.previous")
    assert float(bars[4]["height"]) > 0 and float(bars[0]["height"]) == 0


def test_markdown_tables(report):
    text = render(report, "markdown")
    assert "### Shop · conversion by week" in text
    assert "| 2026-W38 | 4 | 50.0% | 100.0% | 50.0% | – |" in text
    assert "| 2026-W40 | 1 | 0.0% … | – … | 0.0% … | period not over, window not elapsed |" in text
    assert "| Buy | from step 1 | 3 | 30m | 9h42m | 0 | 1 | 1 | 0 | 1 | 0 |" in text
    assert "|  | from the step before | 3 | 10m | 9h38m | 0 | 1 | 1 | 0 | 1 | 0 |" in text


def test_terminal_tables(report):
    text = render(report, "table")
    assert "Shop · conversion by week" in text and "Shop · time to convert" in text
    row = next(line for line in text.splitlines() if "2026-W38" in line)
    assert row.split("│")[1:6] == [" 2026-W38 ", "       4 ", "  50.0% ", " 100.0% ", "   50.0% "]


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_russian(report, fmt):
    text = render(report, fmt, "ru")
    assert "конверсия по неделям" in text and "время до шага" in text
    assert "от шага 1" in text and "окно ещё не истекло" in text
    assert "conversion by" not in text and "from the step before" not in text
