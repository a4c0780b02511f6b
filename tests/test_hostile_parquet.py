"""Parquet sources: a list-typed column, a corrupt file or mismatched schemas in a folder
are named errors (exit 2) naming the file(s) and the column."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from tests.conftest import assert_error

BASE = {"entity_id": ["u1", "u1"], "event": ["visit", "buy"],
        "ts": [dt.datetime(2024, 1, 1, 10), dt.datetime(2024, 1, 1, 11)]}


def config(tmp_path, path: str, breakdown: str = ""):
    text = (f"version: 1\nsources:\n  e: {{path: {path}, kind: events}}\nfunnels:\n"
            "  - {name: F, source: e, window: 1d, stages: [{name: visit}, {name: buy}]"
            f"{breakdown}}}\n")
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    return tmp_path / "c.yaml"


@pytest.mark.parametrize(("column", "breakdown"), [("tags", ", breakdown: [tags]"),
                                                    ("event", "")])
def test_a_list_typed_column(cli, tmp_path, column, breakdown):
    frame = pl.DataFrame({**BASE, "tags": [["a"], ["b"]]})
    if column == "event":
        frame = frame.with_columns(event=pl.col("event").map_elements(lambda v: [v]))
    frame.write_parquet(tmp_path / "e.parquet")
    assert_error(cli("audit", config(tmp_path, "e.parquet", breakdown)),
                 f"e.parquet: column '{column}' (for {column}) holds List(String) values")


def test_an_unused_list_column_is_fine(cli, tmp_path):
    pl.DataFrame({**BASE, "tags": [["a"], ["b"]]}).write_parquet(tmp_path / "e.parquet")
    result = cli("audit", config(tmp_path, "e.parquet"), "--format", "json")
    assert result.exit_code == 0, result.stderr


def folder(tmp_path) -> pl.DataFrame:
    (tmp_path / "log").mkdir()
    frame = pl.DataFrame(BASE)
    frame.write_parquet(tmp_path / "log" / "a.parquet")
    return frame


def test_a_corrupt_file_in_a_folder_is_named(cli, tmp_path):
    folder(tmp_path)
    (tmp_path / "log" / "b.parquet").write_bytes(b"PAR1 not really parquet PAR1")
    assert_error(cli("audit", config(tmp_path, "log")),
                 "log/b.parquet: cannot read as Parquet (source ")


def test_a_file_with_corrupt_data_pages_in_a_folder_is_named(cli, tmp_path):
    """The footer reads, the data does not: found when the scan fails, file by file."""
    frame = folder(tmp_path)
    n = 5000
    pl.concat([frame] * (n // 2)).with_columns(entity_id=pl.format("u{}", pl.int_range(n))) \
        .write_parquet(tmp_path / "log" / "b.parquet", compression="snappy")
    data = bytearray((tmp_path / "log" / "b.parquet").read_bytes())
    data[100:400] = b"\xff" * 300
    (tmp_path / "log" / "b.parquet").write_bytes(bytes(data))
    assert_error(cli("audit", config(tmp_path, "log")), "log/b.parquet: cannot read as Parquet")


def test_mismatched_column_types_name_both_files(cli, tmp_path):
    folder(tmp_path)
    pl.DataFrame({**BASE, "ts": ["2024-01-01 10:00", "x"]}).write_parquet(
        tmp_path / "log" / "b.parquet")
    assert_error(cli("audit", config(tmp_path, "log")),
                 "the files differ in column 'ts': Datetime", "log/a.parquet, String in ",
                 "log/b.parquet")


def test_a_missing_column_names_both_files(cli, tmp_path):
    folder(tmp_path)
    pl.DataFrame({"entity_id": ["u2"], "event": ["visit"]}).write_parquet(
        tmp_path / "log" / "b.parquet")
    assert_error(cli("audit", config(tmp_path, "log/*.parquet")),
                 "log/a.parquet has a column 'ts' that ", "log/b.parquet does not have")
