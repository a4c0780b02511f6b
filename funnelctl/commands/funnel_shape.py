"""`validate`: does a deal funnel's shape fit its data? Three mistakes that make every number
of an audit wrong while each stage value still matches: an outcome (won / lost) listed as a
stage, two pipelines mixed in one funnel, stages out of order (a stage holding more deals
than the stage before it in most months)."""

from __future__ import annotations

import polars as pl

from funnelctl.commands.stage_order import BITRIX_CODE, outcome_of
from funnelctl.config import Funnel, Source
from funnelctl.io.deals import _status_expr  # the reader's own status words
from funnelctl.io.readers import RawSource
from funnelctl.io.values import EDGES, date_readings, null_markers, to_local_datetime

MIN_PERIODS = 3  # months with deals before "most periods" means anything
RISE = 1.5  # a later stage holding this many times the deals of the one before
# Inbox stages hold few deals by nature (processed within hours): never compared with the next.
INBOX = {"неразобранное", "incoming leads", "incoming", "unsorted"}


def outcome_stages(funnel: Funnel) -> list[str]:
    """Problems: stage values that name an outcome (`C6:WON`, `Closed Lost`, `Отказ`)."""
    return [f"funnel '{funnel.name}': stage '{stage.name}' lists '{value}', which means "
            f"{outcome}: move it to `{outcome}:` (an outcome is not a stage)"
            for stage in funnel.stages for value in stage.values()
            if (outcome := outcome_of(value))]


def mixed_pipelines(funnel: Funnel, deals: pl.DataFrame) -> list[str]:
    """Problems: one funnel over the deals of several pipelines (Bitrix24 category prefixes
    in its stage codes, or several values of the mapped pipeline column among its deals).
    deals: stage and pipeline (may be all null) per row."""
    if funnel.pipeline is not None:
        return []
    values = [v for _, v in funnel.value_meanings()]
    prefixes = {m["category"] or "0" for v in values if (m := BITRIX_CODE.match(v.strip()))}
    if len(prefixes) > 1 and all(BITRIX_CODE.match(v.strip()) for v in values):
        return [f"funnel '{funnel.name}': its stage codes come from {len(prefixes)} Bitrix24 "
                f"categories ({', '.join(sorted(prefixes))}): one funnel per category"]
    keys = [v.strip().lower() for v in values]
    mine = deals.filter(pl.col("stage").str.to_lowercase().is_in(keys)
                        & pl.col("pipeline").is_not_null())
    counts = mine.group_by("pipeline").len().sort(["len", "pipeline"], descending=[True, False])
    if counts.height < 2:
        return []
    shown = ", ".join(f"'{p}' {n:,}" for p, n in counts.iter_rows())
    return [f"funnel '{funnel.name}': its deals are in {counts.height} pipelines ({shown} "
            "deals): add `pipeline:` to the funnel, one funnel per pipeline"]


def rising_stages(funnel: Funnel, deals: pl.DataFrame, has_status: bool) -> list[str]:
    """Problems: a stage holding more deals (RISE times) than the stage before it in most
    months of creation, which is what stages out of order look like.
    deals: stage, created_at (datetime) and open (bool) per deal."""
    index = {v.strip().lower(): k for k, s in enumerate(funnel.stages) for v in s.values()}
    n = len(funnel.stages)
    # Open deals only: a won deal keeps its last stage in Pipedrive and HubSpot-like exports.
    per_month = (deals.filter(pl.col("created_at").is_not_null() & pl.col("open"))
                 .with_columns(pl.col("stage").str.to_lowercase()
                               .replace_strict(index, default=None, return_dtype=pl.Int32)
                               .alias("k"), pl.col("created_at").dt.truncate("1mo").alias("m"))
                 .filter(pl.col("k").is_not_null())
                 .group_by("m").agg([(pl.col("k") == k).sum().alias(str(k)) for k in range(n)]))
    if per_month.height < MIN_PERIODS:
        return []
    out = []
    for k in range(1, n):
        if {v.strip().lower() for v in funnel.stages[k - 1].values()} & INBOX:
            continue
        if k == n - 1 and not funnel.won and not has_status:
            continue  # with no won values the last stage is where finished deals rest
        before, here = per_month[str(k - 1)], per_month[str(k)]
        rises = int(((here > RISE * before) & (here > 0)).sum())
        if rises * 2 > per_month.height:
            out.append(f"funnel '{funnel.name}': stage '{funnel.stages[k].name}' holds more "
                       f"deals than '{funnel.stages[k - 1].name}' before it in {rises} of "
                       f"{per_month.height} months: check the stage order")
    return out


def shape_problems(raw: RawSource, source: Source, mapping: dict[str, str], timezone: str,
                   preset: str | None, funnels: list[Funnel]) -> list[str]:
    """The three checks for every deal funnel over one source, in one lazy read of the
    stage, pipeline and created_at columns."""
    deals = shape_frame(raw, source, mapping, timezone, preset)
    out = []
    for funnel in funnels:
        mine = deals if funnel.pipeline is None else \
            deals.filter(pl.col("pipeline") == funnel.pipeline.strip())
        out += outcome_stages(funnel) + mixed_pipelines(funnel, mine)
        out += rising_stages(funnel, mine, "status" in mapping)
    return out


def shape_frame(raw: RawSource, source: Source, mapping: dict[str, str], timezone: str,
                preset: str | None) -> pl.DataFrame:
    schema = raw.frame.collect_schema()
    created = mapping["created_at"]
    reading = date_readings(raw, source.date_format, [created]).get(created)
    parsed, _ = to_local_datetime(created, schema[created], timezone, source.date_format,
                                  null_markers(source.null_values), reading)
    text = lambda c: pl.col(c).cast(pl.String).str.strip_chars(EDGES)  # noqa: E731
    pipeline = text(mapping["pipeline"]) if "pipeline" in mapping else pl.lit(None, pl.String)
    is_open = pl.lit(True)
    if "status" in mapping:
        is_open = (_status_expr(mapping["status"], source, preset) == "open").fill_null(False)
    return raw.frame.select(stage=text(mapping["stage"]), pipeline=pipeline,
                            created_at=parsed, open=is_open).collect()
