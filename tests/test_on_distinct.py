"""io.values.on_distinct: string work on the distinct values, mapped back row by row."""

from __future__ import annotations

import polars as pl

from funnelctl.io.values import on_distinct, strip_on_distinct


def test_each_row_gets_its_own_value_back():
    frame = pl.DataFrame({"s": [" Won", "lost ", None, " Won", "Open", "lost ", "x"]})
    out = frame.select(v=on_distinct(pl.col("s"), lambda t: t.str.strip_chars()
                                     .str.to_lowercase()))["v"].to_list()
    assert out == ["won", "lost", None, "won", "open", "lost", "x"]  # worked out by hand


def test_agrees_with_the_per_row_expression_on_many_rows_lazily():
    words = ["  new", "Qualified ", "qualified", None, "WON", " lost "] * 50_000
    lazy = pl.LazyFrame({"s": words[3:] + words[:3]})
    out = lazy.select(v=on_distinct(pl.col("s"), lambda t: t.str.strip_chars().str.to_lowercase())
                      ).collect(engine="streaming")["v"].to_list()
    expected = [None if w is None else w.strip().lower() for w in words[3:] + words[:3]]
    assert out == expected


def test_all_null_column_stays_null():
    frame = pl.DataFrame({"s": [None, None]}, schema={"s": pl.String})
    assert frame.select(v=on_distinct(pl.col("s"), lambda t: t.str.strip_chars()))["v"] \
        .to_list() == [None, None]


def test_strip_on_distinct_trims_every_row_and_leaves_other_columns():
    frame = pl.DataFrame({"stage": [" new", "won ", None, " new", "won"] * 1000,
                          "manager": ["Ann", "Bob", "Ann", None, "Bob"] * 1000,
                          "n": list(range(5000))})
    out = strip_on_distinct(frame, ["stage", "manager"])
    # Worked out by hand per row: str.strip on each value, nulls kept.
    assert out["stage"].to_list() == ["new", "won", None, "new", "won"] * 1000
    assert out["manager"].to_list() == frame["manager"].to_list()
    assert out["n"].to_list() == list(range(5000))


def test_strip_on_distinct_leaves_a_trimmed_column_unchanged():
    frame = pl.DataFrame({"stage": ["new", "won", None]})
    assert strip_on_distinct(frame, ["stage"])["stage"].to_list() == ["new", "won", None]
