"""What the CLI process does around every command: failures to one line on stderr and an
exit code, a spinner in a terminal only, and the runtime settings made before polars loads."""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Iterator

import typer

from funnelctl.errors import ExitCode, FunnelctlError, visible
from funnelctl.io.output import Terminated
from funnelctl.stdout import closed_pipe, error_line


@contextlib.contextmanager
def handled_errors(debug: bool) -> Iterator[None]:
    """Every failure to run becomes one line on stderr and exit code 2."""
    try:
        yield
    except typer.Exit:
        raise
    except Terminated as exc:
        typer.echo(f"funnelctl: interrupted by {exc}", err=True)
        raise typer.Exit(ExitCode.ERROR) from None
    except FunnelctlError as exc:
        if debug:
            traceback.print_exc()
        typer.echo(error_line(exc), err=True)
        raise typer.Exit(ExitCode.ERROR) from None
    except KeyboardInterrupt:
        typer.echo("funnelctl: interrupted", err=True)
        raise typer.Exit(ExitCode.ERROR) from None
    except BrokenPipeError:
        # The reader went away (`funnelctl audit ... | head -1`): stop quietly, with the
        # status a shell reports for a tool ended by SIGPIPE.
        raise typer.Exit(closed_pipe()) from None
    except Exception as exc:  # noqa: BLE001 - the last handler: no traceback for users
        if debug:
            traceback.print_exc()
        message = visible(str(exc), keep="\n")
        typer.echo(f"funnelctl: unexpected error: {type(exc).__name__}: {message} "
                   "(run again with --debug for the traceback)", err=True)
        raise typer.Exit(ExitCode.ERROR) from None


@contextlib.contextmanager
def progress(message: str, enabled: bool = True) -> Iterator[None]:
    """A spinner on stderr in a terminal; nothing at all under cron, in a pipe, or --quiet."""
    if not enabled or not sys.stderr.isatty() or os.environ.get("CI"):
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(f"{message}…"):
        yield


def use_color(output) -> bool:
    """ANSI colours only for a report going to a terminal, and never under NO_COLOR."""
    return output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ


def tune_runtime() -> None:
    """Settings for the CLI process only, made before polars and pydantic are imported.

    Memory: keep peak memory near the live data on big inputs.
    Polars' allocator (jemalloc) keeps freed pages for seconds; an audit of tens of
    millions of events frees and allocates hundreds of MB phase after phase, and the kept
    pages nearly double its peak. Return them after 100 ms instead, and read two Parquet
    row groups ahead rather than more. Start-up: pydantic looks for plugins in the
    metadata of every installed package (~15 ms); the CLI uses none. Settings already in
    the environment win.
    """
    os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:100,muzzy_decay_ms:0")
    os.environ.setdefault("POLARS_ROW_GROUP_PREFETCH_SIZE", "2")
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


def freeze_imports() -> None:
    """Once the audit's modules are imported: their objects (classes, functions, the
    config and report models) live as long as the process, yet every garbage collection
    the audit's own objects trigger walked them again. Move them out of its view."""
    import gc

    gc.freeze()
