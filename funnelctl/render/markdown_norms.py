"""The norms section of the Markdown report: one row per manager with a strip of daily
grades (a symbol per working day, so it survives a chat without colours) and the weekly
meetings."""

from __future__ import annotations

from typing import Any

from funnelctl.render.fmt import DASH, Fmt
from funnelctl.render.labels import GRADE_SYMBOL
from funnelctl.render.markdown_tables import SYMBOL, esc, table
from funnelctl.render.norms_notes import norms_notes, own_days
from funnelctl.render.norms_view import norms_grid


def norms_section(norms: Any, t: dict[str, str], f: Fmt) -> list[str]:
    grid = norms_grid(norms)
    period = f.period(norms.start, norms.end, t["all_data"])
    legend = ", ".join(f"{GRADE_SYMBOL[g]} {t[g]}" for g in ("good", "acceptable", "below"))
    lines = [f"## {t['norms']}", "",
             f"{esc(norms.source)} · {period} · {norms.working_days} {t['working_days']}. "
             f"{legend}; {t['norms_rule']}", ""]
    teams = bool(norms.teams)
    own = bool(own_days(norms))
    rows = []
    for m in norms.managers:
        cells = manager_row(m, grid, t, f)
        cells[1:1] = extra_cells(m, teams, own, f)  # after the name
        rows.append(cells)
    totals = norms.totals
    rows.append([f"**{t['team']}** ({len(norms.managers)})", *[""] * (teams + own),
                 f.num(totals.good_days),
                 f.num(totals.acceptable_days), f.num(totals.below_days),
                 f.num(totals.empty_days), f.num(totals.calls), f.num(totals.meetings), "", ""])
    headers = [t["manager"], *([t["team"]] if teams else []),
               *([t["own_working_days"]] if own else []),
               t["good_days"], t["acceptable_days"], t["below_days"],
               t["empty_days"], t["calls"], t["meetings"], t["verdict"], t["calendar"]]
    lines += table(headers, "l" + "l" * teams + "r" * own + "rrrrrrll", rows)
    for note in norms_notes(norms, t, f):
        lines += [f"**{esc(note.label)}**" + (": " + "; ".join(esc(i) for i in note.items)
                                              if note.items else ""), ""]
    if grid.weeks:
        week_legend = ", ".join(f"{GRADE_SYMBOL[g]} {t[g]}" for g in ("excellent", "good",
                                                                        "below"))
        lines += [f"**{t['weekly_meetings']}** ({week_legend}; · {t['partial_week']})", ""]
        lines += table([t["manager"], *(f"{t['week']} {monday.isoformat()[5:]}"
                                        for _, monday in grid.weeks)],
                       "l" + "r" * len(grid.weeks),
                       [week_row(m, grid, f) for m in norms.managers])
    if norms.unlisted_managers:
        lines += [f"{t['unlisted']}: " + ", ".join(
            f"{esc(name)} ({f.num(n)})" for name, n in norms.unlisted_managers.items()), ""]
    return lines


def extra_cells(m: Any, teams: bool, own: bool, f: Fmt) -> list[str]:
    """The team and own-working-days cells, when the report has them."""
    return ([esc(m.team) if m.team else DASH] if teams else []) + (
        [f.num(m.working_days)] if own else [])


def manager_row(m: Any, grid, t: dict[str, str], f: Fmt) -> list[str]:
    below = f.num(m.below_days)
    if m.below_share is not None:
        below += f" ({f.pct(m.below_share, 0)})"
    days = grid.days[m.manager]
    strip = "".join(GRADE_SYMBOL[days[d].grade] if d in days else " " for d in grid.dates)
    return [esc(m.manager), f.num(m.good_days), f.num(m.acceptable_days), below,
            f.num(m.empty_days), f.num(m.calls), f.num(m.meetings),
            f"{SYMBOL[m.verdict]} {t[m.verdict]}" if m.verdict else DASH, strip or DASH]


def week_row(m: Any, grid, f: Fmt) -> list[str]:
    weeks = grid.week_grades[m.manager]
    cells = []
    for week, _ in grid.weeks:
        w = weeks.get(week)
        cells.append(DASH if w is None else
                     f"{f.num(w.meetings)} {GRADE_SYMBOL[w.grade] if w.grade else '·'}")
    return [esc(m.manager), *cells]
