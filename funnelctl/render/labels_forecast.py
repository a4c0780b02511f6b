"""The words of the forecast, plan and stuck-deal sections, in English and Russian (merged
into render/labels.labels())."""

from __future__ import annotations

FORECAST_EN = {
    "fc_stages_title": "{funnel}: win probability and stuck deals per stage",
    "fc_probability": "Win probability",
    "fc_basis": "Basis",
    "fc_basis_config": "set in the config",
    "fc_basis_data": ("{won} won of {closed} closed deal that reached it|"
                      "{won} won of {closed} closed deals that reached it"),
    "fc_basis_none": "no closed deal reached it",
    "fc_small": "too few to trust",
    "fc_unknown_lost": ("at most: {n} lost deal at an unknown stage left out (with it: "
                        "{lowest})|at most: {n} lost deals at an unknown stage left out "
                        "(with them: {lowest})"),
    "fc_max_days": "Max days",
    # A count's sentence has one form per number form ("one|many"; Russian one|few|many).
    "fc_learned": ("{days} d, learned from {n} deal (80th percentile)|"
                   "{days} d, learned from {n} deals (80th percentile)"),
    "fc_not_learned": "auto: no deal has left the stage yet, no limit",
    "fc_fixed": "{days} d",
    "fc_stuck_n": "Stuck",
    "fc_forecast_title": "{funnel}: weighted forecast by expected close month (as of {as_of})",
    "fc_month": "Expected close",
    "fc_currency": "Currency",
    "fc_deals": "Deals",
    "fc_amount": "Amount",
    "fc_weighted": "Weighted",
    "fc_overdue_row": "overdue (before {as_of})",
    "fc_no_date_row": "no expected close",
    "fc_forecast_note": ("weighted = amount × the probability of the deal's stage; amounts "
                         "in different currencies are not added up"),
    "fc_without_amount": ("{n} open deal has no amount: counted, not summed|"
                          "{n} open deals have no amount: counted, not summed"),
    "fc_no_probability": "– : a stage has no probability (no closed deal reached it)",
    "fc_overdue_title": ("{funnel}: {n} open deal past its expected close ({value})|"
                         "{funnel}: {n} open deals past their expected close, oldest first "
                         "({value})"),
    "fc_deal": "Deal",
    "fc_stage": "Stage",
    "fc_manager": "Manager",
    "fc_expected": "Expected close",
    "fc_days_late": "Days late",
    "fc_stuck_title": "{funnel}: stuck deals, longest in the stage first",
    "fc_days_in": "Days in stage",
    "fc_limit": "Limit",
    "fc_more": ("… {n} more deal (the JSON report lists up to {limit} per list)|"
                "… {n} more deals (the JSON report lists up to {limit} per list)"),
    "fc_plan_title": "|".join(f"{{funnel}}: sales plan {{span}} as of {{as_of}} ({{left}} of "
                              f"{{days}} working {days} left)" for days in ("day", "days")),
    "fc_who": "Who",
    "fc_team": "team",
    "fc_team_sum": "team (Σ managers)",
    "fc_span": "Period",
    "fc_plan": "Plan",
    "fc_won": "Won",
    "fc_attainment": "Attained",
    "fc_expected_now": "Due by now",
    "fc_pace": "Pace/day",
    "fc_days_left": "Days left",
    "fc_pipeline": "Pipeline (w.)",
    "fc_coverage": "Coverage",
    "fc_status": "Status",
    "fc_behind": "behind pace",
    "fc_on_pace": "on pace",
    "fc_too_early": "too early to tell",
    "fc_plan_no_deals": ("no deal of the funnel is owned by a manager the plan names: "
                         "{names} (won 0, no pipeline; check the name or managers.aliases)"),
    "fc_missed": "missed",
    "fc_met": "met",
    "fc_future": "not started",
    "fc_plan_note": ("attained = won (closed in the period, up to the as-of day) / plan; "
                     "due by now = plan × working days passed / working days; pace/day = "
                     "what is left / working days left; pipeline (w.) = open deals expected "
                     "to close in the period, weighted; coverage = pipeline / what is left; "
                     "team (Σ managers): the plan has no team target, so the managers' "
                     "targets are summed, over their own deals"),
    "fc_plan_currency": "amounts in {currency}",
    # Each count of the snoozed line is its own "one|many" template (the verb agrees).
    "fc_snoozed": ("snoozed ({path}): {active} until a later date ({stuck} of them would be "
                   "stuck, {overdue} overdue); {expired}; {unknown}"),
    "fc_snoozed_active": "{n} deal|{n} deals",
    "fc_snoozed_stuck": "{n}",
    "fc_snoozed_overdue": "{n}",
    "fc_snoozed_expired": "{n} snooze ended|{n} snoozes ended",
    "fc_snoozed_unknown": "{n} id is no deal of this funnel|{n} ids are no deal of this funnel",
}

FORECAST_RU = {
    "fc_stages_title": "{funnel}: вероятность выигрыша и зависшие сделки по этапам",
    "fc_probability": "Вероятность выигрыша",
    "fc_basis": "Основание",
    "fc_basis_config": "задана в конфиге",
    "fc_basis_data": "|".join(f"выиграно {{won}} из {{closed}} {deals} до этапа"
                              for deals in ("закрытой сделки, дошедшей",
                                            "закрытых сделок, дошедших",
                                            "закрытых сделок, дошедших")),
    "fc_basis_none": "ни одна закрытая сделка не дошла до этапа",
    "fc_small": "слишком мало данных",
    "fc_unknown_lost": ("не больше: без {n} проигранной сделки с неизвестным этапом (с ней: "
                        "{lowest})|не больше: без {n} проигранных сделок с неизвестным этапом "
                        "(с ними: {lowest})|не больше: без {n} проигранных сделок с "
                        "неизвестным этапом (с ними: {lowest})"),
    "fc_max_days": "Предел, дн.",
    "fc_learned": ("{days} дн., по {n} сделке (80-й процентиль)|"
                   "{days} дн., по {n} сделкам (80-й процентиль)|"
                   "{days} дн., по {n} сделкам (80-й процентиль)"),
    "fc_not_learned": "auto: ни одна сделка ещё не ушла с этапа, предела нет",
    "fc_fixed": "{days} дн.",
    "fc_stuck_n": "Зависли",
    "fc_forecast_title": "{funnel}: взвешенный прогноз по месяцу ожидаемого закрытия (на {as_of})",
    "fc_month": "Ожидаемое закрытие",
    "fc_currency": "Валюта",
    "fc_deals": "Сделки",
    "fc_amount": "Сумма",
    "fc_weighted": "Взвешенная",
    "fc_overdue_row": "просрочены (раньше {as_of})",
    "fc_no_date_row": "без даты закрытия",
    "fc_forecast_note": ("взвешенная = сумма × вероятность этапа сделки; суммы в разных "
                         "валютах не складываются"),
    "fc_without_amount": ("у {n} открытой сделки нет суммы: она посчитана, но не сложена|"
                          "у {n} открытых сделок нет суммы: они посчитаны, но не сложены|"
                          "у {n} открытых сделок нет суммы: они посчитаны, но не сложены"),
    "fc_no_probability": "– : у этапа нет вероятности (до него не дошла ни одна закрытая сделка)",
    "fc_overdue_title": ("{funnel}: {n} открытая сделка с прошедшей датой закрытия ({value})|"
                         "{funnel}: {n} открытые сделки с прошедшей датой закрытия, сначала "
                         "самые старые ({value})|"
                         "{funnel}: {n} открытых сделок с прошедшей датой закрытия, сначала "
                         "самые старые ({value})"),
    "fc_deal": "Сделка",
    "fc_stage": "Этап",
    "fc_manager": "Менеджер",
    "fc_expected": "Ожидаемое закрытие",
    "fc_days_late": "Просрочка, дн.",
    "fc_stuck_title": "{funnel}: зависшие сделки, сначала самые долгие",
    "fc_days_in": "Дней на этапе",
    "fc_limit": "Предел",
    "fc_more": "|".join(f"… ещё {{n}} {deals} (в JSON-отчёте до {{limit}} в каждом списке)"
                        for deals in ("сделка", "сделки", "сделок")),
    "fc_plan_title": "|".join(f"{{funnel}}: план продаж {{span}} на {{as_of}} (осталось {{left}} "
                              f"из {{days}} {days})"
                              for days in ("рабочего дня", "рабочих дней", "рабочих дней")),
    "fc_who": "Кто",
    "fc_team": "команда",
    "fc_team_sum": "команда (Σ менеджеров)",
    "fc_span": "Период",
    "fc_plan": "План",
    "fc_won": "Выиграно",
    "fc_attainment": "Выполнение",
    "fc_expected_now": "Должно быть",
    "fc_pace": "Темп/день",
    "fc_days_left": "Дней осталось",
    "fc_pipeline": "Воронка (взв.)",
    "fc_coverage": "Покрытие",
    "fc_status": "Статус",
    "fc_behind": "отстаёт от темпа",
    "fc_on_pace": "в темпе",
    "fc_too_early": "рано судить",
    "fc_plan_no_deals": ("у менеджеров из плана нет ни одной сделки воронки: {names} "
                         "(выиграно 0, воронки нет; проверьте имя или managers.aliases)"),
    "fc_missed": "не выполнен",
    "fc_met": "выполнен",
    "fc_future": "не начался",
    "fc_plan_note": ("выполнение = выиграно (закрыто в периоде до даты отчёта) / план; "
                     "должно быть = план × прошедшие рабочие дни / все рабочие дни; темп/день "
                     "= остаток / оставшиеся рабочие дни; воронка (взв.) = открытые сделки с "
                     "ожидаемым закрытием в периоде, взвешенные; покрытие = воронка / остаток; "
                     "команда (Σ менеджеров): в плане нет цели команды, поэтому цели "
                     "менеджеров сложены, по их собственным сделкам"),
    "fc_plan_currency": "суммы в {currency}",
    "fc_snoozed": ("отложены ({path}): {active} до более поздней даты (из них {stuck}, "
                   "{overdue}); у {expired} срок отсрочки прошёл; {unknown}"),
    "fc_snoozed_active": "{n} сделка|{n} сделки|{n} сделок",
    "fc_snoozed_stuck": "{n} зависла бы|{n} зависли бы|{n} зависли бы",
    "fc_snoozed_overdue": "{n} просрочена|{n} просрочены|{n} просрочены",
    "fc_snoozed_expired": "{n}",
    "fc_snoozed_unknown": ("{n} id не является сделкой этой воронки|{n} id не являются "
                           "сделками этой воронки|{n} id не являются сделками этой воронки"),
}
