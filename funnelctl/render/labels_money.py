"""The money view's words in English and Russian (merged into labels())."""

from __future__ import annotations

WORDS = {
    "en": {
        "in_money": "in money",
        "deals_col": "Deals",
        "value_entered": "Value entered",
        "value_moved_on": "Moved on",
        "value_lost": "Lost here",
        "value_open": "Open here",
        "lost_deals_col": "Lost deals",
        "won_value_row": "won",
        # A count's sentence has one form per number form ("one|many"; Russian one|few|many).
        "money_revenue": "won revenue {value} from {n} deal|won revenue {value} from {n} deals",
        "money_deal": "average deal {mean} (median {median})",
        "money_open_lost": "open pipeline {open} · lost {lost}",
        "money_unplaced": "{value} of it at an unknown stage",
        "money_no_amount": ("{n} deal without an amount (counted, adds nothing)|"
                            "{n} deals without an amount (counted, add nothing)"),
        "money_converted": "converted into {currency} with money.rates: {items}",
        "money_few": "few won deals ({n} < {min}): average deal and velocity are rough",
        "money_by_value": "most money lost at {stage} ({value}, {share} of the value lost "
                          "at known stages)",
        "money_by_deals": "most deals lost at {stage} ({n})",
        "velocity_line": "sales velocity {value} per day = {open} open × {win_rate} win rate × "
                         "{average} average won / {cycle} d median cycle",
        "velocity_none": "sales velocity: – (needs open deals, a win rate, won amounts and a "
                         "cycle above 0 days)",
        "velocity_rough": "rough: few closed deals",
        "cycle_target_line": "cycle target: median {median} d (good ≤ {good}, acceptable ≤ "
                             "{acceptable}) {verdict} · {share} of won deals ({over} of {won}) "
                             "over {good} d",
        "cycle_target_none": "cycle target: no won deal with a close date",
        "money_segments": "in money",
        "money_managers": "money per manager",
        "won_revenue": "Won revenue",
        "won_deals_col": "Won",
        "avg_deal": "Avg deal",
        "median_deal": "Median deal",
        "open_value": "Open value",
        "lost_value": "Lost value",
        "velocity": "Velocity / day",
        "several_currencies": "amounts in {n} currencies ({items}): shown per currency, never "
                              "added up; segments and managers in money need one currency "
                              "(give money.currency and money.rates)",
        "no_currency": "no currency",
        "loss_reasons": "loss reasons",
        "reason": "Reason",
        "share_of_lost": "Share of lost",
        "value": "Value",
        "lost_at": "Lost at (deals)",
        "empty_reason": "(no reason)",
        "loss_reasons_note": "a count per reason, not a test: a small reason can be chance",
    },
    "ru": {
        "in_money": "в деньгах",
        "deals_col": "Сделки",
        "value_entered": "Вошло",
        "value_moved_on": "Прошло дальше",
        "value_lost": "Потеряно здесь",
        "value_open": "Открыто здесь",
        "lost_deals_col": "Проиграно сделок",
        "won_value_row": "выиграно",
        "money_revenue": ("выручка по выигранным {value} от {n} сделки|"
                          "выручка по выигранным {value} от {n} сделок|"
                          "выручка по выигранным {value} от {n} сделок"),
        "money_deal": "средний чек {mean} (медиана {median})",
        "money_open_lost": "открытые сделки {open} · потеряно {lost}",
        "money_unplaced": "из них {value} на неизвестном этапе",
        "money_no_amount": ("{n} сделка без суммы (считается, но ничего не добавляет)|"
                            "{n} сделки без суммы (считаются, но ничего не добавляют)|"
                            "{n} сделок без суммы (считаются, но ничего не добавляют)"),
        "money_converted": "пересчитано в {currency} по money.rates: {items}",
        "money_few": "мало выигранных сделок ({n} < {min}): средний чек и скорость продаж "
                     "приблизительны",
        "money_by_value": "больше всего денег потеряно на этапе {stage} ({value}, {share} "
                          "потерянного на известных этапах)",
        "money_by_deals": "больше всего сделок потеряно на этапе {stage} ({n})",
        "velocity_line": "|".join(f"скорость продаж {{value}} в день = {{open}} {open_} × "
                                  "{win_rate} доля выигранных × {average} средний выигранный "
                                  "чек / {cycle} дн. медианного цикла"
                                  for open_ in ("открытая", "открытые", "открытых")),
        "velocity_none": "скорость продаж: – (нужны открытые сделки, доля выигранных, суммы "
                         "выигранных и цикл больше 0 дней)",
        "velocity_rough": "приблизительно: мало закрытых сделок",
        "cycle_target_line": "цель по циклу: медиана {median} дн. (хорошо ≤ {good}, "
                             "приемлемо ≤ {acceptable}) {verdict} · {share} выигранных "
                             "сделок ({over} из {won}) дольше {good} дн.",
        "cycle_target_none": "цель по циклу: нет выигранных сделок с датой закрытия",
        "money_segments": "в деньгах",
        "money_managers": "деньги по менеджерам",
        "won_revenue": "Выручка",
        "won_deals_col": "Выиграно",
        "avg_deal": "Средний чек",
        "median_deal": "Медиана чека",
        "open_value": "Открыто",
        "lost_value": "Потеряно",
        "velocity": "Скорость / день",
        "several_currencies": "суммы в {n} валютах ({items}): показаны по валютам и не "
                              "складываются; деньги по сегментам и менеджерам требуют одной "
                              "валюты (задайте money.currency и money.rates)",
        "no_currency": "без валюты",
        "loss_reasons": "причины отказа",
        "reason": "Причина",
        "share_of_lost": "Доля проигранных",
        "value": "Сумма",
        "lost_at": "Где проиграны (сделок)",
        "empty_reason": "(без причины)",
        "loss_reasons_note": "подсчёт по причинам, а не проверка: малая причина может быть "
                             "случайностью",
    },
}
