"""Findings, headings and list notes with a count read right for 1, 2, 5 and 21: English
one|many (1 deal, 21 deals), Russian one|few|many (1 сделка, 2 сделки, 5 сделок, 21
сделка; after «из»: из 1 строки, из 2 строк, из 21 строки). Expected words by hand."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from funnelctl.checks import check_history
from funnelctl.checks_quality import check_source
from funnelctl.plural import plural
from funnelctl.render.fmt import Fmt
from funnelctl.render.labels import finding_message, labels
from funnelctl.report import SourceQuality
from tests.test_semantics import deals_config, rendered


@pytest.mark.parametrize(("n", "english", "russian"), [
    (1, "1 deal", "1 сделка"), (2, "2 deals", "2 сделки"), (5, "5 deals", "5 сделок"),
    (21, "21 deals", "21 сделка")])
@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_the_funnels_deal_count(cli, tmp_path, fmt, n, english, russian):
    # n open deals at stage A: the funnel's heading counts n deals.
    config = deals_config(tmp_path, [(str(i), "A", "2024-03-01", "") for i in range(n)])
    en, ru = rendered(cli, config, fmt), rendered(cli, config, fmt, "ru")
    assert english in en and (n != 1 or "1 deals" not in en)
    assert russian in ru


def _rejected(count: int, rows: int):
    quality = SourceQuality(name="d", path="d.csv", rows_read=rows, rows_rejected=count,
                            reasons={"unparseable created_at": count})
    [finding] = check_source(quality)
    return finding


@pytest.mark.parametrize(("count", "rows", "english", "russian"), [
    (1, 1, "1 of 1 row unreadable", "1 из 1 строки не прочитана"),
    (2, 2, "2 of 2 rows unreadable", "2 из 2 строк не прочитаны"),
    (5, 5, "5 of 5 rows unreadable", "5 из 5 строк не прочитаны"),
    (1, 21, "1 of 21 rows unreadable", "1 из 21 строки не прочитана"),
    (21, 21, "21 of 21 rows unreadable", "21 из 21 строки не прочитана"),
    (2, 5, "2 of 5 rows unreadable", "2 из 5 строк не прочитаны")])
def test_the_unreadable_rows_finding(count, rows, english, russian):
    finding = _rejected(count, rows)
    assert finding.message.startswith(english + " (")
    assert finding_message(finding, "ru", Fmt("ru")).startswith(russian + " (")


def _stuck(n: int):
    stage = SimpleNamespace(name="B", stuck=n, max_days=7.0, stuck_oldest_days=9.0)
    [finding] = check_history(SimpleNamespace(consistency=None, stages=[stage]),
                              SimpleNamespace(name="F"))
    return finding


@pytest.mark.parametrize(("n", "english", "russian"), [
    (1, "1 open deal has sat in 'B'", "1 открытая сделка находится в «B»"),
    (2, "2 open deals have sat in 'B'", "2 открытые сделки находятся в «B»"),
    (5, "5 open deals have sat in 'B'", "5 открытых сделок находятся в «B»"),
    (21, "21 open deals have sat in 'B'", "21 открытая сделка находится в «B»")])
def test_the_stuck_deals_finding(n, english, russian):
    finding = _stuck(n)
    assert finding.message == f"{english} for more than 7 days (longest 9.0 d)"
    assert finding_message(finding, "ru", Fmt("ru")) == \
        f"{russian} дольше 7 дн. (дольше всех 9,0 дн.)"


@pytest.mark.parametrize(("n", "lang", "text"), [
    (1, "en", "… 1 more deal (the JSON report lists up to 50 per list)"),
    (2, "en", "… 2 more deals (the JSON report lists up to 50 per list)"),
    (1, "ru", "… ещё 1 сделка (в JSON-отчёте до 50 в каждом списке)"),
    (2, "ru", "… ещё 2 сделки (в JSON-отчёте до 50 в каждом списке)"),
    (5, "ru", "… ещё 5 сделок (в JSON-отчёте до 50 в каждом списке)"),
    (21, "ru", "… ещё 21 сделка (в JSON-отчёте до 50 в каждом списке)")])
def test_the_more_deals_note(n, lang, text):
    assert plural(n, labels(lang)["fc_more"]).format(n=n, limit=50) == text


@pytest.mark.parametrize(("n", "text"), [
    (13, "последние 12 из 13 когорт (в JSON и HTML все)"),
    (21, "последние 12 из 21 когорты (в JSON и HTML все)"),
    (22, "последние 12 из 22 когорт (в JSON и HTML все)"),
    (25, "последние 12 из 25 когорт (в JSON и HTML все)")])
def test_the_cohorts_shown_note(n, text):
    assert plural(n, labels("ru")["trend_shown"]).format(shown=12, n=n) == text


@pytest.mark.parametrize(("n", "lang", "text"), [
    (1, "en", "other (1 segment)"), (2, "en", "other (2 segments)"),
    (1, "en", "… and 1 more finding in the report"),
    (21, "en", "… and 21 more findings in the report")])
def test_other_counts_in_english(n, lang, text):
    t = labels(lang)
    key = "other_segments" if text.startswith("other") else "notify_more"
    assert plural(n, t[key]).format(n=n) == text


@pytest.mark.parametrize(("key", "n", "lang", "fragment"), [
    ("fc_basis_data", 1, "en", "1 won of 1 closed deal that reached it"),
    ("fc_basis_data", 21, "ru", "выиграно 1 из 21 закрытой сделки, дошедшей до этапа"),
    ("fc_basis_data", 5, "ru", "выиграно 1 из 5 закрытых сделок, дошедших до этапа"),
    ("fc_plan_title", 1, "en", "(0 of 1 working day left)"),
    ("fc_plan_title", 21, "ru", "(осталось 0 из 21 рабочего дня)"),
    ("fc_plan_title", 2, "ru", "(осталось 0 из 2 рабочих дней)"),
    ("trend_note", 1, "en", "over the trend's 1 test, is below"),
    ("trend_note", 2, "ru", "на 2 теста тренда"),
    ("trend_note", 5, "ru", "на 5 тестов тренда"),
    ("trend_note", 21, "ru", "на 21 тест тренда"),
    ("pushes", 1, "en", "; 1 push in the period")])
def test_more_counts_with_a_noun(key, n, lang, fragment):
    from funnelctl.render.waterfall_view import WORDS

    t = {**labels(lang), **WORDS[lang]}
    values = {"n": n, "won": 1, "closed": n, "left": 0, "days": n, "funnel": "F", "span": "S",
              "as_of": "D", "period": "P", "zone": "Z", "correction": "C", "alpha": "A"}
    assert fragment in plural(n, t[key]).format(**values)


@pytest.mark.parametrize(("n", "text"), [(1, "1 recorded run in h.jsonl"),
                                          (2, "2 recorded runs in h.jsonl")])
def test_the_run_history_count(n, text):
    assert plural(n, labels("en")["history_runs"]).format(n=n, file="h.jsonl") == text
