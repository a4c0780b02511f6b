"""Words of an event funnel's time dimension (trend and time to convert), in English and
Russian; labels.labels() merges them into each language's words."""

from __future__ import annotations

from funnelctl.plural import plural
from funnelctl.render.fmt import Fmt
from funnelctl.report_trends import CohortChange, TimeDistribution

EN = {
    "trend_title": "{funnel} · conversion by {period}",
    "trend_period_day": "day", "trend_period_week": "week", "trend_period_month": "month",
    "cohort": "Cohort",
    "status_higher": "▲ higher", "status_lower": "▼ LOWER", "status_same": "same",
    "status_insufficient": "too few", "status_incomplete": "incomplete",
    "incomplete_period_not_over": "period not over",
    "incomplete_window_open": "window not elapsed",
    "trend_note": "|".join(
        "Cohorts by the {period} of the step-1 event ({zone}). Each conversion is tested "
        "against the cohort before; real changes only when p, adjusted ({correction}) over "
        f"the trend's {{n}} {tests}, is below {{alpha}}. Fewer than min_sample in the step "
        "before: too few. An incomplete cohort is not judged: its numbers may still move."
        for tests in ("test", "tests")),
    "trend_shown": "the latest {shown} of {n} cohorts (JSON and HTML have all)",
    "trend_changes": "Real changes",
    "trend_no_changes": "no real change between cohorts",
    "trend_chart_caption": ("Conversion from the step before, per cohort; a hollow dot is an "
                            "incomplete cohort, a faint one too few to test."),
    "time_title": "{funnel} · time to convert",
    "time_from_step1": "from step 1", "time_from_previous": "from the step before",
    "time_reached": "Reached",
    "time_step1_short": "from step 1", "time_previous_short": "from prev.",
    "time_buckets": "Histogram buckets: {buckets}.",
    "time_note": ("For each entity, the first time it reached the step: from the step-1 event "
                  "of that chain, and from the event that reached the step before in it."),
    "time_previous_unknown": "not known in this order mode",
    "time_chart_caption": ("Entities per time bucket; dark: from step 1, light: from the step "
                           "before."),
    "bucket_<1m": "<1m", "bucket_1-10m": "1–10m", "bucket_10-60m": "10–60m",
    "bucket_1-6h": "1–6h", "bucket_6-24h": "6–24h", "bucket_1-3d": "1–3d",
    "bucket_3-7d": "3–7d", "bucket_>7d": ">7d",
}

RU = {
    "trend_title": "{funnel} · конверсия по {period}",
    "trend_period_day": "дням", "trend_period_week": "неделям", "trend_period_month": "месяцам",
    "cohort": "Когорта",
    "status_higher": "▲ выше", "status_lower": "▼ НИЖЕ", "status_same": "так же",
    "status_insufficient": "мало данных", "status_incomplete": "не завершена",
    "incomplete_period_not_over": "период не закончился",
    "incomplete_window_open": "окно ещё не истекло",
    "trend_note": "|".join(
        "Когорты по {period} события шага 1 ({zone}). Каждая конверсия сравнивается с "
        "предыдущей когортой; изменение реально, только если p с поправкой ({correction}) "
        f"на {{n}} {tests} тренда меньше {{alpha}}. Меньше min_sample на предыдущем шаге: "
        "мало данных. Незавершённая когорта не оценивается: её числа ещё могут измениться."
        for tests in ("тест", "теста", "тестов")),
    "trend_shown": "|".join(f"последние {{shown}} из {{n}} {cohorts} (в JSON и HTML все)"
                            for cohorts in ("когорты", "когорт", "когорт")),
    "trend_changes": "Реальные изменения",
    "trend_no_changes": "реальных изменений между когортами нет",
    "trend_chart_caption": ("Конверсия из предыдущего шага по когортам; полая точка — "
                            "незавершённая когорта, бледная — слишком мала для теста."),
    "time_title": "{funnel} · время до шага",
    "time_from_step1": "от шага 1", "time_from_previous": "от предыдущего шага",
    "time_reached": "Дошли",
    "time_step1_short": "от шага 1", "time_previous_short": "от пред.",
    "time_buckets": "Интервалы гистограммы: {buckets}.",
    "time_note": ("Для каждого — первый раз, когда он дошёл до шага: от события шага 1 этой "
                  "цепочки и от события, которым в ней был пройден предыдущий шаг."),
    "time_previous_unknown": "в этом режиме порядка не определено",
    "time_chart_caption": "Число дошедших по интервалам; тёмные — от шага 1, светлые — от "
                          "предыдущего шага.",
    "bucket_<1m": "<1 мин", "bucket_1-10m": "1–10 мин", "bucket_10-60m": "10–60 мин",
    "bucket_1-6h": "1–6 ч", "bucket_6-24h": "6–24 ч", "bucket_1-3d": "1–3 д",
    "bucket_3-7d": "3–7 д", "bucket_>7d": ">7 д",
}

WORDS = {"en": EN, "ru": RU}
MARK = {"higher": "▲", "lower": "▼", "insufficient": "?", "incomplete": "…", "same": ""}


def duration(seconds: float | None, lang: str = "en") -> str:
    """45s, 13m, 1h06m, 3.2d (ru: 45 с, 13 мин, 1 ч 06 мин, 3,2 д)."""
    if seconds is None:
        return "–"
    ru = lang == "ru"
    if seconds < 60:
        return f"{seconds:.0f} с" if ru else f"{seconds:.0f}s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} мин" if ru else f"{seconds / 60:.0f}m"
    if seconds < 2 * 86400:
        hours, minutes = divmod(round(seconds / 60), 60)
        return f"{hours} ч {minutes:02d} мин" if ru else f"{hours}h{minutes:02d}m"
    days = f"{seconds / 86400:.1f}"
    return f"{days.replace('.', ',')} д" if ru else f"{days}d"


def bucket_label(t: dict[str, str], label: str) -> str:
    return t.get(f"bucket_{label}", label)


def incomplete_text(t: dict[str, str], reasons: list[str]) -> str:
    return ", ".join(t.get(f"incomplete_{r}", r) for r in reasons)


def status_text(t: dict[str, str], f: Fmt, ch: CohortChange | None) -> str:
    """"▼ LOWER −12.0 pp (p=0.003)" for a real change; else the status word."""
    if ch is None:
        return ""
    word = t[f"status_{ch.status}"]
    if ch.status in ("higher", "lower"):
        return f"{word} {f.points(ch.change, t['pp'])} ({f.p(ch.p_adjusted)})"
    return word


def tests_run(trend) -> int:
    return sum(ch.p_value is not None for c in trend.cohorts
               for ch in [c.overall, *(s.vs_previous for s in c.stages)] if ch is not None)


def trend_note(t: dict[str, str], trend, f: Fmt) -> str:
    alpha = f"{trend.level:g}"
    return plural(tests_run(trend), t["trend_note"]).format(
        period=t[f"trend_period_{trend.period}"], zone=trend.timezone,
        correction=t.get(f"correction_{trend.correction}", trend.correction),
        n=tests_run(trend), alpha=alpha.replace(".", ",") if f.lang == "ru" else alpha)


def trend_changes(t: dict[str, str], f: Fmt, trend) -> list[str]:
    """One line per real change: "2026-W38 · Cart: ▼ LOWER −12.0 pp (p=0.003)"."""
    lines = []
    for c in trend.cohorts:
        named = [(s.name, s.vs_previous) for s in c.stages[1:]] + [(t["overall"], c.overall)]
        lines += [f"{c.label} · {name}: {status_text(t, f, ch)}" for name, ch in named
                  if ch is not None and ch.status in ("higher", "lower")]
    return lines


def distribution_cells(dist: TimeDistribution | None, lang: str) -> list[str]:
    if dist is None:
        return ["–", "–", "–"]
    return [Fmt(lang).num(dist.entities), duration(dist.median_s, lang),
            duration(dist.p90_s, lang)]
