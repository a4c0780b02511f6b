"""Report words in English and Russian, and the symbols that carry a verdict without colour.

Every renderer takes its words from here, so a label is translated once. A key missing
from a language falls back to English rather than failing a nightly run.
"""

from __future__ import annotations

from funnelctl.plural import plural
from funnelctl.render.captions import WORDS as CAPTION_WORDS
from funnelctl.render.captions import caption_lines
from funnelctl.render.fmt import Fmt
from funnelctl.render.labels_forecast import FORECAST_EN, FORECAST_RU
from funnelctl.render.labels_money import WORDS as MONEY_WORDS
from funnelctl.render.labels_ru import (
    FINDING_FORMS_RU,
    FINDINGS_RU,
    PARAM_WORDS_RU,
    TEST_RU,
    detected_items,
    finding_subject,
    note_text,
    reason_text,
)
from funnelctl.render.labels_scorecard import WORDS as SCORECARD_WORDS
from funnelctl.render.labels_trends import WORDS as TREND_WORDS
from funnelctl.report import FunnelResult

# Verdict and grade symbols differ in shape, so a report printed in black and white, or
# read by someone who does not see red and green, still says the same thing.
VERDICT_SYMBOL = {"ok": "✓", "warn": "!", "fail": "✗", "insufficient": "?"}
GRADE_SYMBOL = {"good": "●", "acceptable": "◐", "below": "○", "excellent": "★"}

EN = {
    "report": "Report",
    "period": "Period",
    "all_data": "all data",
    "generated": "Generated",
    "as_of": "as of",
    "verdict": "Verdict",
    "ok": "OK",
    "warn": "WARN",
    "fail": "FAIL",
    "insufficient": "TOO FEW",
    "insufficient_note": ("TOO FEW: fewer than {n} entered the stage before, too few to "
                          "judge (min_sample); such a stage is never the bottleneck."),
    "no_verdict": "no threshold",
    "findings": "Findings",
    "no_findings": "No findings: every checked number is at or above its threshold.",
    "stage": "Stage",
    "entered": "Entered",
    "conversion": "Conv.",
    "conversion_long": "Conversion",
    "ci95": "95% CI",
    "from_first": "From first",
    "target": "Good / acceptable",
    "bottleneck": "bottleneck",
    "won": "Won",
    "lost": "Lost",
    "win_rate": "Win rate",
    "cycle": "Sales cycle",
    "median": "median",
    "p90": "p90",
    "days": "d",
    "deals": "deals",
    "entities": "entities",
    "n_deals": "{n} deal|{n} deals",
    "n_entities": "{n} entity|{n} entities",
    # Breakdown columns with a canonical name; any other column shows as the user named it.
    "column_manager": "Manager",
    "column_source": "Source",
    "column_pipeline": "Pipeline",
    "column_loss_reason": "Loss reason",
    "overall": "Overall",
    "vs_rest": "vs rest",
    "same": "same",
    "too_small": "too small to test",
    "other_segments": "other ({n} segment)|other ({n} segments)",
    "higher": "higher",
    "lower": "LOWER",
    "funnel_chart": "Funnel chart",
    "stages": "Stages",
    "data_quality": "Data quality",
    "source": "Source",
    "rows_read": "Rows read",
    "rejected": "Rejected",
    "reasons_notes": "Reasons / notes",
    "unmatched_values": "unmatched stage values",
    "read_as": "read as",
    "none": "none",
    "comparison": "Compared with the previous period",
    "comparison_last_run": "Compared with the last recorded run",
    "history_title": "Run history",
    "history_runs": "{n} recorded run in {file}|{n} recorded runs in {file}",
    "history_none": "No runs recorded yet in {file}.",
    "trend_conversion": "Conversion into each stage, by run",
    "trend_managers": "Share of good working days, by run",
    "notify_more": "… and {n} more finding in the report|… and {n} more findings in the report",
    "previous": "Previous",
    "current": "Current",
    "change": "Change",
    "p_value": "p",
    "p_adjusted": "p adj.",
    "significance": "Significant",
    "worse": "worse",
    "better": "better",
    "not_significant": "no real change",
    "pp": "pp",
    "comparison_note": ("A change is called real only when its p, adjusted for the number "
                        "of comparisons ({correction}), is below {alpha}; small counts use "
                        "Fisher's exact test, the rest a two-proportion test."),
    "correction_holm": "Holm",
    "correction_bh": "Benjamini–Hochberg",
    "correction_none": "no correction",
    "no_previous_data": "no data",
    "norms": "Manager activity norms",
    "calendar": "Calendar",
    "working_days": "working days",
    "manager": "Manager",
    "good": "good",
    "acceptable": "acceptable",
    "below": "below",
    "excellent": "excellent",
    "good_days": "Good days",
    "acceptable_days": "Acceptable",
    "below_days": "Below",
    "calls": "Calls",
    "meetings": "Meetings",
    "weekly_meetings": "Weekly meetings",
    "week": "Week",
    "legend": "Legend",
    "managers": "Per manager",
    "empty_days": "No activity",
    "team": "Team",
    "partial_week": "week not graded (not wholly in the period or the manager's dates, or "
                    "no weekly norm)",
    "norms_no_weekly": "not graded",
    "unlisted": "Activity of people not on the roster (calls + meetings)",
    "norms_rule": "A working day with no activity is a below day.",
    "norms_country": ("Production calendar {country}: {n} holiday or day off in the period|"
                      "Production calendar {country}: {n} holidays and days off in the period"),
    "norms_working_dates": "Working days on a day off by the week (transfers)",
    "norms_team_rules": "Norms of team {team}",
    "members": "members",
    "norms_own_days": "Working days of their own (roster dates)",
    "norms_from": "from",
    "norms_to": "to",
    "norms_not_in_period": "On the roster, with dates outside the period: not graded",
    "norms_outside_dates": "Activity outside roster dates, not graded (calls + meetings)",
    "norms_ignored": "System users, not graded (rows)",
    "norms_short_calls": "Calls under {seconds} s in {source}, not counted",
    "norms_merged": "Names matched to a manager",
    "norms_mixed_script": "Latin and Cyrillic look-alike letters mixed",
    "norms_other_spaces": "other spaces",
    "norms_ambiguous": "Names that fit more than one manager, not merged (add an alias)",
    "norms_unmatched": "Names matched to no known manager (add an alias if one is)",
    "own_working_days": "Days",
    "weekday_0": "Mo", "weekday_1": "Tu", "weekday_2": "We", "weekday_3": "Th",
    "weekday_4": "Fr", "weekday_5": "Sa", "weekday_6": "Su",
    "footer": "Made by funnelctl {version} · JSON schema {schema}",
    "key_numbers": "Key numbers",
    "of_first": "of the first stage",
    "time_in_stage": "Days in stage",
    "days_median": "Days med.",
    "time_from_first": "Time med / p90",
    "stuck": "Stuck",
    "stuck_over": "{n} >{days}d",
    "slowest_stage": "Slowest stage",
    "slowest_line": "slowest stage: {stage} (median {median}, p90 {p90} in the stage)",
    "inconsistent": "Inconsistent funnel",
    "inconsistent_line": "|".join(f"inconsistent funnel: {{n}} of {{deals}} {deals} ({{share}}): "
                                  "{back} moved backwards, {skipped} skipped stages"
                                  for deals in ("deal", "deals")),
    "chart_caption": "Bars: entered per stage; ↓ conversion from the stage before; red bar: "
                     "the bottleneck.",
    "bottleneck_title": "Bottleneck",
    "bottleneck_below_good": "furthest below its threshold: {gap} under good",
    "bottleneck_lowest": "lowest stage conversion",
    "low_confidence": "low confidence: {share} of the rows of '{source}' are unreadable",
    "threshold": "threshold",
}

RU = {
    "report": "Отчёт",
    "period": "Период",
    "all_data": "все данные",
    "generated": "Сформирован",
    "as_of": "на дату",
    "verdict": "Итог",
    "ok": "НОРМА",
    "warn": "ВНИМАНИЕ",
    "fail": "ПЛОХО",
    "insufficient": "МАЛО ДАННЫХ",
    "insufficient_note": ("МАЛО ДАННЫХ: на предыдущий этап вошло меньше {n}, судить рано "
                          "(min_sample); такой этап не бывает узким местом."),
    "no_verdict": "без порога",
    "findings": "Замечания",
    "no_findings": "Замечаний нет: все проверенные показатели не ниже порогов.",
    "stage": "Этап",
    "entered": "Вошло",
    "conversion": "Конв.",
    "conversion_long": "Конверсия",
    "ci95": "95% ДИ",
    "from_first": "От первого",
    "target": "Хорошо / допустимо",
    "bottleneck": "узкое место",
    "won": "Выиграно",
    "lost": "Проиграно",
    "win_rate": "Доля побед",
    "cycle": "Цикл сделки",
    "median": "медиана",
    "p90": "p90",
    "days": "дн.",
    "deals": "сделок",
    "entities": "объектов",
    "n_deals": "{n} сделка|{n} сделки|{n} сделок",
    "n_entities": "{n} объект|{n} объекта|{n} объектов",
    "column_manager": "Менеджер",
    "column_source": "Источник",
    "column_pipeline": "Воронка",
    "column_loss_reason": "Причина отказа",
    "overall": "Итого",
    "vs_rest": "к остальным",
    "same": "так же",
    "too_small": "мало для теста",
    "other_segments": "прочие (сегментов: {n})",
    "higher": "выше",
    "lower": "НИЖЕ",
    "funnel_chart": "Воронка",
    "stages": "Этапы",
    "data_quality": "Качество данных",
    "source": "Источник",
    "rows_read": "Строк прочитано",
    "rejected": "Отклонено",
    "reasons_notes": "Причины / примечания",
    "unmatched_values": "значения этапов без соответствия",
    "read_as": "прочитано как",
    "none": "нет",
    "comparison": "Сравнение с предыдущим периодом",
    "comparison_last_run": "Сравнение с последним записанным запуском",
    "history_title": "История запусков",
    "history_runs": "записанных запусков: {n}, файл {file}",
    "history_none": "В {file} пока нет записанных запусков.",
    "trend_conversion": "Конверсия в каждый этап по запускам",
    "trend_managers": "Доля хороших рабочих дней по запускам",
    "notify_more": "… и ещё замечаний в отчёте: {n}",
    "previous": "Прошлый",
    "current": "Текущий",
    "change": "Изменение",
    "p_value": "p",
    "p_adjusted": "p с поправкой",
    "significance": "Значимо",
    "worse": "хуже",
    "better": "лучше",
    "not_significant": "без реальных изменений",
    "pp": "п.п.",
    "comparison_note": ("Изменение считается реальным, только если его p с поправкой на "
                        "число сравнений ({correction}) ниже {alpha}; для малых чисел — точный "
                        "тест Фишера, для остальных — тест двух долей."),
    "correction_holm": "Холм",
    "correction_bh": "Бенджамини–Хохберг",
    "correction_none": "без поправки",
    "no_previous_data": "нет данных",
    "norms": "Нормы активности менеджеров",
    "calendar": "Календарь",
    "working_days": "рабочих дней",
    "manager": "Менеджер",
    "good": "хорошо",
    "acceptable": "допустимо",
    "below": "ниже нормы",
    "excellent": "отлично",
    "good_days": "Хорошие дни",
    "acceptable_days": "Допустимые",
    "below_days": "Ниже нормы",
    "calls": "Звонки",
    "meetings": "Встречи",
    "weekly_meetings": "Встречи за неделю",
    "week": "Неделя",
    "legend": "Обозначения",
    "managers": "По менеджерам",
    "empty_days": "Без активности",
    "team": "Команда",
    "partial_week": ("неделя без оценки (не целиком в периоде или в датах менеджера, либо "
                     "нет недельной нормы)"),
    "norms_no_weekly": "без оценки",
    "unlisted": "Активность тех, кого нет в списке (звонки + встречи)",
    "norms_rule": "Рабочий день без активности считается днём ниже нормы.",
    "norms_country": ("Производственный календарь {country}: праздничных и выходных "
                      "дней — {n}"),
    "norms_working_dates": "Рабочие дни на месте выходных (переносы)",
    "norms_team_rules": "Нормы команды {team}",
    "members": "состав",
    "norms_own_days": "Свои рабочие дни (даты в списке)",
    "norms_from": "с",
    "norms_to": "по",
    "norms_not_in_period": "В списке, но даты вне периода: без оценки",
    "norms_outside_dates": "Активность вне дат в списке, без оценки (звонки + встречи)",
    "norms_ignored": "Системные пользователи, без оценки (строк)",
    "norms_short_calls": "Звонков короче {seconds} с в {source}, не учтено",
    "norms_merged": "Имена, сопоставленные менеджерам",
    "norms_mixed_script": "смешаны похожие латинские и кириллические буквы",
    "norms_other_spaces": "другие пробелы",
    "norms_ambiguous": ("Имена, подходящие нескольким менеджерам, не объединены "
                        "(добавьте alias)"),
    "norms_unmatched": ("Имена, не сопоставленные ни одному менеджеру (добавьте alias, "
                        "если это он)"),
    "own_working_days": "Дней",
    "weekday_0": "Пн", "weekday_1": "Вт", "weekday_2": "Ср", "weekday_3": "Чт",
    "weekday_4": "Пт", "weekday_5": "Сб", "weekday_6": "Вс",
    "footer": "Сделано funnelctl {version} · JSON-схема {schema}",
    "key_numbers": "Главные цифры",
    "of_first": "от первого этапа",
    "time_in_stage": "Дней на этапе",
    "days_median": "Дней, мед.",
    "time_from_first": "Время, мед. / p90",
    "stuck": "Зависли",
    "stuck_over": "{n} >{days} дн.",
    "slowest_stage": "Самый медленный этап",
    "slowest_line": "самый медленный этап: {stage} (медиана {median}, p90 {p90} на этапе)",
    "inconsistent": "Непоследовательная воронка",
    "inconsistent_line": "|".join(f"непоследовательная воронка: {{n}} из {{deals}} {deals} "
                                  "({share}): {back} вернулись назад, {skipped} пропустили этапы"
                                  for deals in ("сделки", "сделок", "сделок")),
    "chart_caption": "Полосы: вошло на этап; ↓ конверсия из предыдущего этапа; красная "
                     "полоса: узкое место.",
    "bottleneck_title": "Узкое место",
    "bottleneck_below_good": "дальше всех ниже порога: на {gap} ниже «хорошо»",
    "bottleneck_lowest": "самая низкая конверсия этапа",
    "low_confidence": "низкая достоверность: {share} строк источника «{source}» не прочитаны",
    "threshold": "порог",
}

LANGUAGES = {"en": EN, "ru": RU}


_PERCENT_PARAMS = {"conversion", "ci_low", "ci_high", "good", "acceptable", "win_rate",
                   "overall", "share", "warn", "fail", "previous", "current", "low", "high",
                   "mean", "attainment", "coverage"}


def finding_message(finding, lang: str, f: Fmt) -> str:
    """The finding's message in the report's language."""
    template = FINDINGS_RU.get(finding.code) if lang == "ru" else None
    if template is None or not finding.params:
        return finding.message
    shown = {}
    for key, value in finding.params.items():
        if finding.code == "cycle_time" and key in ("median", "good", "acceptable"):
            shown[key] = f.days(value, "") if key == "median" else f"{value:g}".replace(".", ",")
        elif finding.code == "plan_behind" and key == "coverage":  # said only when known
            shown[key] = (f"; взвешенная воронка покрывает {f.pct(value, 0)} остатка"
                          if value is not None else "")
        elif key in _PERCENT_PARAMS and isinstance(value, float):
            shown[key] = f.pct(value, 0 if key in ("good", "acceptable", "warn", "fail") else 1)
        elif key in ("p", "p_raw") and value is not None:
            shown[key] = f.p(value)
        elif key == "oldest" and isinstance(value, float):  # days, in the report's format
            shown[key] = f.days(value, "")
        elif key == "lost" and isinstance(value, float):  # money
            shown[key] = f.money(value, finding.params.get("currency"))
        elif key == "test":
            shown[key] = TEST_RU.get(value, value)
        elif key == "reasons" and isinstance(value, dict):  # rows_rejected: reason -> rows
            shown[key] = ", ".join(f"{reason_text(r, lang)} ({f.num(n)})"
                                   for r, n in value.items())
        elif key in ("count", "rows", "n", "deals", "back", "skipped", "over", "won",
                     "days_left") and isinstance(value, int):
            shown[key] = f.num(value)
        elif key == "empty":  # days without any activity: said only when there are some
            shown[key] = f", без активности {value}" if value else ""
        elif key == "z":
            shown[key] = f"{value:g}".replace(".", ",")
        elif key in ("direction", "why"):
            shown[key] = PARAM_WORDS_RU.get(value, value)
        else:
            shown[key] = "–" if value is None else value
    for word, (count, forms) in FINDING_FORMS_RU.get(finding.code, {}).items():
        shown[word] = plural(int(finding.params.get(count) or 0), forms)
    return template.format(**shown)


def comparison_title(comparison) -> str:
    """The label key of the comparison's heading: the period before, or the last run."""
    return "comparison_last_run" if comparison.basis == "last-run" else "comparison"


def change_key(change) -> str:
    """The label key of a period comparison's verdict, the same in every renderer."""
    if change.worse:
        return "worse"
    if change.significant:
        return "better"
    return "no_previous_data" if change.p_value is None else "not_significant"


def unit(t: dict[str, str], kind: str) -> str:
    """What a funnel of this kind counts: deals (snapshot or history) or entities (events)."""
    return t["deals"] if kind in ("deals", "stage_history") else t["entities"]


def count_of(t: dict[str, str], f: Fmt, n: int, kind: str) -> str:
    """'1 deal', '671 deals' / '21 сделка', '671 сделка', '5 сделок'."""
    forms = t["n_deals" if kind in ("deals", "stage_history") else "n_entities"]
    return plural(n, forms).format(n=f.num(n))


def column_label(t: dict[str, str], column: str) -> str:
    return t.get(f"column_{column}", column)


def subject(finding, lang: str, t: dict[str, str]) -> str:
    """The finding's subject in the report's language ("нормы / …", "менеджер = …")."""
    return finding_subject(finding, lang, lambda c: column_label(t, c).lower()
                           if f"column_{c}" in t else c)


__all__ = ["detected_items", "note_text", "reason_text"]  # the data-quality words, per language


def history_lines(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> list[str]:
    """The slowest stage and the inconsistent-funnel counts of a stage-history funnel, and
    the captions that qualify a deal funnel's numbers, as sentences in the report's
    language."""
    lines = []
    if s := funnel.slowest_stage:
        lines.append(t["slowest_line"].format(
            stage=s.stage, median=f.days(s.median_days, t["days"]),
            p90=f.days(s.p90_days, t["days"])))
    if (c := funnel.consistency) and c.inconsistent:
        lines.append(plural(c.deals, t["inconsistent_line"]).format(
            n=f.num(c.inconsistent), deals=f.num(c.deals), share=f.pct(c.share),
            back=f.num(c.moved_backwards), skipped=f.num(c.skipped_stages)))
    return lines + caption_lines(funnel, t, f)


def bottleneck_reason(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> str:
    """Why this stage is the bottleneck, in the report's language."""
    b = funnel.bottleneck
    if b.reason_code == "below_good" and b.gap is not None:
        return t["bottleneck_below_good"].format(gap=f.points(b.gap, t["pp"]).lstrip("+"))
    return t["bottleneck_lowest"]


def confidence_note(low: bool, source: str | None, report, t: dict[str, str], f: Fmt) -> str:
    """The low-confidence mark of a finding or funnel computed from a poorly read source."""
    if not low:
        return ""
    quality = next((q for q in report.data_quality.sources if q.name == source), None)
    share = quality.rejected_share if quality and quality.rejected_share is not None else None
    return "⚠ " + t["low_confidence"].format(share=f.pct(share), source=source)


def sample_lines(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> list[str]:
    """What an "insufficient" verdict means, under a stage table that has one."""
    sizes = sorted({s.min_sample for s in funnel.stages if s.verdict == "insufficient"})
    if not sizes:
        return []
    return [t["insufficient_note"].format(n=" / ".join(f.num(n) for n in sizes))]


def labels(lang: str) -> dict[str, str]:
    """The words of one language; unknown keys fall back to English."""
    return {**EN, **CAPTION_WORDS["en"], **MONEY_WORDS["en"], **TREND_WORDS["en"],
            **SCORECARD_WORDS["en"],
            **FORECAST_EN, **LANGUAGES.get(lang, {}), **CAPTION_WORDS.get(lang, {}),
            **MONEY_WORDS.get(lang, {}), **TREND_WORDS.get(lang, {}),
            **(FORECAST_RU if lang == "ru" else {}), **SCORECARD_WORDS.get(lang, {})}


def segment_label(t: dict[str, str], value: str, folded: int) -> str:
    """A breakdown row's name: its value, or "other (N segments)" for the folded row."""
    return plural(folded, t["other_segments"]).format(n=folded) if folded else value
