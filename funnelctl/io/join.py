"""`join:` on a source: another file's columns added to each row by a key, lazily, with
every row that does not match counted in the source's notes (nothing dropped silently)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from funnelctl.config.models import Join
from funnelctl.errors import DataError, excerpt_list
from funnelctl.io.edges import EDGES
from funnelctl.plural import plural

KEY = "__join_key"
SUFFIX = " (joined)"


@dataclass
class Side:
    """One file of a join as readers.py opened it (readers imports this module, not back)."""

    path: Path
    frame: pl.LazyFrame
    columns: list[str]


def join_file(raw: Side, other: Side, join: Join) -> tuple[pl.LazyFrame, list[str], str]:
    """The source's frame with the joined file's columns (the first joined row per key), its
    columns, and the note that counts what did not match."""
    left_key, right_key = join.key, join.other_key or join.key
    _require(raw, left_key, "join.key")
    _require(other, right_key, "join.other_key" if join.other_key else "join.key")
    renamed = {c: f"{c}{SUFFIX}" if c in raw.columns else c
               for c in other.columns if c != right_key}
    right = (other.frame.select(_key(right_key), *(pl.col(c).alias(n) for c, n in renamed.items()))
             .filter(pl.col(KEY).is_not_null()))
    left = raw.frame.with_columns(_key(left_key))
    counts = _match_counts(left, right)
    frame = left.join(right.unique(KEY, keep="first", maintain_order=True), on=KEY, how="left",
                      maintain_order="left").drop(KEY)
    return frame, [*raw.columns, *renamed.values()], _note(join, left_key, counts)


def _key(column: str) -> pl.Expr:
    text = pl.col(column).cast(pl.String).str.strip_chars(EDGES)
    return pl.when(text != "").then(text).alias(KEY)


def _require(raw: Side, column: str, key: str) -> None:
    if column not in raw.columns:
        close = difflib.get_close_matches(column, raw.columns, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise DataError(f"{raw.path}: no column '{column}' ({key}){hint}\n"
                        f"  columns found: {excerpt_list(raw.columns)}")


def _match_counts(left: pl.LazyFrame, right: pl.LazyFrame) -> dict[str, int]:
    """One pass per side: rows, rows whose key finds no partner, repeated keys on the right."""
    right_keys = right.select(KEY).unique()
    left_keys = left.select(KEY).filter(pl.col(KEY).is_not_null()).unique()
    frames = pl.collect_all([
        left.select(pl.len().alias("rows"), pl.col(KEY).is_null().sum().alias("no_key")),
        left.select(KEY).join(right_keys, on=KEY, how="anti").select(pl.len()),
        right.select(pl.len().alias("rows"), pl.col(KEY).n_unique().alias("keys")),
        right_keys.join(left_keys, on=KEY, how="anti").select(pl.len()),
    ])
    rows, no_key = frames[0].row(0)
    right_rows, right_distinct = frames[2].row(0)
    return {"rows": rows, "unmatched": frames[1].item(), "right_rows": right_rows,
            "repeated": right_rows - right_distinct, "right_unmatched": frames[3].item(),
            "no_key": no_key}


def _note(join: Join, key: str, n: dict[str, int]) -> str:
    name = join.path.name
    parts = [f"joined {name} by '{key}': {n['rows'] - n['unmatched']:,} of {n['rows']:,} "
             f"{plural(n['rows'], 'row|rows')} matched; {n['unmatched']:,} without a match "
             f"{plural(n['unmatched'], 'keeps|keep')} empty joined columns (of them "
             f"{n['no_key']:,} {plural(n['no_key'], 'has|have')} no key)",
             f"{n['right_unmatched']:,} {plural(n['right_unmatched'], 'key|keys')} of {name} "
             f"{plural(n['right_unmatched'], 'matches|match')} no row (not used)"]
    if n["repeated"]:
        parts.append(f"{n['repeated']:,} {plural(n['repeated'], 'row|rows')} of {name} "
                     f"{plural(n['repeated'], 'repeats|repeat')} an earlier key (the first is "
                     "used)")
    return "; ".join(parts)
