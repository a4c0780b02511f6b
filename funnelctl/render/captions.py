"""What a stage table's caption and a source's data-quality cell must say so that no number
misleads (issue 11): lost deals of unknown stage, a funnel without lost deals, values that
did not parse. Sentences in English and Russian; every renderer takes them from here."""

from __future__ import annotations

from funnelctl.plural import plural
from funnelctl.render.fmt import Fmt
from funnelctl.report import FunnelResult, SourceQuality

EN = {
    "won_row": "→ won",
    "no_lost_short": "no lost deals: see the conversion into won",
    # Sentences with a count: one form per number form ("one|many", "one|few|many").
    "lost_stage_unknown_line": (
        "{n} lost deal has no known loss stage: it is left out of the stage counts and "
        "conversions (still in the deals, lost and win rate)|"
        "{n} lost deals have no known loss stage: they are left out of the stage counts and "
        "conversions (still in the deals, lost and win rate)"),
    "no_lost_line": "|".join(
        "No lost deals in the data: the win rate ({rate}) covers closed deals only; "
        f"{{won}} of {{entered}} {deals} that entered reached won ({{conversion}}, last row)"
        for deals in ("deal", "deals")),
    "value_problem_line": ("{what}: {n} row (the deal kept, the value left out); e.g. line "
                           "{line}|{what}: {n} rows (deals kept, the value left out); e.g. "
                           "line {line}"),
    "problem_unparseable amount": "amount does not parse",
    "problem_amount currency differs from currency column": (
        "the amount names another currency than the currency column"),
    "problem_unparseable stage_changed_at": "stage-change date does not parse",
    "problem_unparseable expected_close": "expected close date does not parse",
    "problem_unparseable modified_at": ("last-modified date does not parse (its deal's "
                                        "copies are not ordered by it)"),
    "excluded_line": (
        "Excluded entities: {n}, left out of every stage (an excluded event came between the "
        "steps of each of their attempts at their furthest step)"),
    "optional_line": (
        "Optional steps: {names}. Each counts the entities that did it in the attempt that "
        "took them furthest; a step after one converts from the last required step before it"),
}

RU = {
    "won_row": "→ выиграно",
    "no_lost_short": "проигранных нет: см. конверсию в выигрыш",
    "lost_stage_unknown_line": "|".join(
        f"У {{n}} {deals} этап проигрыша неизвестен: {they} в число сделок по этапам и в "
        f"конверсии (но {still} в число сделок, проигранных и процент выигрыша)"
        for deals, they, still in (("проигранной сделки", "она не входит", "входит"),
                                   ("проигранных сделок", "они не входят", "входят"),
                                   ("проигранных сделок", "они не входят", "входят"))),
    "no_lost_line": "|".join(
        "В данных нет проигранных сделок: процент выигрыша ({rate}) считается только по "
        f"закрытым; до выигрыша дошли {{won}} из {{entered}} {entered} ({{conversion}}, "
        "последняя строка)" for entered in ("вошедшей", "вошедших", "вошедших")),
    "value_problem_line": "{what}: строк {n} (сделки учтены, значение пропущено); "
                          "напр. строка {line}",
    "problem_unparseable amount": "сумма не читается",
    "problem_amount currency differs from currency column": (
        "валюта в сумме не совпадает со столбцом валюты"),
    "problem_unparseable stage_changed_at": "дата смены этапа не читается",
    "problem_unparseable expected_close": "ожидаемая дата закрытия не читается",
    "problem_unparseable modified_at": ("дата изменения не читается (копии сделки по ней не "
                                        "упорядочены)"),
    "excluded_line": (
        "Исключено объектов: {n}, не входят ни в один этап (исключающее событие случилось между "
        "шагами каждой их попытки на самом дальнем шаге)"),
    "optional_line": (
        "Необязательные шаги: {names}. Каждый считает тех, кто сделал его в попытке, "
        "зашедшей дальше всех; конверсия шага после него считается от последнего "
        "обязательного шага перед ним"),
}

WORDS = {"en": EN, "ru": RU}


def caption_lines(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> list[str]:
    """Sentences under a funnel's stage table that qualify its numbers."""
    lines = []
    if funnel.excluded is not None:  # event funnels with exclude:
        lines.append(t["excluded_line"].format(n=f.num(funnel.excluded)))
    if optional := [s.name for s in funnel.stages if s.optional]:
        lines.append(t["optional_line"].format(names=", ".join(optional)))
    if funnel.lost_stage_unknown:
        unknown = funnel.lost_stage_unknown
        lines.append(plural(unknown, t["lost_stage_unknown_line"]).format(n=f.num(unknown)))
    if won := funnel.won_conversion:
        lines.append(plural(funnel.stages[0].entered, t["no_lost_line"]).format(
            rate=f.pct(funnel.win_rate), won=f.num(won.entered),
            entered=f.num(funnel.stages[0].entered), conversion=f.pct(won.conversion_from_first)))
    return lines


def problem_lines(src: SourceQuality, t: dict[str, str], f: Fmt) -> list[tuple[str, str]]:
    """(sentence, the offending value from the data) per kind of value left out. The value
    is returned apart, so that each renderer shows it as plain text in its own way."""
    out = []
    for reason, seen in src.value_problems.items():
        what = t.get(f"problem_{reason}", reason)
        line = plural(seen["rows"], t["value_problem_line"])
        out.append((line.format(what=what, n=f.num(seen["rows"]), line=seen["line"]),
                    seen["value"] or ""))
    return out
