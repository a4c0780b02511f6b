"""`funnelctl --help` must stay quick: the heavy modules are imported only by commands."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from funnelctl.cli import main
sys.argv = ["funnelctl", "--help"]
try:
    main()
except SystemExit:
    pass
heavy = ("polars", "pydantic", "yaml", "rich", "jinja2", "apprise")
print(sorted(m for m in heavy if m in sys.modules))
"""


def test_help_imports_no_heavy_module():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
