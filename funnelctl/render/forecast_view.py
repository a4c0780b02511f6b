"""The forecast, plan and stuck-deal sections as plain tables of text, shared by the
terminal, Markdown and HTML renderers (each escapes the cells its own way). Nothing is
computed here: the numbers come from the report model (report_forecast.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from funnelctl.plural import plural
from funnelctl.render.fmt import DASH, Fmt
from funnelctl.render.labels_ru import note_text
from funnelctl.report import FunnelResult
from funnelctl.report_forecast import LIST_LIMIT, ListedDeal, PlanLine

SHORT_LIST = 10  # rows of a deal list in the terminal and Markdown (HTML shows them all)


@dataclass
class ViewTable:
    key: str  # probabilities, forecast, overdue, stuck, plan
    title: str
    header: list[str]
    align: str  # one letter per column: l or r
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # per row: "warn" or ""
    more: int = 0  # rows left out of a short list


def forecast_tables(funnel: FunnelResult, t: dict[str, str], f: Fmt,
                    short: bool = True) -> list[ViewTable]:
    out = []
    if table := stage_table(funnel, t, f):
        out.append(table)
    if funnel.forecast is not None:
        out.append(forecast_table(funnel, t, f))
        if funnel.forecast.overdue.deals:
            out.append(overdue_table(funnel, t, f, short))
    if any(s.stuck_deals for s in funnel.stages):
        out.append(stuck_table(funnel, t, f, short))
    if funnel.plan is not None:
        out += plan_tables(funnel, t, f)
    return out


def snoozed_line(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> str | None:
    s = funnel.snoozed
    if s is None:
        return None
    counts = {"active": s.active, "stuck": s.hidden_stuck, "overdue": s.hidden_overdue,
              "expired": s.expired, "unknown": s.unknown}
    return t["fc_snoozed"].format(path=s.path, **{
        key: plural(n, t[f"fc_snoozed_{key}"]).format(n=f.num(n)) for key, n in counts.items()})


def stage_table(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> ViewTable | None:
    probable = any(s.probability for s in funnel.stages)
    limited = any(s.max_days_learned for s in funnel.stages)
    if not probable and not limited:
        return None
    header = [t["fc_stage"]]
    header += [t["fc_probability"], t["fc_basis"]] if probable else []
    header += [t["fc_max_days"], t["fc_stuck_n"]] if limited else []
    rows, flags = [], []
    for s in funnel.stages:
        row, flag = [s.name], ""
        if probable:
            p = s.probability
            if p is None:
                row += [DASH, DASH]
            elif p.source == "config":
                row += [f.pct(p.probability), t["fc_basis_config"]]
            else:
                basis = (plural(p.closed, t["fc_basis_data"]).format(won=f.num(p.won),
                                                              closed=f.num(p.closed))
                         if p.closed else t["fc_basis_none"])
                if p.small_sample and p.closed:
                    basis += f" · {t['fc_small']}"
                    flag = "warn"
                if p.unknown_lost and p.lowest is not None:
                    basis += " · " + plural(p.unknown_lost, t["fc_unknown_lost"]).format(
                        n=f.num(p.unknown_lost), lowest=f.pct(p.lowest))
                    flag = "warn"
                row += [f.pct(p.probability), basis]
        if limited:
            learned = s.max_days_learned
            if learned is not None and learned.days is None:
                limit = t["fc_not_learned"]
            elif learned is not None:
                limit = plural(learned.deals, t["fc_learned"]).format(
                    days=f.days(learned.days, ""), n=f.num(learned.deals))
                if learned.small_sample:
                    limit += f" · {t['fc_small']}"
                    flag = "warn"
            else:
                limit = t["fc_fixed"].format(days=f"{s.max_days:g}") if s.max_days else DASH
            row += [limit, DASH if s.stuck is None else f.num(s.stuck)]
        rows.append(row)
        flags.append(flag)
    return ViewTable("probabilities", t["fc_stages_title"].format(funnel=funnel.name), header,
                     "l" + ("rl" if probable else "") + ("lr" if limited else ""), rows,
                     flags=flags)


def _money(f: Fmt, value: float | None, currency: str | None) -> str:
    return f.money(value, currency)


def forecast_table(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> ViewTable:
    fc = funnel.forecast
    rows, flags = [], []
    for r in fc.rows:
        month = {"overdue": t["fc_overdue_row"].format(as_of=fc.as_of),
                 "no_date": t["fc_no_date_row"]}.get(r.bucket, r.month or DASH)
        rows.append([month, r.currency or DASH, f.num(r.deals), _money(f, r.amount, None),
                     _money(f, r.weighted, None)])
        flags.append("warn" if r.bucket == "overdue" else "")
    notes = [t["fc_forecast_note"]]
    if fc.without_amount:
        notes.append(plural(fc.without_amount, t["fc_without_amount"]).format(
            n=f.num(fc.without_amount)))
    if any(r.weighted is None for r in fc.rows):
        notes.append(t["fc_no_probability"])
    return ViewTable("forecast", t["fc_forecast_title"].format(funnel=funnel.name,
                                                               as_of=fc.as_of),
                     [t["fc_month"], t["fc_currency"], t["fc_deals"], t["fc_amount"],
                      t["fc_weighted"]], "llrrr", rows, notes, flags)


def _cut(deals: list[ListedDeal], total: int, short: bool) -> tuple[list[ListedDeal], int]:
    shown = deals[:SHORT_LIST] if short else deals
    return shown, total - len(shown)


def overdue_table(funnel: FunnelResult, t: dict[str, str], f: Fmt, short: bool) -> ViewTable:
    late = funnel.forecast.overdue
    shown, more = _cut(late.listed, late.deals, short)
    value = "; ".join(f.money(v, c or None) for c, v in late.amounts.items())
    rows = [[d.deal_id, d.stage, d.manager or DASH, f.money(d.amount, d.currency),
             str(d.expected_close), f.num(int(d.days)) if d.days is not None else DASH]
            for d in shown]
    title = plural(late.deals, t["fc_overdue_title"]).format(funnel=funnel.name,
                                                             n=f.num(late.deals), value=value)
    table = ViewTable("overdue", title,
                      [t["fc_deal"], t["fc_stage"], t["fc_manager"], t["fc_amount"],
                       t["fc_expected"], t["fc_days_late"]], "lllrlr", rows, more=more)
    if more:
        table.notes.append(plural(more, t["fc_more"]).format(n=f.num(more), limit=LIST_LIMIT))
    return table


def stuck_table(funnel: FunnelResult, t: dict[str, str], f: Fmt, short: bool) -> ViewTable:
    deals = sorted((d for s in funnel.stages for d in s.stuck_deals),
                   key=lambda d: -(d.days or 0))
    total = sum(s.stuck or 0 for s in funnel.stages)
    limits = {s.name: s.max_days for s in funnel.stages}
    shown, more = _cut(deals, total, short)
    rows = [[d.deal_id, d.stage, d.manager or DASH, f.money(d.amount, d.currency),
             f.days(d.days, ""), f"{limits[d.stage]:g}" if limits.get(d.stage) else DASH]
            for d in shown]
    table = ViewTable("stuck", t["fc_stuck_title"].format(funnel=funnel.name),
                      [t["fc_deal"], t["fc_stage"], t["fc_manager"], t["fc_amount"],
                       t["fc_days_in"], t["fc_limit"]], "lllrrr", rows, more=more)
    if more:
        table.notes.append(plural(more, t["fc_more"]).format(n=f.num(more), limit=LIST_LIMIT))
    return table


def _status(line: PlanLine, t: dict[str, str]) -> str:
    if line.status == "future":
        return t["fc_future"]
    if line.status == "finished":
        return t["fc_missed"] if line.behind else t["fc_met"]
    if line.too_early:  # under 20% of the working days gone: neither on pace nor behind
        return t["fc_too_early"]
    return t["fc_behind"] if line.behind else t["fc_on_pace"]


def span(line: PlanLine) -> str:
    """'2026-11' for a calendar month, else 'start – end'."""
    month_end = (line.end + dt.timedelta(days=1)).day == 1
    if line.start.day == 1 and month_end and line.start.strftime("%Y-%m") == line.end.strftime(
            "%Y-%m"):
        return line.start.strftime("%Y-%m")
    return f"{line.start} – {line.end}"


def plan_tables(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> list[ViewTable]:
    """One table per plan period (its working days in the title), team line first."""
    plan = funnel.plan
    periods: dict[tuple, list[PlanLine]] = {}
    for line in plan.lines:
        periods.setdefault((line.start, line.end), []).append(line)
    out = []
    for lines in periods.values():
        first = lines[0]
        rows, flags = [], []
        for ln in lines:
            who = ln.manager or (t["fc_team_sum"] if ln.derived else t["fc_team"])
            rows.append([who, _m(f, ln.plan), _m(f, ln.won), f.pct(ln.attainment, 0),
                         _m(f, ln.expected_by_now), _m(f, ln.pace_needed),
                         _m(f, ln.weighted_pipeline), f.pct(ln.coverage, 0), _status(ln, t)])
            flags.append("warn" if ln.behind else "")
        title = plural(first.working_days, t["fc_plan_title"]).format(
            funnel=funnel.name, span=span(first),
                                          as_of=plan.as_of, left=f.num(first.days_left),
                                          days=f.num(first.working_days))
        out.append(ViewTable("plan", title,
                             [t["fc_who"], t["fc_plan"], t["fc_won"], t["fc_attainment"],
                              t["fc_expected_now"], t["fc_pace"], t["fc_pipeline"],
                              t["fc_coverage"], t["fc_status"]], "lrrrrrrrl", rows, [], flags))
    notes = [t["fc_plan_note"]]
    if plan.currency:
        notes.append(t["fc_plan_currency"].format(currency=plan.currency))
    if plan.no_deals:  # a target nobody's deals match: said, not silently 0
        notes.append(t["fc_plan_no_deals"].format(names=", ".join(plan.no_deals)))
    notes += [note_text(note, f.lang) for note in plan.notes]
    if out:
        out[-1].notes = notes
    return out


def _m(f: Fmt, value: float | None) -> str:
    """Money without a currency (the plan's note names it); 0 as 0, not 0.00."""
    return "0" if value == 0 else f.money(value, None)
