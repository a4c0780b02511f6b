"""`init --from-export` on an event log: a funnel of the most common events in their
typical order (the median time from an entity's first event to its first event of each
kind), and a window that holds most entities' journeys."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import polars as pl

from funnelctl.commands.guess_columns import Guesses
from funnelctl.errors import DataError
from funnelctl.io.readers import RawSource
from funnelctl.io.values import EDGES, date_readings, null_markers, to_local_datetime

MAX_STEPS = 6
MIN_SHARE = 0.05  # an event done by fewer entities than this is no funnel step
WINDOW_QUANTILE = 0.95


@dataclass
class EventFunnel:
    steps: list[tuple[str, int, float]]  # (event, entities, median hours after the first event)
    entities: int
    window_days: int
    skipped: int  # event names left out (rare)

    def lines(self) -> list[str]:
        shown = ", ".join(f"{e} {h:.1f} h" for e, _, h in self.steps)
        out = ["  - name: \"Event funnel\"", "    source: events",
               f"    window: {self.window_days}d  # {WINDOW_QUANTILE:.0%} of the entities that "
               f"reach the last step do it within {self.window_days} day(s) of the first",
               f"    # stage order: the typical order, by the median time from an entity's first "
               f"event to its first event of each kind ({shown})",
               f"    # the {len(self.steps)} events done by most of the {self.entities:,} "
               f"entities; {self.skipped} rarer event name(s) left out",
               "    stages:"]
        out += [f"      - {{name: {json.dumps(e, ensure_ascii=False)}}}  # {n:,} entities"
                for e, n, _ in self.steps]
        return out


def event_funnel(raw: RawSource, guesses: Guesses, timezone: str) -> EventFunnel:
    entity, event, ts = (guesses.header(c) for c in ("entity_id", "event", "ts"))
    schema = raw.frame.collect_schema()
    reading = date_readings(raw, None, [ts]).get(ts)
    parsed, _ = to_local_datetime(ts, schema[ts], timezone, None, null_markers(None), reading)
    # The entity trimmed as the events reader trims it, so the counts are the audit's.
    events = raw.frame.select(entity=pl.col(entity).cast(pl.String).str.strip_chars(EDGES),
                              event=pl.col(event).cast(pl.String).str.strip_chars(),
                              ts=parsed).drop_nulls()
    firsts = events.group_by("entity", "event").agg(pl.col("ts").min())
    starts = firsts.group_by("entity").agg(pl.col("ts").min().alias("start"))
    hours = (pl.col("ts") - pl.col("start")).dt.total_seconds() / 3600.0
    per_event = (firsts.join(starts, on="entity").group_by("event")
                 .agg(pl.len().alias("entities"), hours.median().alias("hours"))
                 .sort(["entities", "event"], descending=[True, False]).collect())
    total = starts.select(pl.len()).collect().item()
    if total == 0:
        raise DataError(f"{raw.path}: no rows with an entity, an event and a readable time")
    common = per_event.filter(pl.col("entities") >= MIN_SHARE * total).head(MAX_STEPS)
    steps = sorted(common.rows(), key=lambda r: (r[2], -r[1]))
    window = _window_days(firsts, steps[0][0], steps[-1][0]) if len(steps) > 1 else 1
    return EventFunnel(steps, total, window, per_event.height - len(steps))


def _window_days(firsts: pl.LazyFrame, first: str, last: str) -> int:
    ends = firsts.filter(pl.col("event").is_in([first, last])).collect() \
        .pivot(on="event", index="entity", values="ts")
    if first not in ends.columns or last not in ends.columns:
        return 1
    span = (ends[last] - ends[first]).dt.total_seconds().drop_nulls()
    span = span.filter(span >= 0)
    if span.is_empty():
        return 1
    return max(1, math.ceil(span.quantile(WINDOW_QUANTILE, "linear") / 86400))
