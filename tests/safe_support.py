"""A small audit the safety tests point outputs at, and the CLI run as a real process
(for FIFOs, devices, signals, pipes: what an in-process run could hang on or hide)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, write_csv

CONFIG = """version: 1
sources:
  deals:
    path: {path}
    kind: deals
    columns: {{deal_id: ID, stage: Stage, created_at: Created}}
funnels:
  - name: F
    source: deals
    stages: [{{name: A}}, {{name: B}}]
"""
# Three usable deals (A, B, B: entered A = 3, B = 2) and one without an id (rejected).
ROWS = [["1", "A", "2024-01-02"], ["2", "B", "2024-01-03"], ["3", "B", "2024-01-04"],
        ["", "A", "2024-01-05"]]


def small_audit(folder: Path, data_path: str = "deals.csv") -> tuple[Path, Path]:
    """(config, data file) of a deals audit with known numbers."""
    data = write_csv(folder / "deals.csv", ["ID", "Stage", "Created"], ROWS)
    config = folder / "audit.yaml"
    config.write_text(CONFIG.format(path=data_path), encoding="utf-8")
    return config, data


def process(*args: str, timeout: float = 300, **popen) -> subprocess.CompletedProcess:
    """`funnelctl ARGS` in a child process; a hang fails the test instead of the suite
    (the timeout is generous: a loaded CI machine starts Python slowly)."""
    if "stdout" not in popen:
        popen["capture_output"] = True
    return subprocess.run(command(*args), text=True, timeout=timeout, env=environment(),
                          **popen)


def command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from funnelctl.cli import main; main()", *map(str, args)]


def environment() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    env.pop("CI", None)
    return env


def snapshot(*paths: Path) -> dict[Path, tuple[bytes, int]]:
    """Content and modification time of files, to show they were not touched."""
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths}
