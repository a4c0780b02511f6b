"""`funnelctl --help` must stay quick: the heavy modules are imported only by commands.

These are properties (which modules a run leaves in sys.modules), not timings.
"""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

from funnelctl.root_help import ROOT_HELP

ROOT = Path(__file__).resolve().parents[1]

# The console script's own entry point (pyproject's [project.scripts]), as the shell runs it.
PROBE = """
import json, sys
from funnelctl.entry import main
sys.argv = [sys.argv[2], *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def probe(*args: str, columns: int = 80, program: str = "funnelctl"):
    """(stdout, modules imported by the end) of `program ARGS` at a terminal width."""
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "25"}
    run = subprocess.run([sys.executable, "-c", PROBE, json.dumps(list(args)), program],
                         capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    return run.stdout, set(json.loads(run.stderr.strip().splitlines()[-1]))

HEAVY = ("polars", "pydantic", "yaml", "rich", "jinja2", "apprise", "holidays", "chdb",
         "clickhouse_connect", "typer.rich_utils", "funnelctl.report", "funnelctl.config")


def loaded_after(*args: str) -> set[str]:
    """The modules a `funnelctl ARGS` run has imported by its end."""
    return probe(*args)[1]


def test_help_imports_no_heavy_module():
    assert sorted(m for m in HEAVY if m in loaded_after("--help")) == []


def test_the_kept_top_level_help_is_typers_own_text():
    # typer renders it in a process of its own; a change to the commands or their help
    # without `python scripts/root_help.py` fails here.
    script = runpy.run_path(str(ROOT / "scripts" / "root_help.py"))
    assert script["typer_help"]() == ROOT_HELP, "run: python scripts/root_help.py"


def test_help_and_version_are_answered_without_the_framework():
    for columns in (80, 200):  # click wraps at min(columns, 80) - 2: the same text
        out, loaded = probe("--help", columns=columns)
        assert out == ROOT_HELP
        assert sorted(m for m in ("typer", "click", "funnelctl.cli") if m in loaded) == []
    out, loaded = probe("--version")
    assert out.startswith("funnelctl ") and "typer" not in loaded


def test_a_narrow_terminal_or_another_program_name_gets_typers_help():
    out, loaded = probe("--help", columns=60)
    assert "typer" in loaded and out != ROOT_HELP
    assert max(len(line) for line in out.splitlines()) <= 58  # wrapped to the terminal
    out, loaded = probe("--help", program="fctl")
    assert "typer" in loaded and out.startswith("Usage: fctl [OPTIONS]")


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


def test_help_and_version_on_a_closed_pipe_or_a_full_disk_end_as_the_cli_does():
    for args in (["--help"], ["--version"]):
        command = [sys.executable, "-c", "import sys; sys.argv = ['funnelctl', sys.argv[1]]; "
                   "from funnelctl.entry import main; main()", *args]
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 cwd=ROOT)
        child.stdout.close()  # `funnelctl --help | head -0`: no traceback, SIGPIPE's status
        err = child.stderr.read()
        assert child.wait() == 141 and b"Traceback" not in err, err
        with open("/dev/full", "w") as full:
            run = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True,
                                 cwd=ROOT)
        assert run.returncode == 2
        assert run.stderr.splitlines()[0] == ("funnelctl: error: cannot write to standard "
                                              "output: No space left on device")


def test_the_ending_of_a_failed_write_is_one_light_module():
    # The entry point and the CLI end a closed pipe and a full disk through
    # funnelctl.stdout; importing it alone loads no command-line framework or polars.
    import funnelctl.cli_runtime
    import funnelctl.entry
    import funnelctl.stdout

    assert funnelctl.entry.write_or_exit is funnelctl.stdout.write_or_exit
    assert funnelctl.cli_runtime.closed_pipe is funnelctl.stdout.closed_pipe
    run = subprocess.run([sys.executable, "-c", "import json, sys, funnelctl.stdout; "
                          "print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    loaded = set(json.loads(run.stdout))
    assert sorted(m for m in ("typer", "click", "polars", "rich") if m in loaded) == []
