"""Writing reports: atomically, so a reader never sees half a file."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from pathlib import Path

from funnelctl.errors import UsageError


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file in the same folder, then rename it over `path`.

    Missing folders are created. On any failure the temporary file is removed and `path`
    is left as it was, so a reader (a web server, a mailer) never sees half a report.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the report: {exc.strerror}") from None
    try:
        # mkstemp makes the file private (0600); a report gets the mode a new file would.
        os.chmod(tmp, _mode_for(path))
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UsageError(f"{path}: cannot write the report: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
