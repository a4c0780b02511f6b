"""What the money view costs a 1M-deal audit: the files for a paired A/B run, and the run.

    python bench/money_overhead.py prepare DEALS_PARQUET OUT_DIR [--seed 42]
    python bench/money_overhead.py run OUT_DIR [--part full] [--pairs 7]

DEALS_PARQUET is the shared generator's deals table (`../shared/bench/gen_data.py OUT
--rows 10000 --deal-rows 1000000` writes OUT/deals.parquet: 1M deals, 200 managers, six
stages). `prepare` writes into OUT_DIR, next to the configs that read them:

  plain.parquet     the deals without amount and loss_reason (no money view at all)
  value.parquet     the deals as generated (amount, loss_reason)
  forecast.parquet  the same with an expected_close (created + 7..120 days, seeded)
  plan.csv          2024-02 and 2024-03 targets of 50 managers (102 lines with the team's)

  none.yaml         the bench's w3 funnel (`breakdown: [manager]`) over plain.parquet
  value.yaml        over value.parquet, with `cycle_days: {good: 12, acceptable: 20}`:
                    value per stage, loss reasons, cycle target, velocity
  forecast.yaml     over forecast.parquet: + the weighted forecast and the overdue deals
  full.yaml         + `plan: plan.csv`: the whole money view

Every audit is `funnelctl audit CONFIG --as-of 2024-03-15 --format json --output FILE`.
`run` times the PART config against none.yaml as whole processes, in turn (A B A B ...)
after a warm-up pair, and prints the medians and the pair-by-pair ratios of wall and CPU
time (user + system of the finished child, from the operating system).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

STAGES = ["new_lead", "qualified", "presentation", "proposal", "negotiation", "contract"]
AS_OF = "2024-03-15"
PARTS = ("value", "forecast", "full")
PLAN_MANAGERS = 50
PLAN_MONTHS = ("2024-02", "2024-03")


def config_text(parquet: str, cycle: bool = False, plan: bool = False) -> str:
    stages = ", ".join(f"{{name: {s}}}" for s in STAGES)
    extra = (", cycle_days: {good: 12, acceptable: 20}" if cycle else "") + (
        ", plan: plan.csv" if plan else "")
    return ("version: 1\ntimezone: UTC\nsources:\n"
            f"  deals: {{path: {parquet}, kind: deals}}\n"
            "funnels:\n  - {name: Deals, source: deals, breakdown: [manager]"
            f"{extra}, stages: [{stages}]}}\n")


def prepare(deals_path: Path, out: Path, seed: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    deals = pl.read_parquet(deals_path)
    rng = random.Random(seed)
    ahead = pl.Series("_days", [rng.randint(7, 120) for _ in range(deals.height)])
    deals.drop("amount", "loss_reason").write_parquet(out / "plain.parquet")
    deals.write_parquet(out / "value.parquet")
    deals.with_columns(expected_close=(pl.col("created_at")
                                       + pl.duration(days=ahead)).dt.date()) \
        .write_parquet(out / "forecast.parquet")
    managers = sorted(deals["manager"].unique().to_list())[:PLAN_MANAGERS]
    lines = ["month,manager,amount"] + [f"{month},{m},{200_000 + 10_000 * (i % 7)}"
                                        for month in PLAN_MONTHS
                                        for i, m in enumerate(managers)]
    (out / "plan.csv").write_text("\n".join(lines) + "\n")
    configs = {"none": config_text("plain.parquet"),
               "value": config_text("value.parquet", cycle=True),
               "forecast": config_text("forecast.parquet", cycle=True),
               "full": config_text("forecast.parquet", cycle=True, plan=True)}
    for name, text in configs.items():
        (out / f"{name}.yaml").write_text(text)
    print(f"wrote {len(configs)} configs, 3 Parquet files and plan.csv into {out}")


def audit_command(out: Path, name: str) -> list[str]:
    funnelctl = Path(sys.executable).with_name("funnelctl")
    return [str(funnelctl), "audit", str(out / f"{name}.yaml"), "--as-of", AS_OF,
            "--format", "json", "--output", str(out / f"{name}.json"), "--fail-on", "never"]


def timed(command: list[str]) -> tuple[float, float]:
    """(wall s, CPU s) of one whole process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, code, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(code) != 0:
        raise SystemExit(f"{' '.join(command)} failed")
    return wall, usage.ru_utime + usage.ru_stime


def run(out: Path, part: str, pairs: int) -> None:
    a, b = audit_command(out, part), audit_command(out, "none")
    timed(a), timed(b)  # warm-up: the files in the page cache
    walls, cpus = [], []
    for _ in range(pairs):
        (wa, ca), (wb, cb) = timed(a), timed(b)
        walls.append((wa, wb))
        cpus.append((ca, cb))
    print(f"{part} vs none, {pairs} pairs, load average {os.getloadavg()[0]:.1f}")
    for label, pairs_of in (("wall s", walls), ("CPU s", cpus)):
        ratios = [x / y for x, y in pairs_of]
        print(f"{label}: A {statistics.median(x for x, _ in pairs_of):.2f}, "
              f"B {statistics.median(y for _, y in pairs_of):.2f}, A/B median "
              f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("prepare")
    make.add_argument("deals", type=Path)
    make.add_argument("out", type=Path)
    make.add_argument("--seed", type=int, default=42)
    timing = commands.add_parser("run")
    timing.add_argument("out", type=Path)
    timing.add_argument("--part", choices=PARTS, default="full")
    timing.add_argument("--pairs", type=int, default=7)
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.deals, args.out, args.seed)
    else:
        run(args.out, args.part, args.pairs)


if __name__ == "__main__":
    main()
