"""`funnelctl --help` must stay quick: the heavy modules are imported only by commands.

These are properties (which modules a run leaves in sys.modules), not timings.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, sys
from funnelctl.cli import main
sys.argv = ["funnelctl", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""

HEAVY = ("polars", "pydantic", "yaml", "rich", "jinja2", "apprise", "holidays", "chdb",
         "clickhouse_connect", "typer.rich_utils", "funnelctl.report", "funnelctl.config")


def loaded_after(*args: str) -> set[str]:
    """The modules a `funnelctl ARGS` run has imported by its end."""
    run = subprocess.run([sys.executable, "-c", PROBE, json.dumps(list(args))],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return set(json.loads(run.stderr.strip().splitlines()[-1]))


def test_help_imports_no_heavy_module():
    assert sorted(m for m in HEAVY if m in loaded_after("--help")) == []


def test_subcommand_help_imports_no_heavy_module():
    # typer itself builds pydantic TypeAdapters for a command's parameters, so pydantic is
    # allowed here; funnelctl's own heavy modules are not.
    heavy = [m for m in HEAVY if m != "pydantic"]
    assert sorted(m for m in heavy if m in loaded_after("audit", "--help")) == []


def test_json_audit_imports_no_renderer_of_other_formats():
    # A JSON report needs polars and the config models, but not the terminal (rich),
    # HTML (jinja2) or ClickHouse libraries.
    loaded = loaded_after("audit", "configs/demo.yaml", "--format", "json")
    assert {"polars", "pydantic", "funnelctl.report"} <= loaded  # the probe did run the audit
    assert sorted(m for m in ("rich", "jinja2", "chdb", "clickhouse_connect") if m in loaded) == []


def test_deals_only_audit_imports_no_event_norms_or_history_module():
    # configs/pipedrive.yaml has deals funnels and nothing else: the event-funnel, norms,
    # scorecard, run-history (sqlite3) and comparison modules are not needed, so not loaded.
    loaded = loaded_after("audit", "configs/pipedrive.yaml", "--format", "json")
    assert "funnelctl.audit.deals" in loaded  # the probe did run the deals audit
    unneeded = ("funnelctl.audit.events", "funnelctl.audit.norms", "funnelctl.audit.scorecard",
                "funnelctl.audit.nightly", "funnelctl.history", "funnelctl.metrics.compare",
                "funnelctl.notify", "sqlite3")
    assert sorted(m for m in unneeded if m in loaded) == []
