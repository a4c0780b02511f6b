"""The console entry point. `funnelctl --help` and `funnelctl --version` are answered
here, before the command-line framework is imported (typer and its click take ~0.06 s of
a ~0.2 s start); every other command line goes to funnelctl.cli.

The top-level help is typer's own text, kept in funnelctl/root_help.py by
`python scripts/root_help.py` (tests/test_startup.py fails when it is out of date). It
is printed only where typer would print the same bytes: the program named `funnelctl`
and a terminal at least 80 columns wide (click wraps help to min(columns, 80) - 2).
"""

from __future__ import annotations

import os
import shutil
import sys

from funnelctl.stdout import write_or_exit  # ends a failed write as the CLI does

WRAP_COLUMNS = 80  # click's max_content_width: wider terminals get the same text


def main() -> None:
    args = sys.argv[1:]
    if args == ["--version"]:
        from funnelctl import __version__
        write_or_exit(f"funnelctl {__version__}\n")
        return
    if args == ["--help"] and _help_is_fixed():
        from funnelctl.root_help import ROOT_HELP
        write_or_exit(ROOT_HELP)
        return
    from funnelctl.cli import main as full_main
    full_main()


def _help_is_fixed() -> bool:
    """Whether typer would print exactly ROOT_HELP: same program name, wide enough."""
    name = os.path.basename(sys.argv[0]).removesuffix(".exe")
    return name == "funnelctl" and shutil.get_terminal_size().columns >= WRAP_COLUMNS
