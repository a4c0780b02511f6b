"""Rich tables for the terminal. Every colour has a text label, so pipes lose nothing."""

from __future__ import annotations

import io
from dataclasses import replace

from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

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
from funnelctl.render.terminal_breakdown import (
    BREAKDOWN_WIDTH,
    STYLE,
    stage_row_tables,
    table_width,
)
from funnelctl.render.terminal_forecast import forecast_parts
from funnelctl.render.terminal_money import money_parts
from funnelctl.render.terminal_norms import norms_parts
from funnelctl.render.terminal_scorecard import scorecard_parts
from funnelctl.render.terminal_trends import event_time_parts
from funnelctl.render.terminal_waterfall import waterfall_table
from funnelctl.report import (
    Change,
    Comparison,
    FunnelResult,
    Report,
    SegmentResult,
    SourceQuality,
    StageResult,
)


class TerminalReport:
    def __init__(self, report: Report, lang: str, width: int | None = None) -> None:
        self.r, self.t, self.f = report, labels(lang), Fmt(lang)
        self.width, self.lang = width, lang

    def parts(self) -> list:
        out = [self.header()]
        if self.r.comparison:
            out += self.comparison(self.r.comparison)
        for funnel in self.r.funnels:
            out.append(self.funnel_table(funnel))
            if funnel.waterfall is not None:
                out.append(waterfall_table(funnel, self.lang))
            for column, segments in funnel.breakdowns.items():
                out += self.breakdown_tables(funnel, column, segments)
            out += event_time_parts(funnel, self.t, self.f)
            out += money_parts(funnel, self.t, self.f)
            out += forecast_parts(funnel, self.t, self.f)
        if self.r.norms is not None:
            out += norms_parts(self.r.norms, self.t, self.f, self.width)
        out += scorecard_parts(self.r, self.t, self.f)
        out += [self.quality_table(self.r.data_quality.sources), self.findings_block()]
        return out

    def verdict(self, verdict: str | None) -> Text:
        if verdict is None:
            return Text(DASH, style="dim")
        return Text(self.t[verdict], style=STYLE[verdict])

    def header(self) -> Text:
        t, p = self.t, self.r.period
        text = Text()
        text.append(self.r.title, style="bold")
        text.append(f"\n{t['period'].lower()}: {self.f.period(p.start, p.end, t['all_data'])}"
                    f"   {t['generated'].lower()}: {self.f.when(self.r.generated_at)}\n")
        return text

    def stage_cells(self, stage: StageResult, bottleneck: str | None) -> list:
        f = self.f
        threshold = (DASH if stage.good is None
                     else f"≥{f.pct(stage.good, 0)} / ≥{f.pct(stage.acceptable, 0)}")
        name = Text(stage.name)
        if stage.name == bottleneck:
            name.append(f"  ◀ {self.t['bottleneck']}", style="bold magenta")
        return [name, f.num(stage.entered), f.pct(stage.conversion_from_previous),
                f.interval(stage.ci_low, stage.ci_high), f.pct(stage.conversion_from_first),
                threshold, self.verdict(stage.verdict)]

    def funnel_table(self, funnel: FunnelResult) -> Table:
        t = self.t
        title = f"{funnel.name} ({count_of(t, self.f, funnel.entities, funnel.kind)})"
        if note := confidence_note(funnel.low_confidence, funnel.source, self.r, t, self.f):
            title += f"  {note}"
        table = Table(title=title, title_justify="left", title_style="bold")
        for key, justify in (("stage", "left"), ("entered", "right"), ("conversion", "right"),
                             ("ci95", "right"), ("from_first", "right"), ("target", "right"),
                             ("verdict", "left")):
            table.add_column(t[key], justify=justify)
        timed = any(s.time_in_stage or s.max_days for s in funnel.stages)
        if timed:
            for key in ("days_median", "p90", "stuck"):
                table.add_column(t[key], justify="right")
        waits = any(s.time_from_first for s in funnel.stages)  # event funnels
        if waits:
            table.add_column(t["time_from_first"], justify="right")
        bottleneck = funnel.bottleneck.stage if funnel.bottleneck else None
        for stage in funnel.stages:
            table.add_row(*self.stage_cells(stage, bottleneck),
                          *(self.timing_cells(stage) if timed else []),
                          *([wait_cell(stage)] if waits else []))
        if won := funnel.won_conversion:  # no lost deal: the conversion into won, last row
            table.add_row(*self.stage_cells(replace(won, name=t["won_row"]), None),
                          *([DASH] * 3 if timed else []))
        caption = [self.outcome_line(funnel)] if funnel.won is not None else []
        caption += history_lines(funnel, t, self.f) + sample_lines(funnel, t, self.f)
        if caption:
            table.caption = "\n".join(caption)
            table.caption_justify = "left"
        return table

    def timing_cells(self, stage: StageResult) -> list:
        f, days = self.f, stage.time_in_stage
        stuck = DASH if stage.stuck is None else Text(
            self.t["stuck_over"].format(n=f.num(stage.stuck), days=f"{stage.max_days:g}"),
            style="yellow" if stage.stuck else "")
        if days is None:
            return [DASH, DASH, stuck]
        return [f.days(days.median_days, ""), f.days(days.p90_days, ""), stuck]

    def outcome_line(self, funnel: FunnelResult) -> str:
        t, f = self.t, self.f
        parts = [f"{t['won'].lower()} {f.num(funnel.won)}", f"{t['lost'].lower()} "
                 f"{f.num(funnel.lost)}", f"{t['win_rate'].lower()} {f.pct(funnel.win_rate)}"]
        if funnel.won_conversion:  # a 100% win rate never stands alone
            parts[-1] += f" ({t['no_lost_short']})"
        if cycle := funnel.cycle_days:
            parts.append(f"{t['cycle'].lower()}: {t['median']} {f.days(cycle.median, t['days'])}"
                         f", {t['p90']} {f.days(cycle.p90, t['days'])}")
        if funnel.bottleneck:
            parts.append(f"{t['bottleneck']}: {funnel.bottleneck.stage} "
                         f"({bottleneck_reason(funnel, t, f)})")
        return " · ".join(parts)

    def breakdown_tables(self, funnel: FunnelResult, column: str,
                         segments: list[SegmentResult]) -> list[Table]:
        """One row per segment while that fits the width; else the stages as rows and the
        segments as columns, in as many tables as the width needs, so no word is ever
        wrapped letter by letter."""
        table = self.breakdown_table(funnel, column, segments)
        if table_width(table) <= (self.width or BREAKDOWN_WIDTH):
            return [table]
        return stage_row_tables(funnel, column, segments, self.t, self.f,
                                self.width or BREAKDOWN_WIDTH, self.difference)

    def breakdown_table(self, funnel: FunnelResult, column: str,
                        segments: list[SegmentResult]) -> Table:
        t, f = self.t, self.f
        name = column_label(t, column)
        table = Table(title=f"{funnel.name} · {name}", title_justify="left")
        table.add_column(name)
        table.add_column(unit(t, funnel.kind), justify="right")
        for stage in funnel.stages[1:]:
            table.add_column(f"→ {stage.name}", justify="right")
        table.add_column(t["overall"], justify="right")
        if funnel.won is not None:
            table.add_column(t["win_rate"], justify="right")
        table.add_column(t["vs_rest"], justify="left")
        for seg in segments:
            cells = [segment_label(t, seg.value, seg.folded), f.num(seg.entities)]
            cells += [Text(f.pct(s.conversion_from_previous), style=STYLE.get(s.verdict or "", ""))
                      for s in seg.stages[1:]]
            cells.append(f.pct(seg.stages[-1].conversion_from_first))
            if funnel.won is not None:
                cells.append(f.pct(seg.win_rate))
            cells.append(self.difference(seg, funnel))
            table.add_row(*cells)
        return table

    def difference(self, seg: SegmentResult, funnel: FunnelResult) -> Text:
        if not seg.tested:
            return Text(self.t["too_small"], style="dim")
        if not seg.differs:
            return Text(self.t["same"], style="dim")
        better = seg.stages[-1].conversion_from_first >= funnel.stages[-1].conversion_from_first
        return Text(f"{self.t['higher' if better else 'lower']} ({self.f.p(seg.p_adjusted)})",
                    style="green" if better else "yellow")

    def comparison(self, comp: Comparison) -> list[Table]:
        t, f = self.t, self.f
        before = f.period(comp.previous_period.start, comp.previous_period.end, t["all_data"])
        groups = [(fc.funnel, t["stage"], [*fc.stages, fc.overall]) for fc in comp.funnels]
        if comp.managers:
            groups.append((t["norms"], t["manager"], comp.managers))
        tables = []
        for title, first, changes in groups:
            table = Table(title=f"{t[comparison_title(comp)]} ({before}): {title}",
                          title_justify="left")
            table.add_column(first)
            for key in ("previous", "current", "change", "p_value", "p_adjusted"):
                table.add_column(t[key], justify="right")
            table.add_column("")
            for ch in changes:
                table.add_row(*self.change_cells(ch, ch is changes[-1] and first == t["stage"]))
            tables.append(table)
        return tables

    def change_cells(self, ch: Change, overall: bool) -> list:
        t, f = self.t, self.f
        key = change_key(ch)
        mark = Text(t[key], style={"worse": "bold yellow", "better": "green"}.get(key, "dim"))
        return [t["overall"] if overall else ch.subject, f.pct(ch.previous), f.pct(ch.current),
                f.points(ch.change, t["pp"]), f.p(ch.p_value), f.p(ch.p_adjusted), mark]

    def quality_table(self, sources: list[SourceQuality]) -> Table:
        t, f = self.t, self.f
        table = Table(title=t["data_quality"], title_justify="left")
        table.add_column(t["source"])
        table.add_column(t["rows_read"], justify="right")
        table.add_column(t["rejected"], justify="right")
        table.add_column(t["reasons_notes"])
        for src in sources:
            lang = f.lang
            lines = [f"{reason_text(reason, lang)}: {f.num(count)}"
                     for reason, count in src.reasons.items()]
            if src.detected:
                lines.append(f"{t['read_as']}: " + ", ".join(
                    f"{k} {v!r}" for k, v in detected_items(src.detected, lang)))
            if src.unmatched_stages:
                lines.append(f"{t['unmatched_values']}: " + ", ".join(
                    f"'{v}' ({f.num(n)})" for v, n in src.unmatched_stages.items()))
            lines += [note_text(note, lang) for note in src.notes]
            cell = Text("\n".join(lines))  # Text: nothing in a data value is markup
            for sentence, value in problem_lines(src, t, f):
                cell.append(f"{chr(10) if cell else ''}{sentence}: {value!r}")
            table.add_row(src.name, f.num(src.rows_read), f.num(src.rows_rejected),
                          cell if cell else DASH)
        return table

    def findings_block(self) -> Group:
        t = self.t
        lines = [Text(t["findings"], style="bold")]
        # A grid, so a long message wraps under itself, not under the severity label.
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        for finding in self.r.findings:
            text = Text(f"{subject(finding, self.f.lang, t)}: "
                        f"{finding_message(finding, self.f.lang, self.f)}")
            if note := confidence_note(finding.low_confidence, finding.source, self.r, t,
                                       self.f):
                text.append(f" [{note}]", style="yellow")
            grid.add_row(Text(t[finding.severity], style=STYLE[finding.severity]), text)
        if self.r.findings:
            lines.append(Padding(grid, (0, 0, 0, 2)))
        else:
            lines.append(Text(f"  {t['none']}"))
        verdict = Text(f"\n{t['verdict']}: ")
        verdict.append(t[self.r.verdict], style=STYLE[self.r.verdict])
        lines.append(verdict)
        return Group(*lines)


def wait_cell(stage: StageResult) -> str:
    wait = stage.time_from_first
    return DASH if wait is None else f"{duration(wait.median_s)} / {duration(wait.p90_s)}"


def duration(seconds: float) -> str:
    """45s, 13m, 1h06m, 3.2d: short and readable at any scale."""
    if seconds < 60:
        return f"{seconds:.0f}s"
    if seconds < 3600:
        return f"{seconds / 60:.0f}m"
    if seconds < 2 * 86400:
        hours, minutes = divmod(round(seconds / 60), 60)
        return f"{hours}h{minutes:02d}m"
    return f"{seconds / 86400:.1f}d"


def render(report: Report, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=options.color, no_color=not options.color,
                      width=options.width, highlight=False, emoji=False,
                      markup=False)  # data values are text: `[red]` in a name stays `[red]`
    report = for_display(report)  # no control character or escape sequence reaches the tty
    for part in TerminalReport(report, options.lang, options.width or console.width).parts():
        if isinstance(part, Table):
            for column in part.columns:  # a narrow terminal wraps numbers, never cuts them
                column.overflow = "fold"
        console.print(part)
    text = buffer.getvalue()
    if options.color:
        return text
    # Rich pads every line to the width; files and pipes are better without the spaces.
    return "\n".join(line.rstrip() for line in text.split("\n"))
