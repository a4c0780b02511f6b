"""Shared fixtures: write small exports and configs, run the CLI in-process."""

from __future__ import annotations

import csv
import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from funnelctl.cli import app

ROOT = Path(__file__).resolve().parent.parent


def write_csv(path: Path, header: list[str], rows: list[list[str]], sep: str = ",",
              encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=sep, lineterminator="\n").writerows([header, *rows])
    return path


# A long-layout stage history with an amount and an expected close: one row per entry.
HISTORY_HEADER = ["deal_id", "stage", "entered_at", "manager", "amount", "expected_close"]


def history_entries(deal_id: str, manager: str, amount: str, expected: str,
                    *steps: tuple[str, str]) -> list[list[str]]:
    """A deal's HISTORY_HEADER rows: one per (stage, entered_at) step."""
    return [[deal_id, stage, at, manager, amount, expected] for stage, at in steps]


def assert_error(result, *fragments: str) -> None:
    """The CLI could not run: exit 2, one clear line on stderr, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("funnelctl: error: ")
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


class Cli:
    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str):
        return self.runner.invoke(app, [str(a) for a in args])

    def json(self, *args: str) -> dict:
        result = self(*args, "--format", "json", "--fail-on", "never")
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.fixture
def write(tmp_path: Path):
    """write(name, text) -> path: a file in tmp_path, text dedented."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def run():
    """run(*args) -> Result of the CLI, in-process."""

    def _run(*args: str):
        return CliRunner().invoke(app, [str(a) for a in args])

    return _run


@pytest.fixture
def audit_json(run):
    """audit_json(config, *args) -> the JSON report (asserts the audit ran: exit 0 or 1)."""

    def _audit(config: Path, *args: str) -> dict:
        result = run("audit", config, "--format", "json", *args)
        assert result.exit_code in (0, 1), result.output
        return json.loads(result.stdout)

    return _audit


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
