"""Findings, headings and list notes with a count read right for 1, 2, 5 and 21: English
one|many (1 deal, 21 deals), Russian one|few|many (1 сделка, 2 сделки, 5 сделок, 21
сделка; after «из»: из 1 строки, из 2 строк, из 21 строки). Expected words by hand."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from funnelctl.checks import check_history
from funnelctl.checks_forecast import check_overdue
from funnelctl.checks_money import check_money
from funnelctl.checks_quality import check_source
from funnelctl.plural import plural
from funnelctl.render.fmt import Fmt
from funnelctl.render.forecast_view import snoozed_line
from funnelctl.render.labels import finding_message, labels
from funnelctl.render.money_tables import velocity_line
from funnelctl.render.norms_notes import norms_notes
from funnelctl.render.waterfall_view import WaterfallView
from funnelctl.report import SourceQuality, Velocity
from funnelctl.report_forecast import Snoozed
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


def _overdue(n: int):
    late = SimpleNamespace(deals=n, amounts={"RUB": 900.0},
                           listed=[SimpleNamespace(expected_close="2024-03-01")])
    forecast = SimpleNamespace(overdue=late, as_of="2024-03-10")
    [finding] = check_overdue(SimpleNamespace(forecast=forecast, name="F"))
    return finding


@pytest.mark.parametrize(("n", "english", "russian"), [
    (1, "1 open deal is past its expected close", "1 открытая сделка просрочена"),
    (2, "2 open deals are past their expected close", "2 открытые сделки просрочены"),
    (5, "5 open deals are past their expected close", "5 открытых сделок просрочены"),
    (21, "21 open deals are past their expected close", "21 открытая сделка просрочена")])
def test_the_overdue_deals_finding(n, english, russian):
    finding = _overdue(n)
    them = "it" if n == 1 else "them"
    ru_them = "её" if n in (1, 21) else "их"
    assert finding.message == (f"{english} as of 2024-03-10 (value 900 RUB, the oldest "
                               f"expected 2024-03-01): close {them}, or move the date")
    assert finding_message(finding, "ru", Fmt("ru")) == (
        f"{russian}: ожидаемая дата закрытия раньше 2024-03-10 (сумма 900 RUB, самая ранняя "
        f"дата 2024-03-01): закройте {ru_them} или перенесите дату")


def _cycle(over: int, won: int, good: float):
    target = SimpleNamespace(verdict="warn", median=13.5, good=good, acceptable=20.0,
                             over_good=over, won_deals=won, over_good_share=over / won)
    [finding] = check_money(SimpleNamespace(cycle_target=target, money=None,
                                            value_bottleneck=None), SimpleNamespace(name="F"))
    return finding


@pytest.mark.parametrize(("over", "won", "good", "english", "russian"), [
    (1, 1, 12.0, "1 of 1 won deal (100%) took longer than 12 days",
     "1 из 1 выигранной сделки (100,0%) шла дольше 12 дн."),
    (1, 2, 1.0, "1 of 2 won deals (50%) took longer than 1 day",
     "1 из 2 выигранных сделок (50,0%) шла дольше 1 дн."),
    (2, 5, 1.5, "2 of 5 won deals (40%) took longer than 1.5 days",
     "2 из 5 выигранных сделок (40,0%) шли дольше 1,5 дн."),
    (5, 21, 12.0, "5 of 21 won deals (24%) took longer than 12 days",
     "5 из 21 выигранной сделки (23,8%) шли дольше 12 дн.")])
def test_the_cycle_time_finding(over, won, good, english, russian):
    finding = _cycle(over, won, good)
    assert finding.message.endswith("; " + english)
    assert finding_message(finding, "ru", Fmt("ru")).endswith("; " + russian)


def test_the_stuck_finding_of_a_one_day_limit():
    stage = SimpleNamespace(name="B", stuck=2, max_days=1.0, stuck_oldest_days=3.0)
    [finding] = check_history(SimpleNamespace(consistency=None, stages=[stage]),
                              SimpleNamespace(name="F"))
    assert finding.message == "2 open deals have sat in 'B' for more than 1 day (longest 3.0 d)"


@pytest.mark.parametrize(("n", "lang", "text"), [
    (1, "en", "snoozed (s.csv): 1 deal until a later date (1 of them would be stuck, 1 "
              "overdue); 1 snooze ended; 1 id is no deal of this funnel"),
    (2, "en", "snoozed (s.csv): 2 deals until a later date (2 of them would be stuck, 2 "
              "overdue); 2 snoozes ended; 2 ids are no deal of this funnel"),
    (1, "ru", "отложены (s.csv): 1 сделка до более поздней даты (из них 1 зависла бы, 1 "
              "просрочена); у 1 срок отсрочки прошёл; 1 id не является сделкой этой воронки"),
    (2, "ru", "отложены (s.csv): 2 сделки до более поздней даты (из них 2 зависли бы, 2 "
              "просрочены); у 2 срок отсрочки прошёл; 2 id не являются сделками этой "
              "воронки"),
    (5, "ru", "отложены (s.csv): 5 сделок до более поздней даты (из них 5 зависли бы, 5 "
              "просрочены); у 5 срок отсрочки прошёл; 5 id не являются сделками этой "
              "воронки"),
    (21, "ru", "отложены (s.csv): 21 сделка до более поздней даты (из них 21 зависла бы, 21 "
               "просрочена); у 21 срок отсрочки прошёл; 21 id не является сделкой этой "
               "воронки")])
def test_the_snoozed_line(n, lang, text):
    snoozed = Snoozed(path="s.csv", active=n, expired=n, unknown=n, hidden_stuck=n,
                      hidden_overdue=n)
    assert snoozed_line(SimpleNamespace(snoozed=snoozed), labels(lang), Fmt(lang)) == text


@pytest.mark.parametrize(("n", "lang", "fragment"), [
    (1, "en", "= 1 open × 50.0% win rate"), (2, "en", "= 2 open × 50.0% win rate"),
    (1, "ru", "= 1 открытая × 50,0% доля выигранных"),
    (2, "ru", "= 2 открытые × 50,0% доля выигранных"),
    (5, "ru", "= 5 открытых × 50,0% доля выигранных"),
    (21, "ru", "= 21 открытая × 50,0% доля выигранных")])
def test_the_velocity_line(n, lang, fragment):
    v = Velocity(open_deals=n, win_rate=0.5, average_won=100.0, cycle_days=10.0,
                 per_day=5.0 * n)
    assert fragment in velocity_line(v, None, labels(lang), Fmt(lang))


@pytest.mark.parametrize(("items", "left_out", "lang", "text"), [
    (1, 1, "en", "1 of 2 deals shown (the largest first)"),
    (1, 1, "ru", "показано 1 из 2 сделок (сначала крупные)"),
    (1, 4, "ru", "показано 1 из 5 сделок (сначала крупные)"),
    (1, 20, "ru", "показано 1 из 21 сделки (сначала крупные)"),
    (2, 9, "ru", "показано 2 из 11 сделок (сначала крупные)")])
def test_the_waterfall_shown_note(items, left_out, lang, text):
    bucket = SimpleNamespace(items=[object()] * items, items_left_out=left_out)
    assert WaterfallView(SimpleNamespace(), lang).shown(bucket) == text


@pytest.mark.parametrize(("n", "unpriced", "changed"), [
    (1, "1 deal of the waterfall has no amount at one date or both: it counts, valued 0",
     "1 deal closed at both dates changed outcome (won <-> lost): outside the open pipeline, "
     "not in the buckets"),
    (3, "3 deals of the waterfall have no amount at one date or both: they count, valued 0",
     "3 deals closed at both dates changed outcome (won <-> lost): outside the open "
     "pipeline, not in the buckets")])
def test_the_waterfall_json_notes(n, unpriced, changed):
    from funnelctl.metrics.waterfall import OUTCOME_CHANGED, UNPRICED

    assert plural(n, UNPRICED).format(n=n) == unpriced
    assert plural(n, OUTCOME_CHANGED).format(n=n) == changed


@pytest.mark.parametrize(("holidays", "text"), [
    (1, "Production calendar RU: 1 holiday or day off in the period"),
    (2, "Production calendar RU: 2 holidays and days off in the period")])
def test_the_production_calendar_note(holidays, text):
    calendar = SimpleNamespace(country="RU", working_dates=[],
                               holidays={f"2024-01-0{i + 1}": "H" for i in range(holidays)})
    norms = SimpleNamespace(calendar=calendar, teams=[], managers=[], working_days=20,
                            not_in_period=[], outside_dates={}, ignored_rows={},
                            min_call_seconds={}, names=None)
    note = next(n for n in norms_notes(norms, labels("en"), Fmt("en")) if n.key == "calendar")
    assert note.label == text
