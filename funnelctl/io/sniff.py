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
# Salesforce report exports end with these lines (after a blank one), each the whole of a
# row's first and only filled cell; telephony and 1C-style exports end with a totals line
# (`Итого;;;;;`, `Total: 152`). The one definition of a footer line: the CSV tail, the
# CSV frame (FOOTER.pattern, in Polars' regex syntax too) and a sheet's last rows use it.
SALESFORCE_FOOTER = (r"Grand Totals \(\d[\d,. ]* records?\)|Confidential Information - "
                     r"Do Not Distribute|Copyright \(c\) .*salesforce\.com.*")
TOTALS_FOOTER = r"(?:Итого|Всего|Total|Totals|Grand Total)(?:\s*:.*)?"
FOOTER = re.compile(rf"(?i)^(?:{SALESFORCE_FOOTER}|{TOTALS_FOOTER})$")


@dataclass(frozen=True)
class CsvDialect:
    encoding: str  # "utf-8", "utf-8-sig", "cp1251", "utf-16", ...
    separator: str
    encoding_detected: bool
    separator_detected: bool
    header: tuple[str, ...] = field(default=())
    multiline: bool = False  # some quoted field in the first megabyte holds a line break
    lone_cr: bool = False  # CR-only (old Mac) or mixed line endings: rewritten as LF


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
    if not head.removeprefix(codecs.BOM_UTF8).strip():  # a BOM alone is empty too
        raise DataError(f"{path}: file is empty (expected a header line)")
    enc = encoding or _detect_encoding(path, head)
    if encoding:
        _check_declared(path, head, encoding)
    text = head.decode(_codec(enc), errors="replace").lstrip("\ufeff")
    if not text.strip():  # only a byte-order mark, or blank lines, in any encoding
        raise DataError(f"{path}: file is empty (expected a header line)")
    lone_cr = _has_lone_cr(text)
    if lone_cr:
        text = _lf(text)
    _refuse_non_csv(path, head, text, enc)
    sep = separator or _detect_separator(text.split("\n", 1)[0])
    records = csv.reader(io.StringIO(text), delimiter=sep)
    header = next(records, [])
    try:
        multiline = any("\n" in value for row in records for value in row)
    except csv.Error:
        multiline = False
    return CsvDialect(enc, sep, encoding is None, separator is None, tuple(header), multiline,
                      lone_cr)


def _has_lone_cr(text: str) -> bool:
    """A CR not followed by LF ends lines in old exports (alone, or mixed with CRLF / LF)."""
    return text.count("\r") > text.count("\r\n")


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _codec(encoding: str) -> str:
    return "utf-8-sig" if encoding.lower() in _UTF8_NAMES else encoding


def _check_declared(path: Path, head: bytes, encoding: str) -> None:
    """A configured encoding that the file's start does not decode in is an error now."""
    try:
        is_text = codecs.lookup(_codec(encoding))._is_text_encoding
        decoder = codecs.getincrementaldecoder(_codec(encoding))()
    except LookupError:
        raise DataError(f"{path}: unknown encoding '{encoding}' in csv.encoding "
                        "(expected e.g. utf-8, cp1251, utf-16)") from None
    if not is_text:  # rot13, zlib, base64, hex: codecs, but not for text files
        raise DataError(f"{path}: '{encoding}' in csv.encoding is not a text encoding "
                        "(expected e.g. utf-8, cp1251, utf-16)")
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
    # A share, not a count: an export whose names hold a few smuggled escape sequences is
    # still an export (they are shown as visible escapes); random bytes give about 12%.
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    if controls > 8 and controls > 0.03 * len(sample):
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


def footer_lines(path: Path, separator: str = ",") -> list[str]:
    """Salesforce report footer lines at the end of a UTF-8 file (read from its tail only):
    the last lines whose first field is a footer line and whose other fields are empty."""
    with open(path, "rb") as fh:
        fh.seek(max(0, fh.seek(0, os.SEEK_END) - 8192))
        tail = fh.read().decode("utf-8", errors="replace")
    found = []
    for line in reversed(tail.splitlines()[1:] if len(tail) >= 8192 else tail.splitlines()):
        fields = [f.strip() for f in next(csv.reader([line], delimiter=separator), [])]
        if not any(fields):
            continue
        if any(fields[1:]) or not FOOTER.match(fields[0]):
            break
        found.append(fields[0])
    return found[::-1]


# Two Cyrillic letters in UTF-8 (D0/D1 + a continuation byte, twice): in cp1251 these
# bytes would read as "РЃСЂ"-like noise that no Russian text contains.
_UTF8_CYRILLIC = re.compile(rb"(?:[\xd0\xd1][\x80-\xbf]){2}")


def as_utf8(path: Path, dialect: CsvDialect) -> tuple[Path, list[str]]:
    """Polars reads UTF-8 with LF or CRLF lines only: stream anything else (another
    encoding, CR-only or mixed line endings) into a UTF-8 temporary file, with notes.

    Decoding runs in 1 MiB chunks, so memory stays flat whatever the file size; the
    copy is removed when the process exits. A file detected as cp1251 that holds UTF-8
    lines too is read line by line, each line in its own encoding, and the notes say so.
    """
    utf8 = dialect.encoding.lower() in _UTF8_NAMES
    if utf8 and not dialect.lone_cr:
        return path, []
    if dialect.encoding_detected and dialect.encoding == "cp1251" and _has_utf8_text(path):
        return _mixed_copy(path, dialect)
    try:
        decoder = codecs.getincrementaldecoder(_codec(dialect.encoding))()
    except LookupError:
        raise DataError(f"{path}: unknown encoding '{dialect.encoding}'") from None
    tmp, dst = _temporary()
    offset, pending = 0, ""
    with open(path, "rb") as src, dst:
        while chunk := src.read(SAMPLE_BYTES):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise DataError(
                    f"{path}: cannot decode as {dialect.encoding} at byte {offset + exc.start}"
                    " (set csv: {encoding: ...} in the source)"
                ) from None
            text = text.lstrip("\ufeff") if offset == 0 else text
            if dialect.lone_cr:  # a CR at a chunk's end may be the first half of CRLF
                text, pending = pending + text, ""
                if text.endswith("\r"):
                    text, pending = text[:-1], "\r"
                text = _lf(text)
            dst.write(text)
            offset += len(chunk)
        try:
            dst.write(_lf(pending + decoder.decode(b"", final=True)))
        except UnicodeDecodeError:
            odd = ", an odd count for UTF-16" if "16" in dialect.encoding and offset % 2 else ""
            raise DataError(f"{path}: the file ends inside a character ({offset} bytes{odd}): "
                            f"it was cut short, or it is not {dialect.encoding}") from None
    return tmp, []


def _temporary():
    fd, tmp = tempfile.mkstemp(prefix="funnelctl-", suffix=".csv")
    atexit.register(remove_file, tmp)
    return Path(tmp), os.fdopen(fd, "w", encoding="utf-8")


def _has_utf8_text(path: Path) -> bool:
    with open(path, "rb") as fh:
        return any(_UTF8_CYRILLIC.search(chunk) for chunk in iter(lambda: fh.read(SAMPLE_BYTES),
                                                                     b""))


def _mixed_copy(path: Path, dialect: CsvDialect) -> tuple[Path, list[str]]:
    """Each line in the encoding it decodes in: UTF-8 first, else cp1251 (a Python loop,
    only for such files). A line that is neither is an error naming it."""
    counts, first = {"UTF-8": 0, "cp1251": 0}, {}
    tmp, dst = _temporary()
    with open(path, "rb") as src, dst:
        for number, line in enumerate(src, 1):
            if line.isascii():
                dst.write(_lf(line.decode("ascii")) if dialect.lone_cr else line.decode("ascii"))
                continue
            try:
                text, encoding = line.decode("utf-8"), "UTF-8"
            except UnicodeDecodeError:
                try:
                    text, encoding = line.decode("cp1251"), "cp1251"
                except UnicodeDecodeError:
                    raise DataError(f"{path}: line {number} is neither UTF-8 nor cp1251 "
                                    "(set csv: {encoding: ...} in the source)") from None
            counts[encoding] += 1
            first.setdefault(encoding, number)
            text = text.lstrip("\ufeff") if number == 1 else text
            dst.write(_lf(text) if dialect.lone_cr else text)
    note = ("mixed encodings, each line read in its own: " + ", ".join(
        f"{n} line(s) in {enc} (first: line {first[enc]})" for enc, n in counts.items() if n))
    return tmp, [note]


def remove_file(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
