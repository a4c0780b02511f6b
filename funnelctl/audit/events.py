"""Event sources in an audit: read each once for all its funnels, then one result per funnel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import polars as pl

from funnelctl.audit.event_time import event_result, latest_event
from funnelctl.config import Config, Funnel
from funnelctl.io.events import read_events
from funnelctl.io.readers import open_source
from funnelctl.io.rejects import ledger, source_quality
from funnelctl.metrics.events import entities, event_names, period_bounds, prepare, property_columns
from funnelctl.metrics.periods import DateRange
from funnelctl.metrics.step_rules import without_excluded
from funnelctl.report import FunnelResult, SourceQuality


def event_funnels(config: Config, dates: DateRange, before: DateRange | None,
                  qualities: dict[str, SourceQuality], rejects: list[pl.DataFrame],
                  as_of: dt.date | None = None,
                  ) -> Iterator[tuple[Funnel, FunnelResult, FunnelResult | None]]:
    """(funnel, result, the result over `before` or None) for every event funnel."""
    periods = [period_bounds(dates.start, dates.end, config.timezone)]
    if before is not None:
        periods.append(period_bounds(before.start, before.end, config.timezone))
    for name, source in config.sources.items():
        users = [f for f in config.funnels if f.source == name]
        if source.kind != "events" or not users:
            continue
        if source.engine == "clickhouse":
            yield from _on_clickhouse(config, name, source, users, periods, qualities, as_of,
                                      before is not None, dates.end)
            continue
        raw = open_source(name, source)
        names = sorted({n for f in users for n in event_names(f)})
        if any("strict_order" in f.order_modes() for f in users):
            names = None  # an event of no step breaks a strict order: read them all
        extra = sorted({c for f in users for c in (*f.breakdown, *property_columns(f))})
        # A trend reads one window more: its events show whether the window of the
        # period's latest entities has elapsed (no chain of the period reaches them).
        since, until = time_range(periods, max(f.window_seconds() * (2 if f.trend else 1)
                                               for f in users))
        if any(stage.first_time for f in users for stage in f.stages):
            since = None  # a first time is the first ever: read from the beginning
        events = read_events(raw, source, config.timezone, names, extra, since, until, as_of)
        quality = source_quality(raw, events.rows_read, events.rejects)
        quality.notes += unseen_names(events.frame, users)
        qualities[name] = quality
        rejects.append(ledger(name, events.rejects))
        frame = events.frame
        del events
        horizon = latest_event(frame)
        for funnel in users:
            prepared = [prepare(frame, funnel, bounds) for bounds in periods]
            if funnel is users[-1]:
                del frame  # free the events before the funnel's own work (big inputs)
            results = [counted(entities(p, funnel), funnel, config, horizon, dates.end,
                               timed=p is prepared[0]) for p in prepared]
            yield funnel, results[0], results[1] if before is not None else None


def counted(frame: pl.DataFrame, funnel: Funnel, config: Config, *args, **kwargs
            ) -> FunnelResult:
    """event_result() over the entities the funnel counts; its exclusions say how many
    it left out."""
    kept, excluded = without_excluded(frame, funnel)
    result = event_result(kept, funnel, config, *args, **kwargs)
    result.excluded = excluded
    return result


def _on_clickhouse(config: Config, name: str, source, users: list[Funnel], periods: list,
                   qualities: dict[str, SourceQuality], as_of: dt.date | None, compare: bool,
                   covered_end: dt.date | None,
                   ) -> Iterator[tuple[Funnel, FunnelResult, FunnelResult | None]]:
    from funnelctl.engines.clickhouse import event_funnels as on_clickhouse

    read_range = time_range(periods, max(f.window_seconds() * (2 if f.trend else 1)
                                         for f in users))
    for funnel, results in on_clickhouse(config, name, source, users, periods, read_range,
                                         qualities, as_of, covered_end):
        yield funnel, results[0], results[1] if compare else None


def time_range(periods: list[tuple | None], window: int) -> tuple:
    """The instants events can matter in: chains start inside a period and end at most a
    window later. (None, None) when a period covers all the data."""
    if any(bounds is None for bounds in periods):
        return None, None
    return (min(b[0] for b in periods),
            max(b[1] for b in periods) + dt.timedelta(seconds=window))


def unseen_names(frame: pl.DataFrame, funnels: list[Funnel]) -> list[str]:
    """A stage (or exclusion) event nobody logs is usually a typo: say so instead of
    showing a silent 0 (or an exclusion that never bites)."""
    seen = set(frame["event"].unique().drop_nulls().cast(pl.String).to_list())
    notes = []
    for funnel in funnels:
        named = [(s.name, s.values()) for s in funnel.stages] + [
            (f"exclude {j}", x.values()) for j, x in enumerate(funnel.exclude, 1)]
        for name, values in named:
            missing = [n for n in values if n not in seen]
            if missing:
                notes.append(f"{funnel.name} / {name}: no events named "
                             + ", ".join(f"'{n}'" for n in missing))
    return notes
