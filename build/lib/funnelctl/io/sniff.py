"""Detect a file's container (CSV, Excel, HTML table), a CSV's encoding, separator and
header from its first bytes, and refuse what is not tabular data."""

from __future__ import annotations

import atexit
import codecs
import csv
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from funnelctl.errors import DataError

SAMPLE_BYTES = 1 << 20
SEPARATORS = (",", ";", "\t", "|")
_UTF8_NAMES = {"utf8", "utf-8", "utf_8", "utf-8-sig", "utf8-sig"}
# Salesforce report exports end with these lines (after a blank one).
FOOTER = re.compile(r"^(Grand Totals \(\d[\d,. ]* records?\)|Confidential Information - Do Not "
                    r"Distribute|Copyright \(c\) .*salesforce\.com)", re.IGNORECASE)


@dataclass(frozen=True)
class CsvDialect:
    encoding: str  # "utf-8", "utf-8-sig", "cp1251", "utf-16", ...
    separator: str
    encoding_detected: bool
    separator_detected: bool
    header: tuple[str, ...] = field(default=())
    multiline: bool = False  # some quoted field in the first megabyte holds a line break


def detect_container(path: Path) -> str:
    """'xlsx', 'xls', 'html' or 'csv', from the first bytes (Bitrix24's ".xls" is HTML)."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    text = head.decode("latin-1").lstrip("\ufeff\xef\xbb\xbf \r\n\t").lower()
    if text.startswith("<") and re.search(r"<(html|table|meta|!doctype|head|body)", text[:2000]):
        return "html"
    return "csv"


def sniff_csv(path: Path, encoding: str | None = None, separator: str | None = None) -> CsvDialect:
    """Explicit settings win; otherwise look at the first megabyte."""
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    if not head.strip():
        raise DataError(f"{path}: file is empty (expected a header line)")
    enc = encoding or _detect_encoding(path, head)
    if encoding:
        _check_declared(path, head, encoding)
    text = head.decode(_codec(enc), errors="replace").lstrip("\ufeff")
    _refuse_non_csv(path, head, text, enc)
    sep = separator or _detect_separator(text.split("\n", 1)[0])
    records = csv.reader(io.StringIO(text), delimiter=sep)
    header = next(records, [])
    try:
        multiline = any("\n" in value for row in records for value in row)
    except csv.Error:
        multiline = False
    return CsvDialect(enc, sep, encoding is None, separator is None, tuple(header), multiline)


def _codec(encoding: str) -> str:
    return "utf-8-sig" if encoding.lower() in _UTF8_NAMES else encoding


def _check_declared(path: Path, head: bytes, encoding: str) -> None:
    """A configured encoding that the file's start does not decode in is an error now."""
    try:
        decoder = codecs.getincrementaldecoder(_codec(encoding))()
    except LookupError:
        raise DataError(f"{path}: unknown encoding '{encoding}' in csv.encoding "
                        "(expected e.g. utf-8, cp1251, utf-16)") from None
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: cannot decode as {encoding} at byte {exc.start} "
                        "(check csv.encoding in the source, or remove it to detect)") from None


def _detect_encoding(path: Path, head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    # UTF-16 without a BOM: ASCII characters leave a zero byte in every other position.
    if len(sample) >= 4 and sample[1::2].count(0) > 0.4 * len(sample[1::2]) \
            and sample[0::2].count(0) == 0:
        return "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > 0.4 * len(sample[0::2]) \
            and sample[1::2].count(0) == 0:
        return "utf-16-be"
    if b"\x00" in head[:8192]:
        raise DataError(f"{path}: this is a binary file, not a CSV export "
                        "(expected text with a header line; Excel files: use .xlsx)")
    try:
        # final=False: the sample may end inside a multi-byte character.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # Not UTF-8: Russian Windows exports (amoCRM, Bitrix24 on-prem) are cp1251.
    try:
        head.decode("cp1251")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: cannot tell the encoding: not UTF-8 and not cp1251 "
                        f"(byte {exc.start}); set csv: {{encoding: ...}} in the source") from None
    return "cp1251"


def _refuse_non_csv(path: Path, head: bytes, text: str, encoding: str) -> None:
    if b"\x00" in head[:8192] and not encoding.lower().startswith("utf-16"):
        raise DataError(f"{path}: this is a binary file, not a CSV export")
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t")
    if controls > 8:
        raise DataError(f"{path}: this looks like a binary file ({controls} control characters "
                        "in the first 4 KB), not a CSV export")


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


def footer_lines(path: Path) -> list[str]:
    """Salesforce report footer lines at the end of a UTF-8 file (read from its tail only)."""
    with open(path, "rb") as fh:
        fh.seek(max(0, fh.seek(0, os.SEEK_END) - 8192))
        tail = fh.read().decode("utf-8", errors="replace")
    found = []
    for line in reversed(tail.splitlines()[1:] if len(tail) >= 8192 else tail.splitlines()):
        text = line.strip().strip('",;\t').strip()
        if not text:
            continue
        if not FOOTER.match(text):
            break
        found.append(text)
    return found[::-1]


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
    atexit.register(remove_file, tmp)
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


def remove_file(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
