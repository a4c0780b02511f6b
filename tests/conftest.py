"""Shared fixtures: write small exports and configs, run the CLI in-process."""

from __future__ import annotations

import csv
import json
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
