"""The library API: `from funnelctl import audit` is the function, however it is imported."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

SCRIPT = """
import funnelctl.cli, funnelctl.commands.validate   # modules that load the pipeline first
from funnelctl import audit
report = audit("configs/demo.yaml", period="2026-10-01..2026-10-31")
print(report.verdict, report.funnels[0].entities)
"""


def test_from_funnelctl_import_audit_returns_a_report():
    # A fresh interpreter: the import order is what a user's script would do.
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out[0] in {"ok", "warn", "fail"}
    assert int(out[1]) > 0
