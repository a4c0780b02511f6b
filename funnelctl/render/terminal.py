"""Rich tables for the terminal. Every colour has a text label, so pipes lose nothing."""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from funnelctl.render import RenderOptions
from funnelctl.report import FunnelResult, Report, SegmentResult, SourceQuality, StageResult

STYLE = {"ok": "green", "warn": "yellow", "fail": "bold red"}
LABEL = {"ok": "OK", "warn": "WARN", "fail": "FAIL"}


def pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}%}"


def verdict_text(verdict: str | None) -> Text:
    if verdict is None:
        return Text("–", style="dim")
    return Text(LABEL[verdict], style=STYLE[verdict])


def render(report: Report, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=options.color, no_color=not options.color,
                      width=options.width, highlight=False, emoji=False)
    console.print(header(report))
    for funnel in report.funnels:
        console.print(funnel_table(funnel))
        for column, segments in funnel.breakdowns.items():
            console.print(breakdown_table(funnel, column, segments))
    console.print(quality_table(report.data_quality.sources))
    console.print(findings_block(report))
    return buffer.getvalue()


def header(report: Report) -> Text:
    period = ("all data" if report.period.start is None
              else f"{report.period.start} .. {report.period.end}")
    text = Text()
    text.append(report.title, style="bold")
    text.append(f"\nperiod: {period}   generated: {report.generated_at:%Y-%m-%d %H:%M} UTC\n")
    return text


def stage_cells(stage: StageResult, bottleneck: str | None) -> list:
    interval = ("–" if stage.ci_low is None
                else f"{pct(stage.ci_low)}–{pct(stage.ci_high)}")
    threshold = ("–" if stage.good is None
                 else f"≥{pct(stage.good, 0)} / ≥{pct(stage.acceptable, 0)}")
    name = Text(stage.name)
    if stage.name == bottleneck:
        name.append("  ◀ bottleneck", style="bold magenta")
    return [name, f"{stage.entered:,}", pct(stage.conversion_from_previous), interval,
            pct(stage.conversion_from_first), threshold, verdict_text(stage.verdict)]


def funnel_table(funnel: FunnelResult) -> Table:
    title = f"{funnel.name} ({funnel.kind}, {funnel.entities:,} {entity_word(funnel.kind)})"
    table = Table(title=title, title_justify="left", title_style="bold")
    for col, justify in (("Stage", "left"), ("Entered", "right"), ("Conv.", "right"),
                         ("95% CI", "right"), ("From first", "right"),
                         ("Good / acceptable", "right"), ("Verdict", "left")):
        table.add_column(col, justify=justify)
    timed = any(s.time_in_stage or s.max_days for s in funnel.stages)
    if timed:
        for col in ("Days med.", "p90", "Stuck"):
            table.add_column(col, justify="right")
    bottleneck = funnel.bottleneck.stage if funnel.bottleneck else None
    for stage in funnel.stages:
        table.add_row(*stage_cells(stage, bottleneck), *(timing_cells(stage) if timed else []))
    caption = [outcome_line(funnel)] if funnel.won is not None else []
    caption += history_lines(funnel)
    if caption:
        table.caption = "\n".join(caption)
        table.caption_justify = "left"
    return table


def timing_cells(stage: StageResult) -> list:
    t = stage.time_in_stage
    stuck = "–" if stage.stuck is None else Text(
        f"{stage.stuck:,} >{stage.max_days:g}d", style="yellow" if stage.stuck else "")
    if t is None:
        return ["–", "–", stuck]
    return [f"{t.median_days:.1f}", f"{t.p90_days:.1f}", stuck]


def history_lines(funnel: FunnelResult) -> list[str]:
    """The slowest stage and the inconsistent-funnel counts of a stage-history funnel."""
    lines = []
    if funnel.slowest_stage:
        s = funnel.slowest_stage
        lines.append(f"slowest stage: {s.stage} (median {s.median_days:.1f} d, "
                     f"p90 {s.p90_days:.1f} d in the stage)")
    c = funnel.consistency
    if c and c.inconsistent:
        lines.append(f"inconsistent funnel: {c.inconsistent:,} of {c.deals:,} deals "
                     f"({pct(c.share)}): {c.moved_backwards:,} moved backwards, "
                     f"{c.skipped_stages:,} skipped stages")
    return lines


def outcome_line(funnel: FunnelResult | SegmentResult) -> str:
    parts = [f"won {funnel.won:,}", f"lost {funnel.lost:,}", f"win rate {pct(funnel.win_rate)}"]
    if funnel.cycle_days:
        parts.append(f"cycle median {funnel.cycle_days.median:.1f} d, "
                     f"p90 {funnel.cycle_days.p90:.1f} d")
    if isinstance(funnel, FunnelResult) and funnel.bottleneck:
        parts.append(f"bottleneck: {funnel.bottleneck.stage} ({funnel.bottleneck.reason})")
    return " · ".join(parts)


def entity_word(kind: str) -> str:
    return {"deals": "deals", "stage_history": "deals", "events": "entities"}.get(
        kind, "entities")


def breakdown_table(funnel: FunnelResult, column: str, segments: list[SegmentResult]) -> Table:
    table = Table(title=f"{funnel.name} by {column}", title_justify="left")
    table.add_column(column)
    table.add_column("Entities", justify="right")
    for stage in funnel.stages[1:]:
        table.add_column(f"→ {stage.name}", justify="right")
    table.add_column("Overall", justify="right")
    if funnel.won is not None:
        table.add_column("Win rate", justify="right")
    table.add_column("vs rest", justify="left")
    for seg in segments:
        cells = [seg.value, f"{seg.entities:,}"]
        cells += [Text(pct(s.conversion_from_previous), style=STYLE.get(s.verdict or "", ""))
                  for s in seg.stages[1:]]
        cells.append(pct(seg.stages[-1].conversion_from_first))
        if funnel.won is not None:
            cells.append(pct(seg.win_rate))
        cells.append(difference_label(seg, funnel))
        table.add_row(*cells)
    return table


def difference_label(seg: SegmentResult, funnel: FunnelResult) -> Text:
    if not seg.differs:
        return Text("same", style="dim")
    better = seg.stages[-1].conversion_from_first >= funnel.stages[-1].conversion_from_first
    p = "p<0.001" if seg.p_value < 0.001 else f"p={seg.p_value:.3f}"
    return Text(f"{'higher' if better else 'LOWER'} ({p})",
                style="green" if better else "yellow")


def quality_table(sources: list[SourceQuality]) -> Table:
    table = Table(title="Data quality", title_justify="left")
    for col in ("Source", "Rows read", "Rejected", "Reasons / notes"):
        table.add_column(col, justify="right" if col.startswith("R") and col != "Reasons / notes"
                         else "left")
    for src in sources:
        lines = [f"{reason}: {count:,}" for reason, count in src.reasons.items()]
        if src.detected:
            lines.append("read as: " + ", ".join(f"{k} {v!r}" for k, v in src.detected.items()))
        if src.unmatched_stages:
            lines.append("unmatched stage values: " + ", ".join(
                f"'{v}' ({n})" for v, n in src.unmatched_stages.items()))
        lines += src.notes
        table.add_row(src.name, f"{src.rows_read:,}", f"{src.rows_rejected:,}",
                      "\n".join(lines) or "–")
    return table


def findings_block(report: Report) -> Group:
    lines = [Text("Findings", style="bold")]
    for f in report.findings:
        line = Text("  ")
        line.append(f"{LABEL[f.severity]:<4}", style=STYLE[f.severity])
        line.append(f"  {f.subject}: {f.message}")
        lines.append(line)
    if not report.findings:
        lines.append(Text("  none"))
    verdict = Text("\nVerdict: ")
    verdict.append(LABEL[report.verdict], style=STYLE[report.verdict])
    lines.append(verdict)
    return Group(*lines)
