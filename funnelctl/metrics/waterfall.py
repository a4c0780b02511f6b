"""The pipeline waterfall: how a deal funnel's open pipeline got from one date to another.

Pure functions over two *states* of the same deals, one row per deal: deal_id, status
(open / won / lost), position (the stage's 1-based index for an open deal), stage (its
name, or won / lost), and, when the data has them, amount, currency, expected_close
(a date) and manager. A deal missing from a state did not exist then (or, for a
snapshot, is gone from that export).

The flows add up, in deals and per currency in value:

    open at start + new + reopened - won - lost - removed = open at end
    (value: + amount raised - amount cut as well)

new: absent at the start, present at the end (whatever its status there); reopened:
closed at the start, open at the end; won / lost: open at the start or new, closed at the
end; removed: open at the start, absent at the end. Amount raised / cut: the change of
amount of each deal open at the start and present at the end (a deal that changed
currency is cut by its old amount and raised by its new one). A won or lost deal leaves
at its amount at the end; a missing amount counts as 0 (the report counts such deals).
advanced, moved back and slipped are movements inside the pipeline (deals open at both
dates: a later stage, an earlier one, a later expected close date); they add nothing.
"""

from __future__ import annotations

import polars as pl

from funnelctl.metrics.value import AMOUNT, NO_CURRENCY, currency_blocks
from funnelctl.plural import plural
from funnelctl.report_waterfall import (
    Role,
    Slippage,
    Waterfall,
    WaterfallBucket,
    WaterfallItem,
    WaterfallManager,
)

BUCKETS: list[tuple[str, Role]] = [
    ("open_start", "level"), ("new", "in"), ("reopened", "in"), ("advanced", "info"),
    ("moved_back", "info"), ("slipped", "info"), ("amount_raised", "in"),
    ("amount_cut", "out"), ("won", "out"), ("lost", "out"), ("removed", "out"),
    ("open_end", "level"),
]
NO_MANAGER = "(none)"
ITEM_CAP = 1000  # deals listed per bucket (JSON, HTML); the count says how many more
# The JSON's notes, in the form their count takes.
UNPRICED = ("{n} deal of the waterfall has no amount at one date or both: it counts, valued 0",
            "{n} deals of the waterfall have no amount at one date or both: they count, "
            "valued 0")
OUTCOME_CHANGED = tuple(f"{{n}} {deals} closed at both dates changed outcome (won <-> lost): "
                        "outside the open pipeline, not in the buckets"
                        for deals in ("deal", "deals"))
STATE_COLUMNS = {"deal_id": pl.String, "status": pl.String, "position": pl.Int32,
                 "stage": pl.String, "amount": pl.Float64, "currency": pl.String,
                 "expected_close": pl.Date, "manager": pl.String}
ROW_SCHEMA = {"bucket": pl.String, "deal_id": pl.String, "manager": pl.String,
              "currency": pl.String, "value": pl.Float64, "days": pl.Float64}


def complete_state(state: pl.DataFrame, default_currency: str | None = None) -> pl.DataFrame:
    """The state with every STATE_COLUMNS column (missing ones null), a blank currency
    read as `default_currency`. It must have a deal_id column."""
    cols = [pl.col(c).cast(t) if c in state.columns else pl.lit(None, t).alias(c)
            for c, t in STATE_COLUMNS.items()]
    out = state.select(cols)
    if default_currency:
        out = out.with_columns(pl.col("currency").fill_null(pl.lit(default_currency)))
    return out


def joined(start: pl.DataFrame, end: pl.DataFrame) -> pl.DataFrame:
    """Both states side by side, one row per deal id (s_ and e_ columns; manager: the
    owner at the end, else at the start)."""
    s = start.select(pl.col("deal_id"), pl.all().exclude("deal_id").name.prefix("s_"))
    e = end.select(pl.col("deal_id"), pl.all().exclude("deal_id").name.prefix("e_"))
    return s.join(e, on="deal_id", how="full", coalesce=True).with_columns(
        manager=pl.coalesce("e_manager", "s_manager").fill_null(NO_MANAGER))


def movement_rows(j: pl.DataFrame) -> pl.LazyFrame:
    """One row per (bucket, deal[, currency]) with what the deal adds to the bucket."""
    in_s, in_e = pl.col("s_status").is_not_null(), pl.col("e_status").is_not_null()
    open_s, open_e = pl.col("s_status") == "open", pl.col("e_status") == "open"
    both_open = (open_s & open_e).fill_null(False)
    entered = open_s.fill_null(False) | ~in_s  # in the pipeline during the period
    s_amt, e_amt = pl.col("s_amount").fill_null(0.0), pl.col("e_amount").fill_null(0.0)
    same_cur = pl.col("s_currency").eq_missing(pl.col("e_currency"))
    pushed = (pl.col("e_expected_close") - pl.col("s_expected_close")).dt.total_days()
    lazy = j.lazy()

    def rows(name: str, cond: pl.Expr, value: pl.Expr, currency: str = "e_currency",
             days: pl.Expr | None = None) -> pl.LazyFrame:
        return lazy.filter(cond.fill_null(False)).select(
            bucket=pl.lit(name), deal_id="deal_id", manager="manager",
            currency=pl.col(currency), value=value.cast(pl.Float64),
            days=(days if days is not None else pl.lit(None)).cast(pl.Float64))

    parts = [
        rows("open_start", open_s, s_amt, "s_currency"),
        rows("new", ~in_s & in_e, e_amt),
        rows("reopened", in_s & ~open_s & open_e, e_amt),
        rows("advanced", both_open & (pl.col("e_position") > pl.col("s_position")), e_amt),
        rows("moved_back", both_open & (pl.col("e_position") < pl.col("s_position")), e_amt),
        rows("slipped", both_open & (pushed > 0), e_amt, days=pushed),
        rows("amount_raised", open_s & in_e & same_cur & (e_amt > s_amt), e_amt - s_amt),
        rows("amount_raised", open_s & in_e & ~same_cur & (e_amt > 0), e_amt),
        rows("amount_cut", open_s & in_e & same_cur & (e_amt < s_amt), s_amt - e_amt),
        rows("amount_cut", open_s & in_e & ~same_cur & (s_amt > 0), s_amt, "s_currency"),
        rows("won", entered & (pl.col("e_status") == "won"), e_amt),
        rows("lost", entered & (pl.col("e_status") == "lost"), e_amt),
        rows("removed", open_s & ~in_e, s_amt, "s_currency"),
        rows("open_end", open_e, e_amt),
    ]
    return pl.concat([p.cast(ROW_SCHEMA) for p in parts])


def matching(j: pl.DataFrame) -> dict[str, int]:
    """How the deals of the two states pair up by id."""
    in_s, in_e = pl.col("s_status").is_not_null(), pl.col("e_status").is_not_null()
    row = j.select(
        matched=(in_s & in_e).sum(),
        only_open=(in_s & ~in_e & (pl.col("s_status") == "open")).sum(),
        only_closed=(in_s & ~in_e & (pl.col("s_status") != "open")).sum(),
        only_new=(~in_s & in_e).sum()).row(0)
    names = ["matched by deal id", "in the older export only: open (removed)",
             "in the older export only: closed (outside the pipeline)",
             "in the newer export only (new)"]
    return {name: int(n) for name, n in zip(names, row)}


def closed_changed(j: pl.DataFrame) -> int:
    """Deals closed at both dates whose outcome differs (won -> lost or back): outside the
    open pipeline, counted in the notes."""
    closed = (pl.col("s_status") != "open") & (pl.col("e_status") != "open")
    return int(j.select((closed & (pl.col("s_status") != pl.col("e_status"))).sum()).item())


def waterfall(start: pl.DataFrame, end: pl.DataFrame, *, basis: str,
              has_amounts: bool, has_close_dates: bool, rates: dict[str, float] | None = None,
              default_currency: str | None = None, item_cap: int = ITEM_CAP) -> Waterfall:
    """The waterfall between two states (complete_state frames)."""
    j = joined(start, end)
    rows = movement_rows(j).collect()
    rows, currency, currencies = _in_currencies(rows, rates or {}, default_currency)
    several = len(currencies) > 1
    buckets = _buckets(j, rows, several, has_amounts, item_cap)
    by_name = {b.name: b for b in buckets}
    if not has_close_dates:
        slipped = by_name["slipped"]
        slipped.deals = slipped.value = None
        slipped.values = {}
        slipped.note_code = "no_close_dates"
        slipped.note = ("unknown: the data has no expected close date (map expected_close "
                        "to see deals whose close date was pushed out)")
    notes = []
    unpriced = _unpriced(j) if has_amounts else 0
    if unpriced:
        notes.append(plural(unpriced, UNPRICED).format(n=unpriced))
    moved = closed_changed(j)
    if moved:
        notes.append(plural(moved, OUTCOME_CHANGED).format(n=moved))
    return Waterfall(basis=basis, start=None, end=None, buckets=buckets, currency=currency,
                     matching=matching(j),
                     currencies=currencies, has_amounts=has_amounts,
                     has_close_dates=has_close_dates,
                     slippage=_slippage(j, rows) if has_close_dates else None,
                     notes=notes, item_cap=item_cap, unpriced_deals=unpriced,
                     closed_outcome_changed=moved)


class MissingRates(ValueError):
    """Amounts in currencies that `money.rates` has no rate for."""

    def __init__(self, currencies: list[str]) -> None:
        super().__init__(", ".join(currencies))
        self.currencies = currencies


def _in_currencies(rows: pl.DataFrame, rates: dict[str, float], default: str | None
                   ) -> tuple[pl.DataFrame, str | None, list[str]]:
    """Values never add up across currencies: the money view's rule (value.currency_blocks):
    one currency, or every value converted into `default` with rates, else each currency
    keeps its own sums. Raises MissingRates when rates are given but not for all."""
    blocks, missing = currency_blocks(rows.rename({"value": AMOUNT}), default, rates)
    if missing:
        raise MissingRates(missing)
    if len(blocks) == 1:
        currency, frame, _ = blocks[0]
        frame = frame.rename({AMOUNT: "value"})
        if currency is not None:
            frame = frame.with_columns(currency=pl.lit(currency, pl.String))
        return frame, currency, [currency] if currency else []
    present = sorted(str(c) for c, _, _ in blocks)
    return rows.with_columns(pl.col("currency").fill_null(pl.lit(default, pl.String))
                             if default else pl.col("currency")), None, present


def _values(sums: pl.DataFrame, by: list[str]) -> dict:
    """{(by...): {currency: value}} from rows of by..., currency, value."""
    out: dict = {}
    for row in sums.iter_rows(named=True):
        key = tuple(row[c] for c in by)
        out.setdefault(key, {})[row["currency"] or NO_CURRENCY] = float(row["value"])
    return out


def _buckets(j: pl.DataFrame, rows: pl.DataFrame, several: bool, has_amounts: bool,
             item_cap: int) -> list[WaterfallBucket]:
    """Every bucket from one pass of group-bys over the movement rows (a deal is in a
    bucket once, so rows count deals; a deal that changed currency is in raised and in
    cut, each under one currency)."""
    cells = rows.group_by("bucket", "manager", "currency").agg(
        pl.len().alias("deals"), pl.col("value").sum())  # small: every number comes from it
    counts = dict(cells.group_by("bucket").agg(pl.col("deals").sum()).iter_rows())
    values = _values(cells.group_by("bucket", "currency").agg(pl.col("value").sum()),
                     ["bucket"])
    per = cells.group_by("bucket", "manager").agg(pl.col("deals").sum())
    per_values = _values(cells, ["bucket", "manager"])
    managers: dict[str, list[WaterfallManager]] = {}
    for bucket, manager, deals in per.sort(["bucket", "deals", "manager"],
                                           descending=[False, True, False]).iter_rows():
        vals = per_values.get((bucket, manager), {})
        managers.setdefault(bucket, []).append(WaterfallManager(
            manager=manager, deals=int(deals),
            value=None if several or not has_amounts else sum(vals.values(), 0.0),
            values=vals if has_amounts else {}))
    items = _items(j, rows, item_cap)
    out = []
    for name, role in BUCKETS:
        vals = values.get((name,), {})
        mine = items.get(name, [])
        out.append(WaterfallBucket(
            name=name, role=role, deals=int(counts.get(name, 0)),
            value=None if several or not has_amounts else sum(vals.values(), 0.0),
            values=vals if has_amounts else {}, per_manager=managers.get(name, []),
            items=mine, items_left_out=max(0, int(counts.get(name, 0)) - len(mine))))
    return out


def _items(j: pl.DataFrame, rows: pl.DataFrame, cap: int) -> dict[str, list[WaterfallItem]]:
    """The `cap` largest rows of each bucket, with the deal's stage, amount and close date
    at both dates (joined back on the few rows kept)."""
    rank = pl.col("value").abs().rank("min", descending=True).over("bucket")
    top = (rows.filter(rank <= cap)
           .sort(["bucket", pl.col("value").abs(), "deal_id"],
                 descending=[False, True, False], nulls_last=True)
           .group_by("bucket", maintain_order=True).head(cap))
    detail = j.select("deal_id", from_stage="s_stage", to_stage="e_stage",
                      amount_before="s_amount", amount_after="e_amount",
                      close_before="s_expected_close", close_after="e_expected_close")
    top = top.join(detail, on="deal_id", how="left", maintain_order="left")
    out: dict[str, list[WaterfallItem]] = {}
    for row in top.iter_rows(named=True):
        bucket = row.pop("bucket")
        out.setdefault(bucket, []).append(WaterfallItem(**row))
    return out


def _unpriced(j: pl.DataFrame) -> int:
    involved = (pl.col("s_status") == "open").fill_null(False) | (
        pl.col("e_status") == "open").fill_null(False) | pl.col("s_status").is_null()
    missing = (pl.col("s_status").is_not_null() & pl.col("s_amount").is_null()) | (
        pl.col("e_status").is_not_null() & pl.col("e_amount").is_null())
    return int(j.select((involved & missing).sum()).item())


def _slippage(j: pl.DataFrame, rows: pl.DataFrame) -> Slippage:
    dated = int(j.select(((pl.col("s_status") == "open") & (pl.col("e_status") == "open")
                          & pl.col("s_expected_close").is_not_null()
                          & pl.col("e_expected_close").is_not_null()).sum()).item())
    days = rows.filter(pl.col("bucket") == "slipped")["days"]
    n = days.len()
    return Slippage(deals=n, share=n / dated if dated else None,
                    days_median=float(days.median()) if n else None,
                    days_max=float(days.max()) if n else None,
                    days_total=float(days.sum()) if n else 0.0)


def invariant_gap(w: Waterfall) -> dict[str, float]:
    """open_start + flows in - flows out - open_end, in deals and per currency: all 0 for a
    waterfall that adds up (a check for tests and for the audit itself)."""
    sign = {"level": 1, "in": 1, "out": -1}
    gap = {"deals": 0.0}
    for b in w.buckets:
        if b.role == "info":
            continue
        s = -1 if b.name == "open_end" else sign[b.role]
        if b.name not in ("amount_raised", "amount_cut"):
            gap["deals"] += s * (b.deals or 0)
        for cur, v in b.values.items():
            gap[cur] = gap.get(cur, 0.0) + s * v
    return gap
