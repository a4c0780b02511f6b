"""Deals from Parquet: native types, and zone-aware timestamps read in the config's zone."""

from __future__ import annotations

import datetime as dt

import polars as pl

CONFIG = """
version: 1
timezone: Europe/Moscow
sources: {d: {path: deals.parquet, kind: deals}}
funnels: [{name: F, source: d, stages: [{name: new}, {name: qualified}], breakdown: [manager]}]
"""


def test_parquet_with_canonical_columns_and_utc_timestamps(cli, tmp_path):
    utc = dt.timezone.utc
    pl.DataFrame({
        "deal_id": [1, 2, 3],
        "stage": ["new", "qualified", "won"],
        "status": ["open", "open", "won"],
        "manager": ["a", "a", "b"],
        # 22:30 UTC on Jan 31 is 01:30 on Feb 1 in Moscow (UTC+3).
        "created_at": [dt.datetime(2024, 1, 31, 22, 30, tzinfo=utc),
                       dt.datetime(2024, 1, 31, 20, 0, tzinfo=utc),
                       dt.datetime(2024, 2, 5, 9, 0, tzinfo=utc)],
        "closed_at": [None, None, dt.datetime(2024, 2, 8, 9, 0, tzinfo=utc)],
    }).write_parquet(tmp_path / "deals.parquet")
    (tmp_path / "c.yaml").write_text(CONFIG)
    everything = cli.json("audit", tmp_path / "c.yaml")["funnels"][0]
    # Deal 3 is won (status column): it passed both stages. Won in exactly 3 days.
    assert [s["entered"] for s in everything["stages"]] == [3, 2]
    assert everything["cycle_days"]["median"] == 3.0
    february = cli.json("audit", tmp_path / "c.yaml", "--period", "2024-02-01..2024-02-29")
    # Deal 2 was created on Jan 31 at 23:00 Moscow time: outside February.
    assert february["funnels"][0]["entities"] == 2


def _ids_frame(ids: list[int]) -> pl.DataFrame:
    return pl.DataFrame({
        "deal_id": ids, "stage": ["new"] * len(ids), "status": ["open"] * len(ids),
        "manager": ["a"] * len(ids),
        "created_at": [dt.datetime(2024, 2, 1, 9, 0)] * len(ids)})


def test_ids_in_rising_order_with_a_repeat_still_give_a_duplicate(cli, tmp_path):
    # Sorted exports take a fast path (rising ids repeat none); an id repeated next to
    # itself is not rising, so it is still found: 4 rows, one of them a duplicate.
    _ids_frame([1, 2, 2, 3]).write_parquet(tmp_path / "deals.parquet")
    (tmp_path / "c.yaml").write_text(CONFIG)
    report = cli.json("audit", tmp_path / "c.yaml")
    assert report["funnels"][0]["entities"] == 3
    assert report["data_quality"]["sources"][0]["reasons"] == {"duplicate deal id": 1}


def test_ids_out_of_order_are_checked_for_repeats_one_by_one(cli, tmp_path):
    # 3, 1, 3, 2: the second 3 (row 3 of the file) repeats row 1, by hand.
    _ids_frame([3, 1, 3, 2]).write_parquet(tmp_path / "deals.parquet")
    (tmp_path / "c.yaml").write_text(CONFIG)
    report = cli.json("audit", tmp_path / "c.yaml", "--rejects", str(tmp_path / "r.csv"))
    assert report["funnels"][0]["entities"] == 3
    assert report["data_quality"]["sources"][0]["reasons"] == {"duplicate deal id": 1}
    rejects = pl.read_csv(tmp_path / "r.csv")
    assert rejects.filter(pl.col("reason") == "duplicate deal id")["line"].to_list() == [3]


def test_integer_ids_missing_or_repeated_are_rejected_and_listed_as_text(cli, tmp_path):
    # The frame keeps Parquet's integer ids as they are typed; the ledger shows them as
    # text. Rows: 10 (line 1), null (line 2: no id), 9 (line 3), 10 again (line 4).
    ids = pl.Series([10, None, 9, 10], dtype=pl.Int64)
    _ids_frame([0] * 4).with_columns(deal_id=ids).write_parquet(tmp_path / "deals.parquet")
    (tmp_path / "c.yaml").write_text(CONFIG)
    report = cli.json("audit", tmp_path / "c.yaml", "--rejects", str(tmp_path / "r.csv"))
    assert report["funnels"][0]["entities"] == 2
    assert report["data_quality"]["sources"][0]["reasons"] == {
        "missing deal id": 1, "duplicate deal id": 1}
    rejects = pl.read_csv(tmp_path / "r.csv", schema_overrides={"value": pl.String})
    assert rejects.select("line", "reason", "value").rows() == [
        (2, "missing deal id", None), (4, "duplicate deal id", "10")]


def test_overdue_integer_ids_are_listed_in_the_order_of_their_text(cli, tmp_path):
    # Two open deals overdue since the same day, ids 9 and 10: listed by day, then by the
    # id as the report shows it (text: "10" before "9"), as a CSV's would be.
    day = dt.datetime(2024, 2, 10)
    pl.DataFrame({"deal_id": [9, 10], "stage": ["new", "new"], "status": ["open", "open"],
                  "manager": ["a", "a"], "created_at": [dt.datetime(2024, 2, 1)] * 2,
                  "amount": [100.0, 200.0], "expected_close": [day, day]}
                 ).write_parquet(tmp_path / "deals.parquet")
    (tmp_path / "c.yaml").write_text(CONFIG)
    report = cli.json("audit", tmp_path / "c.yaml", "--as-of", "2024-03-01")
    listed = report["funnels"][0]["forecast"]["overdue"]["listed"]
    assert [d["deal_id"] for d in listed] == ["10", "9"]


def test_a_file_read_in_slices_gives_the_whole_file_s_deals(cli, tmp_path, monkeypatch):
    # Two rows a slice: slices (lines 1-2), (3-4), (5). The stage values differ between
    # slices (their Enums are widened), the unknown status is in the second slice, and
    # line 4 repeats the id of line 2, in the slice before it.
    monkeypatch.setattr("funnelctl.io.readers.SLICE_ROWS", 2)
    day = dt.datetime(2024, 2, 1, 9, 0)
    pl.DataFrame({
        "deal_id": [1, 2, 3, 2, 5],
        "stage": ["new", "qualified ", "new", "new", " qualified"],
        "status": ["open", "won", "??", "open", "lost"],
        "manager": [" a", "a", "a", "a", "b"],
        "created_at": [day] * 5,
        "closed_at": [None, dt.datetime(2024, 2, 3, 9, 0), None, None, day],
        "amount": [10.0, 20.0, 30.0, 40.0, 50.0],
        "loss_reason": [None, None, None, None, "price"],
    }).write_parquet(tmp_path / "deals.parquet")
    (tmp_path / "c.yaml").write_text(CONFIG)
    report = cli.json("audit", tmp_path / "c.yaml", "--rejects", str(tmp_path / "r.csv"))
    funnel = report["funnels"][0]
    # Usable: 1 (open at new: depth 1), 2 (won: depth 2), 5 (lost at qualified: depth 2).
    assert funnel["entities"] == 3
    assert [s["entered"] for s in funnel["stages"]] == [3, 2]
    assert funnel["cycle_days"]["median"] == 2.0  # deal 2: Feb 1 09:00 to Feb 3 09:00
    # " a" is trimmed to "a" in the first slice: deals 1 and 2 are a's, 5 is b's.
    assert {s["value"]: s["entities"] for s in funnel["breakdowns"]["manager"]} == \
        {"a": 2, "b": 1}
    rejects = pl.read_csv(tmp_path / "r.csv", schema_overrides={"value": pl.String})
    assert rejects.select("line", "reason", "value").rows() == [
        (3, "unknown status value", "??"), (4, "duplicate deal id", "2")]


def test_slices_with_different_enum_values_are_widened_to_all_of_them():
    from funnelctl.io.readers import concat_slices

    first = pl.DataFrame({"s": ["b", None]}, schema={"s": pl.Enum(["b"])})
    second = pl.DataFrame({"s": ["c", "a"]}, schema={"s": pl.Enum(["a", "c"])})
    both = concat_slices([first, second])
    assert both.schema["s"] == pl.Enum(["a", "b", "c"])
    assert both["s"].to_list() == ["b", None, "c", "a"]
