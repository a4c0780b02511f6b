"""Bitrix24's "Excel" export is an HTML <table> saved as .xls: turn it into a UTF-8 CSV.

The file is parsed in chunks with the standard library's HTMLParser, so memory stays
flat; rows go straight to a temporary CSV that the ordinary CSV path then reads.
"""

from __future__ import annotations

import atexit
import codecs
import csv
import os
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from funnelctl.errors import DataError
from funnelctl.io.sniff import SAMPLE_BYTES, remove_file


class _TableWriter(HTMLParser):
    """Writes the rows of the first <table> (th/td cells) to a csv writer."""

    def __init__(self, writer: csv.writer) -> None:
        super().__init__(convert_charrefs=True)
        self.writer = writer
        self.tables = 0
        self.rows = 0
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables += 1
        elif self.tables == 1 and tag == "tr":
            self.row = []
        elif self.row is not None and tag in ("td", "th"):
            self.cell = []
        elif self.cell is not None and tag == "br":
            self.cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.cell is not None:  # an unclosed last cell
                self.row.append("".join(self.cell).strip())
                self.cell = None
            self.writer.writerow(self.row)
            self.rows += 1
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def html_encoding(head: bytes) -> str:
    """The charset the page declares, else UTF-8 when it decodes, else cp1251."""
    match = re.search(rb"charset\s*=\s*[\"']?([\w-]+)", head[:4096], re.IGNORECASE)
    if match:
        name = match.group(1).decode("ascii").lower()
        try:
            return codecs.lookup(name).name
        except LookupError:
            pass
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1251"


def html_table_to_csv(path: Path, encoding: str | None = None) -> tuple[Path, str]:
    """(UTF-8 CSV copy of the page's first table, the page's encoding)."""
    with open(path, "rb") as fh:
        enc = encoding or html_encoding(fh.read(SAMPLE_BYTES))
    fd, tmp = tempfile.mkstemp(prefix="funnelctl-", suffix=".csv")
    atexit.register(remove_file, tmp)
    with open(path, "rb") as src, os.fdopen(fd, "w", encoding="utf-8", newline="") as dst:
        parser = _TableWriter(csv.writer(dst, lineterminator="\n"))
        decoder = codecs.getincrementaldecoder(enc)(errors="replace")
        while chunk := src.read(SAMPLE_BYTES):
            parser.feed(decoder.decode(chunk).lstrip("\ufeff"))
        parser.feed(decoder.decode(b"", final=True))
        parser.close()
    if parser.rows == 0:
        raise DataError(f"{path}: this is an HTML page with no table rows, not a data export "
                        "(expected a CSV, XLSX, or Bitrix24's HTML-table .xls)")
    return Path(tmp), enc
