"""Packaging: the wheel installs into a fresh venv and gives a working `funnelctl`;
shell completion is on; the LICENSE is the one pyproject names."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from funnelctl.cli import app
from tests.conftest import ROOT


def test_show_completion_prints_a_bash_script(monkeypatch):
    # Typer detects the running shell; this (typer's own test switch) names it instead, so
    # the test does not depend on the shell that runs pytest.
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    result = CliRunner().invoke(app, ["--show-completion", "bash"], prog_name="funnelctl")
    assert result.exit_code == 0, result.output
    assert "complete -o default -F _funnelctl_completion funnelctl" in result.stdout
    assert "_FUNNELCTL_COMPLETE=complete_bash" in result.stdout


def test_help_lists_the_completion_options(run):
    result = run("--help")
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout


def test_license_is_mit_as_pyproject_says():
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


@pytest.mark.packaging
def test_wheel_installs_into_a_fresh_venv_and_runs(tmp_path: Path):
    """Build the wheel, install it (no deps) into a new venv that borrows the test venv's
    dependencies through a .pth line, and run the installed command outside the repo.
    A few seconds: the same check as `pip install .`, minus downloading the dependencies
    (pip fetches only the build backend pyproject asks for)."""
    # Built from a copy: setuptools leaves a build/ folder next to the sources.
    src = tmp_path / "src"
    shutil.copytree(ROOT / "funnelctl", src / "funnelctl",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(tmp_path / "dist"), str(src)],
                   check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("funnelctl-*.whl"))
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=False)
    bin_dir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    site = next(env_dir.glob("lib/python*/site-packages"))
    deps = [p for p in sys.path if p.endswith("site-packages")]
    # A plain path line: the test venv's own .pth files (the editable install) are not run.
    (site / "deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(bin_dir / "python"), "install",
                    "--quiet", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)
    # The installed command alone: no PYTHONPATH pointing back at a source tree.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    probe = "import funnelctl; print(funnelctl.__file__)"
    where = subprocess.run([str(bin_dir / "python"), "-c", probe], cwd=tmp_path, env=env,
                           check=True, capture_output=True, text=True).stdout
    assert str(site) in where  # the installed copy, not the repo's
    version = subprocess.run([str(bin_dir / "funnelctl"), "--version"], cwd=tmp_path,
                             env=env, check=True, capture_output=True, text=True).stdout
    assert version.startswith("funnelctl ")
    config = subprocess.run([str(bin_dir / "funnelctl"), "init", "--template", "aida", "-o",
                             "-"], cwd=tmp_path, env=env, check=True, capture_output=True,
                            text=True).stdout
    assert "Attention" in config  # package data (templates) made it into the wheel
    schema = subprocess.run([str(bin_dir / "funnelctl"), "schema"], cwd=tmp_path, env=env,
                            check=True, capture_output=True, text=True).stdout
    assert '"sources"' in schema
