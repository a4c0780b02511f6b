"""What recent runs make normal for a proportion, and whether this run falls outside it.

Pure functions over (successes, trials) pairs: the history store supplies the earlier
runs' counts, the report this run's.

- wilson: the recent runs pooled into one rate p = sum(successes) / sum(trials); the band
  is the Wilson interval (at z) of a run with this run's trials at that rate, so a small
  day gets a wide band and a big day a narrow one.
- sigma: the mean of the recent runs' rates plus or minus z sample standard deviations
  (a control chart): it follows how much the rate really moves from run to run, which
  a binomial band ignores when days differ for reasons beyond chance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from funnelctl.metrics.stats import wilson_interval


@dataclass(frozen=True)
class Band:
    mean: float  # the recent rate (pooled for wilson, the mean of rates for sigma)
    low: float
    high: float
    runs: int  # earlier runs it is made of

    def outside(self, value: float) -> bool:
        return value < self.low or value > self.high


def normal_band(earlier: list[tuple[int, int]], trials: int, rule: str, z: float,
                min_runs: int) -> Band | None:
    """The band of normal rates for a run with `trials`; None with too few earlier runs
    (runs without trials do not count) or when this run has no trials."""
    used = [(x, n) for x, n in earlier if n > 0]
    if len(used) < min_runs or trials <= 0:
        return None
    if rule == "wilson":
        pooled = sum(x for x, _ in used) / sum(n for _, n in used)
        low, high = wilson_interval(pooled * trials, trials, z)
        return Band(pooled, low, high, len(used))
    if rule == "sigma":
        rates = [x / n for x, n in used]
        mean = sum(rates) / len(rates)
        sd = math.sqrt(sum((r - mean) ** 2 for r in rates) / (len(rates) - 1))
        return Band(mean, max(0.0, mean - z * sd), min(1.0, mean + z * sd), len(used))
    raise ValueError(f"unknown anomaly rule {rule!r}")
