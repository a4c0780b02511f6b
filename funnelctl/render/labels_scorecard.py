"""The manager scorecard's words in English and Russian (merged into labels())."""

from __future__ import annotations

WORDS = {
    "en": {
        "sc_day_unit": "d",
        "sc_title": "Manager scorecard: activity",
        "sc_stages_title": ("{funnel} · stages per manager (entered, conversion from the "
                            "previous stage)"),
        "sc_kpi_title": "The five classic steps per manager",
        "sc_manager": "Manager",
        "sc_days": "Good / acc. / below days",
        "sc_shares": "Share of days",
        "sc_outcome_title": "{funnel} · outcome per manager (deals created in the same period)",
        "sc_calls_day": "Calls / day",
        "sc_meetings_day": "Meetings / day",
        "sc_weeks": "Weeks (exc./good/below)",
        "sc_deals": "Deals",
        "sc_win_rate": "Win rate",
        "sc_revenue": "Won revenue",
        "sc_average": "Average deal",
        "sc_cycle": "Median cycle",
        "sc_velocity": "Velocity / day",
        "sc_stuck": "Stuck",
        "sc_overdue": "Overdue",
        "kpi_new_clients": "New clients",
        "kpi_first_meetings": "First meetings",
        "kpi_presentations": "Presentations",
        "kpi_deals_closed": "Deals closed",
        "kpi_sales_volume": "Sales volume",
        "sc_kpi_is_new_clients": "new clients: deals created",
        "sc_kpi_is_first_meetings": "first meetings: deals that entered {stage}",
        "sc_kpi_is_presentations": "presentations: deals that entered {stage}",
        "sc_kpi_is_deals_closed": "deals closed: won deals",
        "sc_kpi_is_sales_volume": "sales volume: won revenue",
        "sc_kpi_no_managers": "{funnel}: no manager column, not known",
        "sc_no_stage": "no such stage",
        "sc_rough": "few closed deals: rough",
        "sc_unmatched": "deal managers matched to no graded manager (left out of the cards)",
        "sc_ambiguous": "deal managers that fit several graded managers (left out)",
        "sc_unassigned": "deals with no manager or a system user: {n}",
        "sc_corr_title": ("Activity against next week's stage advances and wins (Spearman, "
                          "per manager-week)"),
        "sc_pair": "{activity} → {outcome}",
        "sc_out_advances_next_week": "advances next week",
        "sc_out_wins_next_week": "wins next week",
        "sc_weeks_title": ("Manager-weeks: activity, and the stage advances and wins of the "
                           "week after"),
        "sc_week": "Week",
        "sc_col_meetings": "Meetings", "sc_col_calls": "Calls", "sc_col_good_days": "Good days",
        "sc_advances_next": "Advances next week",
        "sc_wins_next": "Wins next week",
        "sc_advances_note": "stage advances (a deal moving on to a later stage than any it "
                            "had entered): {funnels}",
        "sc_basis_item": "{funnel} from {basis}",
        "sc_weeks_unfinished": ("not in the manager-weeks: {weeks} (the week after ends "
                                "after {end}: its advances and wins are not known yet, "
                                "they are not 0)"),
        "sc_basis_stage_history": "its stage history (every move on)",
        "sc_basis_date_entered": ("the snapshot's \"Date entered\" columns (one per dated "
                                  "stage after the first)"),
        "sc_basis_stage_changed_at": ("the snapshot's stage_changed_at (one per open deal "
                                      "past the first stage, the week it entered its current "
                                      "stage; earlier moves are not in a snapshot)"),
        "sc_basis_none": "nothing (no stage history, Date entered or stage_changed_at column)",
        "sc_new_no_stage": "{n} ({k} no stage)",
        "sc_no_stage_note": ("new clients \"N (K no stage)\": N deals created, K of them lost "
                             "with no known stage, so not in the first stage's count"),
        "sc_corr_line": "{activity}: rho {rho}, 95% CI {low} to {high}, {p}, "
                        "n = {n} of {managers_n}",
        "sc_forms_weeks": "manager-week|manager-weeks",
        "sc_forms_managers": "manager|managers",
        "sc_forms_tests": "test|tests",
        "sc_corr_few": "with {managers_n} this cannot show a relation "
                       "(a team-wide relation needs at least {min})",
        "sc_corr_spans": "the interval spans 0: no relation shown",
        "sc_corr_adjusted": ("{p} adjusted for {tests} ({correction}): no relation shown"),
        "sc_corr_shown": "a relation across {managers_n} ({p} adjusted for {tests}; weeks of "
                         "one manager are not independent: read it as a hint)",
        "sc_corr_none": "{activity}: not enough manager-weeks (or no variation) to rank",
        "sc_act_meetings": "meetings", "sc_act_calls": "calls", "sc_act_good_days": "good days",
        "sc_same_period": "deals created {period}, the dates the activity is graded over",
    },
    "ru": {
        "sc_day_unit": "дн.",
        "sc_title": "Карточка менеджера: активность",
        "sc_stages_title": "{funnel} · этапы по менеджерам (вошло, конверсия из предыдущего этапа)",
        "sc_kpi_title": "Пять классических шагов по менеджерам",
        "sc_manager": "Менеджер",
        "sc_days": "Хор. / доп. / ниже дней",
        "sc_shares": "Доли дней",
        "sc_outcome_title": ("{funnel} · результат по менеджерам (сделки, созданные за тот "
                             "же период)"),
        "sc_calls_day": "Звонков в день",
        "sc_meetings_day": "Встреч в день",
        "sc_weeks": "Недели (отл./хор./ниже)",
        "sc_deals": "Сделок",
        "sc_win_rate": "Доля выигранных",
        "sc_revenue": "Выручка",
        "sc_average": "Средняя сделка",
        "sc_cycle": "Медиана цикла",
        "sc_velocity": "Скорость в день",
        "sc_stuck": "Зависли",
        "sc_overdue": "Просрочены",
        "kpi_new_clients": "Новые клиенты",
        "kpi_first_meetings": "Первые встречи",
        "kpi_presentations": "Презентации",
        "kpi_deals_closed": "Закрытые сделки",
        "kpi_sales_volume": "Объём продаж",
        "sc_kpi_is_new_clients": "новые клиенты: созданные сделки",
        "sc_kpi_is_first_meetings": "первые встречи: сделки, вошедшие в этап {stage}",
        "sc_kpi_is_presentations": "презентации: сделки, вошедшие в этап {stage}",
        "sc_kpi_is_deals_closed": "закрытые сделки: выигранные",
        "sc_kpi_is_sales_volume": "объём продаж: выручка",
        "sc_kpi_no_managers": "{funnel}: нет столбца менеджера, неизвестно",
        "sc_no_stage": "такого этапа нет",
        "sc_rough": "мало закрытых сделок: оценка грубая",
        "sc_unmatched": "менеджеры сделок, не сопоставленные ни с кем из оцениваемых (не в "
                        "карточках)",
        "sc_ambiguous": "менеджеры сделок, подходящие нескольким оцениваемым (не учтены)",
        "sc_unassigned": "сделок без менеджера или у системного пользователя: {n}",
        "sc_corr_title": ("Активность и продвижения по этапам и выигрыши следующей недели "
                          "(Спирмен, по неделям менеджеров)"),
        "sc_pair": "{activity} → {outcome}",
        "sc_out_advances_next_week": "продвижения на следующей неделе",
        "sc_out_wins_next_week": "выигрыши на следующей неделе",
        "sc_weeks_title": ("Недели менеджеров: активность, продвижения по этапам и выигрыши "
                           "следующей недели"),
        "sc_week": "Неделя",
        "sc_col_meetings": "Встречи", "sc_col_calls": "Звонки", "sc_col_good_days": "Хорошие дни",
        "sc_advances_next": "Продвижений на след. неделе",
        "sc_wins_next": "Выигрышей на след. неделе",
        "sc_advances_note": "продвижения по этапам (сделка перешла дальше любого этапа, где "
                            "уже была): {funnels}",
        "sc_basis_item": "{funnel} — {basis}",
        "sc_weeks_unfinished": ("нет среди недель менеджеров: {weeks} (следующая неделя "
                                "кончается после {end}: её продвижения и выигрыши ещё не "
                                "известны, это не 0)"),
        "sc_basis_stage_history": "по истории этапов (каждый переход вперёд)",
        "sc_basis_date_entered": ("по столбцам «Date entered» выгрузки (по одному на каждый "
                                  "датированный этап после первого)"),
        "sc_basis_stage_changed_at": ("по stage_changed_at выгрузки (по одному на открытую "
                                      "сделку дальше первого этапа, в неделю входа в текущий "
                                      "этап; более ранних переходов в выгрузке нет)"),
        "sc_basis_none": "не известны (нет истории этапов, Date entered или stage_changed_at)",
        "sc_new_no_stage": "{n} ({k} без этапа)",
        "sc_no_stage_note": ("новые клиенты «N (K без этапа)»: создано N сделок, из них K "
                             "проиграны без известного этапа и не входят в число первого "
                             "этапа"),
        "sc_corr_line": "{activity}: rho {rho}, 95% ДИ от {low} до {high}, {p}, "
                        "n = {n} у {managers_n}",
        "sc_forms_weeks": "неделя|недели|недель",
        "sc_forms_managers": "менеджера|менеджеров|менеджеров",  # у / из 21 менеджера
        "sc_forms_tests": "проверку|проверки|проверок",  # с поправкой на 1 проверку
        "sc_corr_few": "при таком числе менеджеров связь показать нельзя (для связи по "
                       "команде нужно не меньше {min})",
        "sc_corr_spans": "интервал включает 0: связь не показана",
        "sc_corr_adjusted": ("{p} с поправкой на {tests} ({correction}): связь не "
                             "показана"),
        "sc_corr_shown": "связь по команде из {managers_n} ({p} с поправкой на {tests}; "
                         "недели одного менеджера не независимы: это подсказка)",
        "sc_corr_none": "{activity}: мало недель (или нет разброса) для рангов",
        "sc_act_meetings": "встречи", "sc_act_calls": "звонки", "sc_act_good_days": "хорошие дни",
        "sc_same_period": "сделки, созданные {period}, в те же даты, что и оценка активности",
    },
}
