"""Writing reports and ledgers: never over an input or a non-regular file, atomically (a
reader never sees half a file), and no temporary file left behind, on a signal either."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from funnelctl.errors import UsageError
from funnelctl.io.files import (
    identity,
    is_folder,
    is_glob,
    kind_of,
    os_problem,
    parquet_files,
)

if TYPE_CHECKING:  # the CLI imports this module early: no pydantic at start-up
    from funnelctl.config import Source


class Terminated(BaseException):
    """SIGTERM or SIGHUP as an exception, so that `finally` blocks remove temporary files
    (the default action kills the process where it stands)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise Terminated (SIGINT already raises
    KeyboardInterrupt). A signal the parent set to be ignored (nohup) stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; a library caller keeps its own
        return
    kinds = [s for s in (signal.SIGTERM, signal.SIGHUP)
             if signal.getsignal(s) is signal.SIG_DFL]

    def raise_terminated(signum, frame):
        for kind in kinds:  # a second signal must not interrupt the clean-up
            signal.signal(kind, signal.SIG_IGN)
        raise Terminated(signum)

    for kind in kinds:
        signal.signal(kind, raise_terminated)
    try:
        yield
    finally:
        for kind in kinds:
            signal.signal(kind, signal.SIG_DFL)


Inputs = list[tuple[str, Path]]  # (what it is, e.g. "the config", its path)


def audit_inputs(config_path: Path, sources: Mapping[str, Source]) -> Inputs:
    """Every file an audit of this config reads: the config and each source's files."""
    inputs = [("the config", Path(config_path))]
    for name, source in sources.items():
        path = source.path
        if path is None:  # a table on a ClickHouse server: no file here
            continue
        files = parquet_files(path, name) if is_glob(path) or is_folder(path) else [path]
        inputs += [(f"a data file of source '{name}'", file) for file in files]
    return inputs


def check_outputs(output: Path | None, rejects: Path | None, inputs: Inputs) -> None:
    """Before an audit writes anything: neither target may be an input, a device, a FIFO
    or a folder, nor may both name the same file."""
    if rejects is not None:
        check_target(rejects, "--rejects", inputs)
    if output is not None:
        check_target(output, "--output", inputs)
    if output is not None and rejects is not None and (
            os.path.realpath(output) == os.path.realpath(rejects)
            or identity(output) is not None and identity(output) == identity(rejects)):
        raise UsageError(f"--output {output} and --rejects {rejects} name the same file")


def check_target(path: Path, option: str, inputs: Inputs = ()) -> None:
    """Refuse to write where a report or ledger must never go: over something that is not
    a regular file (a device, a FIFO, a folder) or over an input of the audit, however
    it is spelled (a symlink, `./`, a hard link: the same device and inode)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot write there: {os_problem(exc)}") from None
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{option} {path}: is {kind_of(info.st_mode)}, not a regular file; "
                         "funnelctl writes only to regular files (-o - for standard output)")
    for label, source in inputs:
        if identity(source) == (info.st_dev, info.st_ino):
            raise UsageError(f"{option} {path}: is {label} of this audit ({source}); "
                             "writing there would destroy it: choose another file")


@contextlib.contextmanager
def atomic_file(path: Path, what: str = "report") -> Iterator[Path]:
    """Yield a temporary file in `path`'s folder to fill; rename it over `path` when the
    block ends well. Missing folders are created. On any failure, a signal included, the
    temporary file is removed and `path` is left as it was, so a reader (a web server, a
    mailer) never sees half a file. A symlink at `path` keeps pointing at the new file.
    """
    check_target(path, f"the {what}")
    target = Path(os.path.realpath(path))
    with signals_raise():
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                        suffix=".tmp")
            os.close(fd)
        except OSError as exc:
            raise UsageError(f"{path}: cannot write the {what}: {os_problem(exc)}") from None
        tmp = Path(name)
        try:
            # mkstemp makes the file private (0600); give it the mode a new file would get.
            os.chmod(tmp, _mode_for(target))
            yield tmp
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            raise UsageError(f"{path}: cannot write the {what}: {os_problem(exc)}") from None
        finally:
            tmp.unlink(missing_ok=True)


def write_atomically(path: Path, text: str | bytes, what: str = "report") -> None:
    """Write `text` (UTF-8 when a str, as it is when bytes) to `path` through atomic_file."""
    data = text.encode() if isinstance(text, str) else text
    with atomic_file(path, what) as tmp, open(tmp, "wb") as fh:
        fh.write(data)


def _mode_for(path: Path) -> int:
    """The existing report's mode, else what the umask gives a new file."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def output_path(template: str, as_of: dt.date, start: dt.date | None,
                end: dt.date | None) -> Path:
    """Fill `{date}` (the as-of date) and `{period}` (START--END, one date, or all-data).

    `--` joins the dates because it is how ISO 8601 writes an interval in a file name.
    """
    values = {"date": as_of.isoformat(),
              "period": "all-data" if start is None
              else start.isoformat() if start == end
              else f"{start.isoformat()}--{end.isoformat()}"}

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise UsageError(f"--output: unknown placeholder '{{{name}}}' in '{template}' "
                             "(expected {date} or {period})")
        return values[name]

    return Path(PLACEHOLDER.sub(fill, template))
