"""Awkward files are read, or stopped with a named error (exit 2, the file and the line),
never an "unexpected error"; an error quotes at most a short, escaped excerpt of a file."""

from __future__ import annotations

import json

import pytest

from funnelctl.io.sniff import SAMPLE_BYTES
from tests.conftest import assert_error

HEADER = "id,stage,created\n"
CONFIG = ("version: 1\nsources:\n  d:\n    path: {path}\n    kind: deals\n"
          "    columns: {{deal_id: id, stage: stage, created_at: created}}\n{extra}"
          "funnels: [{{name: F, source: d, stages: [{{name: A}}, {{name: B}}]}}]\n")


def config_for(tmp_path, data: bytes, extra: str = "", name: str = "d.csv"):
    (tmp_path / name).write_bytes(data)
    path = tmp_path / "c.yaml"
    path.write_text(CONFIG.format(path=name, extra=extra), encoding="utf-8")
    return path


def report(cli, config) -> dict:
    result = cli("audit", config, "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def entered(data: dict) -> list[int]:
    return [s["entered"] for s in data["funnels"][0]["stages"]]


@pytest.mark.parametrize("ending", ["\r", "mixed"])
def test_cr_only_and_mixed_line_endings_are_read(cli, tmp_path, ending):
    lines = [HEADER.strip(), "1,A,2024-01-01", "2,B,2024-01-02", "3,A,2024-01-03",
             "4,Zz,2024-01-04"]
    ends = ["\r"] * 5 if ending == "\r" else ["\r\n", "\r", "\n", "\r", "\r\n"]
    text = "".join(line + end for line, end in zip(lines, ends, strict=True))
    data = report(cli, config_for(tmp_path, text.encode()))
    source = data["data_quality"]["sources"][0]
    # By hand: 4 rows, the Zz row (line 5) matches no stage; A entered by 3, B by 1.
    assert (source["rows_read"], source["rows_rejected"]) == (4, 1)
    assert entered(data) == [3, 1]


def test_cr_only_cp1251_file_past_the_first_chunk(cli, tmp_path):
    """A CR at the end of a 1 MiB chunk followed by LF is one line end, not two."""
    row = "1,Переговоры,2024-01-01"
    body = HEADER.replace("\n", "\r\n")
    n = SAMPLE_BYTES // len(row) + 50
    body += "".join(f"{i},A,2024-01-01\r" for i in range(n))
    data = report(cli, config_for(tmp_path, (body + row + "\r\n").encode("cp1251")))
    assert data["data_quality"]["sources"][0]["rows_read"] == n + 1
    assert data["data_quality"]["sources"][0]["rows_rejected"] == 1  # Переговоры: no stage
    assert entered(data) == [n, 0]


def test_utf16_with_an_odd_byte_count(cli, tmp_path):
    data = (HEADER + "1,A,2024-01-01\n").encode("utf-16") + b"\x00"
    result = cli("audit", config_for(tmp_path, data))
    assert_error(result, "d.csv: the file ends inside a character", "an odd count for UTF-16")


@pytest.mark.parametrize("codec", ["rot13", "zlib", "base64", "hex", "bz2"])
def test_a_codec_that_is_not_a_text_encoding(cli, tmp_path, codec):
    config = config_for(tmp_path, (HEADER + "1,A,2024-01-01\n").encode(),
                        extra=f"    csv: {{encoding: {codec}}}\n")
    assert_error(cli("audit", config), f"'{codec}' in csv.encoding is not a text encoding")


def test_unbalanced_quote_names_the_line_where_the_field_starts(cli, tmp_path):
    rows = [f"{i},A,2024-01-01\n" for i in range(2, 700)]
    rows[300] = '302,"B,2024-01-02\n'  # file line 302 (header is line 1)
    assert_error(cli("audit", config_for(tmp_path, (HEADER + "".join(rows)).encode())),
                 "d.csv: line 302: a quoted field starts here")


def test_quoted_line_breaks_are_still_read(cli, tmp_path):
    text = HEADER + '1,A,2024-01-01\n2,"B\nsecond line",2024-01-02\n3,B,2024-01-03\n'
    data = report(cli, config_for(tmp_path, text.encode()))
    assert data["data_quality"]["sources"][0]["rows_read"] == 3
    assert entered(data) == [2, 1]  # the multi-line value matches no stage


def test_cp1251_tail_past_the_detection_sample_names_the_line(cli, tmp_path):
    n = SAMPLE_BYTES // len("1,Переговоры,2024-01-01\n".encode()) + 100
    body = HEADER + "".join(f"{i},Переговоры,2024-01-01\n" for i in range(n))
    assert len(body.encode()) > SAMPLE_BYTES + 1000  # the tail is past the sample
    data = body.encode() + "x,Закрыто,2024-01-01\ny,Закрыто,2024-01-01\n".encode("cp1251")
    assert_error(cli("audit", config_for(tmp_path, data)),
                 f"d.csv: line {n + 2} is not UTF-8 (2 such line(s)", "cp1251")


def test_mixed_utf8_and_cp1251_rows_are_each_read_in_their_own_and_reported(cli, tmp_path):
    data = (HEADER.encode() + "1,A,Ы\n".encode("cp1251").replace(b"\xdb", b"2024-01-01")
            + "2,Бэ,2024-01-02\n".encode() + "3,Бэ,2024-01-03\n".encode("cp1251")
            + "4,Бэ,2024-01-04\n".encode())
    config = config_for(tmp_path, data)
    config.write_text(config.read_text().replace("{name: B}", "{name: Бэ}"))
    result = report(cli, config)
    source = result["data_quality"]["sources"][0]
    assert entered(result) == [4, 3]  # not garbled: all three Бэ rows match the stage
    assert source["rows_rejected"] == 0
    assert ("mixed encodings, each line read in its own: 2 line(s) in UTF-8 (first: line 3), "
            "1 line(s) in cp1251 (first: line 4)") in source["notes"]


def test_an_error_quotes_a_file_only_in_a_short_excerpt(cli, tmp_path):
    first = "root:x:0:0:root:/root:/bin/bash\x1b[2J" + "y" * 200
    (tmp_path / "system").write_text(first + "\ndaemon:x:1:1::/:/bin/sh\n", encoding="utf-8")
    config = tmp_path / "etc" / "c.yaml"
    config.parent.mkdir()
    config.write_text(CONFIG.format(path="../system", extra=""), encoding="utf-8")
    result = cli("audit", config)
    assert_error(result, "column 'id' (for deal_id) not found", "root:x:0:0:root:/root:/")
    assert "/bin/bash" not in result.stderr and "yyyyy" not in result.stderr
    assert "\x1b" not in result.stderr


@pytest.mark.parametrize("data", [b"\xef\xbb\xbf", b"\xef\xbb\xbf\n\n", b"\xff\xfe",
                                  b"\xff\xfe\n\x00"])
def test_a_file_of_only_a_byte_order_mark_is_empty(cli, tmp_path, data):
    """Found by the fuzz test: a BOM and nothing else was an "unexpected error"."""
    assert_error(cli("audit", config_for(tmp_path, data)), "d.csv: file is empty")


def test_unbalanced_quote_in_an_event_log_names_the_line(cli, tmp_path):
    """Found by the fuzz test: the event reader's timestamp sample met it first."""
    rows = [f"u{i},visit,2024-01-01 10:00:00\n" for i in range(2, 300)]
    rows[100] = 'u102,"visit,2024-01-01 10:00:00\n'  # file line 102
    (tmp_path / "e.csv").write_text("entity_id,event,ts\n" + "".join(rows), encoding="utf-8")
    (tmp_path / "c.yaml").write_text(
        "version: 1\nsources:\n  e: {path: e.csv, kind: events}\nfunnels:\n"
        "  - {name: F, source: e, window: 1d, stages: [{name: visit}]}\n", encoding="utf-8")
    assert_error(cli("audit", tmp_path / "c.yaml"), "e.csv: line 102: a quoted field starts")


def test_an_export_with_escape_sequences_in_some_values_is_still_read(cli, tmp_path):
    # 100 rows, every third stage value carries a smuggled CSI sequence: a real export
    # with hostile values, not a binary file (the values are shown as visible escapes).
    rows = [f"{i},{'A' if i % 2 else 'B'}{chr(27) + '[2J' if i % 3 == 0 else ''},2024-01-02"
            for i in range(1, 101)]
    config = config_for(tmp_path, ("id,stage,created\n" + "\n".join(rows) + "\n").encode())
    data = report(cli, config)
    quality = data["data_quality"]["sources"][0]
    assert quality["rows_read"] == 100


def test_random_bytes_without_nul_are_still_refused(cli, tmp_path):
    import random

    noise = bytes(random.Random(7).randrange(1, 256) for _ in range(8192))
    config = config_for(tmp_path, noise)
    assert_error(cli("audit", config), "d.csv")
