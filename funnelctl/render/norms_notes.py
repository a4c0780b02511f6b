"""What the norms section says beside the grades, for every renderer: the production
calendar, teams and their rules, system users, short calls, matched and unmatched names,
roster dates. Each note is a label and its items; the items hold data values (names), so
each renderer escapes them its own way (for_display, the Markdown escaper, autoescape)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from funnelctl.managers import why_alike
from funnelctl.plural import plural
from funnelctl.render.fmt import Fmt


@dataclass
class Note:
    label: str
    items: list[str]
    key: str  # a stable name (HTML data-note, tests)


def rule_text(rule: dict[str, int], t: dict[str, str], f: Fmt) -> str:
    parts = [f"{f.num(rule[k])} {t[k].lower()}" for k in ("meetings", "calls") if rule.get(k)]
    return " + ".join(parts) or "0"


def norms_notes(norms: Any, t: dict[str, str], f: Fmt) -> list[Note]:
    notes = []
    cal = norms.calendar
    if cal is not None and cal.country:
        items = [f"{d} {name}" for d, name in cal.holidays.items()]
        label = plural(len(items), t["norms_country"]).format(country=cal.country,
                                                              n=len(items))
        notes.append(Note(label, items, "calendar"))
    if cal is not None and cal.working_dates:
        notes.append(Note(t["norms_working_dates"],
                          [d.isoformat() for d in cal.working_dates], "working_dates"))
    for team in norms.teams:
        good = " | ".join(rule_text(r, t, f) for r in team.daily_good)
        fair = " | ".join(rule_text(r, t, f) for r in team.daily_acceptable)
        weekly = team.weekly_meetings
        weeks = (t["norms_no_weekly"] if weekly is None else
                 f"{t['excellent']} ≥ {weekly['excellent']}, {t['good']} ≥ {weekly['good']}")
        notes.append(Note(
            t["norms_team_rules"].format(team=team.name),
            [f"{t['good']}: {good}", f"{t['acceptable']}: {fair}",
             f"{t['weekly_meetings'].lower()}: {weeks}",
             f"{t['members']}: {', '.join(team.members)}"], "team"))
    if own := own_days(norms):
        notes.append(Note(t["norms_own_days"], [
            f"{m.manager}: {m.working_days} ({dates(m, t)})" for m in own], "own_days"))
    if norms.not_in_period:
        notes.append(Note(t["norms_not_in_period"], list(norms.not_in_period), "not_in_period"))
    if norms.outside_dates:
        notes.append(Note(t["norms_outside_dates"],
                          [f"{m} ({f.num(n)})" for m, n in norms.outside_dates.items()],
                          "outside_dates"))
    if norms.ignored_rows:
        notes.append(Note(t["norms_ignored"],
                          [f"{m} ({f.num(n)})" for m, n in norms.ignored_rows.items()],
                          "ignored"))
    for source, seconds in norms.min_call_seconds.items():
        notes.append(Note(t["norms_short_calls"].format(seconds=seconds, source=source),
                          [f.num(norms.short_calls)], "short_calls"))
    names = norms.names
    if names is not None and names.merged:
        notes.append(Note(t["norms_merged"],
                          [merged_text(raw, m, t) for raw, m in names.merged.items()],
                          "merged"))
    if names is not None and names.ambiguous:
        notes.append(Note(t["norms_ambiguous"],
                          [f"{raw} ({' / '.join(c)})" for raw, c in names.ambiguous.items()],
                          "ambiguous"))
    if names is not None and names.unmatched:
        notes.append(Note(t["norms_unmatched"], list(names.unmatched), "unmatched"))
    return notes


def merged_text(raw: str, manager: str, t: dict[str, str]) -> str:
    """"raw → manager", saying why where the two look the same on screen (look-alike
    letters of another script; a non-breaking, double or trailing space)."""
    why = why_alike(raw, manager)
    return f"{raw} → {manager}" + (f" ({t['norms_' + why]})" if why else "")


def own_days(norms: Any) -> list:
    """The managers whose working days are not the period's (roster dates): the note's
    list, and whether the tables have an own-working-days column."""
    return [m for m in norms.managers if m.working_days != norms.working_days]


def dates(m: Any, t: dict[str, str]) -> str:
    """"from 2026-11-02", "to 2026-10-31" or "2026-11-02..2026-12-31"."""
    if m.active_from and m.active_to:
        return f"{m.active_from.isoformat()}..{m.active_to.isoformat()}"
    if m.active_from:
        return f"{t['norms_from']} {m.active_from.isoformat()}"
    return f"{t['norms_to']} {m.active_to.isoformat()}" if m.active_to else ""
