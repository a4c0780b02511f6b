"""Time in each stage, from classified stage-history entries.

Time in stage k, for one deal: from its entry into k to its next entry into any other
stage (the next stage, won, lost, a step back, or a value outside the funnel), summed
over re-entries. A deal still in k has no exit yet and is left out of the times (it
shows up in the stuck-deal count instead). Per stage: median and 90th percentile in days.
Stuck deals and `max_days: auto`: metrics/stuck.py.
"""

from __future__ import annotations

import polars as pl

from funnelctl.metrics.history import ORDER
from funnelctl.metrics.stuck import DAYS, per_deal_times


def time_in_stage(entries: pl.DataFrame, n_stages: int) -> dict[int, dict]:
    """{stage index: {median_days, p90_days, deals}} for stages some deal has left."""
    per_stage = per_deal_times(entries).group_by(ORDER).agg(
        pl.col(DAYS).median().alias("median_days"),
        pl.col(DAYS).quantile(0.9, interpolation="linear").alias("p90_days"),
        pl.len().alias("deals"),
    )
    return {row[ORDER]: {k: row[k] for k in ("median_days", "p90_days", "deals")}
            for row in per_stage.iter_rows(named=True) if 1 <= row[ORDER] <= n_stages}
