"""The norms sections of the HTML and Markdown reports.

Norms are built on branch `norms`; until that lands here, the NormsResult below is a
stand-in with the same field names (DayGrade, WeekGrade, ManagerNorms, NormsTotals,
NormsResult of that branch's report.py). The renderers only read those attributes.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace as NS

import pytest
from bs4 import BeautifulSoup

from funnelctl.render import RenderOptions, renderer
from funnelctl.report import DataQuality, Period, Report
from tests.test_render_markdown import tables

MON, TUE, WED, SAT = (dt.date(2026, 10, d) for d in (5, 6, 7, 10))
HOSTILE = "<script>alert(1)</script>"


def day(date, calls, meetings, grade):
    return NS(date=date, calls=calls, meetings=meetings, grade=grade)


@pytest.fixture
def report():
    ann = NS(manager="Ann", good_days=1, acceptable_days=1, below_days=1, calls=80,
             meetings=4, verdict="fail", below_share=1 / 3, empty_days=1, working_days=3,
             team=None,
             days=[day(MON, 50, 0, "good"), day(TUE, 25, 0, "acceptable"),
                   day(WED, 0, 0, "below"), day(SAT, 5, 4, None)],  # Saturday: not graded
             weeks=[NS(week="2026-W41", start=MON, meetings=4, grade=None)])
    bob = NS(manager=HOSTILE, good_days=3, acceptable_days=0, below_days=0, calls=0,
             meetings=9, verdict="ok", below_share=0.0, empty_days=0, working_days=3,
             team=None,
             days=[day(MON, 0, 3, "good"), day(TUE, 0, 3, "good"), day(WED, 0, 3, "good")],
             weeks=[NS(week="2026-W41", start=MON, meetings=9, grade="good")])
    norms = NS(source="calls", start=MON, end=WED, working_days=3, managers=[ann, bob],
               totals=NS(good_days=4, acceptable_days=1, below_days=1, empty_days=1, calls=80,
                         meetings=13),
               unlisted_managers={"Intern": 7}, teams=[], calendar=None, not_in_period=[],
               outside_dates={}, ignored_rows={}, min_call_seconds={}, short_calls=0,
               names=None)
    return Report(tool_version="0", generated_at=dt.datetime(2026, 10, 8, 6, 30),
                  title="Norms", period=Period(MON, WED), verdict="fail", findings=[],
                  funnels=[], norms=norms, data_quality=DataQuality())


def test_html_calendar_has_a_cell_per_manager_and_working_day(report):
    soup = BeautifulSoup(renderer("html")(report, RenderOptions()), "html.parser")
    rows = soup.select("#norms table.calendar tbody tr")
    assert [r["data-manager"] for r in rows] == ["Ann", HOSTILE]
    ann = [(td["data-date"], td["data-grade"], td.get_text())
           for td in rows[0].select("td[data-date]")]
    # Saturday had activity but is no working day: no column for it.
    assert ann == [("2026-10-05", "good", "●"), ("2026-10-06", "acceptable", "◐"),
                   ("2026-10-07", "below", "○")]
    assert len(soup.select("#norms table.calendar thead th")) == 1 + 3


def test_html_manager_table_and_weeks(report):
    soup = BeautifulSoup(renderer("html")(report, RenderOptions()), "html.parser")
    ann = soup.select_one("#norms table.norms tr[data-manager='Ann']").find_all("td")
    assert [int(td["data-value"]) for td in ann[1:7]] == [1, 1, 1, 1, 80, 4]
    assert "33%" in ann[3].get_text()
    assert "FAIL" in ann[7].get_text() and "✗" in ann[7].get_text()
    totals = soup.select("#norms table.norms tfoot td[data-value]")
    assert [int(td["data-value"]) for td in totals] == [4, 1, 1, 1, 80, 13]
    weeks = soup.select("#norms table.weeks td[data-week]")
    assert [(td["data-value"], td["data-grade"]) for td in weeks] == [("4", ""), ("9", "good")]
    assert "Intern (7)" in soup.select_one("#norms").get_text()


def test_html_escapes_manager_names_in_norms(report):
    html = renderer("html")(report, RenderOptions())
    assert "<script>" not in html
    assert BeautifulSoup(html, "html.parser").find("script") is None


def test_markdown_norms_table_and_day_strip(report):
    md = renderer("markdown")(report, RenderOptions())
    assert "<script>" not in md
    rows = next(t for t in tables(md) if t[0][0] == "Manager" and t[0][1] == "Good days")
    assert rows[1] == ["Ann", "1", "1", "1 (33%)", "1", "80", "4", "❌ FAIL", "●◐○"]
    assert rows[2][0] == HOSTILE and rows[2][-1] == "●●●"
    assert rows[3][1:7] == ["4", "1", "1", "1", "80", "13"]
    weeks = next(t for t in tables(md) if t[0][1:] == ["Week 10-05"])
    assert weeks[1] == ["Ann", "4 ·"] and weeks[2] == [HOSTILE, "9 ●"]


def test_russian_norms_labels(report):
    soup = BeautifulSoup(renderer("html")(report, RenderOptions(lang="ru")), "html.parser")
    assert "Нормы активности менеджеров" in soup.select_one("#norms h2").get_text()
    assert [th.get_text()[:2] for th in soup.select("#norms table.calendar thead th")[1:]] == [
        "Пн", "Вт", "Ср"]
