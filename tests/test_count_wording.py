"""Notes and captions with a count read right for every number: English one|many (1 deal,
2 deals), Russian one|few|many (1 и 21 сделка, 2-4 и 22 сделки, 0, 5-20 и 25 сделок).
Expected words written by hand."""

from __future__ import annotations

import pytest

from funnelctl.audit.cohort import NO_LOSS_STAGE, NO_STAGE_BEFORE_LOSS
from funnelctl.io.deals import product_note
from funnelctl.io.history import DUPLICATE_ENTRIES, EDIT_ROWS, UNREADABLE
from funnelctl.metrics.plan import UNPRICED_WON
from funnelctl.plural import counted, plural
from funnelctl.render.labels_ru import note_text
from tests.test_semantics import deals_config, rendered

RU_DEALS = "сделка|сделки|сделок"


@pytest.mark.parametrize(("n", "word"), [
    (0, "сделок"), (1, "сделка"), (2, "сделки"), (4, "сделки"), (5, "сделок"), (11, "сделок"),
    (12, "сделок"), (14, "сделок"), (21, "сделка"), (22, "сделки"), (111, "сделок"),
    (101, "сделка"), (1004, "сделки")])
def test_russian_forms(n, word):
    assert plural(n, RU_DEALS) == word


@pytest.mark.parametrize(("n", "word"), [(0, "deals"), (1, "deal"), (2, "deals"), (21, "deals")])
def test_english_forms(n, word):
    assert plural(n, "deal|deals") == word
    assert plural(n, ("deal", "deals")) == word


def test_one_form_reads_for_any_number():
    assert plural(1, "строк: {n}") == plural(5, "строк: {n}") == "строк: {n}"


@pytest.mark.parametrize(("n", "english", "russian"), [
    (1, "1 won deal closed in the plan's periods has no amount: won and attainment leave it out",
     "1 выигранная сделка, закрытая в периодах плана, без суммы: «выиграно» и выполнение её "
     "не учитывают"),
    (3, "3 won deals closed in the plan's periods have no amount: won and attainment leave "
        "them out",
     "3 выигранные сделки, закрытые в периодах плана, без суммы: «выиграно» и выполнение их "
     "не учитывают"),
    (1005, "1,005 won deals closed in the plan's periods have no amount: won and attainment "
           "leave them out",
     "1,005 выигранных сделок, закрытых в периодах плана, без суммы: «выиграно» и выполнение "
     "их не учитывают"),
])
def test_the_plan_note(n, english, russian):
    assert counted(n, UNPRICED_WON) == english
    assert note_text(english, "ru") == russian


@pytest.mark.parametrize(("n", "english", "russian"), [
    (1, "F: 1 lost deal has no known loss stage (left out of the stage conversions; map "
        "lost_stage or a status column, or give the funnel a stage_history: source, to fix)",
     "F: у 1 проигранной сделки этап проигрыша неизвестен (она не входит в конверсии этапов; "
     "сопоставьте lost_stage или столбец статуса либо дайте воронке источник stage_history:)"),
    (2, "F: 2 lost deals have no known loss stage (left out of the stage conversions; map "
        "lost_stage or a status column, or give the funnel a stage_history: source, to fix)",
     "F: у 2 проигранных сделок этап проигрыша неизвестен (они не входят в конверсии этапов; "
     "сопоставьте lost_stage или столбец статуса либо дайте воронке источник stage_history:)"),
])
def test_the_unknown_loss_stage_note(n, english, russian):
    assert plural(n, NO_LOSS_STAGE).format(f="F", n=n) == english
    assert note_text(english, "ru") == russian


@pytest.mark.parametrize(("n", "english", "russian"), [
    (1, "F: 1 lost deal entered no funnel stage before the loss (left out of the stage "
        "conversions)",
     "F: 1 проигранная сделка не вошла ни в один этап воронки до проигрыша (не входит в "
     "конверсии этапов)"),
    (2, "F: 2 lost deals entered no funnel stage before the loss (left out of the stage "
        "conversions)",
     "F: 2 проигранные сделки не вошли ни в один этап воронки до проигрыша (не входят в "
     "конверсии этапов)"),
    (5, "F: 5 lost deals entered no funnel stage before the loss (left out of the stage "
        "conversions)",
     "F: 5 проигранных сделок не вошли ни в один этап воронки до проигрыша (не входят в "
     "конверсии этапов)"),
])
def test_the_history_loss_note(n, english, russian):
    assert plural(n, NO_STAGE_BEFORE_LOSS).format(f="F", n=n) == english
    assert note_text(english, "ru") == russian


@pytest.mark.parametrize(("n", "english", "russian"), [
    (1, "1 row has 'From Stage' = 'To Stage' (an amount or date edit, not a stage move): not "
        "counted as an entry",
     "в 1 строке 'From Stage' = 'To Stage' (правка суммы или даты, а не смена этапа): не "
     "считается входом в этап"),
    (3, "3 rows have 'From Stage' = 'To Stage' (amount or date edits, not stage moves): not "
        "counted as entries",
     "в 3 строках 'From Stage' = 'To Stage' (правки суммы или даты, а не смена этапа): не "
     "считаются входами в этап"),
])
def test_the_edit_rows_note(n, english, russian):
    assert plural(n, EDIT_ROWS).format(n=n, before="From Stage", after="To Stage") == english
    assert note_text(english, "ru") == russian


@pytest.mark.parametrize(("n", "english", "russian"), [
    (1, "1 duplicate stage entry (same deal, stage and time) counted once",
     "1 повторный вход в этап (та же сделка, этап и время) учтён один раз"),
    (2, "2 duplicate stage entries (same deal, stage and time) counted once",
     "2 повторных входа в этап (та же сделка, этап и время) учтены один раз"),
    (7, "7 duplicate stage entries (same deal, stage and time) counted once",
     "7 повторных входов в этап (та же сделка, этап и время) учтены один раз"),
])
def test_the_duplicate_entries_note(n, english, russian):
    assert plural(n, DUPLICATE_ENTRIES).format(n=n) == english
    assert note_text(english, "ru") == russian


def test_the_product_rows_note_of_one_deal():
    assert product_note(3, 1) == "3 product rows of 1 deal read as one deal"
    assert product_note(5, 2) == "5 product rows of 2 deals read as one deal each"
    assert note_text(product_note(3, 1), "ru") == ("строки товаров прочитаны как одна сделка "
                                                   "каждая: строк 3, сделок 1")


def test_the_join_note_of_ones():
    english = ("joined c.csv by 'id': 1 of 1 row matched; 1 without a match keeps empty joined "
               "columns (of them 1 has no key); 1 key of c.csv matches no row (not used); "
               "1 row of c.csv repeats an earlier key (the first is used)")
    assert note_text(english, "ru") == (
        "присоединён c.csv по 'id': совпало строк: 1 из 1; у 1 без совпадения присоединённые "
        "столбцы пусты (из них без ключа: 1); ключей c.csv без строки: 1 (не используются); "
        "повторяют прежний ключ строк: 1 (берётся первая)")


@pytest.mark.parametrize(("fmt", "lang", "sentence"), [
    *((fmt, "en", "1 lost deal has no known loss stage: it is left out of the stage counts and "
                  "conversions (still in the deals, lost and win rate)")
      for fmt in ("table", "markdown", "html")),
    ("html", "ru", "У 1 проигранной сделки этап проигрыша неизвестен: она не входит в число "
                   "сделок по этапам и в конверсии (но входит в число сделок, проигранных и "
                   "процент выигрыша)"),
])
def test_the_caption_of_one_lost_deal_of_unknown_stage(cli, tmp_path, fmt, lang, sentence):
    # Deal 3 is lost and nothing says where; 1 reached A (open), 2 won.
    config = deals_config(tmp_path, [("1", "A", "2024-03-01", ""),
                                     ("2", "W", "2024-03-01", "2024-03-09"),
                                     ("3", "L", "2024-03-01", "2024-03-05")])
    assert sentence in rendered(cli, config, fmt, lang)


def test_the_value_problem_line_of_one_row(cli, tmp_path):
    config = deals_config(tmp_path, [("1", "A", "2024-03-01", "", "abc"),
                                     ("2", "W", "2024-03-01", "2024-03-09", "10")],
                          header=("id", "stage", "created", "closed", "amount"),
                          extra=", amount: amount")
    text = rendered(cli, config, "markdown")
    assert "amount does not parse: 1 row (the deal kept, the value left out); e.g. line 2" \
        in text


@pytest.mark.parametrize(("n", "english", "russian"), [
    (1, "1 expected_close value could not be read: the waterfall, the money view, the forecast "
        "and the plan take its deal's last readable expected_close",
     "1 значение expected_close не прочитано: в движении воронки, деньгах, прогнозе и плане у "
     "сделки берётся последнее прочитанное expected_close"),
    (3, "3 amount values could not be read: the waterfall, the money view, the forecast and "
        "the plan take each deal's last readable amount",
     "3 значения amount не прочитаны: в движении воронки, деньгах, прогнозе и плане у каждой "
     "сделки берётся последнее прочитанное amount"),
    (5, "5 amount values could not be read: the waterfall, the money view, the forecast and "
        "the plan take each deal's last readable amount",
     "5 значений amount не прочитаны: в движении воронки, деньгах, прогнозе и плане у каждой "
     "сделки берётся последнее прочитанное amount"),
])
def test_the_unreadable_history_values_note(n, english, russian):
    what = english.split()[1]
    assert plural(n, UNREADABLE).format(n=n, what=what) == english
    assert note_text(english, "ru") == russian


def test_the_money_lines_of_one_deal(cli, tmp_path):
    # Deal 2 is won at 10 (the one won deal); deal 1 is open without an amount.
    config = deals_config(tmp_path, [("1", "A", "2024-03-01", "", ""),
                                     ("2", "W", "2024-03-01", "2024-03-09", "10")],
                          header=("id", "stage", "created", "closed", "amount"),
                          extra=", amount: amount")
    en, ru = rendered(cli, config, "markdown"), rendered(cli, config, "markdown", "ru")
    assert "from 1 deal" in en and "from 1 deals" not in en
    assert "1 deal without an amount (counted, adds nothing)" in en
    assert "от 1 сделки" in ru
    assert "1 сделка без суммы (считается, но ничего не добавляет)" in ru


@pytest.mark.parametrize(("key", "n", "lang", "text"), [
    ("fc_without_amount", 1, "en", "1 open deal has no amount: counted, not summed"),
    ("fc_without_amount", 21, "ru", "у 21 открытой сделки нет суммы: она посчитана, но не "
                                    "сложена"),
    ("fc_without_amount", 3, "ru", "у 3 открытых сделок нет суммы: они посчитаны, но не "
                                   "сложены"),
    ("fc_learned", 1, "ru", "5 дн., по 1 сделке (80-й процентиль)"),
    ("fc_learned", 2, "en", "5 d, learned from 2 deals (80th percentile)"),
    ("fc_overdue_title", 1, "en", "F: 1 open deal past its expected close (9)"),
    ("fc_overdue_title", 2, "ru", "F: 2 открытые сделки с прошедшей датой закрытия, сначала "
                                  "самые старые (9)"),
])
def test_the_forecast_counts(key, n, lang, text):
    from funnelctl.render.labels_forecast import FORECAST_EN as EN
    from funnelctl.render.labels_forecast import FORECAST_RU as RU

    words = {"en": EN, "ru": RU}[lang]
    assert plural(n, words[key]).format(n=n, days=5, funnel="F", value=9) == text


@pytest.mark.parametrize(("key", "n", "lang", "text"), [
    ("unpriced", 1, "en", "1 deal of the waterfall has no amount at one date or both: it "
                          "counts, valued 0"),
    ("unpriced", 5, "ru", "5 сделок без суммы на одну из дат: считаются, сумма 0"),
    ("outcome_changed", 1, "ru", "1 сделка, закрытая на обе даты, сменила исход (выиграна ↔ "
                                 "проиграна): вне открытой воронки, ни в одном показателе"),
    ("outcome_changed", 2, "en", "2 deals closed at both dates changed outcome (won ↔ lost): "
                                 "outside the open pipeline, in no bucket"),
])
def test_the_waterfall_counts(key, n, lang, text):
    from funnelctl.render.waterfall_view import WORDS

    assert plural(n, WORDS[lang][key]).format(n=n) == text
