"""Which files an audit may open: regular files only, folders and globs walked without
following a symlink loop, and every file once however many ways lead to it."""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from pathlib import Path

from funnelctl.errors import DataError, FunnelctlError

MAGIC = "*?["


def kind_of(mode: int) -> str:
    """What a file is, in the words of a message ("a FIFO (named pipe)", ...)."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def os_problem(exc: OSError) -> str:
    """An OSError as words for a message, without Python's "[Errno N]" prefix."""
    words = {errno.ENAMETOOLONG: "the path is too long (a file name may have 255 bytes, "
                                 "a path 4096)",
             errno.ELOOP: "too many levels of symbolic links (a symlink loop?)",
             errno.EACCES: "permission denied (the file is not readable by this user)"}
    return words.get(exc.errno, exc.strerror or str(exc))


def stat_input(path: Path, what: str, context: str = "",
               error: type[FunnelctlError] = DataError) -> os.stat_result:
    """os.stat of a file the audit reads, refusing anything that is not a regular file.

    Checked before opening: opening a FIFO blocks until a writer comes, and a device
    such as /dev/zero or /dev/urandom never ends.
    """
    where = f" ({context})" if context else ""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise error(f"{path}: {what} not found{where}") from None
    except OSError as exc:
        raise error(f"{path}: cannot read the {what}{where}: {os_problem(exc)}") from None
    if not stat.S_ISREG(info.st_mode):
        raise error(f"{path}: is {kind_of(info.st_mode)}, not a regular file: the {what}"
                    f"{where} must be a regular file")
    if not os.access(path, os.R_OK):
        raise error(f"{path}: cannot read the {what}{where}: "
                    f"{os_problem(OSError(errno.EACCES, 'Permission denied'))}")
    return info


def is_folder(path: Path) -> bool:
    """Path.is_dir, but a path the system cannot even look at (too long) is no folder:
    stat_input then names the problem."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        return False


def is_glob(path: Path | str) -> bool:
    """A pattern such as events/*.parquet (Parquet files only)."""
    return any(ch in str(path) for ch in MAGIC)


def parquet_files(path: Path, source: str) -> list[Path]:
    """The Parquet files of a folder (recursively) or a glob, sorted, each file once.

    Symlinks are followed, but a folder already walked (the same device and inode) is
    not walked again, so `again -> .` neither loops nor counts rows twice; a file reached
    by two names is read under the first.
    """
    root, pattern = split_glob(path) if is_glob(path) else (path, ("**", "*.parquet"))
    found: dict[tuple[int, int], Path] = {}
    for file in sorted(_walk(root, recurse="**" in pattern, depth=len(pattern))):
        relative = file.relative_to(root).parts
        if not _matches(pattern, relative):
            continue
        info = stat_input(file, "Parquet file", f"source '{source}'")
        found.setdefault((info.st_dev, info.st_ino), file)
    return sorted(found.values())


def split_glob(path: Path) -> tuple[Path, tuple[str, ...]]:
    """events/2024/*/*.parquet -> (events/2024, ('*', '*.parquet'))."""
    parts = path.parts
    first = next(i for i, part in enumerate(parts) if is_glob(part))
    return Path(*parts[:first]) if first else Path("."), tuple(parts[first:])


def _walk(root: Path, recurse: bool, depth: int):
    """Every non-directory path under root; each real directory entered once."""
    seen: set[tuple[int, int]] = set()
    stack = [(root, 1)]
    while stack:
        folder, level = stack.pop()
        try:
            info = os.stat(folder)
            if (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            entries = list(os.scandir(folder))
        except OSError as exc:
            raise DataError(f"{folder}: cannot list the folder: {os_problem(exc)}") from None
        folders = []
        for entry in sorted(entries, key=lambda e: e.name):
            path = Path(folder, entry.name)
            try:
                is_dir = entry.is_dir()  # follows a symlink; a dangling one is no folder
            except OSError:
                is_dir = False
            if not is_dir:
                yield path
            elif recurse or level < depth:
                folders.append((path, level + 1))
        stack += reversed(folders)  # walked in name order: the first name of a folder wins


def _matches(pattern: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    """Glob segments against path segments; `**` matches any number of folders."""
    if not pattern:
        return not parts
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_matches(rest, parts[i:]) for i in range(len(parts) + 1))
    return bool(parts) and fnmatch.fnmatchcase(parts[0], head) and _matches(rest, parts[1:])


def identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of an existing file, the same for every name that leads to it."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


# An .xlsx is a zip of XML: a few kilobytes can declare gigabytes of cells (a zip bomb).
XLSX_MAX_UNCOMPRESSED = 200 << 20  # bytes of XML the reader may inflate in all
XLSX_MAX_RATIO = 100  # ... and at most this many times the file's size,
XLSX_RATIO_FLOOR = 16 << 20  # once past this (a small workbook may compress very well)


def check_xlsx_inflation(path: Path) -> None:
    """Refuse an .xlsx whose members declare more uncompressed bytes than the bounds,
    before any cell is read (the reader would hold them all in memory)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            inflated = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(f"{path}: cannot read as Excel (xlsx): not a valid zip archive "
                        f"({exc})") from None
    size = os.stat(path).st_size
    bound = min(XLSX_MAX_UNCOMPRESSED, max(XLSX_RATIO_FLOOR, XLSX_MAX_RATIO * size))
    if inflated > bound:
        raise DataError(
            f"{path}: refused: this {_mib(size)} workbook inflates to {_mib(inflated)} of "
            f"sheet data (a zip bomb?); funnelctl reads an .xlsx up to {_mib(bound)} "
            f"uncompressed ({XLSX_MAX_RATIO}x its size, at most "
            f"{_mib(XLSX_MAX_UNCOMPRESSED)}): save the sheet as CSV instead")


def _mib(size: int) -> str:
    return f"{size / (1 << 20):.1f} MiB" if size >= 1 << 20 else f"{size / 1024:.1f} KiB"
