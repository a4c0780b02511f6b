"""A large stage history for the cost of the manager-name fold (docs/performance.md):

    python bench/history_fold_data.py OUT_DIR

writes into OUT_DIR, next to the configs that read them:

  plain.parquet     long layout, 1M deals with 1..5 entries each (~3M entries), 200
                    managers written one way each ("Manager001 Surname001"): nothing folds
  variants.parquet  the same deals and managers, one entry in ten written in lower case:
                    200 names fold (its amounts are drawn after that, so they differ)
  byhand.parquet    variants.parquet with those names folded by hand (its report's funnels
                    must equal variants.parquet's)
  NAME.yaml         one funnel over NAME.parquet: four stages, max_days on the second,
                    won / lost, `breakdown: [manager]`

Time them with farm-bench, the branch against the main before it, e.g.
`funnelctl audit variants.yaml --as-of 2026-11-10 --format json --fail-on never`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import polars as pl

DEALS = 1_000_000
CONFIG = """version: 1
timezone: UTC
sources:
  h: {{path: {name}.parquet, kind: stage_history}}
funnels:
  - name: H
    source: h
    stages: [{{name: S1}}, {{name: S2, max_days: 30}}, {{name: S3}}, {{name: S4}}]
    won: [Won]
    lost: [Lost]
    breakdown: [manager]
"""


def history(variants: bool) -> pl.DataFrame:
    """The history, drawn from its own seeded stream (the same for both files up to the
    managers; the amounts come after the variants' draw, so they differ between them)."""
    rng = np.random.default_rng(7)
    k = rng.integers(1, 6, DEALS)  # entries of each deal
    deal = np.repeat(np.arange(DEALS), k)
    step = np.arange(len(deal)) - np.repeat(np.cumsum(k) - k, k)
    last = step == np.repeat(k - 1, k)
    end = np.repeat(rng.choice(["open", "won", "lost"], DEALS, p=[0.5, 0.25, 0.25]), k)
    stage = np.array(["S1", "S2", "S3", "S4"])[np.minimum(step, 3)]
    stage = np.where(last & (end == "won"), "Won", np.where(last & (end == "lost"), "Lost",
                                                            stage))
    start = np.datetime64("2025-01-01") + rng.integers(0, 600, DEALS).astype("timedelta64[D]")
    names = np.array([f"Manager{i:03d} Surname{i:03d}" for i in range(201)])
    manager = names[np.repeat(rng.integers(1, 201, DEALS), k)]
    if variants:  # one entry in ten written in lower case
        lower = rng.random(len(deal)) < 0.1
        manager = np.where(lower, np.char.lower(manager), manager)
    amount = np.repeat(rng.integers(1, 100, DEALS) * 100, k).astype(float)
    return pl.DataFrame({
        "deal_id": deal.astype(str), "stage": stage,
        "entered_at": (np.repeat(start, k) + (step * 7).astype("timedelta64[D]"))
        .astype("datetime64[us]"),
        "manager": manager, "amount": amount})


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    variants = history(True)
    files = {"plain": history(False), "variants": variants,
             "byhand": variants.with_columns(pl.col("manager").str.to_titlecase())}
    for name, frame in files.items():
        frame.write_parquet(out / f"{name}.parquet")
        (out / f"{name}.yaml").write_text(CONFIG.format(name=name), encoding="utf-8")
    print(f"{variants.height:,} entries of {DEALS:,} deals in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
