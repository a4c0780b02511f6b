"""The README documents every command and every option of `audit` (docs cannot drift)."""

from __future__ import annotations

import re

import typer.main

from funnelctl.cli import app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands() -> dict:
    return typer.main.get_command(app).commands


def test_every_command_is_in_the_readme():
    for name in commands():
        assert re.search(rf"funnelctl {name}\b", README), f"`funnelctl {name}` not in README"


def test_every_audit_option_is_in_the_readme():
    for param in commands()["audit"].params:
        for flag in param.opts:
            if flag.startswith("--"):
                assert flag in README, f"audit {flag} is not documented in README.md"
