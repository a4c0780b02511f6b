"""Writing to standard output and how a failed write ends, for the CLI (funnelctl.cli,
cli_runtime.handled_errors) and the console entry point (funnelctl.entry answers --help
and --version before typer is imported): a closed pipe ends quietly with the shell's
SIGPIPE status, a full disk is one line on stderr and exit code 2.

Light on purpose: it imports no typer, click or polars (tests/test_startup.py).
"""

from __future__ import annotations

import os
import sys

from funnelctl.errors import ExitCode, FunnelctlError, UsageError, visible
from funnelctl.io.files import os_problem

CLOSED_PIPE = 128 + 13  # 128 + SIGPIPE


def write_stdout(text: str | bytes) -> None:
    """Write to standard output now (flushed), so a full disk is an error here and a
    closed pipe a BrokenPipeError the CLI ends quietly on, not at interpreter exit.
    Bytes (a report already UTF-8) go to the stream's buffer as they are."""
    try:
        buffer = getattr(sys.stdout, "buffer", None)
        if isinstance(text, bytes) and buffer is not None:
            sys.stdout.flush()  # whatever text went before comes first
            buffer.write(text)
            buffer.flush()
        else:
            sys.stdout.write(text if isinstance(text, str) else text.decode())
            sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise UsageError(f"cannot write to standard output: {os_problem(exc)}") from None


def closed_pipe() -> int:
    """After a BrokenPipeError (`funnelctl ... | head -1`): stdout discarded, so that the
    interpreter's last flush does not fail again; the status to exit with."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (tests run the CLI in-process)
    return CLOSED_PIPE


def error_line(exc: FunnelctlError) -> str:
    """The one line a failure to run prints. Messages quote paths and values from files:
    no control character reaches the terminal."""
    return f"funnelctl: error: {visible(str(exc), keep=chr(10))}"


def write_or_exit(text: str) -> None:
    """write_stdout outside the CLI's handled_errors, ending the process as it would."""
    try:
        write_stdout(text)
    except BrokenPipeError:
        sys.exit(closed_pipe())
    except UsageError as exc:
        sys.stderr.write(error_line(exc) + "\n")
        sys.exit(ExitCode.ERROR)
