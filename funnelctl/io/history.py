"""A stage-history export -> the canonical long frame: deal_id, stage, entered_at, manager?

Three layouts, detected from the header unless the source sets `layout:`:
- long: one row per stage entry (API dumps, amoCRM events, Bitrix24 stage history);
- hubspot_wide: one row per deal with a `Date entered "<Stage> (<Pipeline>)"` column per
  stage, or the legacy `Date entered '<Stage> (<Pipeline>)'` family; an empty cell means
  the deal never entered that stage;
- salesforce_history: the Opportunity History report, one row per save with From Stage,
  To Stage and the change date. The first row of a deal (empty From Stage) is its
  creation, i.e. its entry into To Stage; rows whose From Stage equals To Stage are
  amount or date edits, not moves, and are set aside with a note.
Rows that cannot be used go to the rejects ledger with their line and reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import polars as pl

from funnelctl.config import Source
from funnelctl.errors import DataError, excerpt_list
from funnelctl.io.currency import amount_currency, currency_expr
from funnelctl.io.date_formats import DateReading
from funnelctl.io.readers import LINE, RawSource, read_error, require_columns
from funnelctl.io.rejects import REJECTS_SCHEMA, no_usable_rows
from funnelctl.io.values import (
    EDGES,
    Plausible,
    clean_text,
    date_readings,
    merge_readings,
    null_markers,
    out_of_range,
    parse_amount,
    plausible,
    to_local_datetime,
)
from funnelctl.plural import plural

REQUIRED = {"long": ("deal_id", "stage", "entered_at"),
            "hubspot_wide": ("deal_id",),
            "salesforce_history": ("deal_id", "from_stage", "stage", "entered_at")}
# Headers of real exports for each canonical column, compared after _key().
ALIASES = {
    "long": {"manager": ["owner"]},
    "hubspot_wide": {"deal_id": ["Record ID", "Deal ID", "hs_object_id"],
                     "manager": ["Deal owner", "hubspot_owner_id"]},
    "salesforce_history": {
        "deal_id": ["Opportunity ID", "Opportunity Name", "Deal Name"],
        "from_stage": ["From Stage"], "stage": ["To Stage"],
        "entered_at": ["Last Modified", "Last Modified Date", "Edit Date"],
        "manager": ["Owner", "Opportunity Owner"],
        "amount": ["Amount"], "expected_close": ["Close Date", "CloseDate"]},
}
# Polars keeps a header's escaped quotes doubled (`Date entered ""X (P)""`): allow both.
WIDE_COLUMN = re.compile(r"""^\s*date entered\s*["']+(?P<label>.+?)["']+\s*$""", re.IGNORECASE)
PIPELINE_SUFFIX = re.compile(r"^(?P<stage>.+?)\s*\((?P<pipeline>[^()]+)\)$")


@dataclass
class History:
    frame: pl.DataFrame  # LINE, deal_id, stage, entered_at, then manager/pipeline/breakdown
    rejects: pl.DataFrame  # line, reason, value
    layout: str
    rows_read: int  # data rows in the file (one HubSpot row holds many entries)
    notes: list[str] = field(default_factory=list)
    # Salesforce rows with From Stage = To Stage (amount or close-date edits, no move):
    # deal_id, entered_at and the amount / expected_close they set, for the waterfall.
    edits: pl.DataFrame | None = None


# Optional per-entry values (long and Salesforce layouts): the amount and the expected
# close date as they stood at each entry, for the waterfall of a period.
VALUES = ("amount", "currency", "expected_close")


def _key(name: str) -> str:
    return re.sub(r"[\W_]+", " ", name).strip().lower()


def detect_layout(columns: list[str]) -> str:
    if any(WIDE_COLUMN.match(c) for c in columns):
        return "hubspot_wide"
    if {"from stage", "to stage"} <= {_key(c) for c in columns}:
        return "salesforce_history"
    return "long"


def history_mapping(raw: RawSource, source: Source, layout: str,
                    extra: list[str]) -> dict[str, str]:
    """canonical name -> header in the file; the source's `columns:` win over aliases."""
    mapping = dict(source.columns)
    by_key = {_key(c): c for c in raw.columns}
    aliases = ALIASES[layout]
    optional = VALUES if layout != "hubspot_wide" else ()
    for name in (*REQUIRED[layout], "manager", *optional, *extra):
        for candidate in (name, *aliases.get(name, [])):
            if name not in mapping and _key(candidate) in by_key:
                mapping[name] = by_key[_key(candidate)]
    missing = [name for name in REQUIRED[layout] if name not in mapping]
    if missing:
        raise DataError(
            f"{raw.path}: no column for {', '.join(missing)} (layout {layout}): map it under "
            f"sources.{raw.name}.columns\n  columns found: {excerpt_list(raw.columns)}")
    for name in extra:
        mapping.setdefault(name, name)
    require_columns(raw, mapping, set(REQUIRED[layout]) | set(extra))
    return mapping


def read_history(raw: RawSource, source: Source, timezone: str,
                 breakdown: list[str], as_of: dt.date | None = None) -> History:
    layout = source.layout or detect_layout(raw.columns)
    mapping = history_mapping(raw, source, layout, breakdown)
    kept = {name: _text(mapping[name])
            for name in dict.fromkeys(["manager", *breakdown]) if name in mapping}
    schema = raw.frame.collect_schema()
    if layout != "hubspot_wide":
        kept |= _values(raw, source, mapping, timezone, schema)
    if layout == "hubspot_wide":
        entries, date_dtype = _from_hubspot(raw, mapping["deal_id"], kept)
        date_columns = [c for c in raw.columns if WIDE_COLUMN.match(c)]
    else:
        date_dtype = schema[mapping["entered_at"]]
        entries = _from_rows(raw, mapping, kept, layout == "salesforce_history")
        date_columns = [mapping["entered_at"]]
    # HubSpot's date columns become one column: every format any of them uses.
    reading = merge_readings(list(date_readings(raw, source.date_format, date_columns).values()))
    edit_columns = (mapping["from_stage"], mapping["stage"]) if "from_stage" in mapping else None
    return _finish(raw, entries, date_dtype, source, timezone, layout, reading,
                   plausible(as_of, timezone), edit_columns)




def _values(raw: RawSource, source: Source, mapping: dict[str, str], timezone: str,
            schema: pl.Schema) -> dict[str, pl.Expr]:
    """amount and expected_close (a date) of each entry, when the file has them; a value
    that does not parse is left out (counted in the notes)."""
    markers = null_markers(source.null_values)
    out = {}
    if "amount" in mapping:
        name = mapping["amount"]
        amount = parse_amount(name, schema[name], markers)
        # As the deals reader: the currency column, else (or where its cell is blank) the
        # amount's text; an amount naming another currency than its cell is left out.
        cell = currency_expr(mapping["currency"], markers) if "currency" in mapping else None
        if schema[name] == pl.String:
            text = clean_text(name, markers)
            out["currency"], conflict = amount_currency(cell, text, amount)
            out["amount"] = pl.when(~conflict).then(amount)
            out["_amount_bad"] = text.is_not_null() & out["amount"].is_null()
        else:
            out["amount"], out["_amount_bad"] = amount, pl.lit(False)
            if cell is not None:
                out["currency"] = cell
    if "expected_close" in mapping:
        name = mapping["expected_close"]
        reading = date_readings(raw, source.date_format, [name]).get(name)
        parsed, given = to_local_datetime(name, schema[name], timezone, source.date_format,
                                          markers, reading)
        out["expected_close"] = parsed.dt.date()
        out["_close_bad"] = given & parsed.is_null()
    return out


def split_label(label: str) -> tuple[str, str | None]:
    """`Closed Won (Sales Pipeline)` -> ("Closed Won", "Sales Pipeline")."""
    split = PIPELINE_SUFFIX.match(label)
    return (split["stage"], split["pipeline"]) if split else (label, None)


def _text(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).str.strip_chars(EDGES)


def _from_rows(raw: RawSource, mapping: dict[str, str], kept: dict[str, pl.Expr],
               salesforce: bool) -> pl.LazyFrame:
    stage = _text(mapping["stage"])
    not_move = pl.lit(False)
    if salesforce:
        before = _text(mapping["from_stage"])
        not_move = (before.fill_null("") != "") & (
            before.str.to_lowercase() == stage.str.to_lowercase()).fill_null(False)
    return raw.frame.select(
        pl.col(LINE).cast(pl.Int64), deal_id=_text(mapping["deal_id"]), stage=stage,
        _date=pl.col(mapping["entered_at"]), _not_move=not_move, **kept)


def _from_hubspot(raw: RawSource, deal_column: str,
                  kept: dict[str, pl.Expr]) -> tuple[pl.LazyFrame, pl.DataType]:
    """Unpivot the `Date entered "..."` columns into one row per (deal, stage)."""
    columns = {c: m["label"] for c in raw.columns if (m := WIDE_COLUMN.match(c))}
    if not columns:
        raise DataError(f"{raw.path}: layout hubspot_wide needs 'Date entered \"<Stage> "
                        f"(<Pipeline>)\"' columns, found none\n  columns found: "
                        f"{excerpt_list(raw.columns)}")
    stage_of = {column: split_label(label)[0] for column, label in columns.items()}
    pipeline_of = {column: split_label(label)[1] for column, label in columns.items()}
    schema = raw.frame.collect_schema()
    dtypes = {schema[c] for c in columns}
    date_dtype = dtypes.pop() if len(dtypes) == 1 else pl.String()
    dates = [pl.col(c).cast(date_dtype) for c in columns]
    wide = raw.frame.select(pl.col(LINE).cast(pl.Int64), _text(deal_column).alias("deal_id"),
                            *dates, **kept)
    # Rows read: counted before empty cells (stages never entered) are dropped.
    wide = wide.with_columns(_rows=pl.len())
    entries = wide.unpivot(on=list(columns), index=[c for c in wide.collect_schema().names()
                                                    if c not in columns],
                           variable_name="_column", value_name="_date")
    return entries.with_columns(
        stage=pl.col("_column").replace_strict(stage_of, return_dtype=pl.String),
        pipeline=pl.col("_column").replace_strict(pipeline_of, return_dtype=pl.String),
        _not_move=pl.lit(False),
    ).drop("_column"), date_dtype


def _finish(raw: RawSource, entries: pl.LazyFrame, date_dtype: pl.DataType, source: Source,
            timezone: str, layout: str, reading: DateReading | None,
            dates: Plausible, edit_columns: tuple[str, str] | None = None) -> History:
    """`edit_columns`: the From Stage and To Stage headers (Salesforce), named in the note
    about the edit rows as the file writes them."""
    markers = null_markers(source.null_values)
    parsed, given = to_local_datetime("_date", date_dtype, timezone, source.date_format,
                                      markers, reading)
    entries = entries.with_columns(entered_at=parsed, _given=given,
                                   _date_raw=pl.col("_date").cast(pl.String))
    # Checked on the parsed column: in the same step it would be parsed twice.
    entries = entries.with_columns(_odd=dates.outside(pl.col("entered_at")))
    if layout == "hubspot_wide":
        entries = entries.filter(pl.col("_given"))  # an empty cell: never entered
    else:
        entries = entries.with_columns(_rows=pl.len())
    try:
        frame = entries.with_columns(_reject_reason()).collect()
    except pl.exceptions.PolarsError as exc:
        raise read_error(raw, exc) from None
    if frame.height == 0:
        raise DataError(f"{raw.path}: no stage entries (a header but no data rows, or no "
                        "dates in any stage column)")
    rows_read = int(frame["_rows"][0])
    notes = []
    not_moves = int(frame["_not_move"].sum())
    if not_moves:
        before, after = edit_columns or ("From Stage", "To Stage")
        notes.append(plural(not_moves, EDIT_ROWS).format(n=not_moves, before=before,
                                                          after=after))
    for flag, what in (("_amount_bad", "amount"), ("_close_bad", "expected_close")):
        if flag in frame.columns and (bad := int(frame[flag].sum())):
            notes.append(plural(bad, UNREADABLE).format(n=bad, what=what))
    values = [c for c in VALUES if c in frame.columns]
    edits = (frame.filter(pl.col("_not_move") & pl.col("_reason").is_null())
             .select("deal_id", "entered_at", *values) if values else None)
    frame = frame.filter(~pl.col("_not_move"))
    rejected = frame.filter(pl.col("_reason").is_not_null())
    rejects = rejected.select(line=LINE, reason="_reason", value="_value").cast(REJECTS_SCHEMA)
    good = frame.filter(pl.col("_reason").is_null())
    if good.height == 0 and rejects.height:
        raise no_usable_rows(raw.path, rejects, source.date_format, rows_read)
    good = good.drop([c for c in good.columns if c.startswith("_") and c != LINE])
    unique = good.unique(["deal_id", "stage", "entered_at"], keep="first", maintain_order=True)
    if unique.height < good.height:
        repeats = good.height - unique.height
        notes.append(plural(repeats, DUPLICATE_ENTRIES).format(n=repeats))
    return History(unique, rejects, layout, rows_read, notes, edits)


EDIT_ROWS = ("{n} row has '{before}' = '{after}' (an amount or date edit, not a stage move): "
             "not counted as an entry",
             "{n} rows have '{before}' = '{after}' (amount or date edits, not stage moves): "
             "not counted as entries")
# An unreadable value sets nothing (metrics.history.latest_values): each view that reads
# the history's values takes the deal's value before it.
UNREADABLE = tuple(f"{{n}} {{what}} {values} could not be read: the waterfall, the money view, "
                   f"the forecast and the plan take {deal} last readable {{what}}"
                   for values, deal in (("value", "its deal's"), ("values", "each deal's")))
DUPLICATE_ENTRIES = ("{n} duplicate stage entry (same deal, stage and time) counted once",
                     "{n} duplicate stage entries (same deal, stage and time) counted once")


def _reject_reason() -> list[pl.Expr]:
    """One reason per unusable entry (the first that applies) and the offending value."""
    none = pl.lit(None, pl.String)
    no_id = pl.col("deal_id").is_null() | (pl.col("deal_id") == "")
    no_stage = pl.col("stage").is_null() | (pl.col("stage") == "")
    rules = [
        # No id, stage or date: an empty line (as the deals reader names it), such as the
        # one above a Salesforce report's footer, not a row that lost its id.
        (no_id & no_stage & ~pl.col("_given"), "blank line", none),
        (no_id, "missing deal id", none),
        (no_stage, "missing stage", none),
        (~pl.col("_given"), "missing entered_at", none),
        (pl.col("entered_at").is_null(), "unparseable entered_at", pl.col("_date_raw")),
        (pl.col("_odd"), out_of_range("entered_at"), pl.col("_date_raw")),
    ]
    reason, value = none, none
    for condition, text, offending in reversed(rules):
        reason = pl.when(condition).then(pl.lit(text)).otherwise(reason)
        value = pl.when(condition).then(offending).otherwise(value)
    return [reason.alias("_reason"), value.alias("_value")]


def stage_values(raw: RawSource, source: Source) -> pl.Series:
    """Distinct stage values of a history file, for `validate` (no dates parsed)."""
    layout = source.layout or detect_layout(raw.columns)
    mapping = history_mapping(raw, source, layout, [])
    if layout == "hubspot_wide":
        labels = [m["label"] for c in raw.columns if (m := WIDE_COLUMN.match(c))]
        return pl.Series("stage", [split_label(label)[0] for label in labels]).unique()
    column = clean_text(mapping["stage"], null_markers(source.null_values))
    return raw.frame.select(column.unique()).collect().to_series().drop_nulls()
