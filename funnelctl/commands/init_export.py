"""`funnelctl init --from-export FILE`: a starter config for any deals export or event log,
preset or not. Every guess is written with its evidence as a comment, and what could not
be mapped is listed, so the user checks a config instead of writing one."""

from __future__ import annotations

import os
import re
from pathlib import Path

import polars as pl

from funnelctl.commands.guess_columns import Guesses, guess_columns, profile
from funnelctl.commands.init_activities import (
    ActivityLog,
    guess_activity_log,
    norms_lines,
    source_lines,
)
from funnelctl.commands.init_events import event_funnel
from funnelctl.commands.inspect import InspectResult, inspect_file
from funnelctl.commands.stage_order import FunnelPlan, plan_funnels
from funnelctl.commands.yaml_text import comment_safe, yaml_double_quoted
from funnelctl.config import CsvOptions, Source, parse_config
from funnelctl.errors import DataError
from funnelctl.io import presets
from funnelctl.io.deals import DEFAULT_STATUS
from funnelctl.io.readers import SHEETS_NOTE, RawSource, open_source
from funnelctl.io.values import (
    EDGES,
    amount_from_text,
    date_readings,
    null_markers,
    to_local_datetime,
)

# Canonical deal columns the config maps (modified_at and probability only order stages).
CONFIG_COLUMNS = ("deal_id", "stage", "status", "created_at", "closed_at", "expected_close",
                  "stage_changed_at", "amount", "currency", "manager", "pipeline",
                  "loss_reason", "source")
REQUIRED = {"deals": ("deal_id", "stage", "created_at"), "events": ("entity_id", "event", "ts")}
COLUMNS = {"deals": CONFIG_COLUMNS, "events": REQUIRED["events"],
           "activities": ("manager", "ts", "type", "duration")}


def config_from_export(export: Path, output: Path) -> tuple[str, str]:
    """YAML text of a valid starter config for `export`, with paths relative to `output`,
    and what the user should check in it."""
    result = inspect_file(export)
    if result.rows == 0:  # else: "cannot tell which column is deal_id", of known headers
        raise DataError(f"{export}: has a header but no data rows: init reads the columns "
                        "and the stages from the values, so export at least one deal")
    raw = open_source("export", Source(path=export, kind="deals", csv=CsvOptions()))
    guesses, log = _export_kind(raw, result)
    _check_status(raw, guesses, result)
    timezone, zone_note = _timezone(result.preset, [c.name for c in result.columns])
    relative = Path(os.path.relpath(export.resolve(), output.resolve().parent)).as_posix()
    lines = [f"# Starter config written by `funnelctl init --from-export {_clean(export.name)}`.",
             "# Every guess says why it was made: check them, then run `funnelctl validate`.",
             "version: 1", f"title: {_q('Funnel audit: ' + export.name)}",
             f"timezone: {timezone}  # {zone_note}",
             "sources:", f"  {guesses.kind}:", f"    path: {_q(relative)}",
             f"    kind: {guesses.kind}"]
    if guesses.kind == "deals" and result.preset:
        lines.append(f"    preset: {result.preset}  # {presets.PRESETS[result.preset]['label']}:"
                     " its status words and won / lost stages")
    lines.append("    columns:")
    for key in COLUMNS[guesses.kind]:
        guess = guesses.mapping.get(key)
        if guess:
            lines.append(f"      {key}: {_q(guess.column)}  # {_clean(guess.evidence)}")
    for key in ("probability", "modified_at"):
        if key in guesses.mapping and guesses.kind == "deals":
            guess = guesses.mapping[key]
            lines.append(f"      # {key} {_q(guess.column)} ({_clean(guess.evidence)}): "
                         "read only to order the stages")
    if log is not None:
        lines += source_lines(log) + norms_lines(log, timezone == "Europe/Moscow")
    else:
        lines.append("funnels:")
    if guesses.kind == "events":
        lines += event_funnel(raw, guesses, timezone).lines()
    elif log is None:
        for plan in deal_plans(raw, guesses, result.preset, timezone):
            lines += funnel_lines(plan, guesses)
    lines += _unmapped_lines(guesses)
    text = "\n".join(lines) + "\n"
    parse_config(text, output)  # what init writes must load
    return text, ("the columns and the type values" if log is not None
                  else "the stage values and their order")


def _export_kind(raw: RawSource, result: InspectResult) -> tuple[Guesses, ActivityLog | None]:
    """An event log, a deals export or an activity log (manager, time, call / meeting
    type or call duration: a deals export without a stage named by its header)."""
    prof = profile(raw, result)
    guesses = guess_columns(result, prof)
    if guesses.kind == "events":
        return guesses, None
    missing = [c for c in REQUIRED["deals"] if c not in guesses.mapping]
    stage = guesses.mapping.get("stage")
    if stage is not None and stage.evidence.startswith("header") and not missing:
        return guesses, None
    log = guess_activity_log(raw, result, prof)
    if not log.missing:
        return log.guesses, log
    if not missing:
        return guesses, None
    found = ", ".join(f"'{c.name}' ({c.type})" for c in result.columns)
    raise DataError(f"{raw.path}: neither a deals export nor an activity log (by header or "
                    f"by values): as deals, cannot tell which column is {', '.join(missing)}; "
                    f"as an activity log, which is {', '.join(log.missing)}; columns found: "
                    f"{found}; {presets.describe_closest([c.name for c in result.columns])}"
                    + "".join(f"; {n}" for n in raw.notes if n.startswith(SHEETS_NOTE)))


def deal_plans(raw: RawSource, guesses: Guesses, preset: str | None,
               timezone: str) -> list[FunnelPlan]:
    """One row per deal (the first of a Bitrix24 deal's product rows), then the plans."""
    column = guesses.header
    text = lambda c: pl.col(c).cast(pl.String).str.strip_chars(EDGES)  # noqa: E731
    none = pl.lit(None, pl.String)
    exprs = {
        "deal_id": text(column("deal_id")),
        "stage": text(column("stage")),
        "pipeline": text(column("pipeline")) if column("pipeline") else none,
        # "40%" as a CRM writes it: the number without its percent sign
        "probability": amount_from_text(text(column("probability")).str.strip_suffix("%"))
        if column("probability") else pl.lit(None, pl.Float64),
        "age_days": _age_days(raw, column("created_at"), column("modified_at"), timezone),
    }
    deals = (raw.frame.select(**exprs).filter(pl.col("deal_id").is_not_null())
             .unique("deal_id", keep="first", maintain_order=True).collect())
    plans = plan_funnels(deals, preset, column("probability"), column("modified_at"))
    if not plans:
        raise DataError(f"{raw.path}: no open stage values in column '{column('stage')}' "
                        "(every value looks like won or lost)")
    return plans


def _age_days(raw: RawSource, created: str, modified: str | None, timezone: str) -> pl.Expr:
    """Days from creation to the last change: how far a deal got, where nothing else says."""
    if modified is None:
        return pl.lit(None, pl.Float64)
    schema = raw.frame.collect_schema()
    readings = date_readings(raw, None, [created, modified])
    markers = null_markers(None)
    start, _ = to_local_datetime(created, schema[created], timezone, None, markers,
                                 readings.get(created))
    end, _ = to_local_datetime(modified, schema[modified], timezone, None, markers,
                               readings.get(modified))
    return (end - start).dt.total_seconds() / 86400.0


def funnel_lines(plan: FunnelPlan, guesses: Guesses) -> list[str]:
    lines = [f"  - name: {_q(plan.name)}", f"    source: {guesses.kind}"]
    if plan.pipeline is not None:
        lines.append(f"    pipeline: {_q(plan.pipeline)}  # only the deals of this pipeline "
                     f"('{_clean(guesses.header('pipeline'))}')")
    lines.append(f"    # stage order: {_clean(plan.order_note)}")
    lines.append("    stages:")
    lines += [f"      - {{name: {_q(value)}}}  # {deals:,} deals now here"
              for value, deals in plan.stages]
    for key, values in (("won", plan.won), ("lost", plan.lost)):
        if values:
            lines.append(f"    {key}: [{', '.join(_q(v) for v in values)}]  # outcomes, "
                         "not stages")
    breakdown = [c for c in ("manager", "source") if c in guesses.mapping]
    if breakdown:
        lines.append(f"    breakdown: [{', '.join(breakdown)}]")
    return lines


def _check_status(raw: RawSource, guesses: Guesses, result: InspectResult) -> None:
    """Keep a status guess only when every value is a known open / won / lost word."""
    guess = guesses.mapping.get("status")
    if guess is None:
        return
    preset = result.preset
    words = {w for ws in DEFAULT_STATUS.values() for w in ws}
    if preset:
        words |= {w for ws in presets.PRESETS[preset].get("status_values", {}).values()
                  for w in ws}
    values = (raw.frame.select(pl.col(guess.column).cast(pl.String).str.strip_chars(EDGES)
                               .str.to_lowercase().drop_nulls().unique()).collect().to_series())
    unknown = [v for v in values if v and v not in words]
    if unknown:
        del guesses.mapping["status"]
        shown = ", ".join(f"'{v}'" for v in unknown[:5])
        why = f"looks like a status but {shown} are not open / won / lost words"
        if result.mapping.get("status") == guess.column:
            # Left out of columns: the preset still reads it, so the audit rejects those rows.
            why += (f"; the {preset} preset reads it as the status all the same, and "
                    "rejects their rows as 'unknown status value': name them under "
                    "status_values:")
        else:
            why += " (set status_values: to use it)"
        guesses.unmapped.insert(0, (guess.column, why))


def _timezone(preset: str | None, columns: list[str]) -> tuple[str, str]:
    """The zone naive timestamps are read in, and why."""
    if preset and "timezone" in presets.PRESETS[preset]:
        return presets.PRESETS[preset]["timezone"], f"the {preset} preset's zone"
    if any(re.search("[а-яА-ЯёЁ]", c) for c in columns):
        return "Europe/Moscow", "guessed from the Russian headers"
    return "UTC", "naive timestamps are read in this zone"


def _unmapped_lines(guesses: Guesses) -> list[str]:
    if not guesses.unmapped:
        return ["# every column of the export is mapped"]
    lines = ["# Not mapped (add one under columns: or to breakdown: if it matters):"]
    lines += [f"#   {_clean(column)}: {_clean(why)}" for column, why in guesses.unmapped]
    return lines


def _q(value: str) -> str:
    """A data value as a YAML scalar: always double-quoted, so no value is ever read as
    YAML syntax, a number, a date or a boolean."""
    return yaml_double_quoted(value)


_clean = comment_safe
