"""Detect a CSV file's encoding and separator from its first bytes, and refuse non-CSV."""

from __future__ import annotations

import atexit
import codecs
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from funnelctl.errors import DataError

SAMPLE_BYTES = 1 << 20
SEPARATORS = (",", ";", "\t", "|")
_UTF8_NAMES = {"utf8", "utf-8", "utf_8", "utf-8-sig", "utf8-sig"}


@dataclass(frozen=True)
class CsvDialect:
    encoding: str  # "utf-8", "utf-8-sig", "cp1251", "utf-16", ...
    separator: str
    encoding_detected: bool
    separator_detected: bool


def sniff_csv(path: Path, encoding: str | None = None, separator: str | None = None) -> CsvDialect:
    """Explicit settings win; otherwise look at the first megabyte."""
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    if not head.strip():
        raise DataError(f"{path}: file is empty (expected a header line)")
    enc = encoding or _detect_encoding(path, head)
    text = head.decode(_codec(enc), errors="replace").lstrip("\ufeff")
    _refuse_non_csv(path, head, text, enc)
    first_line = text.split("\n", 1)[0]
    sep = separator or _detect_separator(first_line)
    return CsvDialect(enc, sep, encoding is None, separator is None)


def _codec(encoding: str) -> str:
    return "utf-8-sig" if encoding.lower() in _UTF8_NAMES else encoding


def _detect_encoding(path: Path, head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # final=False: the sample may end inside a multi-byte character.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in head[:8192]:
        raise DataError(f"{path}: this is a binary file, not a CSV export "
                        "(for Excel files save as CSV or use .xlsx)")
    # Not UTF-8: Russian Windows exports (amoCRM, Bitrix24 on-prem) are cp1251.
    return "cp1251"


def _refuse_non_csv(path: Path, head: bytes, text: str, encoding: str) -> None:
    if b"\x00" in head[:8192] and not encoding.lower().startswith("utf-16"):
        raise DataError(f"{path}: this is a binary file, not a CSV export")
    if head[:4] == b"PK\x03\x04":
        raise DataError(f"{path}: this is a zip/xlsx file, not CSV: name it .xlsx or save as CSV")
    start = text.lstrip()[:2000].lower()
    if start.startswith("<") and ("<table" in start or "<html" in start or "<meta" in start):
        raise DataError(
            f"{path}: this is an HTML page, not CSV (Bitrix24 saves its 'Excel' export as an "
            "HTML table): export as CSV instead"
        )


def _detect_separator(line: str) -> str:
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(SEPARATORS, key=lambda s: counts[s])
    return best if counts[best] else ","


def as_utf8(path: Path, dialect: CsvDialect) -> Path:
    """Polars reads UTF-8 only: stream other encodings into a UTF-8 temporary file.

    Decoding runs in 1 MiB chunks, so memory stays flat whatever the file size; the
    copy is removed when the process exits.
    """
    if dialect.encoding.lower() in _UTF8_NAMES:
        return path
    try:
        decoder = codecs.getincrementaldecoder(dialect.encoding)()
    except LookupError:
        raise DataError(f"{path}: unknown encoding '{dialect.encoding}'") from None
    fd, tmp = tempfile.mkstemp(prefix="funnelctl-", suffix=".csv")
    atexit.register(_remove, tmp)
    offset = 0
    with open(path, "rb") as src, os.fdopen(fd, "w", encoding="utf-8") as dst:
        while chunk := src.read(SAMPLE_BYTES):
            try:
                dst.write(decoder.decode(chunk).lstrip("\ufeff") if offset == 0
                          else decoder.decode(chunk))
            except UnicodeDecodeError as exc:
                raise DataError(
                    f"{path}: cannot decode as {dialect.encoding} at byte {offset + exc.start}"
                    " (set csv: {encoding: ...} in the source)"
                ) from None
            offset += len(chunk)
        dst.write(decoder.decode(b"", final=True))
    return Path(tmp)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
