"""The money view of a funnel as plain tables of formatted cells and caption sentences,
which the terminal, Markdown and HTML renderers only lay out (each escapes the cells its
own way). Nothing here computes a number: it words and formats the report's."""

from __future__ import annotations

from dataclasses import dataclass, field

from funnelctl.plural import plural
from funnelctl.render.fmt import DASH, NBSP, Fmt
from funnelctl.render.labels import column_label, segment_label
from funnelctl.report import EMPTY, NO_CURRENCY, FunnelResult, Money, MoneySegment, Velocity


@dataclass
class Cell:
    text: str
    value: float | int | None = None  # the exact number, for HTML's data-value
    numeric: bool = True


@dataclass
class MoneyTable:
    key: str  # stages | segments:<column> | managers | loss_reasons
    title: str
    columns: list[str]
    numeric: list[bool]
    rows: list[list[Cell]]
    caption: list[str] = field(default_factory=list)


def money_tables(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> list[MoneyTable]:
    """Every money table of one funnel, in reading order; [] when it has no money view."""
    blocks = [funnel.money] if funnel.money else funnel.money_by_currency
    out = [stage_table(funnel, m, t, f, several=len(blocks) > 1) for m in blocks]
    if funnel.money and not any(col == "manager" for col in funnel.breakdowns):
        if funnel.money.managers:
            out.append(segment_table(funnel, "managers", t["money_managers"], "manager",
                                     [(m.value, m) for m in funnel.money.managers],
                                     funnel.money.currency, t, f))
    if funnel.money:
        for column, segs in funnel.breakdowns.items():
            rows = [(segment_label(t, s.value, s.folded), s.money) for s in segs if s.money]
            if rows:
                out.append(segment_table(funnel, f"segments:{column}",
                                         f"{column_label(t, column)} · {t['money_segments']}",
                                         column, rows, funnel.money.currency, t, f))
    if funnel.loss_reasons:
        out.append(reasons_table(funnel, t, f))
    if funnel.cycle_target and not out:  # no amount: the cycle target still has its say
        out.append(MoneyTable("cycle", f"{funnel.name} · {t['cycle']}", [], [], [],
                              [cycle_line(funnel, t, f)]))
    return out


def stage_table(funnel: FunnelResult, m: Money, t: dict[str, str], f: Fmt,
                several: bool) -> MoneyTable:
    cur = m.currency
    title = f"{funnel.name} · {t['in_money']}" + (f" ({cur})" if cur else "")
    if several and not cur:
        title += f" ({t['no_currency']})"
    # The currency is in the title; the cells are numbers (narrow tables, nothing wraps).
    rows = [[Cell(s.name, numeric=False), Cell(f.money(v.entered), v.entered),
             Cell(f.money(v.moved_on), v.moved_on), Cell(f.money(v.lost), v.lost),
             Cell(f.num(v.lost_deals), v.lost_deals), Cell(f.money(v.open), v.open)]
            for s, v in zip(funnel.stages, m.stages)]
    caption = money_lines(funnel, m, t, f)
    if several and m is funnel.money_by_currency[0]:
        items = ", ".join(f"{b.currency or t['no_currency']} {f.num(b.deals)}"
                          for b in funnel.money_by_currency)
        caption.insert(0, t["several_currencies"].format(n=len(funnel.money_by_currency),
                                                         items=items))
    return MoneyTable("stages", title, [t["stage"], t["value_entered"], t["value_moved_on"],
                                        t["value_lost"], t["lost_deals_col"], t["value_open"]],
                      [False, True, True, True, True, True], rows, caption)


def money_lines(funnel: FunnelResult, m: Money, t: dict[str, str], f: Fmt) -> list[str]:
    cur = m.currency
    lines = [" · ".join([
        plural(m.won_deals, t["money_revenue"]).format(value=f.money(m.won_revenue, cur),
                                                       n=f.num(m.won_deals)),
        t["money_deal"].format(mean=f.money(m.deal_mean, cur),
                               median=f.money(m.deal_median, cur)),
        t["money_open_lost"].format(open=f.money(m.open_value, cur),
                                    lost=f.money(m.lost_value, cur))
        + (f" ({t['money_unplaced'].format(value=f.money(m.lost_value_unplaced, cur))})"
           if m.lost_value_unplaced else "")])]
    if m.small_sample:
        lines.append(t["money_few"].format(n=f.num(m.won_deals), min=f.num(_min(funnel))))
    lines.append(velocity_line(m.velocity, cur, t, f))
    if m.bottleneck:
        b = m.bottleneck
        line = t["money_by_value"].format(stage=b.stage, value=f.money(b.lost, cur),
                                          share=f.pct(b.share, 0))
        counts = [v.lost_deals for v in m.stages]
        k = max(range(len(counts)), key=lambda i: (counts[i], -i))
        if funnel.stages[k].name != b.stage and counts[k]:
            line = t["money_by_deals"].format(stage=funnel.stages[k].name,
                                              n=f.num(counts[k])) + ", " + line
        lines.append(line)
    if m is funnel.money or (funnel.money_by_currency and m is funnel.money_by_currency[0]):
        if funnel.cycle_target:
            lines.append(cycle_line(funnel, t, f))
    if m.deals_without_amount:
        lines.append(plural(m.deals_without_amount, t["money_no_amount"]).format(
            n=f.num(m.deals_without_amount)))
    if m.converted:
        lines.append(t["money_converted"].format(currency=cur, items=", ".join(
            f"{c} {f.num(n)}" for c, n in m.converted.items())))
    return lines


def _min(funnel: FunnelResult) -> int:
    return next((s.min_sample for s in funnel.stages if s.min_sample), 30)


def velocity_line(v: Velocity | None, cur: str | None, t: dict[str, str], f: Fmt) -> str:
    if v is None or v.per_day is None:
        return t["velocity_none"]
    line = plural(v.open_deals, t["velocity_line"]).format(
        value=f.money(v.per_day, cur), open=f.num(v.open_deals),
        win_rate=f.pct(v.win_rate), average=f.money(v.average_won),
        cycle=f.days(v.cycle_days, ""))
    return line + (f" ({t['velocity_rough']})" if v.small_sample else "")


def cycle_line(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> str:
    c = funnel.cycle_target
    if c.median is None:
        return t["cycle_target_none"]
    return t["cycle_target_line"].format(
        median=f.days(c.median, ""), good=f"{c.good:g}", acceptable=f"{c.acceptable:g}",
        verdict=t[c.verdict], share=f.pct(c.over_good_share, 0), over=f.num(c.over_good),
        won=f.num(c.won_deals))


def segment_table(funnel: FunnelResult, key: str, title: str, column: str,
                  rows: list[tuple[str, MoneySegment]], cur: str | None,
                  t: dict[str, str], f: Fmt) -> MoneyTable:
    body = []
    for label, s in rows:
        v = s.velocity
        speed = f.money(v.per_day) if v and v.per_day is not None else "–"
        if v and v.per_day is not None and v.small_sample:
            speed += " ?"
        body.append([Cell(label, numeric=False), Cell(f.num(s.deals), s.deals),
                     Cell(f.num(s.won_deals), s.won_deals),
                     Cell(f.money(s.won_revenue), s.won_revenue),
                     Cell(f.money(s.deal_mean), s.deal_mean),
                     Cell(f.money(s.deal_median), s.deal_median),
                     Cell(f.money(s.open_value), s.open_value),
                     Cell(speed, v.per_day if v else None)])
    caption = []
    if any(s.velocity and s.velocity.small_sample for _, s in rows):
        caption.append(f"? {t['velocity_rough']}")
    return MoneyTable(key, f"{funnel.name} · {title}" + (f" ({cur})" if cur else ""),
                      [column_label(t, column), t["deals_col"], t["won_deals_col"],
                       t["won_revenue"], t["avg_deal"], t["median_deal"], t["open_value"],
                       t["velocity"]],
                      [False, *[True] * 7], body, caption)


def reasons_table(funnel: FunnelResult, t: dict[str, str], f: Fmt) -> MoneyTable:
    cur = funnel.money.currency if funnel.money else None
    rows = []
    for r in funnel.loss_reasons:
        if r.value_by_currency:
            # An unknown value (no deal with an amount) is a dash with its currency, not 0.
            named = {t["no_currency"] if c == NO_CURRENCY else c: v
                     for c, v in r.value_by_currency.items()}
            value = ", ".join(f.money(v, c) if v is not None else f"{DASH}{NBSP}{c}"
                              for c, v in named.items())
        else:
            value = f.money(r.value)
        stages = ", ".join(f"{name} {f.num(n)}" for name, n in r.stages.items()) or "–"
        rows.append([Cell(t["empty_reason"] if r.reason == EMPTY else r.reason,
                          numeric=False), Cell(f.num(r.deals), r.deals),
                     Cell(f.pct(r.share), r.share), Cell(value, r.value),
                     Cell(stages, numeric=False)])
    title = f"{funnel.name} · {t['loss_reasons']}" + (f" ({cur})" if cur else "")
    return MoneyTable("loss_reasons", title,
                      [t["reason"], t["deals_col"], t["share_of_lost"], t["value"],
                       t["lost_at"]], [False, True, True, True, False], rows,
                      [t["loss_reasons_note"]])
