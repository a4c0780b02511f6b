"""The norms part of the terminal report: a row per manager with the team's totals, then a
calendar of daily grades by ISO week. Grades are shapes (● ◐ ○, as in the HTML and
Markdown reports), coloured in a terminal, with a legend in words."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from funnelctl.render.fmt import DASH, Fmt
from funnelctl.render.labels import GRADE_SYMBOL
from funnelctl.render.norms_notes import norms_notes, own_days
from funnelctl.report import ManagerNorms, NormsResult

GRADE_STYLE = {"excellent": "bold green", "good": "green", "acceptable": "yellow",
               "below": "bold red"}
VERDICT_STYLE = {"ok": "green", "warn": "yellow", "fail": "bold red"}
NAME_WIDTH = 22
WEEK_WIDTH = 8  # five symbols, padding and the column rule


def norms_parts(norms: NormsResult, t: dict[str, str], f: Fmt, width: int | None) -> list:
    parts = [summary_table(norms, t, f)]
    notes = notes_text(norms, t, f)
    if notes.plain:
        parts.append(notes)
    if norms.managers and norms.working_days:
        parts.append(calendar(norms, t, width))
    return parts


def notes_text(norms: NormsResult, t: dict[str, str], f: Fmt) -> Text:
    """The calendar, teams, system users, short calls and names, a line each (the
    report was passed through for_display, and the console reads no markup)."""
    text = Text()
    for i, note in enumerate(norms_notes(norms, t, f)):
        text.append(("\n" if i else "") + note.label + (": " if note.items else ""),
                    style="bold")
        text.append("; ".join(note.items))
    return text


def summary_table(norms: NormsResult, t: dict[str, str], f: Fmt) -> Table:
    period = f.period(norms.start, norms.end, t["all_data"])
    table = Table(title=f"{t['norms']} ({norms.source}: {period}, {norms.working_days} "
                        f"{t['working_days']})",
                  title_justify="left", title_style="bold", show_footer=True)
    n = norms.totals
    weeks = "/".join(GRADE_SYMBOL[g] for g in ("excellent", "good", "below"))
    own = bool(own_days(norms))
    columns = [(t["manager"], "left", f"{t['team']} ({len(norms.managers)})")]
    if norms.teams:
        columns.append((t["team"], "left", ""))
    if own:
        columns.append((t["own_working_days"], "right", ""))
    columns += [(t["good_days"], "right", f.num(n.good_days)),
               (t["acceptable_days"], "right", f.num(n.acceptable_days)),
               (t["below_days"], "right", f.num(n.below_days)),
               (t["empty_days"], "right", f.num(n.empty_days)),
               (t["calls"], "right", f.num(n.calls)),
               (t["meetings"], "right", f.num(n.meetings)),
               (weeks, "right", ""),
               (t["verdict"], "left", "")]
    for i, (header, justify, footer) in enumerate(columns):
        table.add_column(header, justify=justify, footer=footer,
                         no_wrap=i == 0 or header == t["below_days"])
    for m in norms.managers:
        extra = ([m.team or DASH] if norms.teams else []) + (
            [f.num(m.working_days)] if own else [])
        table.add_row(m.manager, *extra, Text(f.num(m.good_days), style=GRADE_STYLE["good"]),
                      Text(f.num(m.acceptable_days), style=GRADE_STYLE["acceptable"]),
                      below_cell(m, f), f.num(m.empty_days), f.num(m.calls), f.num(m.meetings),
                      weeks_cell(m), verdict_cell(m, t))
    return table


def below_cell(m: ManagerNorms, f: Fmt) -> Text:
    share = "" if m.below_share is None else f" ({f.pct(m.below_share)})"
    return Text(f"{f.num(m.below_days)}{share}",
                style=GRADE_STYLE["below"] if m.below_days else "")


def weeks_cell(m: ManagerNorms) -> Text:
    """How many ISO weeks were excellent / good / below on meetings."""
    text = Text()
    for i, grade in enumerate(("excellent", "good", "below")):
        count = sum(w.grade == grade for w in m.weeks)
        text.append(("/" if i else "") + str(count), style=GRADE_STYLE[grade])
    return text


def verdict_cell(m: ManagerNorms, t: dict[str, str]) -> Text:
    return Text(t[m.verdict], style=VERDICT_STYLE[m.verdict]) if m.verdict else Text(DASH)


def calendar(norms: NormsResult, t: dict[str, str], width: int | None) -> Group:
    """Rows: managers; columns: ISO weeks (the latest that fit the width); a symbol per
    working day. Days off are not graded, so they have no symbol."""
    weeks = sorted({d.date.isocalendar()[:2] for m in norms.managers for d in m.days
                    if d.grade})
    fit = max(1, ((width or 110) - NAME_WIDTH - 4) // WEEK_WIDTH)
    shown = weeks[-fit:]
    title = f"{t['calendar']}: {t['norms'].lower()}"
    if len(shown) < len(weeks):
        title += f" ({len(shown)}/{len(weeks)})"
    table = Table(title=title, title_justify="left", title_style="bold")
    table.add_column(t["manager"], max_width=NAME_WIDTH)
    for year, week in shown:
        table.add_column(f"{year % 100:02d}-W{week:02d}", no_wrap=True)
    for m in norms.managers:
        cells = {key: Text() for key in shown}
        for day in m.days:
            key = day.date.isocalendar()[:2]
            if day.grade and key in cells:
                cells[key].append(GRADE_SYMBOL[day.grade], style=GRADE_STYLE[day.grade])
        table.add_row(m.manager, *(cells[key] for key in shown))
    legend = ", ".join(f"{GRADE_SYMBOL[g]} {t[g]}" for g in ("good", "acceptable", "below"))
    weekly = ", ".join(f"{GRADE_SYMBOL[g]} {t[g]}" for g in ("excellent", "good", "below"))
    return Group(table, Text(f"{t['legend']}: {legend}. {t['norms_rule']} "
                             f"{t['weekly_meetings']}: {weekly}.", style="dim"))
