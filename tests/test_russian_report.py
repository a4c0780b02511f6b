"""A --lang ru report is Russian throughout: no English label, finding message, reason,
note or bottleneck reason leaks into it (data values aside) in any renderer."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from bs4 import BeautifulSoup

from funnelctl import audit
from funnelctl.render import RenderOptions, renderer
from funnelctl.render.captions import EN as CAPTIONS_EN
from funnelctl.render.captions import RU as CAPTIONS_RU
from funnelctl.render.labels import EN, RU
from funnelctl.render.labels_ru import note_text, reason_text
from tests.conftest import ROOT

CONFIGS = sorted([*ROOT.glob("configs/*.yaml"), *ROOT.glob("configs/templates/*.yaml")])
# Words that are the same in both languages or are names (p-values, "p90", CSV...).
SHARED = {"p", "p90", "pp"}


def english_fragments() -> set[str]:
    """Every piece of English wording of the labels that the Russian set does not share:
    the literal text between placeholders, at least one word of two letters or more."""
    ru_values = set(RU.values()) | set(CAPTIONS_RU.values())
    fragments = set()
    for table, other in ((EN, RU), (CAPTIONS_EN, CAPTIONS_RU)):
        for key, text in table.items():
            if text in ru_values or other.get(key) == text:
                continue
            for piece in re.split(r"\{[^}]*\}|\|", text):  # a count's forms: "one|many"
                piece = piece.strip(" .,:;()/–-→↓≥<>'\"")
                if re.search(r"[A-Za-z]{2,}", piece) and piece.lower() not in SHARED:
                    fragments.add(piece)
    return fragments


def data_strings(report) -> set[str]:
    """Text that comes from the user's data or config and may be in any language."""
    out = {report.title}
    for f in report.funnels:
        out |= {f.name, f.source, *(s.name for s in f.stages)}
        for column, segs in f.breakdowns.items():
            out |= {column, *(s.value for s in segs)}
    for q in report.data_quality.sources:
        out |= {q.name, q.path, *q.unmatched_stages, *map(str, q.detected.values())}
        for note in q.notes:  # quoted values in notes are the data's own words
            out |= set(re.findall(r"'([^']*)'", note))
            out |= {n.split(": ")[0] for n in [note] if ": " in n}
        for reason in q.reasons:  # funnel names inside a reason
            out |= set(re.findall(r"'([^']*)'", reason))
    if report.norms:
        out |= {m.manager for m in report.norms.managers} | set(report.norms.unlisted_managers)
    for finding in report.findings:
        out |= set(re.findall(r"'([^']*)'", finding.message))
    return {s for s in out if s}


@pytest.fixture(scope="module")
def reports():
    return {c.relative_to(ROOT).as_posix(): audit(c, as_of=dt.date(2026, 11, 1))
            for c in CONFIGS}


def rendered_text(report, fmt: str) -> str:
    text = renderer(fmt)(report, RenderOptions(lang="ru", width=400))
    if fmt == "html":
        text = BeautifulSoup(text, "html.parser").get_text(" ")
    return " ".join(text.split())


def strip_data(text: str, data: set[str]) -> str:
    for value in sorted(data, key=len, reverse=True):  # longest first: names inside names
        text = text.replace(" ".join(value.split()), " ")
    return text


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_no_english_wording_leaks_into_a_russian_report(reports, fmt):
    fragments = english_fragments()
    assert "Conversion" in fragments and "bottleneck" in fragments  # the check is armed
    leaks = {}
    for name, report in reports.items():
        text = strip_data(rendered_text(report, fmt), data_strings(report))
        english = [frag for frag in fragments
                   # (a canonical column name, entity_id, is no English word)
                   if re.search(rf"(?<![A-Za-z_]){re.escape(frag)}(?![A-Za-z_])", text)]
        english += [f.message for f in report.findings if f.message in text]
        english += [f.bottleneck.reason for f in report.funnels
                    if f.bottleneck and f.bottleneck.reason in text]
        if english:
            leaks[name] = english
    assert not leaks


def test_every_reason_and_note_of_the_samples_has_russian_words(reports):
    untranslated = set()
    for report in reports.values():
        for q in report.data_quality.sources:
            untranslated |= {r for r in q.reasons if reason_text(r, "ru") == r}
            untranslated |= {n for n in q.notes if note_text(n, "ru") == n}
    assert not untranslated


@pytest.mark.parametrize(("reason", "russian"), [
    ("missing deal id", "нет id сделки"),
    ("unparseable created_at", "не читается created_at"),
    ("closed_at out of range", "closed_at вне правдоподобного диапазона дат"),
    ("closed before created", "закрыта раньше, чем создана"),
    ("negative calls", "calls меньше нуля"),
    ("stage matches no stage of funnel 'A {x}'",
     "значение этапа не совпадает ни с одним этапом воронки 'A {x}'"),
])
def test_reasons_in_russian_keep_the_data_as_is(reason, russian):
    assert reason_text(reason, "ru") == russian
    assert reason_text(reason, "en") == reason


def test_subjects_in_russian(reports):
    demo = reports["configs/demo.yaml"]
    text = rendered_text(demo, "markdown")
    assert "нормы / Дмитрий Волков" in text and "norms /" not in text
    assert "Основная воронка / менеджер = Дмитрий Волков" in text
    assert "Основная воронка / источник = Холодный звонок" in text
    assert "manager =" not in text and "source =" not in text
    # The bottleneck reason is worded from its numbers: 75% - 67.4% = 7.6 pp under good.
    assert "дальше всех ниже порога" in text


@pytest.mark.parametrize(("english", "russian"), [
    ("mixed encodings, each line read in its own: 3 line(s) in utf-8 (first: line 2), "
     "2 line(s) in cp1251 (first: line 4)",
     "смешанные кодировки, каждая строка прочитана в своей: строк в utf-8: 3 (первая: "
     "строка 2), строк в cp1251: 2 (первая: строка 4)"),
    ("joined leads.csv by 'id': 80 of 100 rows matched; 20 without a match keep empty joined "
     "columns (of them 3 have no key); 5 keys of leads.csv match no row (not used); "
     "2 rows of leads.csv repeat an earlier key (the first is used)",
     "присоединён leads.csv по 'id': совпало строк: 80 из 100; у 20 без совпадения "
     "присоединённые столбцы пусты (из них без ключа: 3); ключей leads.csv без строки: 5 "
     "(не используются); повторяют прежний ключ строк: 2 (берётся первая)"),
])
def test_encoding_and_join_notes_in_russian(english, russian):
    from funnelctl.render.labels_ru import note_text

    assert note_text(english, "ru") == russian


def test_huge_daily_totals_reason_in_russian():
    from funnelctl.render.labels_ru import reason_text

    assert reason_text("calls over 100,000 a day", "ru") == "calls: больше 100,000 в день"
