"""The manager scorecard as plain text tables and lines, in the report's language: the
terminal, Markdown and HTML renderers lay these out (they only render; the values were
passed through for_display or are escaped by the renderer)."""

from __future__ import annotations

from dataclasses import dataclass

from funnelctl.render.fmt import DASH, Fmt
from funnelctl.report import Report
from funnelctl.report_scorecard import ManagerKpis, ManagerScorecard, RankCorrelation, Scorecard

KPIS = ("new_clients", "first_meetings", "presentations", "deals_closed", "sales_volume")


@dataclass
class TextTable:
    title: str
    headers: list[str]
    rows: list[list[str]]


def _weeks(c: ManagerScorecard) -> str:
    if not c.weeks:
        return DASH
    return " / ".join(str(c.weeks.get(g, 0)) for g in ("excellent", "good", "below"))


def _rate(value: float | None, f: Fmt) -> str:
    return DASH if value is None else f"{value:.1f}".replace(".", "," if f.lang == "ru" else ".")


def main_tables(report: Report, t: dict[str, str], f: Fmt) -> list[TextTable]:
    """The activity per manager, then the first deal funnel's outcome per manager."""
    activity, outcome = [], []
    for c in report.managers:
        name = c.manager + (f" ({c.team})" if c.team else "")
        activity.append([name, f"{c.good_days} / {c.acceptable_days} / {c.below_days}",
                         f"{f.pct(c.good_share, 0)} / {f.pct(c.acceptable_share, 0)} / "
                         f"{f.pct(c.below_share, 0)}", _rate(c.calls_per_day, f),
                         _rate(c.meetings_per_day, f), _weeks(c)])
        o = c.outcomes[0] if c.outcomes else None
        if o is None:
            continue
        rough = " *" if o.small_sample else ""
        outcome.append([
            c.manager, f.num(o.deals), f.pct(o.win_rate) + rough,
            f.money(o.won_revenue, o.currency), f.money(o.average_deal, o.currency),
            f.days(o.median_cycle_days, t["sc_day_unit"]),
            f.money(o.velocity.per_day if o.velocity else None, o.currency) + rough,
            f.num(o.stuck), f.num(o.overdue)])
    out = [TextTable(t["sc_title"], [
        t["sc_manager"], t["sc_days"], t["sc_shares"], t["sc_calls_day"],
        t["sc_meetings_day"], t["sc_weeks"]], activity)]
    if outcome:
        out.append(TextTable(t["sc_outcome_title"].format(funnel=report.scorecard.funnels[0]), [
            t["sc_manager"], t["sc_deals"], t["sc_win_rate"], t["sc_revenue"], t["sc_average"],
            t["sc_cycle"], t["sc_velocity"], t["sc_stuck"], t["sc_overdue"]], outcome))
    return out


def stage_tables(report: Report, t: dict[str, str], f: Fmt) -> list[TextTable]:
    """Per deal funnel: a row per manager, a column per stage (entered, conversion)."""
    out = []
    if not report.scorecard:
        return out
    for k, funnel in enumerate(report.scorecard.funnels):
        cards = [c for c in report.managers if len(c.outcomes) > k]
        if not cards:
            continue
        stages = [s.name for s in cards[0].outcomes[k].stages]
        rows = []
        for c in cards:
            o = c.outcomes[k]
            cells = [f"{f.num(s.entered)}" + (f" ({f.pct(s.conversion)})" if i else "")
                     for i, s in enumerate(o.stages)]
            rows.append([c.manager, *cells, f"{f.num(o.won)} ({f.pct(o.win_rate)})"])
        out.append(TextTable(t["sc_stages_title"].format(funnel=funnel),
                             [t["sc_manager"], *stages, t["won"]], rows))
    return out


def kpi_table(report: Report, t: dict[str, str], f: Fmt) -> TextTable | None:
    cards = [c for c in report.managers if c.kpis is not None]
    if not cards:
        return None
    rows = []
    for c in cards:
        k, currency = c.kpis, c.kpis.currency
        rows.append([c.manager, _new_clients(k, t, f), f.num(k.first_meetings),
                     f.num(k.presentations), f.num(k.deals_closed),
                     f.money(k.sales_volume, currency)])
    return TextTable(t["sc_kpi_title"], [t["sc_manager"], *(t[f"kpi_{k}"] for k in KPIS)], rows)


def _new_clients(k: ManagerKpis, t: dict[str, str], f: Fmt) -> str:
    """Deals created, and how many of them no stage count holds (so the first stage's
    count is not a second, unexplained number)."""
    if not k.new_clients_no_stage:
        return f.num(k.new_clients)
    return t["sc_new_no_stage"].format(n=f.num(k.new_clients), k=f.num(k.new_clients_no_stage))


def weeks_table(report: Report, t: dict[str, str], f: Fmt) -> TextTable | None:
    """The manager-weeks the correlations are computed over."""
    sc = report.scorecard
    if sc is None or not sc.weeks:
        return None
    rows = [[w.manager, w.week, f.num(w.meetings), f.num(w.calls), f.num(w.good_days),
             f.num(w.advances_next_week), f.num(w.wins_next_week)] for w in sc.weeks]
    return TextTable(t["sc_weeks_title"], [
        t["sc_manager"], t["sc_week"], t["sc_col_meetings"], t["sc_col_calls"],
        t["sc_col_good_days"], t["sc_advances_next"], t["sc_wins_next"]], rows)


def correlation_line(c: RankCorrelation, t: dict[str, str], f: Fmt, sc: Scorecard) -> str:
    """One correlation, and why it shows a relation or not: too few managers, an
    interval that spans 0, or a p that does not hold once adjusted for the family."""
    activity = t["sc_pair"].format(activity=t[f"sc_act_{c.activity}"],
                                   outcome=t[f"sc_out_{c.outcome}"])
    if c.rho is None or c.ci_low is None:
        return t["sc_corr_none"].format(activity=activity)
    counts = {"managers": f.num(c.managers),
              "managers_n": f.count(c.managers, t["sc_forms_managers"]),
              "p": f.p(c.p_adjusted), "tests": f.count(c.tests, t["sc_forms_tests"])}
    line = t["sc_corr_line"].format(
        activity=activity, rho=_signed(c.rho, f), low=_signed(c.ci_low, f),
        high=_signed(c.ci_high, f), p=f.p(c.p_value), n=f.count(c.n, t["sc_forms_weeks"]),
        managers_n=counts["managers_n"], managers=counts["managers"])
    if c.managers < sc.min_managers:
        why = t["sc_corr_few"].format(min=f.count(sc.min_managers, t["sc_forms_managers"]),
                                      **counts)
    elif c.ci_low <= 0 <= c.ci_high:
        why = t["sc_corr_spans"]
    elif not c.conclusive:
        why = t["sc_corr_adjusted"].format(correction=sc.correction, **counts)
    else:
        why = t["sc_corr_shown"].format(**counts)
    return f"{line}: {why}"


def _signed(value: float, f: Fmt) -> str:
    text = f"{value:+.2f}"
    return text.replace(".", ",") if f.lang == "ru" else text


def notes(report: Report, t: dict[str, str], f: Fmt) -> list[str]:
    """The lines under the tables: the KPI mapping, the names left out, the correlation."""
    sc = report.scorecard
    if sc is None:
        return []
    out = []
    if report.norms is not None:
        out.append(t["sc_same_period"].format(
            period=f.period(report.norms.start, report.norms.end, t["all_data"])))
    if sc.funnels:
        out.append(kpi_note(sc, t))
    if any(o.no_stage for c in report.managers for o in c.outcomes):
        out.append(t["sc_no_stage_note"])
    if any(o.small_sample for c in report.managers for o in c.outcomes):
        out.append(f"* {t['sc_rough']}")
    if sc.unmatched:
        out.append(f"{t['sc_unmatched']}: " + "; ".join(
            f"{name} ({f.num(n)})" for name, n in sc.unmatched.items()))
    if sc.ambiguous:
        out.append(f"{t['sc_ambiguous']}: " + "; ".join(
            f"{name} → {', '.join(c)}" for name, c in sc.ambiguous.items()))
    if sc.unassigned:
        out.append(t["sc_unassigned"].format(n=f.num(sc.unassigned)))
    return out


def advances_note(report: Report, t: dict[str, str]) -> str | None:
    """Where each funnel's stage advances come from (a snapshot knows less than a
    history), or that they are not known."""
    sc = report.scorecard
    if sc is None or not sc.advances_from:
        return None
    parts = [t["sc_basis_item"].format(funnel=funnel, basis=t[f"sc_basis_{basis or 'none'}"])
             for funnel, basis in sc.advances_from.items()]
    return t["sc_advances_note"].format(funnels="; ".join(parts))


def kpi_note(sc: Scorecard, t: dict[str, str]) -> str:
    """What each KPI counts and over which funnel (once, when all share one)."""
    funnels = [sc.kpi_funnels.get(kpi) for kpi in KPIS]
    one = funnels[0] if len(set(funnels)) == 1 and funnels[0] in sc.funnels else None
    items = []
    for kpi, funnel in zip(KPIS, funnels):
        stage = sc.kpi_stages.get(kpi) or f"({t['sc_no_stage']})"
        text = t[f"sc_kpi_is_{kpi}"].format(stage=stage)
        if one is None:
            where = funnel if funnel in sc.funnels else t["sc_kpi_no_managers"].format(
                funnel=funnel or "–")
            text += f" ({where})"
        items.append(text)
    return "; ".join(items) + (f" ({one})" if one is not None else "")


def correlation_lines(report: Report, t: dict[str, str], f: Fmt) -> list[str]:
    """The advances' basis, then one line per activity and outcome."""
    sc = report.scorecard
    if sc is None:
        return []
    note = advances_note(report, t)
    if sc.unfinished_weeks and report.norms is not None:
        note = (note + "\n" if note else "") + t["sc_weeks_unfinished"].format(
            weeks=", ".join(sc.unfinished_weeks), end=report.norms.end)
    return [*(note.split("\n") if note else []),
            *(correlation_line(c, t, f, sc) for c in sc.correlations)]


def all_tables(report: Report, t: dict[str, str], f: Fmt) -> list[TextTable]:
    """Every scorecard table in order (the HTML partial's)."""
    if report.scorecard is None or not report.managers:
        return []
    kpis = kpi_table(report, t, f)
    return [*main_tables(report, t, f), *stage_tables(report, t, f),
            *([kpis] if kpis is not None else [])]
