"""The Russian wording of what the data and the checks produce: finding messages and
subjects, rejected-row reasons, data-quality notes, detected-format keys.

Reasons and notes are made in English by the readers (and are the JSON's words); a
Russian report translates them here by pattern, a count's note in the form its number
takes (1 сделка, 2 сделки, 5 сделок: a template of three forms). The patterns are this
module's own constants: a data value is only ever inserted, never read as a template or
markup. A text no pattern knows stays English (tests/test_russian_report.py keeps the list
complete).
"""

from __future__ import annotations

import re
from typing import Any

from funnelctl.io.deals import EARLIEST_COPY, FIRST_COPY
from funnelctl.plural import plural

# Finding messages in Russian, from the finding's params; a code without a template, or a
# finding without params, keeps its English message.
FINDINGS_RU = {
    "scorecard_norms_outcome": "{manager} {why}, но выигрывает {won} из {closed} "
                               "{closed_word} в «{funnel}», {direction} остальной команды "
                               "({team_won} из {team_closed}; {p} с поправкой, {p_raw} без "
                               "поправки)",
    "stage_conversion": "конверсия в «{stage}» {conversion} (95% ДИ {ci_low}–{ci_high}); "
                        "хорошо ≥ {good}, приемлемо ≥ {acceptable}",
    "win_rate": "доля выигранных {win_rate}; хорошо ≥ {good}, приемлемо ≥ {acceptable}",
    "segment_below": "общая конверсия {conversion} против {overall} по всей воронке; ниже "
                     "остальных по {test}, {p} с поправкой на {tests} {tests_word} ({p_raw} без "
                     "поправки)",
    "norms_below": "{below} из {days} {days_word} ниже нормы ({share}{empty}); "
                   "предупреждение выше {warn}, провал выше {fail}",
    "unmatched_stage_values": "значения этапа, не совпадающие ни с одним этапом, выигрышем "
                              "или проигрышем: {values}",
    "empty_period": "нет сделок, созданных в {start}..{end}; самая новая в данных: {newest}",
    "stage_value_not_in_data": "значения '{value}' нет ни в одной строке данных; может быть, "
                               "'{close}'?",
    "stage_worse": "конверсия в «{subject}» упала с {previous} до {current} по сравнению с "
                   "{since} (по {test}, {p} с поправкой, {p_raw} без поправки)",
    "overall_worse": "общая конверсия упала с {previous} до {current} по сравнению с {since} "
                     "(по {test}, {p} с поправкой, {p_raw} без поправки)",
    "manager_worse": "доля хороших дней упала с {previous} до {current} по сравнению с {since} "
                     "(по {test}, {p} с поправкой, {p_raw} без поправки)",
    "loss_stage_unknown": "у {n} {lost} ({share}) этап проигрыша неизвестен: {they} в "
                          "конверсии этапов (но {in_} в процент выигрыша); сопоставьте "
                          "lost_stage или столбец статуса",
    "rows_rejected": "{count} из {rows} {rows_word} {read} ({share}): {reasons}",
    "inconsistent_funnel": "{n} из {deals} {deals_word} ({share}) {go} не по порядку этапов: "
                           "{back} вернулись назад, {skipped} пропустили этапы",
    "stuck_deals": "{stuck} {open_deals} в «{stage}» дольше {max_days} дн. "
                   "(дольше всех {oldest} дн.)",
    "stage_anomaly": "конверсия в «{stage}» {conversion}, {direction} нормы последних запусков "
                     "({runs}): {low}–{high} (недавно {mean}; {rule}, z = {z})",
    "no_earlier_run": "в {file} нет более раннего запуска этого конфига: сравнивать пока не с "
                      "чем",
    "overdue_deals": "{n} {late}: ожидаемая дата закрытия раньше {as_of} (сумма {value}, "
                     "самая ранняя дата {oldest}): закройте {them} или перенесите дату",
    "plan_behind": "выиграно {won} из {plan} по плану на {start}..{end} ({attainment}) к "
                   "{as_of}, меньше {expected} при ровном темпе; нужно {pace} в рабочий день "
                   "ещё {days_left} дн.{coverage} (оценивается, когда прошло не меньше 20% "
                   "рабочих дней)",
    "plan_missed": "выиграно {won} из {plan} по плану на {start}..{end} ({attainment}): план "
                   "не выполнен",
    "cycle_time": "медианный цикл сделки {median} дн.; хорошо ≤ {good}, приемлемо ≤ "
                  "{acceptable}; {over} из {won} {won_word} ({share}) {went} дольше {good} дн.",
    "value_bottleneck": "больше всего сделок потеряно на «{deals_stage}», больше всего денег "
                        "на «{stage}» ({lost}, {share} потерянного на известных этапах); "
                        "узкое место по конверсии — «{bottleneck}»",
    "not_compared": "не сравнивается: в последнем записанном запуске ({period}) {why}",
}
# The words of a Russian finding that agree with one of its counts: placeholder -> (the
# param that counts, its one|few|many forms): "1 открытая сделка находится", "из 21 строки".
FINDING_FORMS_RU = {
    "rows_rejected": {"rows_word": ("rows", "строки|строк|строк"),
                      "read": ("count", "не прочитана|не прочитаны|не прочитаны")},
    "stuck_deals": {"open_deals": ("stuck", "открытая сделка находится|открытые сделки "
                                            "находятся|открытых сделок находятся")},
    "overdue_deals": {"late": ("n", "открытая сделка просрочена|открытые сделки просрочены|"
                                    "открытых сделок просрочены"),
                      "them": ("n", "её|их|их")},
    "loss_stage_unknown": {"lost": ("n", "проигранной сделки|проигранных сделок|"
                                         "проигранных сделок"),
                           "they": ("n", "она не входит|они не входят|они не входят"),
                           "in_": ("n", "входит|входят|входят")},
    "inconsistent_funnel": {"deals_word": ("deals", "сделки|сделок|сделок"),
                            "go": ("n", "идёт|идут|идут")},
    "norms_below": {"days_word": ("days", "рабочего дня|рабочих дней|рабочих дней")},
    "segment_below": {"tests_word": ("tests", "сравнение|сравнения|сравнений")},
    "cycle_time": {"won_word": ("won", "выигранной сделки|выигранных сделок|выигранных сделок"),
                   "went": ("over", "шла|шли|шли")},
    "scorecard_norms_outcome": {"closed_word": ("closed", "закрытой сделки|закрытых сделок|"
                                                          "закрытых сделок")},
}
# Words inside finding params that the Russian templates show.
PARAM_WORDS_RU = {"below": "ниже", "above": "выше",
                  "meets the activity norms": "выполняет нормы активности",
                  "fails the activity norms": "не выполняет нормы активности",
                  "had no such funnel": "не было этой воронки",
                  "had other stages": "были другие этапы"}
TEST_RU = {"z": "тесту двух долей", "fisher": "точному тесту Фишера"}


# Rejected-row reasons, first match wins; {c} is a canonical column name, kept as is.
REASONS_RU = [
    (r"duplicate deal id", "повтор id сделки"),
    (r"blank line", "пустая строка"),
    (r"closed before created", "закрыта раньше, чем создана"),
    (r"unknown status value", "неизвестное значение статуса"),
    (r"missing activity type", "нет типа активности"),
    (r"missing deal id", "нет id сделки"),
    (r"stage matches no stage of funnel (?P<f>.+)",
     "значение этапа не совпадает ни с одним этапом воронки {f}"),
    (r"missing (?P<c>.+)", "нет значения {c}"),
    (r"unparseable (?P<c>.+)", "не читается {c}"),
    (r"(?P<c>.+) out of range", "{c} вне правдоподобного диапазона дат"),
    (r"non-numeric (?P<c>.+)", "{c} не число"),
    (r"negative (?P<c>.+)", "{c} меньше нуля"),
    (r"fractional (?P<c>.+)", "{c} не целое"),
    (r"(?P<c>.+) over (?P<n>[\d,]+) a day", "{c}: больше {n} в день"),
]

# The join note, its counts in a form that reads right for any number ("строк: 1 из 1").
_JOINED = (r"joined (?P<f>.+?) by '(?P<k>.+?)': (?P<m>[\d,]+) of (?P<rows>[\d,]+) rows? "
           r"matched; (?P<u>[\d,]+) without a match keeps? empty joined columns \(of them "
           r"(?P<nk>[\d,]+) ha(?:s|ve) no key\); (?P<ru>[\d,]+) keys? of (?P=f) match(?:es)? no "
           r"row \(not used\)")
_JOINED_RU = ("присоединён {f} по '{k}': совпало строк: {m} из {rows}; у {u} без совпадения "
              "присоединённые столбцы пусты (из них без ключа: {nk}); ключей {f} без строки: "
              "{ru} (не используются)")

# Which copy of a repeated deal id is kept without a date to choose (io/deals.FIRST_COPY).
_FIRST_COPY_RU = ((FIRST_COPY, "первая по порядку в файле"),
                  (EARLIEST_COPY, "самая ранняя по дате создания (в таблице нет порядка строк)"))
NOTES_RU = [
    (r"mixed encodings, each line read in its own: (?P<a>[\d,]+) line\(s\) in (?P<ea>\S+) "
     r"\(first: line (?P<la>\d+)\), (?P<b>[\d,]+) line\(s\) in (?P<eb>\S+) \(first: line "
     r"(?P<lb>\d+)\)",
     "смешанные кодировки, каждая строка прочитана в своей: строк в {ea}: {a} (первая: "
     "строка {la}), строк в {eb}: {b} (первая: строка {lb})"),
    (_JOINED + r"; (?P<rep>[\d,]+) rows? of (?P=f) repeats? an earlier key \(the first is "
     r"used\)",
     _JOINED_RU + "; повторяют прежний ключ строк: {rep} (берётся первая)"),
    (_JOINED, _JOINED_RU),
    (r"(?P<f>.+): (?P<n>[\d,]+) lost deals? ha(?:s|ve) no known loss stage \(left out of the "
     r"stage conversions; map lost_stage or a status column, or give the funnel a "
     r"stage_history: source, to fix\)",
     tuple(f"{{f}}: у {{n}} {deals} этап проигрыша неизвестен ({they} в конверсии этапов; "
           "сопоставьте lost_stage или столбец статуса либо дайте воронке источник "
           "stage_history:)"
           for deals, they in (("проигранной сделки", "она не входит"),
                               ("проигранных сделок", "они не входят"),
                               ("проигранных сделок", "они не входят")))),
    (r"(?P<f>.+): (?P<n>[\d,]+) lost deals? entered no funnel stage before the loss \(left "
     r"out of the stage conversions\)",
     tuple(f"{{f}}: {{n}} {deals} ни в один этап воронки до проигрыша (не {enter} в конверсии "
           "этапов)"
           for deals, enter in (("проигранная сделка не вошла", "входит"),
                                ("проигранные сделки не вошли", "входят"),
                                ("проигранных сделок не вошли", "входят")))),
    (r"(?P<s>.+): no events named (?P<names>.+)", "{s}: нет событий с именем {names}"),
    (r"engine: clickhouse does not fold product rows yet \((?P<cols>.+)\): a deal's later "
     r"rows are duplicate deal ids and its amount is its first product's; on engine: "
     r"polars they are summed \(docs/engines\.md\)",
     "engine: clickhouse пока не сводит строки товаров ({cols}): повторные строки сделки — "
     "повторы ID, сумма сделки — сумма первого товара; на engine: polars они "
     "складываются (docs/engines.md)"),
    (r"(?P<n>[\d,]+) won deals? closed in the plan's periods ha(?:s|ve) no amount: won and "
     r"attainment leave (?:it|them) out",
     tuple(f"{{n}} {deals} в периодах плана, без суммы: «выиграно» и выполнение {them} не "
           "учитывают"
           for deals, them in (("выигранная сделка, закрытая", "её"),
                               ("выигранные сделки, закрытые", "их"),
                               ("выигранных сделок, закрытых", "их")))),
    (r"(?P<rows>[\d,]+) product rows of (?P<deals>[\d,]+) deals? read as one deal(?: each)?",
     "строки товаров прочитаны как одна сделка каждая: строк {rows}, сделок {deals}"),
    (r"(?P<rows>[\d,]+) rows? repeats? a deal id: of each repeated id the newest by "
     r"(?P<by>modified_at|stage_changed_at) is kept",
     "повторы id сделки: из копий каждой сделки оставлена самая новая по {by}, "
     "строк-повторов {rows}"),
    *((rf"(?P<rows>[\d,]+) rows? repeats? a deal id: of each repeated id {re.escape(first)} "
       r"is kept: no modified_at or stage_changed_at to choose the newest",
       f"повторы id сделки: из копий каждой сделки оставлена {ru} — нет modified_at или "
       "stage_changed_at, чтобы выбрать самую новую; строк-повторов {rows}")
      for first, ru in _FIRST_COPY_RU),
    *((r"(?P<rows>[\d,]+) rows? repeats? a deal id: of each repeated id the newest by "
       r"(?P<by>modified_at|stage_changed_at) is kept; of (?P<undated>[\d,]+) ids? with a "
       rf"copy without a (?P=by), {re.escape(first)}: no date to choose the newest",
       "повторы id сделки: из копий каждой сделки оставлена самая новая по {by}, "
       f"а у {{undated}} id с копией без {{by}} — {ru}: нет даты, чтобы выбрать "
       "самую новую; строк-повторов {rows}")
      for first, ru in _FIRST_COPY_RU),
    (r"(?P<f>.+): left out of the manager scorecard \(engine: clickhouse sends no deal rows; "
     r"run the source on engine: polars to include it\)",
     "{f}: не входит в карточки менеджеров (engine: clickhouse не передаёт строки сделок; "
     "чтобы включить, запустите источник на engine: polars)"),
    *((rf"engine: clickhouse does not read (?P<cols>.+) yet: {what} on engine: polars "
       r"\(docs/engines\.md\)",
       f"engine: clickhouse пока не читает {{cols}}: {ru} — только на engine: polars "
       "(docs/engines.md)")
      for what, ru in (("the forecast runs", "прогноз"),
                       ("loss stages from stage dates run", "этапы проигрыша по датам этапов"),
                       ("the forecast and loss stages from stage dates run",
                        "прогноз и этапы проигрыша по датам этапов"))),
    (r"activity types neither call nor meeting, not graded \(map them with type_values\): "
     r"(?P<rest>.*)",
     "типы активности — не звонок и не встреча, без оценки (сопоставьте их в "
     "type_values): {rest}"),
    # audit/manager_fold.py: one manager written several ways in a deals export
    *((rf"manager names{older}: '(?P<name>.*)' counted as '(?P<m>.*)' \((?P<n>[\d,]+) "
       rf"deals?{why}\)",
       tuple(f"имя менеджера{older_ru} '{{name}}' учтено как '{{m}}' ({{n}} {deals}{ru})"
             for deals in ("сделка", "сделки", "сделок")))
      for why, ru in (("", ""),
                      ("; Latin and Cyrillic look-alike letters mixed",
                       "; смешаны похожие латинские и кириллические буквы"),
                      ("; other spaces", "; другие пробелы"))
      for older, older_ru in (("", ""), (" in the older export", " в старой выгрузке"))),
    (r"manager names: '(?P<name>.*)' fits more than one manager \((?P<c>.*)\): kept as "
     r"written \((?P<n>[\d,]+) deals?; add an alias\)",
     tuple(f"имя менеджера '{{name}}' подходит нескольким менеджерам ({{c}}): оставлено как "
           f"есть ({{n}} {deals}; добавьте alias)" for deals in ("сделка", "сделки", "сделок"))),
    (r"managers not on the roster, not graded: (?P<rest>.*)",
     "менеджеры не из списка, без оценки: {rest}"),
    (r"calls shorter than (?P<s>\d+) s, not counted: (?P<n>[\d,]+)",
     "звонки короче {s} с не учтены: {n}"),
    (r"an HTML table saved as a spreadsheet \(Bitrix24 'Excel' export\): read as a table; "
     r"line numbers count table rows",
     "HTML-таблица, сохранённая как электронная таблица (выгрузка «Excel» Битрикс24): "
     "прочитана как таблица; номера строк — строки таблицы"),
    (r"every line ends with a separator \(Bitrix24 style\): empty last column ignored",
     "каждая строка кончается разделителем (как в Битрикс24): пустой последний столбец "
     "пропущен"),
    (r"some fields hold line breaks: line numbers count them",
     "в некоторых полях есть переносы строк: номера строк их учитывают"),
    (r"(?P<n>\d+) report footer line\(s\) removed \(Salesforce\): (?P<rest>.*)",
     "удалены строки подвала отчёта (Salesforce): {n}: {rest}"),
    (r"(?P<n>\d+) report footer line\(s\) removed \(totals\): (?P<rest>.*)",
     "удалены итоговые строки отчёта: {n}: {rest}"),
    (r"(?P<n>\d+) row\(s\) above the header skipped \(a report's title\): (?P<rest>.*)",
     "пропущены строки над заголовком (название отчёта): {n}: {rest}"),
    (r"duplicate header (?P<name>'.*') \(column (?P<pos>\d+)\) kept as (?P<new>'.*')",
     "повторный заголовок {name} (столбец {pos}) сохранён как {new}"),
    (r"empty header in column (?P<pos>\d+) named (?P<name>'.*')",
     "пустой заголовок в столбце {pos} назван {name}"),
    (r"(?P<n>[\d,]+) rows? ha(?:s|ve) (?P<before>'.*') = (?P<after>'.*') \((?:an )?amount or "
     r"date edits?, not (?:a )?stage moves?\): not counted as (?:an entry|entries)",
     tuple(f"в {{n}} {rows} {{before}} = {{after}} ({edits} суммы или даты, а не смена этапа): "
           f"не {counted} в этап"
           for rows, edits, counted in (("строке", "правка", "считается входом"),
                                        ("строках", "правки", "считаются входами"),
                                        ("строках", "правки", "считаются входами")))),
    (r"(?P<n>[\d,]+) duplicate stage entr(?:y|ies) \(same deal, stage and time\) counted once",
     tuple(f"{{n}} {entries} в этап (та же сделка, этап и время) {counted} один раз"
           for entries, counted in (("повторный вход", "учтён"), ("повторных входа", "учтены"),
                                    ("повторных входов", "учтены")))),
    (r"(?P<n>[\d,]+) (?P<what>amount|expected_close) values? could not be read: the "
     r"waterfall, the money view, the forecast and the plan take (?:its deal's|each deal's) "
     r"last readable (?P=what)",
     tuple(f"{{n}} {values} {{what}} не {read}: в движении воронки, деньгах, прогнозе и плане "
           f"{taken} {{what}}"
           for values, read, taken in (
               ("значение", "прочитано", "у сделки берётся последнее прочитанное"),
               ("значения", "прочитаны", "у каждой сделки берётся последнее прочитанное"),
               ("значений", "прочитаны", "у каждой сделки берётся последнее прочитанное")))),
]
# Inside the roster note: "Name (383 calls + meetings)".
_ACTIVITY_COUNT = re.compile(r"\((?P<n>[\d,]+) calls \+ meetings\)")

DETECTED_RU = {"format": "формат", "encoding": "кодировка", "separator": "разделитель",
               "preset": "пресет", "shape": "вид", "footer_lines_removed": "удалено строк подвала",
               "date_order": "порядок дат", "layout": "раскладка", "date_format": "формат дат"}
DETECTED_VALUES_RU = {"day-first": "сначала день", "month-first": "сначала месяц",
                      "rows": "по строкам", "daily": "итоги по дням", "long": "длинная",
                      "hubspot_wide": "широкая HubSpot",
                      "salesforce_history": "история Salesforce"}

_REASONS = [(re.compile(p), t) for p, t in REASONS_RU]
_NOTES = [(re.compile(p), t) for p, t in NOTES_RU]


def _translate(text: str, table: list[tuple[re.Pattern, str | tuple[str, str, str]]]
               ) -> str | None:
    """The template of the first pattern matching `text`, filled in with what it matched;
    a template of three forms (one, few, many) is chosen by the count in the group `n`."""
    for pattern, template in table:
        if match := pattern.fullmatch(text):
            groups = match.groupdict()
            if not isinstance(template, str):
                template = plural(int(groups["n"].replace(",", "")), template)
            return template.format(**groups)
    return None


def reason_text(reason: str, lang: str) -> str:
    """A rejected-row reason in the report's language (English when no pattern knows it)."""
    return (_translate(reason, _REASONS) or reason) if lang == "ru" else reason


def note_text(note: str, lang: str) -> str:
    """A data-quality note in the report's language."""
    if lang != "ru":
        return note
    text = _translate(note, _NOTES) or note
    return _ACTIVITY_COUNT.sub(lambda m: f"({m['n']} звонков и встреч)", text)


def detected_items(detected: dict[str, Any], lang: str) -> list[tuple[str, Any]]:
    """What was detected about a file, keys (and the few worded values) in the language."""
    if lang != "ru":
        return list(detected.items())

    def value(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: value(x) for k, x in v.items()}
        return DETECTED_VALUES_RU.get(v, v) if isinstance(v, str) else v

    return [(DETECTED_RU.get(k, k), value(v)) for k, v in detected.items()]


# Subjects that carry a word of ours: "norms / Анна", "Воронка / manager = Анна".
SUBJECT_NORMS_RU = "нормы"


def finding_subject(finding, lang: str, column_word) -> str:
    """The finding's subject in the report's language; column_word(column) names a
    breakdown column (its label, lower case)."""
    if lang != "ru" or not finding.params:
        return finding.subject
    params = finding.params
    if finding.code in ("plan_behind", "plan_missed") and "funnel" in params:
        return f"{params['funnel']} / {params['manager'] or 'команда'}"
    if finding.code == "norms_below" and "manager" in params:
        return f"{SUBJECT_NORMS_RU} / {params['manager']}"
    if finding.code == "segment_below" and "column" in params:
        return f"{params['funnel']} / {column_word(params['column'])} = {params['segment']}"
    return finding.subject
