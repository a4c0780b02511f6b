"""`funnelctl validate`: config, file headers and stage values, without computing metrics."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from funnelctl.audit.deals import with_preset_outcomes
from funnelctl.audit.forecast import require_stage_changed
from funnelctl.commands.funnel_shape import shape_problems
from funnelctl.commands.validate_sample import sample_lines
from funnelctl.config import Funnel, Source, load_config
from funnelctl.errors import ConfigError, visible
from funnelctl.io import events
from funnelctl.io.activities import activity_mapping
from funnelctl.io.deals import column_mapping, resolve_preset
from funnelctl.io.history import detect_layout, history_mapping, stage_values
from funnelctl.io.readers import RawSource, open_source
from funnelctl.io.values import EDGES
from funnelctl.metrics.funnel import suspect_values


@dataclass
class Validation:
    lines: list[str]  # what to show the user
    problems: int = 0  # mistakes that do not block an audit but make its numbers wrong
    errors: int = 0  # sources the audit could not read (validate_sample): exit 2


def validate(config_path: str | Path) -> Validation:
    """Lines to show the user; raises a FunnelctlError on anything that blocks an audit.
    Problems are counted apart: `funnelctl validate` exits 1 on them."""
    config = load_config(config_path)
    lines = [f"{config_path}: config is valid ({len(config.funnels)} funnel(s), "
             f"{len(config.sources)} source(s))"]
    problems = 0
    for name, source in config.sources.items():
        users = [f for f in config.funnels if f.source == name]
        if source.table is not None:  # on a ClickHouse server: its columns are checked
            lines.append(table_line(config, name, source, users))
            continue
        raw = open_source(name, source)
        detected = ", ".join(f"{k} {v!r}" for k, v in raw.detected.items())
        lines.append(f"source '{name}': {source.path} ({detected}), {len(raw.columns)} columns")
        lines += [f"  note: {note}" for note in raw.notes]
        if source.kind == "events" and users:
            lines += validate_events(raw, source, users)
        if source.kind == "activities":
            shape, mapping = activity_mapping(raw, source)
            what = "one row per activity" if shape == "rows" else "daily totals"
            lines.append(f"  activities: {what} ("
                         + ", ".join(f"{k}: {v!r}" for k, v in mapping.items()) + ")")
        if source.kind not in ("deals", "stage_history") or not users:
            continue
        breakdown = sorted({c for f in users for c in f.breakdown})
        preset = None
        by_pipeline: dict[str, pl.Series] = {}
        if source.kind == "stage_history":
            layout = source.layout or detect_layout(raw.columns)
            history_mapping(raw, source, layout, breakdown)
            lines.append(f"  layout: {layout}")
            values = stage_values(raw, source).str.strip_chars(EDGES)
        else:
            mapping = column_mapping(raw, source, breakdown)
            values = raw.frame.select(pl.col(mapping["stage"]).str.strip_chars(EDGES)).collect()\
                .to_series()
            by_pipeline = pipeline_stage_values(raw, mapping, users)
            preset = resolve_preset(raw, source)
            shape = shape_problems(raw, source, mapping, config.timezone, preset, users)
            problems += len(shape)
            lines += [f"  problem: {p}" for p in shape]
            for funnel in users:
                require_stage_changed(config, funnel, "stage_changed_at" in mapping)
            if preset:
                lines.append(f"  preset: {raw.detected.get('preset', preset)}")
        all_values = values.drop_nulls().unique().sort()
        for funnel in (with_preset_outcomes(f, preset) for f in users):
            values = by_pipeline.get(funnel.pipeline, all_values)
            known = {v.strip().lower() for s in funnel.stages for v in s.values()}
            known |= {v.strip().lower() for v in (*funnel.won, *funnel.lost)}
            unmatched = [v for v in values if v.lower() not in known]
            if unmatched:
                lines.append(f"  funnel '{funnel.name}': stage values matching nothing: "
                             + ", ".join(f"'{visible(v)}'" for v in unmatched))
            else:
                lines.append(f"  funnel '{funnel.name}': every stage value matches")
            suspects = suspect_values(funnel, values.to_list())
            problems += len(suspects)
            lines += [f"  problem: funnel '{funnel.name}': {meaning} value '{value}' is in no "
                      f"row; did you mean '{visible(close)}'?"
                      for meaning, value, close in suspects]
    sample, errors = sample_lines(config)
    return Validation(lines + sample, problems, errors)


def table_line(config, name: str, source: Source, users: list[Funnel]) -> str:
    """A table source: the server answers, the table and the mapped columns exist."""
    from funnelctl.engines.clickhouse import prepare_source

    prepared = prepare_source(name, source, config, users, None)
    return (f"source '{name}': table {source.table} on {source.url} "
            f"({len(prepared.columns.types)} columns; the funnels' columns are there)")


def pipeline_stage_values(raw: RawSource, mapping: dict[str, str],
                          funnels: list[Funnel]) -> dict[str, pl.Series]:
    """The stage values of each pipeline a funnel's `pipeline:` keeps."""
    wanted = {f.pipeline for f in funnels if f.pipeline is not None}
    if not wanted:
        return {}
    if "pipeline" not in mapping:
        raise ConfigError(f"a funnel has `pipeline:` but source '{raw.name}' maps no pipeline "
                          f"column: add it under sources.{raw.name}.columns")
    pipeline = pl.col(mapping["pipeline"]).cast(pl.String).str.strip_chars(EDGES)
    frame = raw.frame.select(pipeline.alias("p"), pl.col(mapping["stage"]).cast(pl.String)
                             .str.strip_chars(EDGES).alias("s")).filter(pl.col("p").is_in(wanted))
    table = frame.unique().collect()
    return {p: table.filter(pl.col("p") == p)["s"].drop_nulls().unique().sort() for p in wanted}


def validate_events(raw: RawSource, source: Source, funnels: list[Funnel]) -> list[str]:
    """Mapped columns exist; every stage's event names occur in the log."""
    extra = sorted({c for f in funnels for s in f.stages for c in s.where_columns()} |
                   {c for f in funnels for c in f.breakdown})
    mapping = events.column_mapping(raw, source, extra)
    names = set(raw.frame.select(pl.col(mapping["event"]).cast(pl.String).unique())
                .collect().to_series().drop_nulls())
    lines = []
    for funnel in funnels:
        missing = sorted({n for s in funnel.stages for n in s.values()} - names)
        lines.append(f"  funnel '{funnel.name}': " + (
            "no events named " + ", ".join(f"'{n}'" for n in missing) if missing
            else "every stage's events occur in the log"))
    return lines
