"""Markdown: the report as compact tables for a chat or an e-mail.

Verdicts carry a symbol and a word, never only a colour. User data (names, stage values,
file paths) is escaped so a `|` cannot break a table and a `<script>` stays text.
"""

from __future__ import annotations

from dataclasses import replace

from funnelctl.render import RenderOptions
from funnelctl.render.captions import problem_lines
from funnelctl.render.escape import for_display
from funnelctl.render.fmt import DASH, Fmt
from funnelctl.render.labels import (
    bottleneck_reason,
    change_key,
    column_label,
    comparison_title,
    confidence_note,
    count_of,
    detected_items,
    finding_message,
    history_lines,
    labels,
    note_text,
    reason_text,
    sample_lines,
    segment_label,
    subject,
    unit,
)
from funnelctl.render.markdown_forecast import forecast_section
from funnelctl.render.markdown_money import money_section
from funnelctl.render.markdown_scorecard import scorecard_section
from funnelctl.render.markdown_tables import SYMBOL, esc, table
from funnelctl.render.markdown_trends import event_time_section
from funnelctl.render.markdown_waterfall import waterfall_section
from funnelctl.report import (
    Change,
    Comparison,
    FunnelResult,
    Report,
    SegmentResult,
    SourceQuality,
    StageResult,
)

MANY_STAGES = 5  # past this, a breakdown lists stages as rows (a row per segment is too wide)


class MarkdownReport:
    def __init__(self, report: Report, lang: str) -> None:
        self.r, self.t, self.f = report, labels(lang), Fmt(lang)
        self.lang = lang

    def verdict(self, verdict: str | None) -> str:
        return DASH if verdict is None else f"{SYMBOL[verdict]} {self.t[verdict]}"

    def render(self) -> str:
        out = self.header() + self.findings()
        if self.r.comparison:
            out += self.comparison(self.r.comparison)
        for funnel in self.r.funnels:
            out += self.funnel(funnel)
        if self.r.norms is not None:
            from funnelctl.render.markdown_norms import norms_section  # it imports this module

            out += norms_section(self.r.norms, self.t, self.f)
        out += scorecard_section(self.r, self.t, self.f)
        out += self.quality(self.r.data_quality.sources)
        return "\n".join(out).rstrip() + "\n"

    def header(self) -> list[str]:
        t, p = self.t, self.r.period
        period = self.f.period(p.start, p.end, t["all_data"])
        return [f"# {esc(self.r.title)}", "",
                f"**{t['verdict']}: {self.verdict(self.r.verdict)}** · {t['period']}: {period} · "
                f"{t['generated']}: {self.f.when(self.r.generated_at)}", ""]

    def findings(self) -> list[str]:
        lines = [f"## {self.t['findings']}", ""]
        for f in self.r.findings:
            note = confidence_note(f.low_confidence, f.source, self.r, self.t, self.f)
            who = esc(subject(f, self.f.lang, self.t))
            lines.append(f"- {self.verdict(f.severity)} · **{who}**: "
                         f"{esc(finding_message(f, self.f.lang, self.f))}"
                         + (f" *{esc(note)}*" if note else ""))
        return lines + ([self.t["no_findings"]] if not self.r.findings else []) + [""]

    def comparison(self, comp: Comparison) -> list[str]:
        t, f = self.t, self.f
        before = comp.previous_period
        lines = [f"## {t[comparison_title(comp)]} "
                 f"({f.period(before.start, before.end, t['all_data'])})",
                 "", t["comparison_note"].format(
                     alpha=comp.significance, correction=t[f"correction_{comp.correction}"]), ""]
        for funnel in comp.funnels:
            rows = [self.change_row(ch.subject, ch) for ch in funnel.stages]
            rows.append(self.change_row(t["overall"], funnel.overall))
            lines += [f"**{esc(funnel.funnel)}**: {f.num(funnel.previous_entities)} → "
                      f"{f.num(funnel.current_entities)}", ""]
            lines += table([t["stage"], t["previous"], t["current"], t["change"], t["p_value"],
                            t["p_adjusted"], ""], "lrrrrrl", rows)
        if comp.managers:
            rows = [self.change_row(ch.subject, ch) for ch in comp.managers]
            lines += [f"**{t['norms']}** ({t['good_days']})", ""]
            lines += table([t["manager"], t["previous"], t["current"], t["change"],
                            t["p_value"], t["p_adjusted"], ""], "lrrrrrl", rows)
        return lines

    def change_row(self, name: str, ch: Change) -> list[str]:
        t, f = self.t, self.f
        mark = t[change_key(ch)]
        if ch.worse:
            mark = f"{SYMBOL['warn']} {mark}"
        return [esc(name), f.pct(ch.previous), f.pct(ch.current),
                f.points(ch.change, t["pp"]), f.p(ch.p_value), f.p(ch.p_adjusted), mark]

    def funnel(self, funnel: FunnelResult) -> list[str]:
        t = self.t
        bottleneck = funnel.bottleneck.stage if funnel.bottleneck else None
        timed = any(s.time_in_stage or s.max_days for s in funnel.stages)
        rows = [self.stage_row(s, s.name == bottleneck) + (self.timing(s) if timed else [])
                for s in funnel.stages]
        if won := funnel.won_conversion:  # no lost deal: the conversion into won, last row
            rows.append(self.stage_row(replace(won, name=t["won_row"]), False)
                        + ([DASH] * 3 if timed else []))
        header = [t["stage"], t["entered"], t["conversion"], t["ci95"], t["from_first"],
                  t["target"], t["verdict"]]
        header += [t["days_median"], t["p90"], t["stuck"]] if timed else []
        lines = [f"## {esc(funnel.name)}", "", self.summary(funnel), ""]
        if note := confidence_note(funnel.low_confidence, funnel.source, self.r, t, self.f):
            lines += [f"**{esc(note)}**", ""]
        lines += table(header, "lrrrrrl" + ("rrr" if timed else ""), rows)
        history = history_lines(funnel, t, self.f) + sample_lines(funnel, t, self.f)
        lines += [*(f"- {esc(line)}" for line in history), ""] if history else []
        if funnel.waterfall is not None:
            lines += waterfall_section(funnel, self.lang)
        for column, segments in funnel.breakdowns.items():
            lines += self.breakdown(funnel, column, segments)
        lines += money_section(funnel, t, self.f)
        return (lines + event_time_section(funnel, t, self.f)
                + forecast_section(funnel, t, self.f))

    def summary(self, funnel: FunnelResult) -> str:
        t, f = self.t, self.f
        parts = [count_of(t, f, funnel.entities, funnel.kind)]
        if funnel.won is not None:
            rate = f.pct(funnel.win_rate)
            if funnel.win_rate_verdict:
                rate += f" ({self.verdict(funnel.win_rate_verdict)})"
            if funnel.won_conversion:  # a 100% win rate never stands alone
                rate += f" ({t['no_lost_short']})"
            parts += [f"{t['won']} {f.num(funnel.won)}", f"{t['lost']} {f.num(funnel.lost)}",
                      f"{t['win_rate']} {rate}"]
        if cycle := funnel.cycle_days:
            parts.append(f"{t['cycle']}: {t['median']} {f.days(cycle.median, t['days'])}, "
                         f"{t['p90']} {f.days(cycle.p90, t['days'])}")
        if funnel.bottleneck:
            parts.append(f"{t['bottleneck']}: **{esc(funnel.bottleneck.stage)}** "
                         f"({esc(bottleneck_reason(funnel, t, f))})")
        return " · ".join(parts)

    def stage_row(self, s: StageResult, is_bottleneck: bool) -> list[str]:
        f = self.f
        name = f"**{esc(s.name)}** ◀ {self.t['bottleneck']}" if is_bottleneck else esc(s.name)
        target = DASH if s.good is None else f"≥{f.pct(s.good, 0)} / ≥{f.pct(s.acceptable, 0)}"
        return [name, f.num(s.entered), f.pct(s.conversion_from_previous),
                f.interval(s.ci_low, s.ci_high), f.pct(s.conversion_from_first), target,
                self.verdict(s.verdict)]

    def timing(self, s: StageResult) -> list[str]:
        f, days = self.f, s.time_in_stage
        stuck = (DASH if s.stuck is None
                 else self.t["stuck_over"].format(n=f.num(s.stuck), days=f"{s.max_days:g}"))
        if days is None:
            return [DASH, DASH, stuck]
        return [f.days(days.median_days, ""), f.days(days.p90_days, ""), stuck]

    def breakdown(self, funnel: FunnelResult, column: str,
                  segments: list[SegmentResult]) -> list[str]:
        t, f = self.t, self.f
        deals = funnel.won is not None
        header = [esc(column_label(t, column)), unit(t, funnel.kind)]
        header += [f"→ {esc(s.name)}" for s in funnel.stages[1:]] + [t["overall"]]
        header += [t["win_rate"]] if deals else []
        rows = []
        for seg in segments:
            cells = [esc(segment_label(t, seg.value, seg.folded)), f.num(seg.entities)]
            cells += [f.pct(s.conversion_from_previous)
                      + (f" {SYMBOL[s.verdict]}" if s.verdict else "")
                      for s in seg.stages[1:]]
            cells.append(f.pct(seg.stages[-1].conversion_from_first))
            cells += [f.pct(seg.win_rate)] if deals else []
            cells.append(self.difference(seg, funnel))
            rows.append(cells)
        header.append(t["vs_rest"])
        align = "lr" + "r" * len(funnel.stages) + ("r" if deals else "") + "l"
        if len(funnel.stages) > MANY_STAGES:  # stages as rows, segments as columns
            header, *rows = [list(line) for line in zip(header, *rows)]
            align = "l" + "r" * len(segments)
        return [f"### {esc(funnel.name)} · {esc(column_label(t, column))}", "",
                *table(header, align, rows)]

    def difference(self, seg: SegmentResult, funnel: FunnelResult) -> str:
        if not seg.tested:
            return self.t["too_small"]
        if not seg.differs:
            return self.t["same"]
        conv = seg.stages[-1].conversion_from_first
        higher = conv >= funnel.stages[-1].conversion_from_first
        word = self.t["higher"] if higher else self.t["lower"]
        return f"{word} ({self.f.p(seg.p_adjusted)})"

    def quality(self, sources: list[SourceQuality]) -> list[str]:
        t, f = self.t, self.f
        rows = []
        for src in sources:
            notes = [f"{esc(reason_text(r, f.lang))}: {f.num(n)}" for r, n in src.reasons.items()]
            if src.unmatched_stages:
                notes.append(f"{t['unmatched_values']}: " + ", ".join(
                    f"'{esc(v)}' ({f.num(n)})" for v, n in src.unmatched_stages.items()))
            notes += [esc(note_text(n, f.lang)) for n in src.notes]
            notes += [f"{esc(sentence)}: `{esc(value)}`"
                      for sentence, value in problem_lines(src, t, f)]
            if src.detected:
                notes.append(f"{t['read_as']}: " + ", ".join(
                    f"{esc(k)} {esc(repr(v))}" for k, v in detected_items(src.detected, f.lang)))
            rows.append([esc(src.name), f.num(src.rows_read), f.num(src.rows_rejected),
                         "; ".join(notes) or DASH])
        return [f"## {t['data_quality']}", "",
                *table([t["source"], t["rows_read"], t["rejected"], t["reasons_notes"]],
                       "lrrl", rows)]


def render(report: Report, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    return MarkdownReport(for_display(report), options.lang).render()
