"""`funnelctl audit --explain`: what each funnel would run, without running the audit.

engine: clickhouse prints the SQL and its parameters (the source's columns are read to
check the names, and for the norms the distinct managers and types the SQL maps);
engine: polars prints the plan of the lazy read (LazyFrame.explain()) and the step
conditions applied to what it reads."""

from __future__ import annotations

import datetime as dt

from funnelctl.audit.events import time_range
from funnelctl.audit.pipeline import choose_period
from funnelctl.config import Config
from funnelctl.errors import visible
from funnelctl.metrics.events import event_names, period_bounds, property_columns
from funnelctl.metrics.periods import today_in


def explain(config: Config, period: str | None = None, as_of: dt.date | None = None) -> str:
    as_of = as_of or today_in(config.timezone)
    dates = choose_period(config, period, as_of)
    bounds = [period_bounds(dates.start, dates.end, config.timezone)]
    parts = []
    for name, source in config.sources.items():
        users = [f for f in config.funnels if f.source == name]
        if not users and not (config.norms and config.norms.source == name):
            continue
        if source.kind == "events" and users:
            read_range = time_range(bounds, max(f.window_seconds() for f in users))
            if source.engine == "clickhouse":
                from funnelctl.engines.clickhouse import explain as sql_of

                for funnel, sql in sql_of(config, name, source, users, bounds, read_range,
                                          as_of):
                    parts.append(_head(funnel.name, name, "clickhouse") + sql)
                continue
            parts.append(_head(", ".join(f.name for f in users), name, "polars")
                         + _polars_events(name, source, config, users, read_range, as_of))
        elif source.kind == "deals" and source.engine == "clickhouse":
            from funnelctl.engines.clickhouse_deals import explain as deals_sql

            for funnel, sql in deals_sql(config, name, source, users, dates, as_of):
                parts.append(_head(funnel.name, name, "clickhouse") + sql)
        elif source.engine == "clickhouse" and source.kind == "activities":
            from funnelctl.engines.clickhouse_norms import explain as norms_sql

            parts.append(_head("norms", name, "clickhouse")
                         + norms_sql(name, source, config, as_of))
        else:
            from funnelctl.io.readers import open_source

            what = ", ".join(f.name for f in users) or "norms"
            raw = open_source(name, source)
            parts.append(_head(what, name, "polars") + "the scan of the file (the "
                         f"{source.kind} reader classifies what it returns):\n"
                         + raw.frame.explain())
    # Names and values from the config and the files are shown, never acted on.
    return visible("\n\n".join(parts), keep="\n") + "\n"


def _head(what: str, source: str, engine: str) -> str:
    return f"== {what} (source '{source}', engine: {engine})\n"


def _polars_events(name, source, config, users, read_range, as_of) -> str:
    from funnelctl.io.events import events_query
    from funnelctl.io.readers import open_source
    from funnelctl.metrics.events import step_condition

    raw = open_source(name, source)
    names = sorted({n for f in users for n in event_names(f)})
    extra = sorted({c for f in users for c in (*f.breakdown, *property_columns(f))})
    query, _ = events_query(raw, source, config.timezone, names, extra, *read_range, as_of)
    lines = [query.explain()]
    schema = query.collect_schema()
    for funnel in users:
        lines.append(f"-- {funnel.name}: windowFunnel over the events read, steps:")
        lines += [f"--   {k}. {step_condition(stage, schema)}"
                  for k, stage in enumerate(funnel.stages, 1)]
    return "\n".join(lines)
