"""Time to convert into each step of an event funnel, as a distribution.

From the frame of `metrics.events.entities` (one row per entity: time_k, the seconds from
the chain's step-1 event to its first reach of step k; gap_k, the seconds from the reach
of step k - 1 that this reach extended, in the same chain): per step, the median, the p90
and a histogram over log-ish buckets, all in one Polars pass.
"""

from __future__ import annotations

import polars as pl

from funnelctl.report_trends import Bucket, TimeDistribution, TimeToConvert

MINUTE, HOUR, DAY = 60, 3600, 86400
# (label, low, high): [low, high) in seconds; the last bucket has no upper bound.
BUCKETS: list[tuple[str, float, float | None]] = [
    ("<1m", 0, MINUTE), ("1-10m", MINUTE, 10 * MINUTE), ("10-60m", 10 * MINUTE, HOUR),
    ("1-6h", HOUR, 6 * HOUR), ("6-24h", 6 * HOUR, DAY), ("1-3d", DAY, 3 * DAY),
    ("3-7d", 3 * DAY, 7 * DAY), (">7d", 7 * DAY, None),
]


def buckets_for(window_s: float | None) -> list[tuple[str, float, float | None]]:
    """The buckets a time can fall in: none starts past the window (it is inclusive, so
    a time of exactly the window is in the bucket that starts there)."""
    if window_s is None:
        return BUCKETS
    return [b for b in BUCKETS if b[1] <= window_s]


def time_to_convert(frame: pl.DataFrame, n_stages: int,
                    window_s: float | None = None) -> list[TimeToConvert | None]:
    """One entry per stage: None for stage 1 (and for a stage nobody reached with a
    time); from_previous is None where the frame has no gap_k (order modes that do not
    say which reach a step extended)."""
    buckets = buckets_for(window_s)
    columns = [c for k in range(2, n_stages + 1) for c in (f"time_{k}", f"gap_{k}")
               if c in frame.columns]
    if not columns:
        return [None] * n_stages
    aggs = []
    for c in columns:
        col = pl.col(c)
        aggs += [col.count().alias(f"{c}:n"), col.median().alias(f"{c}:median"),
                 col.quantile(0.9, interpolation="linear").alias(f"{c}:p90")]
        aggs += [(col >= low if high is None else col.is_between(low, high, closed="left"))
                 .sum().alias(f"{c}:{i}") for i, (_, low, high) in enumerate(buckets)]
    return distributions(frame.select(aggs).row(0, named=True), n_stages, window_s)


def distributions(row: dict, n_stages: int, window_s: float | None = None
                  ) -> list[TimeToConvert | None]:
    """time_to_convert's answer from its aggregates (`time_k:n`, `:median`, `:p90`, `:i`
    per bucket; the same from gap_k): any engine's aggregates."""
    buckets = buckets_for(window_s)
    out: list[TimeToConvert | None] = [None]
    for k in range(2, n_stages + 1):
        first = _distribution(row, f"time_{k}", buckets)
        # Into step 2 the step before is step 1, whatever the walk says.
        previous = first if k == 2 else _distribution(row, f"gap_{k}", buckets)
        out.append(TimeToConvert(first, previous) if first or previous else None)
    return out


def _distribution(row: dict, column: str, buckets: list) -> TimeDistribution | None:
    n = row.get(f"{column}:n")
    if not n:
        return None
    return TimeDistribution(
        entities=int(n), median_s=float(row[f"{column}:median"]),
        p90_s=float(row[f"{column}:p90"]),
        histogram=[Bucket(label, float(low), None if high is None else float(high),
                          int(row[f"{column}:{i}"]))
                   for i, (label, low, high) in enumerate(buckets)])
