"""funnelctl as a peer of ../shared/bench/run_peers.py: the real `funnelctl audit`, whole.

    python bench/funnelctl_peer.py WORKLOAD DATA_DIR OUT_JSON [--engine chdb]

Writes a config for the workload that points at DATA_DIR (w1: events.parquet, w2:
activities.parquet, w3: deals.parquet), runs `funnelctl audit CONFIG --format json` in
this very process (so the harness times funnelctl's own start-up, reading, computing
and rendering, and nothing else), then translates the JSON report into the peer result
schema of ../shared/bench/peers/common.py. With `--engine chdb`, w1's events source is
`engine: clickhouse, url: chdb:` over the same Parquet file (ClickHouse in process), so
one harness run can time both engines as two peers.
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

# An installed funnelctl has its bytecode (pip compiles it); a checkout gets it on the
# first run, as Python does by default. Without this, an environment that sets
# PYTHONDONTWRITEBYTECODE compiles every funnelctl module on every timed run, a cost
# that the peers (whose libraries are compiled at install) never pay.
sys.dont_write_bytecode = False

ALL = "__ALL__"
W1_STEPS = ["visit", "product_view", "add_to_cart", "checkout", "purchase"]
W3_STAGES = ["new_lead", "qualified", "presentation", "proposal", "negotiation", "contract"]


def config_text(workload: str, data: str, engine: str = "polars") -> str:
    """The YAML a user would write for the workload (DESIGN.md's format)."""
    head = "version: 1\ntimezone: UTC\nsources:\n"
    if engine != "polars" and workload != "w1":
        raise SystemExit(f"--engine {engine}: only w1 (an events source) runs on ClickHouse")
    if workload == "w1":
        stages = ", ".join(f"{{name: {s}}}" for s in W1_STEPS)
        on = ", engine: clickhouse, url: 'chdb:'" if engine == "chdb" else ""
        return head + (f"  events: {{path: {json.dumps(data + '/events.parquet')}, "
                       f"kind: events{on}}}\n"
                       "funnels:\n  - {name: Store, source: events, window: 7d, "
                       f"stages: [{stages}]}}\n")
    if workload == "w2":
        return head + (f"  calls: {{path: {json.dumps(data + '/activities.parquet')}, "
                       "kind: activities}\nnorms: {source: calls}\n")
    if workload == "w3":
        stages = ", ".join(f"{{name: {s}}}" for s in W3_STAGES)
        return head + (f"  deals: {{path: {json.dumps(data + '/deals.parquet')}, "
                       "kind: deals}\n"
                       # w3 asks for every manager: no folding into "(other)" (whose
                       # default keeps the top 10)
                       "funnels:\n  - {name: Deals, source: deals, breakdown: [manager], "
                       f"segments: {{top: 1000000}}, stages: [{stages}]}}\n")
    raise SystemExit(f"unknown workload {workload!r} (expected w1, w2 or w3)")


def run_funnelctl(config: str, report: str) -> None:
    """`funnelctl audit CONFIG --format json --output REPORT`, in this process."""
    from funnelctl.cli import main

    sys.argv = ["funnelctl", "audit", config, "--format", "json", "--output", report,
                "--fail-on", "never"]
    try:
        main()
    except SystemExit as done:
        if done.code not in (0, None):
            raise SystemExit(f"funnelctl exited with {done.code}") from None


def translate(workload: str, report: dict) -> dict:
    if workload == "w1":
        return {"reach": [s["entered"] for s in report["funnels"][0]["stages"]]}
    if workload == "w2":
        rows = [[m["manager"], m["good_days"], m["acceptable_days"], m["below_days"]]
                for m in report["norms"]["managers"]]
        return {"rows": sorted(rows, key=lambda r: r[0])}
    funnel = report["funnels"][0]
    rows = [w3_row(ALL, funnel)] + [w3_row(s["value"], s) for s in
                                    funnel["breakdowns"]["manager"]]
    return {"rows": sorted(rows, key=lambda r: r[0])}


def w3_row(manager: str, part: dict) -> list:
    convs = [s["conversion_from_previous"] for s in part["stages"][1:]]
    median = part["cycle_days"]["median"] if part["cycle_days"] else None
    entities = part["entities"]
    return [manager, entities, *convs, part["win_rate"], median]


def main() -> int:
    workload, data, out = sys.argv[1:4]
    engine = "polars"
    if sys.argv[4:]:
        if sys.argv[4:] not in (["--engine", "chdb"], ["--engine", "polars"]):
            raise SystemExit(f"unknown options {' '.join(sys.argv[4:])!r} "
                             "(expected --engine chdb or --engine polars)")
        engine = sys.argv[5]
    data = os.path.abspath(data)
    with tempfile.TemporaryDirectory(prefix="funnelctl-bench-") as tmp:
        config, report_path = os.path.join(tmp, "bench.yaml"), os.path.join(tmp, "report.json")
        with open(config, "w") as fh:
            fh.write(config_text(workload, data, engine))
        t0 = time.perf_counter()
        run_funnelctl(config, report_path)
        t1 = time.perf_counter()
        with open(report_path) as fh:
            report = json.load(fh)
    with open(out, "w") as fh:
        json.dump({"workload": workload, "peer": "funnelctl",
                   "result": translate(workload, report)}, fh)
    # import_s: this adapter's own start; compute_s: the whole funnelctl run (its imports,
    # reading, computing and rendering included).
    print(json.dumps({"peer": "funnelctl", "workload": workload,
                      "import_s": round(t0 - T_START, 4), "compute_s": round(t1 - t0, 4)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
